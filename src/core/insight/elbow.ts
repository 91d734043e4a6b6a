// Choosing k: the inertia for each k in a range (the "elbow curve") and the k where the curve
// bends most. It runs on the distinct values `prepare` already collapsed the pixels to, so the
// cost per k is that of one segmentation without the resize and colour conversion.
import { kmeans } from '../kmeans/index';

/** The weighted points K-means runs on: `prepare`'s distinct values, or any like them. */
export interface ElbowInput {
  /** count * d coordinates. */
  points: Float64Array;
  /** Per point, its weight (the number of pixels having that value). */
  weights: Float64Array;
  d: number;
}

/** `prepare`'s output also fits: its points are under `distinct`. */
export type ElbowSource = ElbowInput | { d: number; distinct: { points: Float64Array; weights: Float64Array } };

export interface ElbowOptions {
  kMin?: number;
  kMax?: number;
  /** Restarts per k; fewer than a segmentation's since only the inertia's shape matters. */
  nInit?: number;
  maxIter?: number;
  seed?: number;
  tol?: number;
  /** Only these k (each still capped to the range): lets a pool split one curve across workers. */
  only?: readonly number[];
}

export interface ElbowPoint {
  k: number;
  inertia: number;
}

export const ELBOW_DEFAULTS = { kMin: 2, kMax: 10, nInit: 3, maxIter: 100, seed: 0, tol: 1e-4 } as const;

function asInput(source: ElbowSource): ElbowInput {
  if ('distinct' in source) return { points: source.distinct.points, weights: source.distinct.weights, d: source.d };
  return source;
}

/** The k of the curve: kMin..kMax capped to the number of distinct points (at least one k). */
export function elbowKs(count: number, kMin: number = ELBOW_DEFAULTS.kMin, kMax: number = ELBOW_DEFAULTS.kMax): number[] {
  if (!Number.isInteger(kMin) || !Number.isInteger(kMax) || kMin < 1 || kMax < kMin || kMax > 255) {
    throw new RangeError(`k range ${kMin}..${kMax} is not a range of integers within 1..255`);
  }
  const hi = Math.min(kMax, count);
  const lo = Math.min(kMin, hi);
  const ks: number[] = [];
  for (let k = Math.max(1, lo); k <= hi; k++) ks.push(k);
  return ks;
}

/** Sum of weighted squared distances to the nearest of the centres as assigned. */
function inertiaOf(input: ElbowInput, centers: Float64Array, assign: Int32Array): number {
  const { points, weights, d } = input;
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const c = assign[i]! * d;
    let dist = 0;
    for (let j = 0; j < d; j++) {
      const diff = points[i * d + j]! - centers[c + j]!;
      dist += diff * diff;
    }
    total += weights[i]! * dist;
  }
  return total;
}

/** Inertia around the weighted mean: the k = 1 point, with no search needed. */
function inertiaOne(input: ElbowInput): number {
  const { points, weights, d } = input;
  const mean = new Float64Array(d);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    total += weights[i]!;
    for (let j = 0; j < d; j++) mean[j] += weights[i]! * points[i * d + j]!;
  }
  if (total === 0) return 0;
  for (let j = 0; j < d; j++) mean[j] /= total;
  return inertiaOf(input, mean, new Int32Array(weights.length));
}

/** Inertia of the best of nInit K-means runs for each k of the range. */
export function elbowCurve(source: ElbowSource, options: ElbowOptions = {}, shouldStop?: () => boolean): ElbowPoint[] {
  const input = asInput(source);
  const { points, weights, d } = input;
  if (!Number.isInteger(d) || d < 1 || points.length !== weights.length * d) {
    throw new RangeError(`${points.length} coordinates do not make ${weights.length} points of ${d} channels`);
  }
  const o = { ...ELBOW_DEFAULTS, ...options };
  const count = weights.length;
  let ks = elbowKs(count, o.kMin, o.kMax);
  if (options.only) {
    const wanted = new Set(options.only);
    ks = ks.filter((k) => wanted.has(k));
  }
  return ks.map((k) => {
    // With as many clusters as points every point is its own centre.
    if (k >= count) return { k, inertia: 0 };
    if (k === 1) return { k, inertia: inertiaOne(input) };
    const run = kmeans(points, weights, d, { k, nInit: o.nInit, maxIter: o.maxIter, tol: o.tol, seed: o.seed, shouldStop });
    return { k, inertia: inertiaOf(input, run.centers, run.assign) };
  });
}

/**
 * The elbow: on axes scaled to 0..1, the point farthest below the chord from the first point to
 * the last (as kneedle does for a decreasing convex curve). A curve with no point below its
 * chord, or fewer than three points, has no bend: the smallest k is returned.
 */
export function elbowK(curve: readonly ElbowPoint[]): number {
  if (curve.length === 0) throw new RangeError('the elbow curve is empty');
  const pts = [...curve].sort((a, b) => a.k - b.k);
  const first = pts[0]!;
  const last = pts[pts.length - 1]!;
  if (pts.length < 3) return first.k;
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of pts) {
    lo = Math.min(lo, p.inertia);
    hi = Math.max(hi, p.inertia);
  }
  if (hi === lo) return first.k;
  const x = (k: number): number => (k - first.k) / (last.k - first.k);
  const y = (v: number): number => (v - lo) / (hi - lo);
  const x0 = 0;
  const y0 = y(first.inertia);
  const x1 = 1;
  const y1 = y(last.inertia);
  const len = Math.hypot(x1 - x0, y1 - y0);
  let best = first.k;
  let bestDist = 0;
  for (const p of pts) {
    // Signed distance, positive below the chord (the chord runs left to right).
    const dist = ((x1 - x0) * (y0 - y(p.inertia)) - (y1 - y0) * (x0 - x(p.k))) / len;
    if (dist > bestDist + 1e-12) {
      bestDist = dist;
      best = p.k;
    }
  }
  return best;
}
