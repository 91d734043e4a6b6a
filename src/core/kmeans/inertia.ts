// Inertia from per-cluster sums: sum over clusters of sq - 2 c.sum + W |c|^2, where the sums of
// the labels' points are exact for integer data. Terms are added in ascending order, so two
// restarts that find the same clustering under different numbering report the same inertia and
// the lowest restart index wins, as bestOf promises. Agrees with the per-point sum to ~1e-13.

/**
 * @param stride  coordinates per centre/sum row (3 in the fast path, d in the brute force)
 * @param terms   scratch of length k
 */
export function clusterInertia(
  centers: Float64Array,
  sums: Float64Array,
  weights: Float64Array,
  sq: Float64Array,
  stride: number,
  terms: Float64Array,
): number {
  const k = weights.length;
  for (let c = 0; c < k; c++) {
    let dot = 0;
    let cc = 0;
    for (let j = 0; j < stride; j++) {
      const x = centers[c * stride + j];
      dot += x * sums[c * stride + j];
      cc += x * x;
    }
    const v = sq[c] - 2 * dot + weights[c] * cc;
    terms[c] = v > 0 ? v : 0;
  }
  terms.sort();
  let s = 0;
  for (let c = 0; c < k; c++) s += terms[c];
  return s;
}

/** The plain definition: sum of w |x - c(x)|^2 over the points. */
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
