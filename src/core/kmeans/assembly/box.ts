// A photo's pixels averaged in boxes (the panel's display-size pictures, see ../../view/region.ts),
// in WebAssembly: in JavaScript the loop took 8 ns a pixel (0.25 s at 24 MP, on the thread that
// makes a panel's first picture), a quarter of that here.

/**
 * Adds `rows` rows of `w` RGB pixels at `src` (3w bytes each, one after the other) to the sums
 * of the output pixels: column i's to the three u32 at sums + 4 * to[i] (to: i32 at `to`).
 */
export function boxAdd(src: usize, rows: i32, w: i32, to: usize, sums: usize): void {
  let s = src;
  for (let y = 0; y < rows; y++) {
    for (let i = 0; i < w; i++) {
      const t = sums + (<usize>load<i32>(to + (<usize>i << 2)) << 2);
      store<u32>(t, load<u32>(t) + <u32>load<u8>(s));
      store<u32>(t + 4, load<u32>(t + 4) + <u32>load<u8>(s + 1));
      store<u32>(t + 8, load<u32>(t + 8) + <u32>load<u8>(s + 2));
      s += 3;
    }
  }
}

/**
 * Each output pixel's three sums over its box (`h` rows by widths[ox] columns, i32 at `widths`)
 * to bytes at `out`, rounded half up as Math.round does, in integers; the sums are zeroed for the
 * next row of boxes.
 */
export function boxOut(sums: usize, outW: i32, widths: usize, h: i32, out: usize): void {
  for (let ox = 0; ox < outW; ox++) {
    const area = <u64>load<i32>(widths + (<usize>ox << 2)) * <u64>h;
    for (let c = 0; c < 3; c++) {
      const at = sums + (<usize>(ox * 3 + c) << 2);
      const sum = <u64>load<u32>(at);
      store<u8>(out + <usize>(ox * 3 + c), <u8>((2 * sum + area) / (2 * area)));
      store<u32>(at, 0);
    }
  }
}
