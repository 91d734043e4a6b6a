// Greedy k-means++ (sklearn's _kmeans_plusplus) on weighted points, i.e. exactly as if each
// point were repeated `weight` times, on the kd-tree.
//
// Each node holds its potential (sum of w*D^2, D = distance to the closest chosen centre) and
// bounds on D^2. A node whose points all have the same closest centre c is tagged with c
// instead of storing D^2 per point: its potential is then sq - 2 c.sum + wsum |c|^2, and a
// candidate z either beats c on the whole box, loses on the whole box (both decided at the
// box's extreme corner, since |x-z|^2 - |x-c|^2 is linear in x) or splits the node. So a
// candidate costs the nodes its bisectors cross, not the points. Tags are pushed down lazily.
//
// With integer points and weights every quantity here is an exact integer below 2^53, so the
// potentials do not depend on how the tree splits the sums: the draws and choices are those of
// a plain linear scan over the points in tree order.

import type { KdTree } from './kdtree';
import type { RestartRng } from './random';

export class Seeder {
  private readonly t: KdTree;
  private readonly d2: Float64Array;
  private readonly pot: Float64Array;
  /** Upper bound of D^2 over the node's points. */
  private readonly maxD2: Float64Array;
  /** Lower bound of D^2 over the node's points. */
  private readonly minD2: Float64Array;
  /** Closest centre of every point of the node, or -1 when stored below. */
  private readonly tag: Int32Array;
  private chosen: Float64Array = new Float64Array(0);
  private readonly z: Float64Array;
  private cand = new Int32Array(0);

  constructor(tree: KdTree) {
    this.t = tree;
    this.d2 = new Float64Array(tree.m);
    this.pot = new Float64Array(tree.nodes);
    this.maxD2 = new Float64Array(tree.nodes);
    this.minD2 = new Float64Array(tree.nodes);
    this.tag = new Int32Array(tree.nodes);
    this.z = new Float64Array(tree.d);
  }

  /** Writes k centres (k*d) drawn with `rng`. */
  run(k: number, rng: RestartRng, centers: Float64Array): void {
    const t = this.t;
    const d = t.d;
    this.chosen = centers;
    const trials = 2 + Math.floor(Math.log(k));
    if (this.cand.length < trials) this.cand = new Int32Array(trials);
    const cand = this.cand;
    const first = this.drawByWeight(rng.nextDouble() * t.wsum[0]);
    this.loadPoint(first);
    for (let j = 0; j < d; j++) centers[j] = this.z[j];
    this.setTag(0, 0);
    for (let c = 1; c < k; c++) {
      const total = this.pot[0];
      for (let r = 0; r < trials; r++) cand[r] = this.drawByPotential(rng.nextDouble() * total);
      let best = -1;
      let bestPot = Infinity;
      for (let r = 0; r < trials; r++) {
        let seen = false;
        for (let q = 0; q < r; q++) if (cand[q] === cand[r]) seen = true;
        if (seen) continue; // same point, same potential: the earlier draw keeps the tie
        this.loadPoint(cand[r]);
        const p = this.potential(0);
        if (p < bestPot) {
          bestPot = p;
          best = cand[r];
        }
      }
      this.loadPoint(best);
      for (let j = 0; j < d; j++) centers[c * d + j] = this.z[j];
      this.update(0, c);
    }
  }

  private loadPoint(i: number): void {
    const d = this.t.d;
    for (let j = 0; j < d; j++) this.z[j] = this.t.px[i * d + j];
  }

  /** First point (tree order) whose cumulative weight exceeds v: a uniformly drawn pixel. */
  private drawByWeight(v: number): number {
    const t = this.t;
    let node = 0;
    for (;;) {
      const r = t.right[node];
      if (r < 0) break;
      const lw = t.wsum[node + 1];
      if (v < lw) node = node + 1;
      else {
        v -= lw;
        node = r;
      }
    }
    let last = t.start[node];
    for (let i = t.start[node]; i < t.end[node]; i++) {
      const w = t.pw[i];
      if (w > 0) last = i;
      if (v < w) return i;
      v -= w;
    }
    return last;
  }

  /** First point (tree order) whose cumulative w*D^2 exceeds v (sklearn's searchsorted draw). */
  private drawByPotential(v: number): number {
    const t = this.t;
    const pot = this.pot;
    if (!(v < pot[0])) return this.lastPositive(0);
    let node = 0;
    for (;;) {
      const r = t.right[node];
      this.unpack(node);
      if (r < 0) break;
      const lp = pot[node + 1];
      if (v < lp) node = node + 1;
      else {
        v -= lp;
        node = r;
      }
    }
    for (let i = t.start[node]; i < t.end[node]; i++) {
      const p = t.pw[i] * this.d2[i];
      if (v < p) return i;
      v -= p;
    }
    return this.lastPositive(node); // only reachable with inexact (non-integer) data
  }

  /** Last point of the subtree with a positive potential, else its last point. */
  private lastPositive(node: number): number {
    const t = this.t;
    for (;;) {
      this.unpack(node);
      const r = t.right[node];
      if (r < 0) break;
      node = this.pot[r] > 0 || !(this.pot[node + 1] > 0) ? r : node + 1;
    }
    for (let i = t.end[node] - 1; i >= t.start[node]; i--) if (t.pw[i] * this.d2[i] > 0) return i;
    return t.end[node] - 1;
  }

