// The distinct feature values of the pixels and their counts (see ../distinct.ts, the host), in
// WebAssembly for the same reason as the restarts: these loops run once per image, which in a
// cold JavaScript process means unoptimised. Ids follow the lexicographic order of the values.
// Each method has two phases: the first returns the number m of distinct values, so that the
// host can lay out the outputs; the second fills them.

import { setF, n, setN } from './memory';

/** A 1- or 2-byte value's key (the table method's); three bytes go through key3. */
@inline function key(feat: usize, d: i32, p: i32): i32 {
  if (d == 1) return <i32>load<u8>(feat + <usize>p);
  const o = feat + (<usize>p << 1);
  return (<i32>load<u8>(o) << 8) | <i32>load<u8>(o + 1);
}

/**
 * A 3-byte value's key, its bytes read last to first when `rev` is set: BGR values are then read
 * straight from the RGB pixels, without a converted copy of the image (see ../distinct.ts).
 */
@inline function key3(feat: usize, p: i32, rev: i32): i32 {
  const o = feat + <usize>p * 3;
  const a = <i32>load<u8>(o);
  const c = <i32>load<u8>(o + 2);
  return rev ? (c << 16) | (<i32>load<u8>(o + 1) << 8) | a : (a << 16) | (<i32>load<u8>(o + 1) << 8) | c;
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

// The pixels come in chunks (the host copies each chunk's values in), so the kernel's memory
// holds the tables, one chunk and the distinct values, not the whole image: about 50 MB instead
// of 210 MB for a 24-megapixel photo. Which value a pixel has is looked up again when needed
// (labelling), from the tables: a per-pixel index would be 4 bytes a pixel kept.

/** Table method (1-2 channels), per chunk: counts the chunk's keys in `table` (256^d u32, zeroed first). */
export function tableCount(feat: usize, d: i32, np: i32, table: usize): void {
  for (let p = 0; p < np; p++) {
    const k = key(feat, d, p);
    setN(table, k, n(table, k) + 1);
  }
}

/** Table method, once counted: the number m of distinct values. */
export function tableSize(d: i32, table: usize): i32 {
  const size = 1 << (8 * d);
  let m = 0;
  for (let k = 0; k < size; k++) if (n(table, k) != 0) m++;
  return m;
}

/** Table method: numbers the used keys in increasing order and writes their points and weights. */
export function tableNumber(d: i32, table: usize, points: usize, weights: usize): void {
  const size = 1 << (8 * d);
  let id = 0;
  for (let k = 0; k < size; k++) {
    const c = <u32>n(table, k);
    if (c == 0) continue;
    setF(weights, id, <f64>c);
    unpackKey(k, d, points, id);
    setN(table, k, id++); // the count is no longer needed: the slot now maps key -> id
  }
}

/** Table method, per chunk, once numbered: each pixel's id (`table` maps key -> id). */
export function tableIndex(feat: usize, d: i32, np: i32, table: usize, index: usize): void {
  for (let p = 0; p < np; p++) setN(index, p, n(table, key(feat, d, p)));
}

/**
 * Bitmap method (3 channels), per chunk: marks each pixel's 24-bit key in `bits` (2^19 u32,
 * zeroed first). Fewer passes and far less memory traffic than sorting the pixels by key.
 */
export function bitmapMark(feat: usize, np: i32, bits: usize, rev: i32): void {
  for (let p = 0; p < np; p++) {
    const k = key3(feat, p, rev);
    const w = k >>> 5;
    setN(bits, w, n(bits, w) | (1 << (k & 31)));
  }
}

/** Bitmap method, once marked: writes at `rank` (2^19 u32) the keys marked before each word; returns m. */
export function bitmapRank(bits: usize, rank: usize): i32 {
  let total = 0;
  for (let w = 0; w < 1 << 19; w++) {
    setN(rank, w, total);
    total += <i32>popcnt<u32>(<u32>n(bits, w));
  }
  return total;
}

/** Bitmap method: the points in key order (a key's id is its rank among the marked keys); weights zeroed. */
export function bitmapPoints(bits: usize, points: usize, weights: usize): void {
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
}

@inline function bitmapId(feat: usize, p: i32, bits: usize, rank: usize, rev: i32): i32 {
  const k = key3(feat, p, rev);
  const w = k >>> 5;
  const below = (<u32>1 << <u32>(k & 31)) - 1;
  return n(rank, w) + <i32>popcnt<u32>(<u32>n(bits, w) & below);
}

/**
 * Bitmap method, per chunk: counts each pixel into its value's count (u32, zeroed first). Counts
 * of 4 bytes, not weights of 8: the pass is random access over all of them (4.7 MB instead of
 * 9.4 MB for a photo's million colours), and took 0.33 s of a 24 MP photo as f64 weights.
 */
export function bitmapCount(feat: usize, np: i32, bits: usize, rank: usize, counts: usize, rev: i32): void {
  for (let p = 0; p < np; p++) {
    const o = counts + (<usize>bitmapId(feat, p, bits, rank, rev) << 2);
    store<u32>(o, load<u32>(o) + 1);
  }
}

/** The m counts as weights (f64). */
export function countsToWeights(counts: usize, m: i32, weights: usize): void {
  for (let i = 0; i < m; i++) setF(weights, i, <f64>load<u32>(counts + (<usize>i << 2)));
}

/** Bitmap method, per chunk: each pixel's id. */
export function bitmapIndex(feat: usize, np: i32, bits: usize, rank: usize, index: usize, rev: i32): void {
  for (let p = 0; p < np; p++) setN(index, p, bitmapId(feat, p, bits, rank, rev));
}
