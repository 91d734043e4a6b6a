// Clustering the distinct feature values weighted by their counts gives the same result as
// clustering every pixel, and there are far fewer of them. Ids follow the lexicographic order of
// the values, so the output does not depend on the pixel order. The loops are in the
// WebAssembly kernel (assembly/distinct.ts), in the thread's reusable kernel memory, a chunk of
// pixels at a time; what is kept is copied out of it (see kernel.ts). A pixel's id is not
// stored (4 bytes a pixel): `forEachId` looks it up again from a small table when labelling.
import { Heap, newKernel, threadMemory, type KernelExports } from './kernel';
import type { ChannelImage } from '../types';

export interface Distinct {
  /** m*d distinct values, lexicographically increasing. */
  points: Float64Array;
  /** m pixel counts. */
  weights: Float64Array;
  /** m */
  count: number;
  /** Dimensions of a value. */
  d: number;
  /**
   * Value -> id: for one or two channels the id of each of the 256^d keys; for three, the
   * 2^24-bit bitmap of the keys present (2^19 words) followed by each word's rank (2^19 words).
   */
  lookup: Uint32Array;
}

/** Puts the values of pixels [from, to) (d bytes each) into a chunk buffer. */
export type CopyChunk = (from: number, to: number, into: Uint8Array) => void;

/** A source of pixel values: how many, how many bytes each, and how to copy a range. */
export interface Values {
  n: number;
  d: number;
  copy: CopyChunk;
  /** Three-byte values copied as they lie, each to be read last byte first (BGR from RGB pixels). */
  reversed?: boolean;
}

/** Values given as d bytes a pixel. */
export function packedValues(features: Uint8Array, d: number): Values {
  if (!Number.isInteger(d) || d < 1 || d > 3) throw new RangeError(`distinctValues: d must be 1, 2 or 3 (got ${d})`);
  if (features.length % d !== 0) {
    throw new RangeError(`distinctValues: ${features.length} feature bytes is not a multiple of d=${d}`);
  }
  return { n: features.length / d, d, copy: (from, to, into) => into.set(features.subarray(from * d, to * d)) };
}

/**
 * `channels` (1-3 distinct byte positions 0-2, in that order) of 3-byte pixels, picked chunk by
 * chunk: never copied whole. All three in reverse (BGR of RGB pixels) are copied as they lie and
 * read backwards by the kernel.
 */
export function channelValues(pixels: Uint8Array, channels: readonly number[]): Values {
  const d = channels.length;
  if (d < 1 || d > 3 || channels.some((c) => c !== 0 && c !== 1 && c !== 2) || new Set(channels).size !== d) {
    throw new RangeError(`channels ${channels.join(',')} are not 1-3 distinct indices 0-2`);
  }
  if (pixels.length % 3 !== 0) throw new RangeError(`${pixels.length} bytes are not 3-byte pixels`);
  const [c0, c1, c2] = channels as [number, number?, number?];
  const reversed = d === 3 && c0 === 2 && c1 === 1 && c2 === 0;
  const all = reversed || (d === 3 && c0 === 0 && c1 === 1 && c2 === 2);
  const copy: CopyChunk = (from, to, into) => {
    if (all) {
      into.set(pixels.subarray(from * 3, to * 3));
      return;
    }
    for (let s = from * 3, end = to * 3, o = 0; s < end; s += 3) {
      into[o++] = pixels[s + c0]!;
      if (d > 1) into[o++] = pixels[s + c1!]!;
      if (d > 2) into[o++] = pixels[s + c2!]!;
    }
  };
  return { n: pixels.length / 3, d, copy, reversed };
}

/** Channels `channels` (in the colour space's order) of an image in a colour space (see channelValues). */
export function imageValues(img: ChannelImage, channels: readonly number[]): Values {
  return channelValues(img.data, channels.map((c) => img.offsets[c]!));
}

/** `shared`: the values and weights in shared memory (other threads may cluster them). */
export function distinctValues(features: Uint8Array, d: number, shared = false): Distinct {
  return distinctOf(packedValues(features, d), shared);
}

function float64(n: number, shared: boolean): Float64Array {
  return shared ? new Float64Array(new SharedArrayBuffer(8 * n)) : new Float64Array(n);
}

function copyOut(view: Uint32Array, shared: boolean): Uint32Array {
  if (!shared) return view.slice();
  const out = new Uint32Array(new SharedArrayBuffer(view.byteLength));
  out.set(view);
  return out;
}

