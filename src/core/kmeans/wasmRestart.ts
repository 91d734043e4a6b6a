// The host side of the WebAssembly restart kernel (assembly/restart.ts): lays the kd-tree and
// the working arrays out in the instance's memory, then runs restarts in it. One instance per
// kmeans() call; the compiled module is shared by every call in the thread.
import { SegmentationError } from '../errors';
import { clusterInertia } from './inertia';
import type { KdTree } from './kdtree';
import type { RestartRng } from './random';
import { RESTART_WASM_BASE64 } from './restartWasm.generated';

interface RestartExports {
  memory: WebAssembly.Memory;
  setup(table: number, delta: number, tolAbs: number): void;
  centersPtr(): number;
  labelsInto(out: number): void;
  runRestart(a: number, b: number, c: number, d: number): number;
  lloyd(): number;
}

let compiled: WebAssembly.Module | undefined;

function restartModule(): WebAssembly.Module {
  if (!compiled) {
    const text = atob(RESTART_WASM_BASE64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

const PAGE = 65536;
/** setup()'s table: sizes then byte offsets, i32 each, in the order restart.ts reads them. */
const TABLE_AT = 64;
const TABLE_SLOTS = 40;

export class WasmRestart {
  /** Result of the last run: iterations and inertia; centres via centers(). */
  iterations = 0;
  inertia = 0;
  private readonly x: RestartExports;
  private readonly k: number;
  private readonly bufA: number;
  private readonly viewA: Float64Array;
  private readonly viewB: Float64Array;
  private readonly sums: Float64Array;
  private readonly clusterW: Float64Array;
  private readonly clusterSq: Float64Array;
  private readonly labelsAt: number;
  private readonly labels: Int32Array;
  private readonly terms: Float64Array;

  constructor(tree: KdTree, k: number, maxIter: number, tolAbs: number, shouldStop?: () => boolean) {
    const instance = new WebAssembly.Instance(restartModule(), {
      env: { shouldStop: shouldStop ? () => (shouldStop() ? 1 : 0) : () => 0 },
    });
    this.x = instance.exports as unknown as RestartExports;
    this.k = k;
    const m = tree.m;
    const nodes = tree.nodes;
    const trials = 2 + Math.floor(Math.log(k));
    let end = TABLE_AT + TABLE_SLOTS * 4;
    const at = (bytes: number): number => {
      const o = end;
      end += Math.ceil(bytes / 8) * 8;
      return o;
    };
    const F = 8;
    const I = 4;
    // order matters: it is the table's order (see setup() in restart.ts)
    const offsets = [
      at(m * 3 * F), // PX
      at(m * F), // PW
      at(nodes * I), // START
      at(nodes * I), // END
      at(nodes * I), // RIGHT
      at(nodes * 3 * F), // LO
      at(nodes * 3 * F), // HI
      at(nodes * 3 * F), // MID
      at(nodes * 3 * F), // SUM
      at(nodes * F), // WSUM
      at(nodes * F), // SQ
      at(m * F), // D2
      at(nodes * F), // POT
      at(nodes * F), // MAXD2
      at(nodes * F), // MIND2
      at(nodes * I), // TAG
      at(trials * I), // SCAND
      at(nodes * I), // NODELAB
      at(m * I), // POINTLAB
      at((tree.depth + 2) * k * I), // FCAND
      at(k * 3 * F), // CUR
      at(k * 3 * F), // NXT
      at(k * 3 * F), // SUMS
      at(k * F), // CW
      at(k * F), // CSQ
      at(k * 3 * F), // RSUMS
      at(k * F), // RW
      at(m * I), // SCRATCH
      at(m * F), // RDIST
      at(m * F), // RLEFT
    ];
    const memory = this.x.memory;
    const pages = Math.ceil(end / PAGE) - memory.buffer.byteLength / PAGE;
    if (pages > 0) memory.grow(pages);
    const buf = memory.buffer;
    const table = new Int32Array(buf, TABLE_AT, TABLE_SLOTS);
    table.set([m, nodes, k, trials, maxIter, ...offsets]);
    const [px, pw, start, stop, right, lo, hi, mid, sum, wsum, sq] = offsets as [number, ...number[]];
    new Float64Array(buf, px, m * 3).set(tree.px);
    new Float64Array(buf, pw, m).set(tree.pw);
    new Int32Array(buf, start, nodes).set(tree.start);
    new Int32Array(buf, stop, nodes).set(tree.end);
    new Int32Array(buf, right, nodes).set(tree.right);
    new Float64Array(buf, lo!, nodes * 3).set(tree.lo);
    new Float64Array(buf, hi!, nodes * 3).set(tree.hi);
    new Float64Array(buf, mid!, nodes * 3).set(tree.mid);
    new Float64Array(buf, sum!, nodes * 3).set(tree.sum);
    new Float64Array(buf, wsum!, nodes).set(tree.wsum);
    new Float64Array(buf, sq!, nodes).set(tree.sq);
    const [cur, next, sums, cw, csq] = offsets.slice(20, 25) as [number, number, number, number, number];
    this.bufA = cur;
    this.viewA = new Float64Array(buf, cur, k * 3);
    this.viewB = new Float64Array(buf, next, k * 3);
    this.sums = new Float64Array(buf, sums, k * 3);
    this.clusterW = new Float64Array(buf, cw, k);
    this.clusterSq = new Float64Array(buf, csq, k);
    this.labelsAt = offsets[27]!;
    this.labels = new Int32Array(buf, this.labelsAt, m);
    this.terms = new Float64Array(k);
    this.x.setup(TABLE_AT, filterDelta(tree.px), tolAbs);
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
 * The filtering's margin: rounding in a squared distance is below 1e-15 of the largest one
 * possible; 1e-12 of it is a safe margin and still far below any real difference between two
 * centres.
 */
function filterDelta(px: Float64Array): number {
  let big = 1;
  for (let i = 0; i < px.length; i++) {
    const a = Math.abs(px[i]!);
    if (a > big) big = a;
  }
  return 1e-12 * 12 * big * big;
}
