// Hand-built SegmentResults for the insight tests: random pixels from a fixed seed, labels drawn
// with unequal odds so rank 0 is the largest cluster, as in a real result.
import type { ChannelImage, SegmentResult } from '../../src/core/types';

/** A small deterministic generator (xorshift32), so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

export function syntheticResult(width: number, height: number, k: number, seed = 1): SegmentResult {
  const rand = rng(seed);
  const n = width * height;
  const data = new Uint8Array(n * 3);
  const converted = new Uint8Array(n * 3);
  for (let i = 0; i < n * 3; i++) {
    data[i] = Math.floor(rand() * 256);
    converted[i] = Math.floor(rand() * 256);
  }
  // Odds k, k-1, ..., 1: rank 0 is the most likely.
  const total = (k * (k + 1)) / 2;
  const labels = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    let u = rand() * total;
    let r = 0;
    while (r < k - 1 && u >= k - r) u -= k - r++;
    labels[p] = r;
  }
  return resultFrom({ width, height, data }, converted, labels, k);
}

/** A SegmentResult around given pixels and labels; centres are the converted means per rank. */
export function resultFrom(
  image: { width: number; height: number; data: Uint8Array },
  converted: Uint8Array | ChannelImage,
  labels: Uint8Array,
  k: number,
): SegmentResult {
  const conv: ChannelImage = converted instanceof Uint8Array ? { data: converted, offsets: [0, 1, 2] } : converted;
  const sizes = new Array<number>(k).fill(0);
  const sums = Array.from({ length: k }, () => [0, 0, 0]);
  labels.forEach((r, p) => {
    sizes[r]!++;
    for (let c = 0; c < 3; c++) sums[r]![c]! += conv.data[p * 3 + conv.offsets[c]]!;
  });
  return {
    image,
    converted: conv,
    labels,
    k,
    centers: sums.map((s, r) => s.map((v) => (sizes[r] ? v / sizes[r]! : 0))),
    clusterSizes: sizes,
    inertia: 1234.5,
    iterations: 3,
    distinctValues: labels.length,
    warnings: [],
    timings: { resize: 0, convert: 0, kmeans: 0 },
  };
}

export const grayOf = (rank: number, k: number): number => Math.floor(255 / (k - 1)) * rank;
