// Test oracles' helpers: Lloyd from given centres (sklearn's KMeans with an array init and
// n_init=1) through the WebAssembly kernel, to reach states (empty clusters) seeding avoids.
import { checkArgs, type KMeansOptions, type KMeansResult } from '../../src/core/kmeans/options';
import { WasmRestart } from '../../src/core/kmeans/wasmRestart';

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
  const run = new WasmRestart({ points, weights, d }, k, opts.maxIter, opts.tol);
  const start = new Float64Array(k * 3);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) start[3 * c + j] = init[c * d + j];
  run.lloydFrom(start);
  const labels = new Int32Array(run.m);
  run.labelsInto(labels);
  const assign = new Int32Array(run.m);
  for (let i = 0; i < run.m; i++) assign[run.perm[i]] = labels[i];
  const centers = new Float64Array(k * d);
  const final = run.centers();
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) centers[c * d + j] = final[3 * c + j];
  return { centers, assign, inertia: run.inertia, iterations: run.iterations, restart: 0 };
}

export function squaredShift(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const q = a[i] - b[i];
    s += q * q;
  }
  return s;
}
