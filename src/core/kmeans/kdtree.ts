// A kd-tree over the weighted distinct points, built once per kmeans() call and shared by the
// seeding and every Lloyd iteration of every restart. Nodes are stored in preorder (left child =
// node + 1) as flat typed arrays; points are copied into tree order so a node owns a contiguous
// range. Each node keeps its bounding box and the weighted sums of its points, which lets the
// seeding and the filtering algorithm treat a whole node at once.
//
// Coordinates are always stored with stride 3 (missing dimensions are 0): the hot loops are then
// unrolled and monomorphic for d = 1, 2 and 3, and zeros change no distance or sum.

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
  /** Per node (stride 3): bounding box, its midpoint, weighted coordinate sums. */
  lo!: Float64Array;
  hi!: Float64Array;
  mid!: Float64Array;
  sum!: Float64Array;
  wsum!: Float64Array;
  /** Per node: sum of w * |x|^2 (with sum and wsum it gives any centre's cost in O(1)). */
  sq!: Float64Array;
  /** Largest number of edges from the root to a leaf. */
  depth = 0;
  private next = 0;
  // median build: working copies, one array per coordinate, permuted together with `perm`
  private x0 = EMPTY;
  private x1 = EMPTY;
  private x2 = EMPTY;
  /** Radix build: Morton codes of the points in tree order. */
  private codes = new Uint32Array(0);

  /**
   * @param medianSplits  force the general build (median splits) even for byte-valued points,
   *                      which otherwise get the faster radix build
   */
  constructor(points: Float64Array, weights: Float64Array, d: number, medianSplits = false) {
    const m = weights.length;
    this.m = m;
    this.px = new Float64Array(m * 3);
    this.pw = new Float64Array(m);
    let nodes: number;
    if (!medianSplits && allBytes(points)) {
      this.perm = this.sortByMorton(points, weights, d);
      nodes = this.countRadix();
      this.allocate(nodes);
      this.buildRadix();
    } else {
      this.perm = new Uint32Array(m);
      for (let i = 0; i < m; i++) this.perm[i] = i;
      this.x0 = new Float64Array(m);
      this.x1 = new Float64Array(m);
      this.x2 = new Float64Array(m);
      const xs = [this.x0, this.x1, this.x2];
      for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) xs[j][i] = points[i * d + j];
      nodes = countNodes(m, new Map());
      this.allocate(nodes);
      this.build(0, m, 0);
      for (let i = 0; i < m; i++) {
        this.px[3 * i] = this.x0[i];
        this.px[3 * i + 1] = this.x1[i];
        this.px[3 * i + 2] = this.x2[i];
        this.pw[i] = weights[this.perm[i]];
      }
    }
    this.x0 = this.x1 = this.x2 = EMPTY;
    this.codes = new Uint32Array(0);
    this.nodes = nodes;
    this.summarise();
  }

  private allocate(nodes: number): void {
    this.start = new Int32Array(nodes);
    this.end = new Int32Array(nodes);
    this.right = new Int32Array(nodes);
    this.lo = new Float64Array(nodes * 3);
    this.hi = new Float64Array(nodes * 3);
    this.mid = new Float64Array(nodes * 3);
    this.sum = new Float64Array(nodes * 3);
    this.wsum = new Float64Array(nodes);
    this.sq = new Float64Array(nodes);
  }

  /**
   * Fills px/pw and the codes in Morton order (two 12-bit counting-sort passes over the 24-bit
   * codes); returns tree position -> caller's index.
   */
  private sortByMorton(points: Float64Array, weights: Float64Array, d: number): Uint32Array {
    const m = this.m;
    const codes = new Uint32Array(m);
    const c0 = new Uint32Array(4097);
    const c1 = new Uint32Array(4097);
    for (let i = 0; i < m; i++) {
      const a = points[i * d];
      const b = d > 1 ? points[i * d + 1] : 0;
      const c = d > 2 ? points[i * d + 2] : 0;
      const code = (SPREAD[a] << 2) | (SPREAD[b] << 1) | SPREAD[c];
      codes[i] = code;
      c0[(code & 4095) + 1]++;
      c1[(code >>> 12) + 1]++;
    }
    for (let b = 1; b <= 4096; b++) {
      c0[b] += c0[b - 1];
      c1[b] += c1[b - 1];
    }
    const tmp = new Uint32Array(m);
    for (let i = 0; i < m; i++) tmp[c0[codes[i] & 4095]++] = i;
    const perm = new Uint32Array(m);
    for (let j = 0; j < m; j++) {
      const i = tmp[j];
      perm[c1[codes[i] >>> 12]++] = i;
    }
    const sorted = tmp; // reused: every slot is rewritten
    const px = this.px;
    for (let t = 0; t < m; t++) {
      const i = perm[t];
      sorted[t] = codes[i];
      px[3 * t] = points[i * d];
      if (d > 1) px[3 * t + 1] = points[i * d + 1];
      if (d > 2) px[3 * t + 2] = points[i * d + 2];
      this.pw[t] = weights[i];
    }
    this.codes = sorted;
    return perm;
  }

  /**
   * Radix build over Morton-sorted points: a node splits where its points' codes first differ,
   * i.e. at the middle of its cell along one axis (an octree in binary steps). Iterative with
   * an explicit stack (preorder), so that a cold start runs it as one optimisable loop.
   */
  private buildRadix(): void {
    const stackS = new Int32Array(128);
    const stackE = new Int32Array(128);
    const stackParent = new Int32Array(128);
    const stackDepth = new Int32Array(128);
    stackS[0] = 0;
    stackE[0] = this.m;
    stackParent[0] = -1;
    let top = 1;
    let node = 0;
    while (top > 0) {
      top--;
      const s = stackS[top];
      const e = stackE[top];
      const parent = stackParent[top];
      const depth = stackDepth[top];
      if (parent >= 0) this.right[parent] = node;
      this.start[node] = s;
      this.end[node] = e;
      if (depth > this.depth) this.depth = depth;
      if (e - s <= LEAF_SIZE) {
        this.right[node] = -1;
      } else {
        const half = this.radixSplit(s, e);
        // right child waits on the stack; the left one is the next node (preorder)
        stackS[top] = half;
        stackE[top] = e;
        stackParent[top] = node;
        stackDepth[top] = depth + 1;
        stackS[top + 1] = s;
        stackE[top + 1] = half;
        stackParent[top + 1] = -1;
        stackDepth[top + 1] = depth + 1;
        top += 2;
      }
      node++;
    }
  }

  private countRadix(): number {
    const stackS = new Int32Array(128);
    const stackE = new Int32Array(128);
    stackS[0] = 0;
    stackE[0] = this.m;
    let top = 1;
    let nodes = 0;
    while (top > 0) {
      top--;
      const s = stackS[top];
      const e = stackE[top];
      nodes++;
      if (e - s > LEAF_SIZE) {
        const half = this.radixSplit(s, e);
        stackS[top] = half;
        stackE[top] = e;
        stackS[top + 1] = s;
        stackE[top + 1] = half;
        top += 2;
      }
    }
    return nodes;
  }

  /** First index of [s, e) whose code has the highest bit in which the range's codes differ. */
  private radixSplit(s: number, e: number): number {
    const codes = this.codes;
    const diff = codes[s] ^ codes[e - 1];
    if (diff === 0) return (s + e) >> 1; // repeated points (callers may pass duplicates)
    const bit = 1 << (31 - Math.clz32(diff));
    let a = s;
    let b = e - 1; // codes[b] has the bit, codes[a] has not
    while (b - a > 1) {
      const c = (a + b) >> 1;
      if (codes[c] & bit) b = c;
      else a = c;
    }
    return b;
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

  /** Boxes and weighted sums per node, bottom-up: in preorder children come after their parent. */
  private summarise(): void {
    const { px, pw, sum, wsum, sq, lo, hi, mid } = this;
    for (let node = this.nodes - 1; node >= 0; node--) {
      const o = 3 * node;
      const r = this.right[node];
      if (r < 0) {
        let w = 0;
        let q = 0;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let lo0 = Infinity;
        let lo1 = Infinity;
        let lo2 = Infinity;
        let hi0 = -Infinity;
        let hi1 = -Infinity;
        let hi2 = -Infinity;
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
          if (a < lo0) lo0 = a;
          if (a > hi0) hi0 = a;
          if (b < lo1) lo1 = b;
          if (b > hi1) hi1 = b;
          if (c < lo2) lo2 = c;
          if (c > hi2) hi2 = c;
        }
        wsum[node] = w;
        sq[node] = q;
        sum[o] = s0;
        sum[o + 1] = s1;
        sum[o + 2] = s2;
        lo[o] = lo0;
        lo[o + 1] = lo1;
        lo[o + 2] = lo2;
        hi[o] = hi0;
        hi[o + 1] = hi1;
        hi[o + 2] = hi2;
      } else {
        const l = node + 1;
        wsum[node] = wsum[l] + wsum[r];
        sq[node] = sq[l] + sq[r];
        for (let j = 0; j < 3; j++) {
          sum[o + j] = sum[3 * l + j] + sum[3 * r + j];
          lo[o + j] = lo[3 * l + j] < lo[3 * r + j] ? lo[3 * l + j] : lo[3 * r + j];
          hi[o + j] = hi[3 * l + j] > hi[3 * r + j] ? hi[3 * l + j] : hi[3 * r + j];
        }
      }
      for (let j = 0; j < 3; j++) mid[o + j] = (lo[o + j] + hi[o + j]) / 2;
    }
  }
}

/** True if every coordinate is an integer in 0..255 (what distinctValues produces). */
function allBytes(points: Float64Array): boolean {
  for (let i = 0; i < points.length; i++) {
    const v = points[i];
    if (!(v >= 0 && v <= 255 && Math.floor(v) === v)) return false;
  }
  return true;
}

/** Bits of a byte spread to every third position. */
const SPREAD = (() => {
  const t = new Uint32Array(256);
  for (let v = 0; v < 256; v++) {
    let r = 0;
    for (let b = 0; b < 8; b++) if (v & (1 << b)) r |= 1 << (3 * b);
    t[v] = r;
  }
  return t;
})();

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
