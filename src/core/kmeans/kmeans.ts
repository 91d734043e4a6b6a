// sklearn's KMeans(algorithm="lloyd", init="k-means++") on weighted distinct points, fast:
// one kd-tree serves the seeding and the Lloyd steps of every restart.

import { SegmentationError } from '../errors';
import { checkArgs, type KMeansOptions, type KMeansResult } from './options';
import { RestartRng } from './random';
import { awaitTree } from './sharedTree';
import { WasmRestart } from './wasmRestart';

export function kmeans(points: Float64Array, weights: Float64Array, d: number, opts: KMeansOptions): KMeansResult {
  const [from, to] = checkArgs(points, weights, d, opts);
  const k = opts.k;
  const nInit = opts.nInit;
  let next = from;
  const take = opts.nextRestart ?? ((): number => (next < to ? next++ : -1));
  let r = take();
  // Nothing left for this call: skip building the tree.
  const none = (): KMeansResult => ({ centers: new Float64Array(k * d), assign: new Int32Array(0), inertia: Infinity, iterations: 0, restart: -1 });
  if (!(r >= 0 && r < nInit)) return none();
  const { tree: link, shouldStop } = opts;
  let run: WasmRestart;
  if (link?.memory) {
    // A helper: the restarts run on the tree the preparing thread builds (or has built).
    const tree = awaitTree(link, shouldStop);
    if (shouldStop?.()) throw new SegmentationError('cancelled', 'segmentation cancelled');
    // withdrawn: the preparing thread stopped, and its run with it
    if (!tree) return none();
    run = new WasmRestart({ joined: { control: link.control, memory: link.memory }, tree }, k, opts.maxIter, opts.tol, shouldStop);
  } else {
    // A builder that fails before publishing leaves the link to its caller to withdraw (the pool
    // does when the worker's task ends, however it ends).
    run = new WasmRestart({ points, weights, d }, k, opts.maxIter, opts.tol, shouldStop);
    if (link) run.publish(link);
  }
  let bestInertia = Infinity;
  let bestRestart = -1;
  let bestIter = 0;
  const bestCenters = new Float64Array(k * 3);
  const bestLabels = new Int32Array(run.m);
  for (; r >= 0 && r < nInit; r = take()) {
    if (opts.shouldStop?.()) throw new SegmentationError('cancelled', 'segmentation cancelled');
    run.run(new RestartRng(opts.seed, r));
    if (run.inertia < bestInertia || bestRestart < 0) {
      bestInertia = run.inertia;
      bestRestart = r;
      bestIter = run.iterations;
      bestCenters.set(run.centers());
      run.labelsInto(bestLabels);
    }
  }
  const assign = new Int32Array(run.m);
  for (let i = 0; i < run.m; i++) assign[run.perm[i]] = bestLabels[i];
  const centers = new Float64Array(k * d);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) centers[c * d + j] = bestCenters[3 * c + j];
  return { centers, assign, inertia: bestInertia, iterations: bestIter, restart: bestRestart };
}