  /** Every point of `node` has centre c as its closest. */
  private setTag(node: number, c: number): void {
    const t = this.t;
    const d = t.d;
    const o = node * d;
    const C = this.chosen;
    let cs = 0;
    let cc = 0;
    let near = 0;
    let far = 0;
    for (let j = 0; j < d; j++) {
      const x = C[c * d + j];
      cs += x * t.sum[o + j];
      cc += x * x;
      const a = t.lo[o + j] - x;
      const b = x - t.hi[o + j];
      const q = a > 0 ? a : b > 0 ? b : 0;
      near += q * q;
      far += a * a > b * b ? a * a : b * b;
    }
    this.tag[node] = c;
    this.pot[node] = t.sq[node] - 2 * cs + t.wsum[node] * cc;
    this.minD2[node] = near;
    this.maxD2[node] = far;
  }

  /** Turns a tagged node into explicit children (or explicit D^2 for a leaf). */
  private unpack(node: number): void {
    const c = this.tag[node];
    if (c < 0) return;
    const t = this.t;
    const r = t.right[node];
    this.tag[node] = -1;
    if (r >= 0) {
      this.setTag(node + 1, c);
      this.setTag(r, c);
      this.refresh(node);
      return;
    }
    const d = t.d;
    const px = t.px;
    const C = this.chosen;
    for (let i = t.start[node]; i < t.end[node]; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const q = px[i * d + j] - C[c * d + j];
        s += q * q;
      }
      this.d2[i] = s;
    }
    this.refresh(node);
  }

  /** Recomputes an untagged node's summary from its children or points. */
  private refresh(node: number): void {
    const t = this.t;
    const r = t.right[node];
    if (r >= 0) {
      const l = node + 1;
      this.pot[node] = this.pot[l] + this.pot[r];
      this.maxD2[node] = this.maxD2[l] > this.maxD2[r] ? this.maxD2[l] : this.maxD2[r];
      this.minD2[node] = this.minD2[l] < this.minD2[r] ? this.minD2[l] : this.minD2[r];
      return;
    }
    let p = 0;
    let mx = 0;
    let mn = Infinity;
    for (let i = t.start[node]; i < t.end[node]; i++) {
      const v = this.d2[i];
      p += t.pw[i] * v;
      if (v > mx) mx = v;
      if (v < mn) mn = v;
    }
    this.pot[node] = p;
    this.maxD2[node] = mx;
    this.minD2[node] = mn;
  }

  /** Cost of the node's points if z (loaded) were their centre: sum of w |x - z|^2. */
  private costAtZ(node: number): number {
    const t = this.t;
    const d = t.d;
    const o = node * d;
    let zs = 0;
    let zz = 0;
    for (let j = 0; j < d; j++) {
      const x = this.z[j];
      zs += x * t.sum[o + j];
      zz += x * x;
    }
    return t.sq[node] - 2 * zs + t.wsum[node] * zz;
  }

  /**
   * How z compares with the node's points' current D^2: 1 if no point gets closer, -1 if every
   * point gets at least as close, 0 if undecided.
   */
  private compare(node: number): number {
    const t = this.t;
    const d = t.d;
    const o = node * d;
    const z = this.z;
    let near = 0;
    let far = 0;
    for (let j = 0; j < d; j++) {
      const a = t.lo[o + j] - z[j];
      const b = z[j] - t.hi[o + j];
      const q = a > 0 ? a : b > 0 ? b : 0;
      near += q * q;
      far += a * a > b * b ? a * a : b * b;
    }
    if (near >= this.maxD2[node]) return 1;
    const c = this.tag[node];
    if (c < 0) return far <= this.minD2[node] ? -1 : 0;
    // f(x) = |x-z|^2 - |x-c|^2 is linear in x: its extremes over the box are at corners.
    const C = this.chosen;
    let fmin = 0;
    let fmax = 0;
    for (let j = 0; j < d; j++) {
      const cj = C[c * d + j];
      const g = -2 * (z[j] - cj);
      const lo = t.lo[o + j];
      const hi = t.hi[o + j];
      const base = z[j] * z[j] - cj * cj;
      const atLo = g * lo + base;
      const atHi = g * hi + base;
      if (atLo < atHi) {
        fmin += atLo;
        fmax += atHi;
      } else {
        fmin += atHi;
        fmax += atLo;
      }
    }
    if (fmin >= 0) return 1;
    if (fmax <= 0) return -1;
    return 0;
  }

  /** Total potential if the loaded point z became a centre. */
  private potential(node: number): number {
    const cmp = this.compare(node);
    if (cmp > 0) return this.pot[node];
    if (cmp < 0) return this.costAtZ(node);
    this.unpack(node);
    const t = this.t;
    const r = t.right[node];
    if (r >= 0) return this.potential(node + 1) + this.potential(r);
    const d = t.d;
    const px = t.px;
    const z = this.z;
    let p = 0;
    for (let i = t.start[node]; i < t.end[node]; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const q = px[i * d + j] - z[j];
        s += q * q;
      }
      const v = this.d2[i];
      p += t.pw[i] * (s < v ? s : v);
    }
    return p;
  }

  /** Makes the loaded point z centre number c. */
  private update(node: number, c: number): void {
    const cmp = this.compare(node);
    if (cmp > 0) return;
    if (cmp < 0) {
      this.setTag(node, c);
      return;
    }
    this.unpack(node);
    const t = this.t;
    const r = t.right[node];
    if (r >= 0) {
      this.update(node + 1, c);
      this.update(r, c);
      this.refresh(node);
      return;
    }
    const d = t.d;
    const px = t.px;
    const z = this.z;
    for (let i = t.start[node]; i < t.end[node]; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const q = px[i * d + j] - z[j];
        s += q * q;
      }
      if (s < this.d2[i]) this.d2[i] = s;
    }
    this.refresh(node);
  }
}
