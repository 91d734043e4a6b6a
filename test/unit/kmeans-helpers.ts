// Shared data generators for the k-means tests (not a test file itself).
import type { SegmentResult } from '../../src/core/types';

/** Small deterministic PRNG for test data (mulberry32). */
export function lcg(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n pixels (n*d uint8) around the given centres, +-spread, blob i gets pixels i, i+B, ... */
export function blobPixels(centres: number[][], n: number, spread: number, seed: number): Uint8Array {
  const d = centres[0].length;
  const rnd = lcg(seed);
  const out = new Uint8Array(n * d);
  for (let p = 0; p < n; p++) {
    const c = centres[p % centres.length];
    for (let j = 0; j < d; j++) out[p * d + j] = c[j] + Math.floor(rnd() * (2 * spread + 1)) - spread;
  }
  return out;
}

/** m random integer points in [0, range) with integer weights in [1, maxW]. */
export function randomWeighted(m: number, d: number, range: number, maxW: number, seed: number) {
  const rnd = lcg(seed);
  const points = new Float64Array(m * d);
  const weights = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < d; j++) points[i * d + j] = Math.floor(rnd() * range);
    weights[i] = 1 + Math.floor(rnd() * maxW);
  }
  return { points, weights };
}

/** Centres as sorted rows, to compare clusterings whatever their numbering. */
export function sortedRows(centers: Float64Array, d: number): number[][] {
  const rows: number[][] = [];
  for (let c = 0; c < centers.length / d; c++) rows.push(Array.from(centers.subarray(c * d, c * d + d)));
  return rows.sort((a, b) => {
    for (let j = 0; j < d; j++) if (a[j] !== b[j]) return a[j] - b[j];
    return 0;
  });
}

/** A result without its timings, which differ from run to run: for comparing results. */
export function withoutTimings(r: SegmentResult): Omit<SegmentResult, 'timings'> {
  const { timings: _t, ...rest } = r;
  return rest;
}
