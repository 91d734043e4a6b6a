// Lloyd's assignment step with the filtering algorithm (Kanungo et al. 2002): walk the kd-tree
// carrying the centres that may still own part of the node; a centre is dropped when the whole
// box is strictly closer to the centre nearest the box's midpoint; a node left with one centre
// is assigned whole, using its precomputed weighted sums.
//
// The result is exactly that of brute force: a centre is dropped only when it loses at the
// worst corner of the box by more than any rounding error could account for, and leaves compare
// the surviving centres with the same arithmetic as brute force (lowest index wins ties).
//
// "Did any label change?" is answered without storing every label every iteration: a node whose
// points all had one label last time keeps it in nodeLab (else -1), and that label overrides
// stale entries below it until the node is split again.
//
// Coordinates and centres have stride 3 (see kdtree.ts).

import type { KdTree } from './kdtree';

export class Filter {
  private readonly t: KdTree;
  private readonly k: number;
  private centers: Float64Array;
  /** Per cluster, of the last assignment: weighted coordinate sums (k*3), weights, sum w|x|^2. */
  readonly sums: Float64Array;
  readonly clusterW: Float64Array;
  readonly clusterSq: Float64Array;
  private readonly nodeLab: Int32Array;
  private readonly pointLab: Int32Array;
  private readonly cand: Int32Array;
  private readonly delta: number;
  private changed = false;

  constructor(tree: KdTree, k: number) {
    this.t = tree;
    this.k = k;
    this.centers = new Float64Array(k * 3);
    this.sums = new Float64Array(k * 3);
    this.clusterW = new Float64Array(k);
    this.clusterSq = new Float64Array(k);
    this.nodeLab = new Int32Array(tree.nodes);
    this.pointLab = new Int32Array(tree.m);
    this.cand = new Int32Array((tree.depth + 2) * k);
    // Rounding in a squared distance is below 1e-15 of the largest one possible; 1e-12 of it
    // is a safe margin and still far below any real difference between two centres.
    let big = 1;
    for (let i = 0; i < tree.px.length; i++) {
      const a = Math.abs(tree.px[i]);
      if (a > big) big = a;
    }
    this.delta = 1e-12 * 12 * big * big;
  }

  /** Forgets the previous labels: the next assignment counts as a change everywhere. */
  reset(): void {
    this.nodeLab.fill(-1);
    this.pointLab.fill(-1);
  }

  /** Assigns every point to its nearest centre (k*3), accumulating sums; true if a label changed. */
  assign(centers: Float64Array): boolean {
    this.centers = centers;
    this.sums.fill(0);
    this.clusterW.fill(0);
    this.clusterSq.fill(0);
    this.changed = false;
    for (let c = 0; c < this.k; c++) this.cand[c] = c;
    this.visit(0, 0, this.k, -1);
    return this.changed;
  }

  /** Labels of the last assignment, in tree order. */
  labelsInto(out: Int32Array): void {
    this.fill(0, -1, out);
  }

  private fill(node: number, lab: number, out: Int32Array): void {
    const t = this.t;
    const l = lab >= 0 ? lab : this.nodeLab[node];
    const r = t.right[node];
    if (l >= 0) {
      out.fill(l, t.start[node], t.end[node]);
    } else if (r < 0) {
      for (let i = t.start[node]; i < t.end[node]; i++) out[i] = this.pointLab[i];
    } else {
      this.fill(node + 1, -1, out);
      this.fill(r, -1, out);
    }
  }

  private visit(node: number, base: number, nc: number, prev: number): void {
    const t = this.t;
    const cand = this.cand;
    const eff = prev >= 0 ? prev : this.nodeLab[node];
    let out = base;
    let no = nc;
    let only = cand[base];
    if (nc === 2) {
      // the common case: one test of the bisector over the box decides both ways
      only = this.pairWinner(node, cand[base], cand[base + 1]);
      if (only >= 0) no = 1;
    } else if (nc > 1) {
      only = this.nearestToMid(node, base, nc);
      out = base + this.k;
      no = 0;
      for (let a = 0; a < nc; a++) {
        const c = cand[base + a];
        if (c === only || !this.dominated(node, only, c)) cand[out + no++] = c;
      }
    }
    if (no === 1) {
      this.take(node, only);
      if (eff !== only) this.changed = true;
      this.nodeLab[node] = only;
      return;
    }
    const r = t.right[node];
    if (r < 0) {
      this.leaf(node, out, no, eff);
      return;
    }
    this.visit(node + 1, out, no, eff);
    this.visit(r, out, no, eff);
    const a = this.nodeLab[node + 1];
    this.nodeLab[node] = a >= 0 && a === this.nodeLab[r] ? a : -1;
  }

