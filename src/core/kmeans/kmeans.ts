// sklearn's KMeans(algorithm="lloyd", init="k-means++") on weighted distinct points, fast:
// one kd-tree serves the seeding and the Lloyd steps of every restart.

import { KdTree } from './kdtree';
import { Filter } from './lloyd';
import { absoluteTolerance, checkArgs, type KMeansOptions, type KMeansResult } from './options';
import { RestartRng } from './random';
import { averageCenters, relocateEmptyClusters } from './relocate';
import { Seeder } from './seeding';

export function kmeans(points: Float64Array, weights: Float64Array, d: number, opts: KMeansOptions): KMeansResult {
  const [from, to] = checkArgs(points, weights, d, opts);
  const k = opts.k;
  const tree = new KdTree(points, weights, d);
  const tolAbs = absoluteTolerance(points, weights, d, opts.tol);
  const run = new SingleRun(tree, k, opts.maxIter, tolAbs);
  let bestInertia = Infinity;
  let bestRestart = -1;
  let bestIter = 0;
  const bestCenters = new Float64Array(k * d);
  const bestLabels = new Int32Array(tree.m);
  for (let r = from; r < to; r++) {
    run.run(new RestartRng(opts.seed, r));
    if (run.inertia < bestInertia || bestRestart < 0) {
      bestInertia = run.inertia;
      bestRestart = r;
      bestIter = run.iterations;
      bestCenters.set(run.centers);
      bestLabels.set(run.labels);
    }
  }
  const assign = new Int32Array(tree.m);
  for (let i = 0; i < tree.m; i++) assign[tree.perm[i]] = bestLabels[i];
  return { centers: bestCenters, assign, inertia: bestInertia, iterations: bestIter, restart: bestRestart };
}

/** One restart: seeding, Lloyd iterations as sklearn's _kmeans_single_lloyd, inertia. */
class SingleRun {
  centers: Float64Array;
  private next: Float64Array;
  readonly labels: Int32Array;
  inertia = 0;
  iterations = 0;
  private readonly seeder: Seeder;
  private readonly filter: Filter;

  constructor(
    private readonly tree: KdTree,
    private readonly k: number,
    private readonly maxIter: number,
    private readonly tolAbs: number,
  ) {
    this.centers = new Float64Array(k * tree.d);
    this.next = new Float64Array(k * tree.d);
    this.labels = new Int32Array(tree.m);
    this.seeder = new Seeder(tree);
    this.filter = new Filter(tree, k);
  }

  run(rng: RestartRng): void {
    const { tree, k, filter } = this;
    const d = tree.d;
    this.seeder.run(k, rng, this.centers);
    filter.reset();
    let strict = false;
    let it = 0;
    while (it < this.maxIter) {
      const changed = filter.assign(this.centers);
      if (hasEmpty(filter.clusterW)) {
        filter.labelsInto(this.labels);
        relocateEmptyClusters(tree.px, tree.pw, d, this.labels, this.centers, filter.sums, filter.clusterW);
      }
      averageCenters(filter.sums, filter.clusterW, d, this.next);
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
    filter.labelsInto(this.labels);
    this.iterations = it;
    this.inertia = inertiaOf(tree.px, tree.pw, d, this.labels, this.centers);
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

export function inertiaOf(px: Float64Array, pw: Float64Array, d: number, labels: Int32Array, centers: Float64Array): number {
  let total = 0;
  for (let i = 0; i < pw.length; i++) {
    const c = labels[i];
    let s = 0;
    for (let j = 0; j < d; j++) {
      const q = px[i * d + j] - centers[c * d + j];
      s += q * q;
    }
    total += pw[i] * s;
  }
  return total;
}
