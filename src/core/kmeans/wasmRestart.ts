// The host side of the WebAssembly restarts (assembly/restart.ts): lays out the instance's
// memory, has the kernel build the kd-tree (byte points; other points get kdtree.ts's median
// build, copied in), then runs restarts in it. One instance per kmeans() call, over the
// thread's reusable memory: nothing of it may be kept past the call (results are copied out).
import { SegmentationError } from '../errors';
import { clusterInertia } from './inertia';
import { KdTree } from './kdtree';
import { Heap, newKernel, threadMemory, type KernelExports } from './kernel';
import type { RestartRng } from './random';

const F = 8;
const I = 4;
/** setup()'s table: sizes then byte offsets, i32 each, in the order restart.ts reads them. */
const TABLE_AT = 64;
const TABLE_SLOTS = 40;
/** The tree builder's stacks (3 x 128 i32). */
const STACK_AT = 1024;

export class WasmRestart {
  /** Distinct points, and tree position -> index of the point in the caller's arrays. */
  readonly m: number;
  readonly perm: Uint32Array;
  /** Result of the last run. */
  iterations = 0;
  inertia = 0;
  private readonly x: KernelExports;
  private bufA = 0;
  private viewA = new Float64Array(0);
  private viewB = new Float64Array(0);
  private sums = new Float64Array(0);
  private clusterW = new Float64Array(0);
  private clusterSq = new Float64Array(0);
  private labelsAt = 0;
  private labels = new Int32Array(0);
  private readonly terms: Float64Array;

  /**
   * @param tol  relative tolerance (sklearn's tol, scaled here by the mean per-dimension variance)
   */
  constructor(points: Float64Array, weights: Float64Array, d: number, k: number, maxIter: number, tol: number, shouldStop?: () => boolean) {
    const x = (this.x = newKernel(threadMemory(), shouldStop));
    this.terms = new Float64Array(k);
    const m = weights.length;
    this.m = m;
    const heap = new Heap(x.memory);
    // The copies of the caller's points and weights are needed only until the tree is built;
    // then their block (at least 16 bytes a point) holds D2, POINTLAB and SCRATCH.
    const pts = heap.take(m * d * F + m * F);
    const wts = pts + m * d * F;
    new Float64Array(x.memory.buffer, pts, m * d).set(points);
    new Float64Array(x.memory.buffer, wts, m).set(weights);
    const tolAbs = x.tolerance(pts, wts, d, m, tol);
    const px = heap.take(m * 3 * F);
    const pw = heap.take(m * F);
    const permAt = heap.take(m * I);
    let nodes: number;
    let depth: number;
    let tree: KdTree | undefined;
    if (x.allBytes(pts, m * d)) {
      const codes = heap.take(m * I);
      const tmp = heap.take(m * I);
      const c0 = heap.take(4097 * I);
      const c1 = heap.take(4097 * I);
      x.sortMorton(pts, wts, d, m, codes, tmp, permAt, px, pw, c0, c1);
      nodes = x.countRadix(codes, m, STACK_AT);
      depth = x.treeDepth();
    } else {
      tree = new KdTree(points, weights, d);
      nodes = tree.nodes;
      depth = tree.depth;
      new Float64Array(x.memory.buffer, px, m * 3).set(tree.px);
      new Float64Array(x.memory.buffer, pw, m).set(tree.pw);
      new Uint32Array(x.memory.buffer, permAt, m).set(tree.perm);
    }
    const trials = 2 + Math.floor(Math.log(k));
    // the table's order (see setup() in restart.ts)
    const offsets = [
      px,
      pw,
      heap.take(nodes * I), // START
      heap.take(nodes * I), // END
      heap.take(nodes * I), // RIGHT
      heap.take(nodes * 3 * F), // LO
      heap.take(nodes * 3 * F), // HI
      heap.take(nodes * 3 * F), // MID
      heap.take(nodes * 3 * F), // SUM
      heap.take(nodes * F), // WSUM
      heap.take(nodes * F), // SQ
      pts, // D2
      heap.take(nodes * F), // POT
      heap.take(nodes * F), // MAXD2
      heap.take(nodes * F), // MIND2
      heap.take(nodes * I), // TAG
      heap.take(trials * I), // SCAND
      heap.take(nodes * I), // NODELAB
      pts + m * F, // POINTLAB
      heap.take((depth + 2) * k * I), // FCAND
      heap.take(k * 3 * F), // CUR
      heap.take(k * 3 * F), // NXT
      heap.take(k * 3 * F), // SUMS
      heap.take(k * F), // CW
      heap.take(k * F), // CSQ
      heap.take(k * 3 * F), // RSUMS
      heap.take(k * F), // RW
      pts + m * (F + I), // SCRATCH
      heap.take(m * F), // RDIST
      heap.take(m * F), // RLEFT
    ];
    // the memory has its final size: views made from here on stay valid
    const buf = x.memory.buffer;
    new Int32Array(buf, TABLE_AT, TABLE_SLOTS).set([m, nodes, k, trials, maxIter, ...offsets]);
    x.setup(TABLE_AT, 1e-12 * 12 * x.maxAbs(px, m * 3) ** 2, tolAbs);
    if (tree) {
      const [, , start, end, right] = offsets;
      new Int32Array(buf, start, nodes).set(tree.start);
      new Int32Array(buf, end, nodes).set(tree.end);
      new Int32Array(buf, right, nodes).set(tree.right);
    } else {
      x.buildRadix(STACK_AT);
    }
    x.summarise();
    this.perm = new Uint32Array(buf, permAt, m);
    const [cur, next, sums, cw, csq] = offsets.slice(20, 25);
    this.bufA = cur;
    this.viewA = new Float64Array(buf, cur, k * 3);
    this.viewB = new Float64Array(buf, next, k * 3);
    this.sums = new Float64Array(buf, sums, k * 3);
    this.clusterW = new Float64Array(buf, cw, k);
    this.clusterSq = new Float64Array(buf, csq, k);
    this.labelsAt = offsets[27];
    this.labels = new Int32Array(buf, this.labelsAt, m);
  }

  /** One restart: k-means++ from `rng`, then Lloyd. */
  run(rng: RestartRng): void {
    const [a, b, c, d] = rng.state();
    this.finish(this.x.runRestart(a, b, c, d));
  }

  /** Lloyd iterations from given centres (k*3) instead of k-means++. */
  lloydFrom(init: Float64Array): void {
    this.centers().set(init);
    this.finish(this.x.lloyd());
  }

  /** Centres of the last run (k*3), a view into the instance's memory: copy to keep. */
  centers(): Float64Array {
    return this.x.centersPtr() === this.bufA ? this.viewA : this.viewB;
  }

  /** Labels of the last run, in tree order. */
  labelsInto(out: Int32Array): void {
    this.x.labelsInto(this.labelsAt);
    out.set(this.labels);
  }

  private finish(iterations: number): void {
    if (iterations < 0) throw new SegmentationError('cancelled', 'segmentation cancelled');
    this.iterations = iterations;
    // sklearn's inertia uses the labels, so the assignment's sums (not the relocated ones)
    this.inertia = clusterInertia(this.centers(), this.sums, this.clusterW, this.clusterSq, 3, this.terms);
  }
}

/** The order in which kmeans() visits the points (tree order): tests run the oracle in it. */
export function treeOrder(points: Float64Array, weights: Float64Array, d: number): Uint32Array {
  return new WasmRestart(points, weights, d, 1, 1, 0).perm.slice();
}
