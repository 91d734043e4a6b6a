// Clustering the distinct feature values weighted by their counts gives the same result as
// clustering every pixel, and there are far fewer of them. Ids follow the lexicographic order of
// the values, so the output does not depend on the pixel order. The loops are in the
// WebAssembly kernel (assembly/distinct.ts).
import { Heap, newKernel } from './kernel';

export interface Distinct {
  /** m*d distinct values, lexicographically increasing. */
  points: Float64Array;
  /** m pixel counts. */
  weights: Float64Array;
  /** n: pixel -> distinct id. */
  index: Uint32Array;
  /** m */
  count: number;
}

export function distinctValues(features: Uint8Array, d: number): Distinct {
  if (!Number.isInteger(d) || d < 1 || d > 3) throw new RangeError(`distinctValues: d must be 1, 2 or 3 (got ${d})`);
  if (features.length % d !== 0) {
    throw new RangeError(`distinctValues: ${features.length} feature bytes is not a multiple of d=${d}`);
  }
  const n = features.length / d;
  return inKernel(features, d, n);
}

/**
 * Runs the kernel (assembly/distinct.ts) in a fresh instance: a table of all 256^d keys for one
 * or two channels, a bitmap of the 2^24 keys with per-word ranks for three.
 */
function inKernel(features: Uint8Array, d: number, n: number): Distinct {
  const x = newKernel();
  const heap = new Heap(x.memory);
  const feat = heap.take(features.length);
  new Uint8Array(x.memory.buffer, feat, features.length).set(features);
  let m: number;
  let fill: (points: number, weights: number, index: number) => void;
  if (d < 3) {
    const slots = heap.take(4 << (8 * d));
    m = x.countByTable(feat, d, n, slots);
    fill = (points, weights, index) => x.fillByTable(feat, d, n, slots, points, weights, index);
  } else {
    const bits = heap.take(4 << 19);
    const rank = heap.take(4 << 19);
    m = x.countByBitmap(feat, n, bits, rank);
    fill = (points, weights, index) => x.fillByBitmap(feat, n, bits, rank, points, weights, index);
  }
  const points = heap.take(8 * m * d);
  const weights = heap.take(8 * m);
  const index = heap.take(4 * n);
  fill(points, weights, index);
  // Views, not copies: the instance is done, its memory never grows again, and copying would
  // hold both until the next garbage collection.
  const buf = x.memory.buffer;
  return {
    points: new Float64Array(buf, points, m * d),
    weights: new Float64Array(buf, weights, m),
    index: new Uint32Array(buf, index, n),
    count: m,
  };
}
