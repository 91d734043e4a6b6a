// The distinct feature values of the pixels and their counts (see ../distinct.ts, the host), in
// WebAssembly for the same reason as the restarts: these loops run once per image, which in a
// cold JavaScript process means unoptimised. Ids follow the lexicographic order of the values.
// Each method has two phases: the first returns the number m of distinct values, so that the
// host can lay out the outputs; the second fills them.

import { setF, n, setN } from './memory';

@inline function key(feat: usize, d: i32, p: i32): i32 {
  if (d == 1) return <i32>load<u8>(feat + <usize>p);
  if (d == 2) {
    const o = feat + (<usize>p << 1);
    return (<i32>load<u8>(o) << 8) | <i32>load<u8>(o + 1);
  }
  const o = feat + <usize>p * 3;
  return (<i32>load<u8>(o) << 16) | (<i32>load<u8>(o + 1) << 8) | <i32>load<u8>(o + 2);
}

/** Writes the value of `key` as point `id` (d coordinates) at `points`. */
@inline function unpackKey(key: i32, d: i32, points: usize, id: i32): void {
  const o = id * d;
  if (d == 1) setF(points, o, <f64>key);
  else if (d == 2) {
    setF(points, o, <f64>(key >>> 8));
    setF(points, o + 1, <f64>(key & 255));
  } else {
    setF(points, o, <f64>(key >>> 16));
    setF(points, o + 1, <f64>((key >>> 8) & 255));
    setF(points, o + 2, <f64>(key & 255));
  }
}

/** Table method, phase 1: counts the n pixels' keys in `table` (256^d u32, zeroed); returns m. */
export function countByTable(feat: usize, d: i32, np: i32, table: usize): i32 {
  for (let p = 0; p < np; p++) {
    const k = key(feat, d, p);
    setN(table, k, n(table, k) + 1);
  }
  const size = 1 << (8 * d);
  let m = 0;
  for (let k = 0; k < size; k++) if (n(table, k) != 0) m++;
  return m;
}

/** Table method, phase 2: numbers the used keys in increasing order; points, weights, index. */
export function fillByTable(feat: usize, d: i32, np: i32, table: usize, points: usize, weights: usize, index: usize): void {
  const size = 1 << (8 * d);
  let id = 0;
  for (let k = 0; k < size; k++) {
    const c = <u32>n(table, k);
    if (c == 0) continue;
    setF(weights, id, <f64>c);
    unpackKey(k, d, points, id);
    setN(table, k, id++); // the count is no longer needed: the slot now maps key -> id
  }
  for (let p = 0; p < np; p++) setN(index, p, n(table, key(feat, d, p)));
}

/**
 * Bitmap method (3 channels), phase 1: marks each pixel's 24-bit key in `bits` (2^19 u32,
 * zeroed) and writes at `rank` (2^19 u32) the number of keys marked before each word; returns m.
 * Fewer passes and far less memory traffic than sorting the pixels by key.
 */
export function countByBitmap(feat: usize, np: i32, bits: usize, rank: usize): i32 {
  for (let p = 0; p < np; p++) {
    const k = key(feat, 3, p);
    const w = k >>> 5;
    setN(bits, w, n(bits, w) | (1 << (k & 31)));
  }
  let total = 0;
  for (let w = 0; w < 1 << 19; w++) {
    setN(rank, w, total);
    total += <i32>popcnt<u32>(<u32>n(bits, w));
  }
  return total;
}

/** Bitmap method, phase 2: a key's id is its rank among the marked keys. */
export function fillByBitmap(feat: usize, np: i32, bits: usize, rank: usize, points: usize, weights: usize, index: usize): void {
  let id = 0;
  for (let w = 0; w < 1 << 19; w++) {
    let v = <u32>n(bits, w);
    while (v != 0) {
      unpackKey((w << 5) | <i32>ctz<u32>(v), 3, points, id);
      setF(weights, id, 0);
      id++;
      v &= v - 1;
    }
  }
  for (let p = 0; p < np; p++) {
    const k = key(feat, 3, p);
    const w = k >>> 5;
    const below = (<u32>1 << <u32>(k & 31)) - 1;
    const i = n(rank, w) + <i32>popcnt<u32>(<u32>n(bits, w) & below);
    setN(index, p, i);
    store<f64>(weights + (<usize>i << 3), load<f64>(weights + (<usize>i << 3)) + 1);
  }
}
