// A kd-tree over the weighted distinct points, built once per kmeans() call and shared by the
// seeding and every Lloyd iteration of every restart. Nodes are stored in preorder (left child =
// node + 1) as flat typed arrays; points are copied into tree order so a node owns a contiguous
// range. Each node keeps its bounding box and the weighted sums of its points, which lets the
// seeding and the filtering algorithm treat a whole node at once.
//
// Coordinates are always stored with stride 3 (missing dimensions are 0): the hot loops are then
// unrolled and monomorphic for d = 1, 2 and 3, and zeros change no distance or sum.

const LEAF_SIZE = 8;

export class KdTree {
  readonly m: number;
  readonly nodes: number;
  /** Points in tree order (m*3) and their weights. */
  readonly px: Float64Array;
  readonly pw: Float64Array;
  /** Tree position -> index of the point in the caller's arrays. */
  readonly perm: Uint32Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** Right child, or -1 for a leaf. */
  readonly right: Int32Array;
  /** Per node (stride 3): bounding box, its midpoint, weighted coordinate sums. */
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly mid: Float64Array;
  readonly sum: Float64Array;
  readonly wsum: Float64Array;
  /** Per node: sum of w * |x|^2 (with sum and wsum it gives any centre's cost in O(1)). */
  readonly sq: Float64Array;
  /** Largest number of edges from the root to a leaf. */
  depth = 0;
  private next = 0;
  // build-time working copies, one array per coordinate, permuted together with `perm`
  private x0: Float64Array;
  private x1: Float64Array;
  private x2: Float64Array;

  constructor(points: Float64Array, weights: Float64Array, d: number) {
    const m = weights.length;
    this.m = m;
    const perm = new Uint32Array(m);
    this.x0 = new Float64Array(m);
    this.x1 = new Float64Array(m);
    this.x2 = new Float64Array(m);
    const xs = [this.x0, this.x1, this.x2];
    for (let i = 0; i < m; i++) {
      perm[i] = i;
      for (let j = 0; j < d; j++) xs[j][i] = points[i * d + j];
    }
    this.perm = perm;
    const nodes = countNodes(m, new Map());
    this.nodes = nodes;
    this.start = new Int32Array(nodes);
    this.end = new Int32Array(nodes);
    this.right = new Int32Array(nodes);
    this.lo = new Float64Array(nodes * 3);
    this.hi = new Float64Array(nodes * 3);
    this.mid = new Float64Array(nodes * 3);
    this.sum = new Float64Array(nodes * 3);
    this.wsum = new Float64Array(nodes);
    this.sq = new Float64Array(nodes);
    this.build(0, m, 0);
    const px = new Float64Array(m * 3);
    const pw = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      px[3 * i] = this.x0[i];
      px[3 * i + 1] = this.x1[i];
      px[3 * i + 2] = this.x2[i];
      pw[i] = weights[perm[i]];
    }
    this.px = px;
    this.pw = pw;
    this.x0 = this.x1 = this.x2 = new Float64Array(0);
    this.summarise();
  }

  private build(s: number, e: number, depth: number): void {
    if (depth > this.depth) this.depth = depth;
    const node = this.next++;
    this.start[node] = s;
    this.end[node] = e;
    const o = 3 * node;
    boxOf(this.x0, s, e, this.lo, this.hi, o);
    boxOf(this.x1, s, e, this.lo, this.hi, o + 1);
    boxOf(this.x2, s, e, this.lo, this.hi, o + 2);
    for (let j = 0; j < 3; j++) this.mid[o + j] = (this.lo[o + j] + this.hi[o + j]) / 2;
    if (e - s <= LEAF_SIZE) {
      this.right[node] = -1;
      return;
    }
    let axis = 0;
    for (let j = 1; j < 3; j++) {
      if (this.hi[o + j] - this.lo[o + j] > this.hi[o + axis] - this.lo[o + axis]) axis = j;
    }
    const half = s + ((e - s) >> 1);
    this.select(axis === 0 ? this.x0 : axis === 1 ? this.x1 : this.x2, s, e - 1, half);
    this.build(s, half, depth + 1);
    this.right[node] = this.next;
    this.build(half, e, depth + 1);
  }

  /** Quickselect on key[s..e] (moving all coordinates and perm along) so rank k is in place. */
  private select(key: Float64Array, s: number, e: number, k: number): void {
    while (e > s) {
      const mi = s + ((e - s) >> 1);
      // median of three keeps sorted and constant runs from going quadratic
      const a = key[s];
      const b = key[mi];
      const c = key[e];
      const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
      let i = s;
      let j = e;
      while (i <= j) {
        while (key[i] < pivot) i++;
        while (key[j] > pivot) j--;
        if (i <= j) {
          this.swap(i, j);
          i++;
          j--;
        }
      }
      if (k <= j) e = j;
      else if (k >= i) s = i;
      else return;
    }
  }

  private swap(i: number, j: number): void {
    const x0 = this.x0;
    const x1 = this.x1;
    const x2 = this.x2;
    const p = this.perm;
    let t = x0[i];
    x0[i] = x0[j];
    x0[j] = t;
    t = x1[i];
    x1[i] = x1[j];
    x1[j] = t;
    t = x2[i];
    x2[i] = x2[j];
    x2[j] = t;
    t = p[i];
    p[i] = p[j];
    p[j] = t;
  }

  /** Weighted sums per node, bottom-up: in preorder children come after their parent. */
  private summarise(): void {
    const { px, pw, sum, wsum, sq } = this;
    for (let node = this.nodes - 1; node >= 0; node--) {
      const o = 3 * node;
      const r = this.right[node];
      if (r < 0) {
        let w = 0;
        let q = 0;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        for (let i = this.start[node]; i < this.end[node]; i++) {
          const wi = pw[i];
          const a = px[3 * i];
          const b = px[3 * i + 1];
          const c = px[3 * i + 2];
          w += wi;
          s0 += wi * a;
          s1 += wi * b;
          s2 += wi * c;
          q += wi * (a * a + b * b + c * c);
        }
        wsum[node] = w;
        sq[node] = q;
        sum[o] = s0;
        sum[o + 1] = s1;
        sum[o + 2] = s2;
      } else {
        const l = node + 1;
        wsum[node] = wsum[l] + wsum[r];
        sq[node] = sq[l] + sq[r];
        sum[o] = sum[3 * l] + sum[3 * r];
        sum[o + 1] = sum[3 * l + 1] + sum[3 * r + 1];
        sum[o + 2] = sum[3 * l + 2] + sum[3 * r + 2];
      }
    }
  }
}

function boxOf(x: Float64Array, s: number, e: number, lo: Float64Array, hi: Float64Array, o: number): void {
  let a = x[s];
  let b = a;
  for (let i = s + 1; i < e; i++) {
    const v = x[i];
    if (v < a) a = v;
    else if (v > b) b = v;
  }
  lo[o] = a;
  hi[o] = b;
}

/** Nodes of the tree over m points; sizes at one depth differ by at most one, hence the memo. */
function countNodes(m: number, memo: Map<number, number>): number {
  if (m <= LEAF_SIZE) return 1;
  const known = memo.get(m);
  if (known !== undefined) return known;
  const h = m >> 1;
  const n = 1 + countNodes(h, memo) + countNodes(m - h, memo);
  memo.set(m, n);
  return n;
}
