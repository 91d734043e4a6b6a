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
// Coordinates have stride 3 (see kdtree.ts); centres are written with stride 3 as well.
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
  private z0 = 0;
  private z1 = 0;
  private z2 = 0;
  private cand = new Int32Array(0);

  constructor(tree: KdTree) {
    this.t = tree;
    this.d2 = new Float64Array(tree.m);
    this.pot = new Float64Array(tree.nodes);
    this.maxD2 = new Float64Array(tree.nodes);
    this.minD2 = new Float64Array(tree.nodes);
    this.tag = new Int32Array(tree.nodes);
  }

  /** Writes k centres (k*3) drawn with `rng`. */
  run(k: number, rng: RestartRng, centers: Float64Array): void {
    const t = this.t;
    this.chosen = centers;
    const trials = 2 + Math.floor(Math.log(k));
    if (this.cand.length < trials) this.cand = new Int32Array(trials);
    const cand = this.cand;
    const first = this.drawByWeight(rng.nextDouble() * t.wsum[0]);
    this.loadPoint(first);
    this.storeZ(0);
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
      this.storeZ(c);
      this.update(0, c);
    }
  }

  private loadPoint(i: number): void {
    const px = this.t.px;
    this.z0 = px[3 * i];
    this.z1 = px[3 * i + 1];
    this.z2 = px[3 * i + 2];
  }

  private storeZ(c: number): void {
    this.chosen[3 * c] = this.z0;
    this.chosen[3 * c + 1] = this.z1;
    this.chosen[3 * c + 2] = this.z2;
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
    const o = 3 * node;
    const C = this.chosen;
    const c0 = C[3 * c];
    const c1 = C[3 * c + 1];
    const c2 = C[3 * c + 2];
    const lo = t.lo;
    const hi = t.hi;
    const sum = t.sum;
    this.tag[node] = c;
    this.pot[node] = t.sq[node] - 2 * (c0 * sum[o] + c1 * sum[o + 1] + c2 * sum[o + 2]) + t.wsum[node] * (c0 * c0 + c1 * c1 + c2 * c2);
    this.minD2[node] = near1(lo[o] - c0, c0 - hi[o]) + near1(lo[o + 1] - c1, c1 - hi[o + 1]) + near1(lo[o + 2] - c2, c2 - hi[o + 2]);
    this.maxD2[node] = far1(lo[o] - c0, c0 - hi[o]) + far1(lo[o + 1] - c1, c1 - hi[o + 1]) + far1(lo[o + 2] - c2, c2 - hi[o + 2]);
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
    const px = t.px;
    const C = this.chosen;
    const c0 = C[3 * c];
    const c1 = C[3 * c + 1];
    const c2 = C[3 * c + 2];
    for (let i = t.start[node]; i < t.end[node]; i++) {
      const a = px[3 * i] - c0;
      const b = px[3 * i + 1] - c1;
      const e = px[3 * i + 2] - c2;
      this.d2[i] = a * a + b * b + e * e;
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
    const o = 3 * node;
    const z0 = this.z0;
    const z1 = this.z1;
    const z2 = this.z2;
    const sum = t.sum;
    return t.sq[node] - 2 * (z0 * sum[o] + z1 * sum[o + 1] + z2 * sum[o + 2]) + t.wsum[node] * (z0 * z0 + z1 * z1 + z2 * z2);
  }

  /**
   * How z compares with the node's points' current D^2: 1 if no point gets closer, -1 if every
   * point gets at least as close, 0 if undecided.
   */
  private compare(node: number): number {
    const t = this.t;
    const o = 3 * node;
    const lo = t.lo;
    const hi = t.hi;
    const z0 = this.z0;
    const z1 = this.z1;
    const z2 = this.z2;
    const near = near1(lo[o] - z0, z0 - hi[o]) + near1(lo[o + 1] - z1, z1 - hi[o + 1]) + near1(lo[o + 2] - z2, z2 - hi[o + 2]);
    if (near >= this.maxD2[node]) return 1;
    const c = this.tag[node];
    if (c < 0) {
      const far = far1(lo[o] - z0, z0 - hi[o]) + far1(lo[o + 1] - z1, z1 - hi[o + 1]) + far1(lo[o + 2] - z2, z2 - hi[o + 2]);
      return far <= this.minD2[node] ? -1 : 0;
    }
    // f(x) = |x-z|^2 - |x-c|^2 = g.x + h is linear in x: its extremes over the box are corners.
    const C = this.chosen;
    const c0 = C[3 * c];
    const c1 = C[3 * c + 1];
    const c2 = C[3 * c + 2];
    const g0 = 2 * (c0 - z0);
    const g1 = 2 * (c1 - z1);
    const g2 = 2 * (c2 - z2);
    const h = z0 * z0 + z1 * z1 + z2 * z2 - (c0 * c0 + c1 * c1 + c2 * c2);
    const fmin = h + lowEnd(g0, lo[o], hi[o]) + lowEnd(g1, lo[o + 1], hi[o + 1]) + lowEnd(g2, lo[o + 2], hi[o + 2]);
    if (fmin >= 0) return 1;
    const fmax = h + highEnd(g0, lo[o], hi[o]) + highEnd(g1, lo[o + 1], hi[o + 1]) + highEnd(g2, lo[o + 2], hi[o + 2]);
    return fmax <= 0 ? -1 : 0;
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
    const px = t.px;
    const pw = t.pw;
    const d2 = this.d2;
    const z0 = this.z0;
    const z1 = this.z1;
    const z2 = this.z2;
    let p = 0;
    for (let i = t.start[node]; i < t.end[node]; i++) {
      const a = px[3 * i] - z0;
      const b = px[3 * i + 1] - z1;
      const e = px[3 * i + 2] - z2;
      const s = a * a + b * b + e * e;
      const v = d2[i];
      p += pw[i] * (s < v ? s : v);
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
    const px = t.px;
    const d2 = this.d2;
    const z0 = this.z0;
    const z1 = this.z1;
    const z2 = this.z2;
    for (let i = t.start[node]; i < t.end[node]; i++) {
      const a = px[3 * i] - z0;
      const b = px[3 * i + 1] - z1;
      const e = px[3 * i + 2] - z2;
      const s = a * a + b * b + e * e;
      if (s < d2[i]) d2[i] = s;
    }
    this.refresh(node);
  }
}

/** Per dimension, (lo - x, x - hi) -> squared distance from x to [lo, hi]. */
function near1(a: number, b: number): number {
  const q = a > 0 ? a : b > 0 ? b : 0;
  return q * q;
}

/** Per dimension, (lo - x, x - hi) -> squared distance from x to the far end of [lo, hi]. */
function far1(a: number, b: number): number {
  return a * a > b * b ? a * a : b * b;
}

function lowEnd(g: number, lo: number, hi: number): number {
  return g > 0 ? g * lo : g * hi;
}

function highEnd(g: number, lo: number, hi: number): number {
  return g > 0 ? g * hi : g * lo;
}
