// The host side of the WebAssembly restarts (assembly/restart.ts): lays out the instance's
// memory, has the kernel build the kd-tree (byte points; other points get kdtree.ts's median
// build, copied in), then runs restarts in it. One instance per kmeans() call, over the
// thread's reusable memory: nothing of it may be kept past the call (results are copied out).
import { SegmentationError } from '../errors';
import { clusterInertia } from './inertia';
import { KdTree } from './kdtree';
import { Heap, claim, newKernel, threadMemory, type KernelExports } from './kernel';
import type { RestartRng } from './random';
import { publishTree, takeBeyondTree, type PublishedTree, type TreeLink } from './sharedTree';

const F = 8;
const I = 4;
/** setup()'s table: sizes then byte offsets, i32 each, in the order restart.ts reads them. */
const TABLE_AT = 64;
const TABLE_SLOTS = 40;
/** The tree builder's stacks (3 x 128 i32). */
const STACK_AT = 1024;

/** What the restarts run on: points (this call builds the tree) or a tree another thread built. */
export type RestartSource = { points: Float64Array; weights: Float64Array; d: number } | { joined: TreeLink & { memory: WebAssembly.Memory }; tree: PublishedTree };

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
  /** The tree this instance built, and the end of its memory's use (see publish). */
  private readonly built?: { tree: PublishedTree; end: number };

  /**
   * @param tol  relative tolerance (sklearn's tol, scaled here by the mean per-dimension
   *             variance); a joined tree brings its own
   */
  constructor(source: RestartSource, k: number, maxIter: number, tol: number, shouldStop?: () => boolean) {
    this.terms = new Float64Array(k);
    const trials = 2 + Math.floor(Math.log(k));
    let x: KernelExports;
    let tree: PublishedTree;
    /** The arrays after the tree's, in the table's order (see setup() in restart.ts). */
    let work: number[];
    let table: number;
    if ('points' in source) {
      const { points, weights, d } = source;
      x = newKernel(threadMemory(), shouldStop);
      const m = weights.length;
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
      let median: KdTree | undefined;
      if (x.allBytes(pts, m * d)) {
        const codes = heap.take(m * I);
        const tmp = heap.take(m * I);
        const c0 = heap.take(4097 * I);
        const c1 = heap.take(4097 * I);
        x.sortMorton(pts, wts, d, m, codes, tmp, permAt, px, pw, c0, c1);
        nodes = x.countRadix(codes, m, STACK_AT);
        depth = x.treeDepth();
      } else {
        median = new KdTree(points, weights, d);
        nodes = median.nodes;
        depth = median.depth;
        new Float64Array(x.memory.buffer, px, m * 3).set(median.px);
        new Float64Array(x.memory.buffer, pw, m).set(median.pw);
        new Uint32Array(x.memory.buffer, permAt, m).set(median.perm);
      }
      const arrays = [px, pw, ...[I, I, I, 3 * F, 3 * F, 3 * F, 3 * F, F, F].map((size) => heap.take(nodes * size))];
      tree = { m, nodes, depth, perm: permAt, arrays, delta: 1e-12 * 12 * x.maxAbs(px, m * 3) ** 2, tolAbs };
      work = workArrays(m, nodes, depth, k, trials, (bytes) => heap.take(bytes), { d2: pts, pointLab: pts + m * F, scratch: pts + m * (F + I) });
      table = TABLE_AT;
      this.built = { tree, end: heap.end };
      this.layout(x, table, tree, work, k, trials, maxIter);
      // the kernel builds the tree in the arrays setup() told it of
      const [, , start, end, right] = arrays;
      const buf = x.memory.buffer;
      if (median) {
        new Int32Array(buf, start, nodes).set(median.start);
        new Int32Array(buf, end, nodes).set(median.end);
        new Int32Array(buf, right, nodes).set(median.right);
      } else {
        x.buildRadix(STACK_AT);
      }
      x.summarise();
    } else {
      ({ tree } = source);
      const { joined } = source;
      x = newKernel(joined.memory, shouldStop);
      const { m, nodes, depth } = tree;
      // one block beyond the tree for its table and this thread's arrays: laid out from 0, then placed
      let size = TABLE_SLOTS * 4;
      const relative = workArrays(m, nodes, depth, k, trials, (bytes) => {
        const o = size;
        size += Math.ceil(bytes / 8) * 8;
        return o;
      });
      table = takeBeyondTree(joined, size);
      claim(joined.memory, table, size);
      work = relative.map((o) => table + o);
      this.layout(x, table, tree, work, k, trials, maxIter);
    }
    this.x = x;
    this.m = tree.m;
    const buf = x.memory.buffer;
    this.perm = new Uint32Array(buf, tree.perm, tree.m);
    const [, , , , , , , , , cur, next, sums, cw, csq, , , scratch] = work;
    this.bufA = cur!;
    this.viewA = new Float64Array(buf, cur!, k * 3);
    this.viewB = new Float64Array(buf, next!, k * 3);
    this.sums = new Float64Array(buf, sums!, k * 3);
    this.clusterW = new Float64Array(buf, cw!, k);
    this.clusterSq = new Float64Array(buf, csq!, k);
    this.labelsAt = scratch!;
    this.labels = new Int32Array(buf, this.labelsAt, tree.m);
  }

  /** Writes the table and has the instance read it (restart.ts's setup). */
  private layout(x: KernelExports, table: number, tree: PublishedTree, work: number[], k: number, trials: number, maxIter: number): void {
    new Int32Array(x.memory.buffer, table, TABLE_SLOTS).set([tree.m, tree.nodes, k, trials, maxIter, ...tree.arrays, ...work]);
    x.setup(table, tree.delta, tree.tolAbs);
  }

  /**
   * Tells helpers on `link` where the tree this instance built lies: from now on they run
   * restarts on it. Only for an instance that built its tree, in a shared memory.
   */
  publish(link: TreeLink): void {
    if (!this.built) throw new Error('only the thread that built the tree publishes it');
    publishTree(link, this.built.tree, this.built.end);
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

/**
 * Takes the blocks of one restart's working arrays, after the tree's, in the table's order:
 * D2, POT, MAXD2, MIND2, TAG, SCAND, NODELAB, POINTLAB, FCAND, CUR, NXT, SUMS, CW, CSQ, RSUMS,
 * RW, SCRATCH, RDIST, RLEFT. `reuse` names blocks that are already there (the builder's copy of
 * the points, free once the tree is built).
 */
function workArrays(m: number, nodes: number, depth: number, k: number, trials: number, take: (bytes: number) => number, reuse?: { d2: number; pointLab: number; scratch: number }): number[] {
  const d2 = reuse ? reuse.d2 : take(m * F);
  const seeding = [take(nodes * F), take(nodes * F), take(nodes * F), take(nodes * I), take(trials * I)]; // POT MAXD2 MIND2 TAG SCAND
  const nodeLab = take(nodes * I);
  const pointLab = reuse ? reuse.pointLab : take(m * I);
  const centres = [(depth + 2) * k * I, k * 3 * F, k * 3 * F, k * 3 * F, k * F, k * F, k * 3 * F, k * F].map(take); // FCAND CUR NXT SUMS CW CSQ RSUMS RW
  const scratch = reuse ? reuse.scratch : take(m * I);
  return [d2, ...seeding, nodeLab, pointLab, ...centres, scratch, take(m * F), take(m * F)];
}

/** The order in which kmeans() visits the points (tree order): tests run the oracle in it. */
export function treeOrder(points: Float64Array, weights: Float64Array, d: number): Uint32Array {
  return new WasmRestart({ points, weights, d }, 1, 1, 0).perm.slice();
}
