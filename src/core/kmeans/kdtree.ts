// A kd-tree over the weighted distinct points, built once per kmeans() call and shared by the
// seeding and every Lloyd iteration of every restart. Nodes are stored in preorder (left child =
// node + 1) as flat typed arrays; points are copied into tree order so a node owns a contiguous
// range. Each node keeps its bounding box and the weighted sum of its points, which lets the
// filtering algorithm assign a whole node to one centre without touching its points.

const LEAF_SIZE = 8;

export class KdTree {
  readonly d: number;
  readonly m: number;
  readonly nodes: number;
  /** Points in tree order (m*d) and their weights. */
  readonly px: Float64Array;
  readonly pw: Float64Array;
  /** Tree position -> index of the point in the caller's arrays. */
  readonly perm: Uint32Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** Right child, or -1 for a leaf. */
  readonly right: Int32Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly mid: Float64Array;
  readonly sum: Float64Array;
  readonly wsum: Float64Array;
  /** Per node: sum of w * |x|^2 (with sum and wsum it gives any centre's cost in O(d)). */
  readonly sq: Float64Array;
  /** Largest number of edges from the root to a leaf. */
  depth = 0;
  private next = 0;

  constructor(points: Float64Array, weights: Float64Array, d: number) {
    const m = weights.length;
    this.d = d;
    this.m = m;
    const perm = new Uint32Array(m);
    for (let i = 0; i < m; i++) perm[i] = i;
    const nodes = countNodes(m);
    this.nodes = nodes;
    this.start = new Int32Array(nodes);
    this.end = new Int32Array(nodes);
    this.right = new Int32Array(nodes);
    this.lo = new Float64Array(nodes * d);
    this.hi = new Float64Array(nodes * d);
    this.mid = new Float64Array(nodes * d);
    this.sum = new Float64Array(nodes * d);
    this.wsum = new Float64Array(nodes);
    this.sq = new Float64Array(nodes);
    this.build(points, perm, 0, m, 0);
    this.perm = perm;
    const px = new Float64Array(m * d);
    const pw = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const p = perm[i];
      pw[i] = weights[p];
      for (let j = 0; j < d; j++) px[i * d + j] = points[p * d + j];
    }
    this.px = px;
    this.pw = pw;
    this.summarise(weights, points);
  }

  private build(points: Float64Array, perm: Uint32Array, s: number, e: number, depth: number): void {
    const d = this.d;
    if (depth > this.depth) this.depth = depth;
    const node = this.next++;
    this.start[node] = s;
    this.end[node] = e;
    const o = node * d;
    for (let j = 0; j < d; j++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = s; i < e; i++) {
        const v = points[perm[i] * d + j];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      this.lo[o + j] = lo;
      this.hi[o + j] = hi;
      this.mid[o + j] = (lo + hi) / 2;
    }
    if (e - s <= LEAF_SIZE) {
      this.right[node] = -1;
      return;
    }
    let axis = 0;
    for (let j = 1; j < d; j++) {
      if (this.hi[o + j] - this.lo[o + j] > this.hi[o + axis] - this.lo[o + axis]) axis = j;
    }
    const half = s + ((e - s) >> 1);
    select(points, perm, d, axis, s, e - 1, half);
    this.build(points, perm, s, half, depth + 1);
    this.right[node] = this.next;
    this.build(points, perm, half, e, depth + 1);
  }

  /** Weighted sums per node, bottom-up: in preorder children come after their parent. */
  private summarise(weights: Float64Array, points: Float64Array): void {
    const d = this.d;
    for (let node = this.nodes - 1; node >= 0; node--) {
      const o = node * d;
      const r = this.right[node];
      if (r < 0) {
        let w = 0;
        let q = 0;
        for (let j = 0; j < d; j++) this.sum[o + j] = 0;
        for (let i = this.start[node]; i < this.end[node]; i++) {
          const p = this.perm[i];
          const wi = weights[p];
          w += wi;
          for (let j = 0; j < d; j++) {
            const x = points[p * d + j];
            this.sum[o + j] += wi * x;
            q += wi * x * x;
          }
        }
        this.wsum[node] = w;
        this.sq[node] = q;
      } else {
        const l = node + 1;
        this.wsum[node] = this.wsum[l] + this.wsum[r];
        this.sq[node] = this.sq[l] + this.sq[r];
        for (let j = 0; j < d; j++) this.sum[o + j] = this.sum[l * d + j] + this.sum[r * d + j];
      }
    }
  }
}

/** Nodes of the tree over m points; sizes at one depth differ by at most one, hence the memo. */
function countNodes(m: number, memo = new Map<number, number>()): number {
  if (m <= LEAF_SIZE) return 1;
  const known = memo.get(m);
  if (known !== undefined) return known;
  const h = m >> 1;
  const n = 1 + countNodes(h, memo) + countNodes(m - h, memo);
  memo.set(m, n);
  return n;
}

/** Hoare-style quickselect on perm[s..e] by coordinate `axis`, putting rank `k` in place. */
function select(points: Float64Array, perm: Uint32Array, d: number, axis: number, s: number, e: number, k: number): void {
  while (e > s) {
    const mi = s + ((e - s) >> 1);
    // median of three as pivot keeps sorted and constant runs from going quadratic
    const a = points[perm[s] * d + axis];
    const b = points[perm[mi] * d + axis];
    const c = points[perm[e] * d + axis];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = s;
    let j = e;
    while (i <= j) {
      while (points[perm[i] * d + axis] < pivot) i++;
      while (points[perm[j] * d + axis] > pivot) j--;
      if (i <= j) {
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) e = j;
    else if (k >= i) s = i;
    else return;
  }
}
