// Argument checks and the quantities every implementation derives the same way.

import type { TreeLink } from './sharedTree';

export interface KMeansOptions {
  k: number;
  nInit: number;
  maxIter: number;
  /** Relative tolerance, scaled by the mean per-dimension variance (sklearn default 1e-4). */
  tol: number;
  seed: number;
  /** Run only restart indices [from, to); the default is [0, nInit). */
  restarts?: [number, number];
  /**
   * Instead of a range: the next restart index to run, asked before each restart; an index
   * outside [0, nInit) ends the call. Threads that share one counter split the restarts between
   * them as they go, whenever each of them starts (see SegmentPool).
   */
  nextRestart?: () => number;
  /**
   * Asked before every restart and every Lloyd iteration; true ends the call with
   * SegmentationError('cancelled'). Lets a worker stop a superseded run within milliseconds.
   */
  shouldStop?: () => boolean;
  /**
   * One kd-tree for the threads on these restarts (see sharedTree.ts): without a memory, this
   * call builds the tree in its thread's (shared) kernel memory and publishes it on the link;
   * with the builder's memory, it waits for that tree and runs its restarts on it.
   */
  tree?: TreeLink;
}

export interface KMeansResult {
  /** k*d */
  centers: Float64Array;
  /** m: cluster of each distinct point */
  assign: Int32Array;
  inertia: number;
  iterations: number;
  /** The restart index of this result; -1 when the call ran none (a `nextRestart` left it nothing). */
  restart: number;
}

/** Validates the arguments; returns the restart range [from, to). */
export function checkArgs(points: Float64Array, weights: Float64Array, d: number, opts: KMeansOptions): [number, number] {
  if (!Number.isInteger(d) || d < 1 || d > 3) throw new RangeError(`kmeans: d must be 1, 2 or 3 (got ${d})`);
  const m = weights.length;
  if (points.length !== m * d) {
    throw new RangeError(`kmeans: ${points.length} coordinates do not make ${m} points of ${d} dimensions`);
  }
  const { k, nInit, maxIter, tol, seed } = opts;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`kmeans: k must be a positive integer (got ${k})`);
  if (k > m) throw new RangeError(`kmeans: k=${k} exceeds the ${m} distinct points (cap k first)`);
  if (!Number.isInteger(nInit) || nInit < 1) throw new RangeError(`kmeans: nInit must be a positive integer (got ${nInit})`);
  if (!Number.isInteger(maxIter) || maxIter < 1) {
    throw new RangeError(`kmeans: maxIter must be a positive integer (got ${maxIter})`);
  }
  if (!(tol >= 0) || !Number.isFinite(tol)) throw new RangeError(`kmeans: tol must be a finite number >= 0 (got ${tol})`);
  if (!Number.isInteger(seed)) throw new RangeError(`kmeans: seed must be an integer (got ${seed})`);
  let total = 0;
  for (let i = 0; i < m; i++) {
    if (!(weights[i] >= 0) || !Number.isFinite(weights[i])) throw new RangeError(`kmeans: weight ${i} is ${weights[i]}`);
    total += weights[i];
  }
  if (!(total > 0)) throw new RangeError('kmeans: the weights sum to 0');
  const [from, to] = opts.restarts ?? [0, nInit];
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > nInit || from >= to) {
    throw new RangeError(`kmeans: restarts [${from}, ${to}) is not a non-empty range within [0, ${nInit})`);
  }
  return [from, to];
}


/** Lowest inertia; among equal inertias the lowest restart index. Calls that ran no restart do not count. */
export function bestOf(results: KMeansResult[]): KMeansResult {
  const ran = results.filter((r) => r.restart >= 0);
  if (ran.length === 0) throw new RangeError('bestOf: no results');
  let best = ran[0];
  for (const r of ran) {
    if (r.inertia < best.inertia || (r.inertia === best.inertia && r.restart < best.restart)) best = r;
  }
  return best;
}
