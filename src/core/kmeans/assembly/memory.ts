// Typed access to the host-laid-out linear memory: element i of an f64 or i32 array at `base`.

@inline export function f(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}

@inline export function setF(base: usize, i: i32, v: f64): void {
  store<f64>(base + (<usize>i << 3), v);
}

@inline export function n(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}

@inline export function setN(base: usize, i: i32, v: i32): void {
  store<i32>(base + (<usize>i << 2), v);
}
