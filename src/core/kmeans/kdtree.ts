// The shape of a kd-tree (median splits) over weighted points that are not all bytes, for the
// WebAssembly kernel (assembly/restart.ts), which builds the tree of byte points (the distinct
// colours) itself by Morton radix splits and computes every tree's node summaries (boxes,
// weighted sums). Nodes are in preorder (left child = node + 1); points are copied into tree
// order so a node owns a contiguous range.
//
// Coordinates are stored with stride 3 (missing dimensions are 0), as the kernel expects.

const LEAF_SIZE = 8;
const EMPTY = new Float64Array(0);

export class KdTree {
  readonly m: number;
  readonly nodes: number;
  /** Points in tree order (m*3) and their weights. */
  readonly px: Float64Array;
  readonly pw: Float64Array;
  /** Tree position -> index of the point in the caller's arrays. */
  readonly perm: Uint32Array;
  start!: Int32Array;
  end!: Int32Array;
  /** Right child, or -1 for a leaf. */
  right!: Int32Array;
  /** Per node (stride 3): bounding box (to choose the split axis). */
  private lo = EMPTY;
  private hi = EMPTY;
  /** Largest number of edges from the root to a leaf. */
  depth = 0;
  private next = 0;
  // median build: working copies, one array per coordinate, permuted together with `perm`
  private x0 = EMPTY;
  private x1 = EMPTY;
  private x2 = EMPTY;
  constructor(points: Float64Array, weights: Float64Array, d: number) {
    const m = weights.length;
    this.m = m;
    this.px = new Float64Array(m * 3);
    this.pw = new Float64Array(m);
    this.perm = new Uint32Array(m);
    for (let i = 0; i < m; i++) this.perm[i] = i;
    this.x0 = new Float64Array(m);
    this.x1 = new Float64Array(m);
    this.x2 = new Float64Array(m);
    const xs = [this.x0, this.x1, this.x2];
    for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) xs[j][i] = points[i * d + j];
    const nodes = countNodes(m, new Map());
    this.allocate(nodes);
    this.build(0, m, 0);
    for (let i = 0; i < m; i++) {
      this.px[3 * i] = this.x0[i];
      this.px[3 * i + 1] = this.x1[i];
      this.px[3 * i + 2] = this.x2[i];
      this.pw[i] = weights[this.perm[i]];
    }
    this.x0 = this.x1 = this.x2 = EMPTY;
    this.nodes = this.start.length;
  }

  private allocate(nodes: number): void {
    this.start = new Int32Array(nodes);
    this.end = new Int32Array(nodes);
    this.right = new Int32Array(nodes);
    this.lo = new Float64Array(nodes * 3);
    this.hi = new Float64Array(nodes * 3);
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
