// One kd-tree for every thread on a run's restarts. The worker that prepared the run builds the
// tree in its kernel memory (shared, see shareThreadMemory) and publishes on a link where the
// tree lies; a helper that joins the restarts runs them on that tree, with working arrays of
// its own taken beyond it in the same memory. Without this a helper built a tree of its own, in
// ~130 MB of fresh memory at 24 MP (paged in at ~14 us a page on the project's VM) and 70-300 ms.
//
// The tree stays put while helpers read it because the pool gives the builder's thread no other
// task until every helper of the run has answered (see SegmentPool.runSegment).

export interface TreeLink {
  /** Shared: the state, the helpers' allocation cursor and where the tree lies. */
  control: Int32Array;
  /** The builder's kernel memory: given to helpers, absent for the builder. */
  memory?: WebAssembly.Memory;
}

/** Where the builder's tree lies in its memory, and what its restarts derived from the points. */
export interface PublishedTree {
  m: number;
  nodes: number;
  depth: number;
  /** Byte offset of tree position -> point index (m u32). */
  perm: number;
  /** Byte offsets of PX, PW, START, END, RIGHT, LO, HI, MID, SUM, WSUM and SQ (restart.ts). */
  arrays: number[];
  delta: number;
  tolAbs: number;
}

const TREE_ARRAYS = 11;
// the control block: i32 slots, then two f64
const STATE = 0;
const CURSOR = 1;
const M = 2;
const NODES = 3;
const DEPTH = 4;
const PERM = 5;
const ARRAYS = 6;
const F64_AT = 8 * Math.ceil(((ARRAYS + TREE_ARRAYS) * 4) / 8);
const BYTES = F64_AT + 16;
/** STATE: the tree is being built; published; withdrawn (none will come: the builder stopped). */
const BUILDING = 0;
const PUBLISHED = 1;
const WITHDRAWN = 2;
/** A helper waiting for the tree looks at its stop flag this often (ms). */
const WAIT_SLICE_MS = 20;

export function newTreeLink(): TreeLink {
  return { control: new Int32Array(new SharedArrayBuffer(BYTES)) };
}

/** The builder: the tree is ready at `tree`; helpers take memory from `free` on. */
export function publishTree(link: TreeLink, tree: PublishedTree, free: number): void {
  const { control } = link;
  const words = new Uint32Array(control.buffer);
  words[CURSOR] = free;
  words[M] = tree.m;
  words[NODES] = tree.nodes;
  words[DEPTH] = tree.depth;
  words[PERM] = tree.perm;
  words.set(tree.arrays, ARRAYS);
  new Float64Array(control.buffer, F64_AT, 2).set([tree.delta, tree.tolAbs]);
  // the store orders every write above before it for a thread that reads the state (Atomics)
  Atomics.store(control, STATE, PUBLISHED);
  Atomics.notify(control, STATE);
}

/** No tree will be published on `link` (the builder stopped before it, or ended): waiting helpers go. */
export function withdrawTree(link: TreeLink): void {
  if (Atomics.compareExchange(link.control, STATE, BUILDING, WITHDRAWN) === BUILDING) Atomics.notify(link.control, STATE);
}

/**
 * A helper: waits until the tree is published and returns where it lies, or undefined when it
 * was withdrawn or `stop` says to stop waiting. Blocks the thread (a worker's), in slices.
 */
export function awaitTree(link: TreeLink, stop?: () => boolean): PublishedTree | undefined {
  const { control } = link;
  for (;;) {
    const state = Atomics.load(control, STATE);
    if (state === WITHDRAWN) return undefined;
    if (state === PUBLISHED) break;
    if (stop?.()) return undefined;
    Atomics.wait(control, STATE, BUILDING, WAIT_SLICE_MS);
  }
  const words = new Uint32Array(control.buffer);
  const [delta, tolAbs] = new Float64Array(control.buffer, F64_AT, 2);
  return {
    m: words[M]!,
    nodes: words[NODES]!,
    depth: words[DEPTH]!,
    perm: words[PERM]!,
    arrays: Array.from(words.subarray(ARRAYS, ARRAYS + TREE_ARRAYS)),
    delta: delta!,
    tolAbs: tolAbs!,
  };
}

/** A helper: `bytes` (8-aligned) of the builder's memory beyond the tree, for its own arrays; returns the offset. */
export function takeBeyondTree(link: TreeLink, bytes: number): number {
  const size = Math.ceil(bytes / 8) * 8;
  return Atomics.add(new Uint32Array(link.control.buffer), CURSOR, size);
}
