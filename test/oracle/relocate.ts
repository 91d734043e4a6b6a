// sklearn's _relocate_empty_clusters: each empty cluster takes the sample farthest from its
// current centre. Our samples are weighted distinct points standing for `weight` identical
// pixels, so a point gives away one unit of weight at a time (several empty clusters can take
// pixels of the same value), which is what sklearn does on the pixels. Among equally far
// points the first in array order goes first.

/**
 * @param labels   cluster of each point (the assignment just made with `oldCenters`)
 * @param sums     per-cluster weighted sums (k*d), updated in place
 * @param clusterW per-cluster weights (k), updated in place
 */
export function relocateEmptyClusters(
  px: Float64Array,
  pw: Float64Array,
  d: number,
  labels: Int32Array,
  oldCenters: Float64Array,
  sums: Float64Array,
  clusterW: Float64Array,
): void {
  const k = clusterW.length;
  const m = pw.length;
  const dist = new Float64Array(m);
  const left = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const c = labels[i];
    let s = 0;
    for (let j = 0; j < d; j++) {
      const q = px[i * d + j] - oldCenters[c * d + j];
      s += q * q;
    }
    dist[i] = s;
    left[i] = pw[i];
  }
  for (let e = 0; e < k; e++) {
    if (clusterW[e] !== 0) continue;
    let far = -1;
    for (let i = 0; i < m; i++) {
      if (left[i] > 0 && (far < 0 || dist[i] > dist[far])) far = i;
    }
    if (far < 0) return; // every unit of weight already moved: nothing left to give
    const u = left[far] < 1 ? left[far] : 1;
    left[far] -= u;
    const from = labels[far];
    for (let j = 0; j < d; j++) {
      const x = px[far * d + j] * u;
      sums[from * d + j] -= x;
      sums[e * d + j] = x;
    }
    clusterW[e] = u;
    clusterW[from] -= u;
  }
}

/** Centres = weighted means; a cluster left without weight keeps its sum, as sklearn does. */
export function averageCenters(sums: Float64Array, clusterW: Float64Array, d: number, out: Float64Array): void {
  const k = clusterW.length;
  for (let c = 0; c < k; c++) {
    const w = clusterW[c];
    for (let j = 0; j < d; j++) out[c * d + j] = w > 0 ? sums[c * d + j] / w : sums[c * d + j];
  }
}