/** Pixels a chunk holds: its values and ids take ~7 MB of the kernel's memory. */
const CHUNK = 1 << 20;

/** Lays out a chunk buffer and its ids in a kernel's memory and walks the values through it. */
function chunks(x: KernelExports, heap: Heap, v: Values): { feat: number; ids: number; each(fn: (np: number, from: number) => void): void } {
  const size = Math.max(1, Math.min(CHUNK, v.n));
  const feat = heap.take(size * v.d);
  const ids = heap.take(size * 4);
  return {
    feat,
    ids,
    each(fn) {
      for (let from = 0; from < v.n; from += size) {
        const to = Math.min(v.n, from + size);
        v.copy(from, to, new Uint8Array(x.memory.buffer, feat, (to - from) * v.d));
        fn(to - from, from);
      }
    },
  };
}

/**
 * The distinct values: a table of all 256^d keys for one or two channels, a bitmap of the 2^24
 * keys with per-word ranks for three (assembly/distinct.ts).
 */
export function distinctOf(v: Values, shared = false): Distinct {
  const { d } = v;
  const x = newKernel(threadMemory());
  const heap = new Heap(x.memory);
  const walk = chunks(x, heap, v);
  const table = heap.take(d < 3 ? 4 << (8 * d) : 8 << 19);
  const rank = table + (4 << 19);
  const rev = v.reversed ? 1 : 0;
  if (d < 3) walk.each((np) => x.tableCount(walk.feat, d, np, table));
  else walk.each((np) => x.bitmapMark(walk.feat, np, table, rev));
  const m = d < 3 ? x.tableSize(d, table) : x.bitmapRank(table, rank);
  const points = heap.take(8 * m * d);
  const weights = heap.take(8 * m);
  if (d < 3) x.tableNumber(d, table, points, weights);
  else {
    x.bitmapPoints(table, points, weights);
    const counts = heap.take(4 * m);
    walk.each((np) => x.bitmapCount(walk.feat, np, table, rank, counts, rev));
    x.countsToWeights(counts, m, weights);
  }
  const buf = x.memory.buffer;
  const out: Distinct = {
    points: float64(m * d, shared),
    weights: float64(m, shared),
    count: m,
    d,
    lookup: copyOut(new Uint32Array(buf, table, d < 3 ? 1 << (8 * d) : 1 << 20), shared),
  };
  out.points.set(new Float64Array(buf, points, m * d));
  out.weights.set(new Float64Array(buf, weights, m));
  return out;
}

/** Calls `fn` with each chunk's pixel ids (a view valid only during the call) and its first pixel. */
function forEachId(distinct: Distinct, v: Values, fn: (ids: Uint32Array, from: number) => void): void {
  if (v.d !== distinct.d) throw new RangeError(`values of ${v.d} bytes do not fit distinct values of ${distinct.d}`);
  idReader(distinct.lookup, v)(0, v.n, fn);
}

/**
 * Pixel ids range by range, with the lookup table (Distinct.lookup of values of v.d bytes) put
 * into this thread's kernel memory once: valid until the thread's next use of the kernel.
 */
export function idReader(lookup: Uint32Array, v: Values): (from: number, to: number, fn: (ids: Uint32Array, from: number) => void) => void {
  const x = newKernel(threadMemory());
  const heap = new Heap(x.memory);
  const size = Math.max(1, Math.min(CHUNK, v.n));
  const feat = heap.take(size * v.d);
  const ids = heap.take(size * 4);
  const table = heap.take(4 * lookup.length);
  new Uint32Array(x.memory.buffer, table, lookup.length).set(lookup);
  const rev = v.reversed ? 1 : 0;
  return (from, to, fn) => {
    for (let s = from; s < to; s += size) {
      const e = Math.min(to, s + size);
      v.copy(s, e, new Uint8Array(x.memory.buffer, feat, (e - s) * v.d));
      if (v.d < 3) x.tableIndex(feat, v.d, e - s, table, ids);
      else x.bitmapIndex(feat, e - s, table, table + (4 << 19), ids, rev);
      fn(new Uint32Array(x.memory.buffer, ids, e - s), s);
    }
  };
}

/** Every pixel's id (tests; labelling goes through idReader). */
export function distinctIds(distinct: Distinct, v: Values): Uint32Array {
  const out = new Uint32Array(v.n);
  forEachId(distinct, v, (ids, from) => out.set(ids, from));
  return out;
}