  private nearestToMid(node: number, base: number, nc: number): number {
    const mid = this.t.mid;
    const C = this.centers;
    const cand = this.cand;
    const m0 = mid[3 * node];
    const m1 = mid[3 * node + 1];
    const m2 = mid[3 * node + 2];
    let best = cand[base];
    let bd = Infinity;
    for (let a = 0; a < nc; a++) {
      const c = cand[base + a];
      const q0 = m0 - C[3 * c];
      const q1 = m1 - C[3 * c + 1];
      const q2 = m2 - C[3 * c + 2];
      const s = q0 * q0 + q1 * q1 + q2 * q2;
      if (s < bd) {
        bd = s;
        best = c;
      }
    }
    return best;
  }

  /**
   * Of two centres, the one every point of the box is closer to (by more than delta), or -1.
   * Same test as dominated() in both directions: |x-a|^2 - |x-b|^2 is a sum of per-dimension
   * terms, each extreme at an end of the box's range.
   */
  private pairWinner(node: number, a: number, b: number): number {
    const t = this.t;
    const C = this.centers;
    const o = 3 * node;
    let fmin = 0;
    let fmax = 0;
    for (let j = 0; j < 3; j++) {
      const ca = C[3 * a + j];
      const cb = C[3 * b + j];
      const lo = t.lo[o + j];
      const hi = t.hi[o + j];
      const la = lo - ca;
      const lb = lo - cb;
      const ha = hi - ca;
      const hb = hi - cb;
      const atLo = la * la - lb * lb;
      const atHi = ha * ha - hb * hb;
      if (atLo < atHi) {
        fmin += atLo;
        fmax += atHi;
      } else {
        fmin += atHi;
        fmax += atLo;
      }
    }
    if (fmin > this.delta) return b;
    if (-fmax > this.delta) return a;
    return -1;
  }

  /** True if every point of the node's box is closer to centre `win` than to `c`. */
  private dominated(node: number, win: number, c: number): boolean {
    const t = this.t;
    const C = this.centers;
    const o = 3 * node;
    return (
      gap(C[3 * c], C[3 * win], t.lo[o], t.hi[o]) +
        gap(C[3 * c + 1], C[3 * win + 1], t.lo[o + 1], t.hi[o + 1]) +
        gap(C[3 * c + 2], C[3 * win + 2], t.lo[o + 2], t.hi[o + 2]) >
      this.delta
    );
  }

  private take(node: number, c: number): void {
    const t = this.t;
    this.clusterW[c] += t.wsum[node];
    this.clusterSq[c] += t.sq[node];
    this.sums[3 * c] += t.sum[3 * node];
    this.sums[3 * c + 1] += t.sum[3 * node + 1];
    this.sums[3 * c + 2] += t.sum[3 * node + 2];
  }

  private leaf(node: number, out: number, no: number, eff: number): void {
    const t = this.t;
    const px = t.px;
    const pw = t.pw;
    const C = this.centers;
    const cand = this.cand;
    const sums = this.sums;
    let first = -2;
    for (let i = t.start[node]; i < t.end[node]; i++) {
      const x0 = px[3 * i];
      const x1 = px[3 * i + 1];
      const x2 = px[3 * i + 2];
      let best = -1;
      let bd = Infinity;
      for (let a = 0; a < no; a++) {
        const c = cand[out + a];
        const q0 = x0 - C[3 * c];
        const q1 = x1 - C[3 * c + 1];
        const q2 = x2 - C[3 * c + 2];
        const s = q0 * q0 + q1 * q1 + q2 * q2;
        if (s < bd || (s === bd && c < best)) {
          bd = s;
          best = c;
        }
      }
      const before = eff >= 0 ? eff : this.pointLab[i];
      if (before !== best) this.changed = true;
      this.pointLab[i] = best;
      const w = pw[i];
      this.clusterW[best] += w;
      this.clusterSq[best] += w * (x0 * x0 + x1 * x1 + x2 * x2);
      sums[3 * best] += w * x0;
      sums[3 * best + 1] += w * x1;
      sums[3 * best + 2] += w * x2;
      if (first === -2) first = best;
      else if (first !== best) first = -1;
    }
    this.nodeLab[node] = first;
  }
}

/** One dimension's share of |v-a|^2 - |v-b|^2 at the box corner v least favourable to b. */
function gap(a: number, b: number, lo: number, hi: number): number {
  const v = a > b ? hi : lo;
  const da = v - a;
  const db = v - b;
  return da * da - db * db;
}
