// Lloyd's assignment step with the filtering algorithm (Kanungo et al. 2002): walk the kd-tree
// carrying the centres that may still own part of the node; a centre is dropped when the whole
// box is strictly closer to the centre nearest the box's midpoint; a node left with one centre
// is assigned whole, using its precomputed weighted sum.
//
// The result is exactly that of brute force: a centre is dropped only when it loses at the
// worst corner of the box by more than any rounding error could account for, and leaves compare
// the surviving centres with the same arithmetic as brute force (lowest index wins ties).
//
// "Did any label change?" is answered without storing every label every iteration: a node whose
// points all had one label last time keeps it in nodeLab (else -1), and that label overrides
// stale entries below it until the node is split again.

import type { KdTree } from './kdtree';

export class Filter {
  private readonly t: KdTree;
  private readonly k: number;
  private centers: Float64Array;
  readonly sums: Float64Array;
  readonly clusterW: Float64Array;
  private readonly nodeLab: Int32Array;
  private readonly pointLab: Int32Array;
  private readonly cand: Int32Array;
  private readonly delta: number;
  private changed = false;

  constructor(tree: KdTree, k: number) {
    this.t = tree;
    this.k = k;
    this.centers = new Float64Array(k * tree.d);
    this.sums = new Float64Array(k * tree.d);
    this.clusterW = new Float64Array(k);
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
    this.delta = 1e-12 * 4 * tree.d * big * big;
  }

  /** Forgets the previous labels: the next assignment counts as a change everywhere. */
  reset(): void {
    this.nodeLab.fill(-1);
    this.pointLab.fill(-1);
  }

  /** Assigns every point to its nearest centre, accumulating sums; true if any label changed. */
  assign(centers: Float64Array): boolean {
    this.centers = centers;
    this.sums.fill(0);
    this.clusterW.fill(0);
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
    const d = t.d;
    const cand = this.cand;
    const C = this.centers;
    const eff = prev >= 0 ? prev : this.nodeLab[node];
    let out = base;
    let no = nc;
    let only = cand[base];
    if (nc > 1) {
      const o = node * d;
      const mid = t.mid;
      let bd = Infinity;
      for (let a = 0; a < nc; a++) {
        const c = cand[base + a];
        let s = 0;
        for (let j = 0; j < d; j++) {
          const q = mid[o + j] - C[c * d + j];
          s += q * q;
        }
        if (s < bd) {
          bd = s;
          only = c;
        }
      }
      out = base + this.k;
      no = 0;
      for (let a = 0; a < nc; a++) {
        const c = cand[base + a];
        if (c === only || !this.dominated(o, only, c)) cand[out + no++] = c;
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

  /** True if every point of the box (offset o) is closer to centre `win` than to `c`. */
  private dominated(o: number, win: number, c: number): boolean {
    const t = this.t;
    const d = t.d;
    const C = this.centers;
    let margin = 0;
    for (let j = 0; j < d; j++) {
      const a = C[c * d + j];
      const b = C[win * d + j];
      const v = a > b ? t.hi[o + j] : t.lo[o + j];
      const da = v - a;
      const db = v - b;
      margin += da * da - db * db;
    }
    return margin > this.delta;
  }

  private take(node: number, c: number): void {
    const t = this.t;
    const d = t.d;
    this.clusterW[c] += t.wsum[node];
    for (let j = 0; j < d; j++) this.sums[c * d + j] += t.sum[node * d + j];
  }

  private leaf(node: number, out: number, no: number, eff: number): void {
    const t = this.t;
    const d = t.d;
    const px = t.px;
    const pw = t.pw;
    const C = this.centers;
    const cand = this.cand;
    let first = -2;
    for (let i = t.start[node]; i < t.end[node]; i++) {
      let best = -1;
      let bd = Infinity;
      for (let a = 0; a < no; a++) {
        const c = cand[out + a];
        let s = 0;
        for (let j = 0; j < d; j++) {
          const q = px[i * d + j] - C[c * d + j];
          s += q * q;
        }
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
      for (let j = 0; j < d; j++) this.sums[best * d + j] += w * px[i * d + j];
      if (first === -2) first = best;
      else if (first !== best) first = -1;
    }
    this.nodeLab[node] = first;
  }
}
