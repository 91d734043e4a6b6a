// The specification in its plainest form: the same semantics as kmeans() with linear scans and
// no tree. Tests run it on points in the tree's order (see KdTree.perm) and expect identical
// bits; it is also the reference for anyone changing the fast path.

import { checkArgs, type KMeansOptions, type KMeansResult } from '../../src/core/kmeans/options';
import { RestartRng } from '../../src/core/kmeans/random';
import { averageCenters, relocateEmptyClusters } from './relocate';
import { clusterInertia } from '../../src/core/kmeans/inertia';
import { squaredShift } from './fromCenters';

/**
 * sklearn's _tolerance: tol times the mean over dimensions of the (weighted) variance. Computed
 * from the weighted sums and sums of squares, which are exact for integer data, so the value
 * does not depend on the order of the points.
 */
export function absoluteTolerance(points: Float64Array, weights: Float64Array, d: number, tol: number): number {
  const m = weights.length;
  let total = 0;
  for (let j = 0; j < d; j++) {
    let w = 0;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < m; i++) {
      const x = points[i * d + j];
      const wi = weights[i];
      w += wi;
      s1 += wi * x;
      s2 += wi * x * x;
    }
    const mean = s1 / w;
    const v = s2 / w - mean * mean;
    total += v > 0 ? v : 0;
  }
  return (total / d) * tol;
}

export function kmeansBruteForce(points: Float64Array, weights: Float64Array, d: number, opts: KMeansOptions): KMeansResult {
  const [from, to] = checkArgs(points, weights, d, opts);
  const tolAbs = absoluteTolerance(points, weights, d, opts.tol);
  let best: KMeansResult | null = null;
  for (let r = from; r < to; r++) {
    const res = single(points, weights, d, opts.k, opts.maxIter, tolAbs, new RestartRng(opts.seed, r), r);
    if (best === null || res.inertia < best.inertia) best = res;
  }
  return best!;
}

function dist2(px: Float64Array, i: number, c: Float64Array, j: number, d: number): number {
  let s = 0;
  for (let q = 0; q < d; q++) {
    const v = px[i * d + q] - c[j * d + q];
    s += v * v;
  }
  return s;
}

/** First index whose cumulative value exceeds v; the last positive one if none does. */
function searchCumulative(values: Float64Array, v: number): number {
  let acc = 0;
  let last = values.length - 1;
  for (let i = 0; i < values.length; i++) {
    acc += values[i];
    if (values[i] > 0) last = i;
    if (v < acc) return i;
  }
  return last;
}

function seed(px: Float64Array, pw: Float64Array, d: number, k: number, rng: RestartRng): Float64Array {
  const m = pw.length;
  const centers = new Float64Array(k * d);
  let total = 0;
  for (let i = 0; i < m; i++) total += pw[i];
  const set = (c: number, i: number): void => {
    for (let q = 0; q < d; q++) centers[c * d + q] = px[i * d + q];
  };
  const first = searchCumulative(pw, rng.nextDouble() * total);
  set(0, first);
  const closest = new Float64Array(m);
  for (let i = 0; i < m; i++) closest[i] = dist2(px, i, centers, 0, d);
  const trials = 2 + Math.floor(Math.log(k));
  const contrib = new Float64Array(m);
  const one = new Float64Array(d);
  for (let c = 1; c < k; c++) {
    let pot = 0;
    for (let i = 0; i < m; i++) {
      contrib[i] = pw[i] * closest[i];
      pot += contrib[i];
    }
    const cand: number[] = [];
    for (let t = 0; t < trials; t++) cand.push(searchCumulative(contrib, rng.nextDouble() * pot));
    let best = -1;
    let bestPot = Infinity;
    for (const ci of cand) {
      for (let q = 0; q < d; q++) one[q] = px[ci * d + q];
      let p = 0;
      for (let i = 0; i < m; i++) {
        const s = dist2(px, i, one, 0, d);
        p += pw[i] * (s < closest[i] ? s : closest[i]);
      }
      if (p < bestPot) {
        bestPot = p;
        best = ci;
      }
    }
    set(c, best);
    for (let i = 0; i < m; i++) {
      const s = dist2(px, i, centers, c, d);
      if (s < closest[i]) closest[i] = s;
    }
  }
  return centers;
}

function assign(px: Float64Array, pw: Float64Array, d: number, centers: Float64Array, k: number, labels: Int32Array,
  sums: Float64Array, clusterW: Float64Array, sq: Float64Array): boolean {
  sums.fill(0);
  clusterW.fill(0);
  sq.fill(0);
  let changed = false;
  for (let i = 0; i < pw.length; i++) {
    let best = 0;
    let bd = dist2(px, i, centers, 0, d);
    for (let c = 1; c < k; c++) {
      const s = dist2(px, i, centers, c, d);
      if (s < bd) {
        bd = s;
        best = c;
      }
    }
    if (labels[i] !== best) changed = true;
    labels[i] = best;
    clusterW[best] += pw[i];
    for (let q = 0; q < d; q++) {
      sums[best * d + q] += pw[i] * px[i * d + q];
      sq[best] += pw[i] * px[i * d + q] * px[i * d + q];
    }
  }
  return changed;
}

function single(px: Float64Array, pw: Float64Array, d: number, k: number, maxIter: number, tolAbs: number,
  rng: RestartRng, restart: number): KMeansResult {
  return lloyd(px, pw, d, seed(px, pw, d, k, rng), maxIter, tolAbs, restart);
}

/** Brute-force counterpart of kmeansFromCenters (points in tree order, see the tests). */
export function lloydBruteForce(px: Float64Array, pw: Float64Array, d: number, init: Float64Array,
  opts: Pick<KMeansOptions, 'maxIter' | 'tol'>): KMeansResult {
  return lloyd(px, pw, d, init.slice(), opts.maxIter, absoluteTolerance(px, pw, d, opts.tol), 0);
}

function lloyd(px: Float64Array, pw: Float64Array, d: number, init: Float64Array, maxIter: number, tolAbs: number,
  restart: number): KMeansResult {
  const k = init.length / d;
  let centers: Float64Array = init;
  let next: Float64Array = new Float64Array(k * d);
  const labels = new Int32Array(pw.length).fill(-1);
  const sums = new Float64Array(k * d);
  const clusterW = new Float64Array(k);
  const sq = new Float64Array(k);
  const relocSums = new Float64Array(k * d);
  const relocW = new Float64Array(k);
  let strict = false;
  let it = 0;
  while (it < maxIter) {
    const changed = assign(px, pw, d, centers, k, labels, sums, clusterW, sq);
    // relocation works on copies: the inertia below needs the sums of the labels
    relocSums.set(sums);
    relocW.set(clusterW);
    if (clusterW.some((w) => w === 0)) relocateEmptyClusters(px, pw, d, labels, centers, relocSums, relocW);
    averageCenters(relocSums, relocW, d, next);
    const shift = squaredShift(centers, next);
    [centers, next] = [next, centers];
    it++;
    if (!changed) {
      strict = true;
      break;
    }
    if (shift <= tolAbs) break;
  }
  if (!strict) assign(px, pw, d, centers, k, labels, sums, clusterW, sq);
  const inertia = clusterInertia(centers, sums, clusterW, sq, d, new Float64Array(k));
  return { centers, assign: labels, inertia, iterations: it, restart };
}
