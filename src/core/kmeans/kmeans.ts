// sklearn's KMeans(algorithm="lloyd", init="k-means++") on weighted distinct points, fast:
// one kd-tree serves the seeding and the Lloyd steps of every restart.

import { SegmentationError } from '../errors';
import { KdTree } from './kdtree';
import { clusterInertia } from './inertia';
import { Filter } from './lloyd';
import { absoluteTolerance, checkArgs, type KMeansOptions, type KMeansResult } from './options';
import { RestartRng } from './random';
import { averageCenters, relocateEmptyClusters } from './relocate';
import { Seeder } from './seeding';

export function kmeans(points: Float64Array, weights: Float64Array, d: number, opts: KMeansOptions): KMeansResult {
  const [from, to] = checkArgs(points, weights, d, opts);
  const k = opts.k;
  const tree = new KdTree(points, weights, d);
  const run = new SingleRun(tree, k, opts.maxIter, absoluteTolerance(points, weights, d, opts.tol), opts.shouldStop);
  let bestInertia = Infinity;
  let bestRestart = -1;
  let bestIter = 0;
  const bestCenters = new Float64Array(k * 3);
  const bestLabels = new Int32Array(tree.m);
  for (let r = from; r < to; r++) {
    run.run(new RestartRng(opts.seed, r));
    if (run.inertia < bestInertia || bestRestart < 0) {
      bestInertia = run.inertia;
      bestRestart = r;
      bestIter = run.iterations;
      bestCenters.set(run.centers);
      run.labelsInto(bestLabels);
    }
  }
  const assign = new Int32Array(tree.m);
  for (let i = 0; i < tree.m; i++) assign[tree.perm[i]] = bestLabels[i];
  const centers = new Float64Array(k * d);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) centers[c * d + j] = bestCenters[3 * c + j];
  return { centers, assign, inertia: bestInertia, iterations: bestIter, restart: bestRestart };
}

/**
 * Lloyd iterations from given centres (k*d) instead of k-means++: sklearn's KMeans with an
 * array `init` and n_init=1. Used by tests to reach states (empty clusters) seeding avoids.
 */
export function kmeansFromCenters(
  points: Float64Array,
  weights: Float64Array,
  d: number,
  init: Float64Array,
  opts: Pick<KMeansOptions, 'maxIter' | 'tol'>,
): KMeansResult {
  const k = init.length / d;
  checkArgs(points, weights, d, { k, nInit: 1, maxIter: opts.maxIter, tol: opts.tol, seed: 0 });
  const tree = new KdTree(points, weights, d);
  const run = new SingleRun(tree, k, opts.maxIter, absoluteTolerance(points, weights, d, opts.tol));
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) run.centers[3 * c + j] = init[c * d + j];
  run.lloyd();
  const labels = new Int32Array(tree.m);
  run.labelsInto(labels);
  const assign = new Int32Array(tree.m);
  for (let i = 0; i < tree.m; i++) assign[tree.perm[i]] = labels[i];
  const centers = new Float64Array(k * d);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) centers[c * d + j] = run.centers[3 * c + j];
  return { centers, assign, inertia: run.inertia, iterations: run.iterations, restart: 0 };
}

/** One restart: seeding, Lloyd iterations as sklearn's _kmeans_single_lloyd, inertia. */
class SingleRun {
  /** Final centres, stride 3. */
  centers: Float64Array;
  private next: Float64Array;
  private readonly scratch: Int32Array;
  private readonly terms: Float64Array;
  private readonly relocSums: Float64Array;
  private readonly relocW: Float64Array;
  inertia = 0;
  iterations = 0;
  private readonly seeder: Seeder;
  private readonly filter: Filter;

  constructor(
    private readonly tree: KdTree,
    private readonly k: number,
    private readonly maxIter: number,
    private readonly tolAbs: number,
    private readonly shouldStop?: () => boolean,
  ) {
    this.centers = new Float64Array(k * 3);
    this.next = new Float64Array(k * 3);
    this.scratch = new Int32Array(tree.m);
    this.terms = new Float64Array(k);
    this.relocSums = new Float64Array(k * 3);
    this.relocW = new Float64Array(k);
    this.seeder = new Seeder(tree);
    this.filter = new Filter(tree, k);
  }

  run(rng: RestartRng): void {
    this.stopIfAsked();
    this.seeder.run(this.k, rng, this.centers);
    this.lloyd();
  }

  /** Lloyd iterations from this.centers (stride 3). */
  lloyd(): void {
    const { tree, filter } = this;
    filter.reset();
    let strict = false;
    let it = 0;
    while (it < this.maxIter) {
      this.stopIfAsked();
      const changed = filter.assign(this.centers);
      let sums = filter.sums;
      let weights = filter.clusterW;
      if (hasEmpty(weights)) {
        // on copies: the filter's sums must stay those of the labels, for the inertia
        sums = this.relocSums;
        weights = this.relocW;
        sums.set(filter.sums);
        weights.set(filter.clusterW);
        filter.labelsInto(this.scratch);
        relocateEmptyClusters(tree.px, tree.pw, 3, this.scratch, this.centers, sums, weights);
      }
      averageCenters(sums, weights, 3, this.next);
      const shift = squaredShift(this.centers, this.next);
      const t = this.centers;
      this.centers = this.next;
      this.next = t;
      it++;
      if (!changed) {
        strict = true;
        break;
      }
      if (shift <= this.tolAbs) break;
    }
    // Stopped by tol or maxIter: the labels must be those of the final centres.
    if (!strict) filter.assign(this.centers);
    this.iterations = it;
    this.inertia = this.clusterInertia();
  }

  private stopIfAsked(): void {
    if (this.shouldStop?.()) throw new SegmentationError('cancelled', 'segmentation cancelled');
  }

  labelsInto(out: Int32Array): void {
    this.filter.labelsInto(out);
  }

  /** sklearn's inertia uses the labels, so the filter's sums (not the relocated ones). */
  private clusterInertia(): number {
    const f = this.filter;
    return clusterInertia(this.centers, f.sums, f.clusterW, f.clusterSq, 3, this.terms);
  }
}

function hasEmpty(w: Float64Array): boolean {
  for (let c = 0; c < w.length; c++) if (w[c] === 0) return true;
  return false;
}

export function squaredShift(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const q = a[i] - b[i];
    s += q * q;
  }
  return s;
}
