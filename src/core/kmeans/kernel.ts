// The WebAssembly kernel (assembly/*.ts, compiled by scripts/build-wasm.mjs): its exports, the
// compiled module (once per thread) and a bump allocator over an instance's memory. Every call
// that uses the kernel makes its own instance over the thread's one memory (imported), reused
// from call to call, and copies what it returns out of it: a run leaves no hundreds of megabytes
// behind for the garbage collector. A 24-megapixel photo's distinct values take ~50 MB of it,
// its restarts ~130 MB; a thread that ran them keeps the larger, not that much per run. The
// pool's workers share theirs (see shareThreadMemory): another thread may then run restarts in
// it, on the kd-tree this one built (see wasmRestart.ts).
import { faultIn } from '../bytes';
import { pageInBackground } from '../pager';
import { SegmentationError } from '../errors';
import { KERNEL_SHARED_WASM_BASE64, KERNEL_WASM_BASE64 } from './kernelWasm.generated';

export interface KernelExports {
  memory: WebAssembly.Memory;
  // assembly/distinct.ts
  tableCount(feat: number, d: number, n: number, table: number): void;
  tableSize(d: number, table: number): number;
  tableNumber(d: number, table: number, points: number, weights: number): void;
  tableIndex(feat: number, d: number, n: number, table: number, index: number): void;
  /** rev: each value's 3 bytes read last to first (BGR straight from RGB pixels). */
  bitmapMark(feat: number, n: number, bits: number, rev: number): void;
  bitmapRank(bits: number, rank: number): number;
  bitmapPoints(bits: number, points: number, weights: number): void;
  bitmapCount(feat: number, n: number, bits: number, rank: number, counts: number, rev: number): void;
  countsToWeights(counts: number, m: number, weights: number): void;
  bitmapIndex(feat: number, n: number, bits: number, rank: number, index: number, rev: number): void;
  // assembly/box.ts
  boxAdd(src: number, rows: number, w: number, to: number, sums: number): void;
  boxOut(sums: number, outW: number, widths: number, h: number, out: number): void;
  // assembly/restart.ts
  allBytes(pts: number, len: number): number;
  maxAbs(pts: number, len: number): number;
  tolerance(pts: number, wts: number, d: number, m: number, tol: number): number;
  sortMorton(pts: number, wts: number, d: number, m: number, codes: number, tmp: number, perm: number, px: number, pw: number, c0: number, c1: number): void;
  countRadix(codes: number, m: number, stack: number): number;
  treeDepth(): number;
  buildRadix(stack: number): void;
  summarise(): void;
  setup(table: number, delta: number, tolAbs: number): void;
  centersPtr(): number;
  labelsInto(out: number): void;
  runRestart(a: number, b: number, c: number, d: number): number;
  lloyd(): number;
}

const compiled: { plain?: WebAssembly.Module; shared?: WebAssembly.Module } = {};

function kernelModule(shared: boolean): WebAssembly.Module {
  const kind = shared ? 'shared' : 'plain';
  let module = compiled[kind];
  if (!module) {
    const text = atob(shared ? KERNEL_SHARED_WASM_BASE64 : KERNEL_WASM_BASE64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    module = compiled[kind] = new WebAssembly.Module(bytes);
  }
  return module;
}

const PAGE = 65536;
/** What the shared module declares: all of wasm32's 4 GB (only what is grown is reserved). */
const SHARED_MAX_PAGES = 65536;

let reusable: WebAssembly.Memory | undefined;
let sharing = false;

/**
 * Makes this thread's kernel memory shareable with other threads (the pool's workers call it
 * first thing). Not the default: V8 ran the restarts 3-6 % slower over shared memory, and the
 * CLI and the batch workers never share.
 */
export function shareThreadMemory(): void {
  if (reusable && !isShared(reusable)) throw new Error('the kernel memory of this thread already exists unshared');
  sharing = true;
}

/** This thread's kernel memory: every call's results are copied out before the next call. */
export function threadMemory(): WebAssembly.Memory {
  reusable ??= new WebAssembly.Memory(sharing ? { initial: 1, maximum: SHARED_MAX_PAGES, shared: true } : { initial: 1 });
  return reusable;
}

export function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/**
 * Grows this thread's kernel memory to at least `bytes`, ahead of a large image, and has the new
 * part paged in: a first 24 MP run grows it to ~130 MB, whose first touch (~12 us a page on the
 * project's VM) made the first run 0.6-0.7 s slower than the next. A shared memory (the pool's
 * workers) is paged in by a background thread at the lowest priority (see pager.ts) while this
 * one goes on, any other here. Fresh memory is zero, and stays so: what Heap knows of it holds.
 */
export function growThreadMemory(bytes: number): void {
  const memory = threadMemory();
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
  const buffer = memory.buffer;
  if (buffer instanceof SharedArrayBuffer) void pageInBackground(buffer, have);
  else faultIn(buffer, have);
}

/**
 * Takes `memory` (shared, paged in and free: a JPEG decoder's heap once the pixels are out) as
 * this thread's kernel memory, when it is larger than the one the thread has. Its every byte is
 * taken as written, so each block a call takes from it is zeroed first (see claim): zeroing a
 * page costs a fraction of its first touch (~12 us a page on the project's VM, 0.35 s for a
 * 24 MP photo's decoder heap). Only between calls, while no other thread runs in this one's
 * memory; the memory keeps its maximum (a decoder's: 2 GB, the most a kernel run may then grow
 * to). False when not taken.
 */
export function adoptThreadMemory(memory: WebAssembly.Memory): boolean {
  if (!sharing || !isShared(memory)) return false;
  if (reusable && reusable.buffer.byteLength >= memory.buffer.byteLength) return false;
  const buffer = memory.buffer;
  new Uint8Array(buffer, 4, HEAP_AT - 4).fill(0);
  Atomics.store(new Uint32Array(buffer, WRITTEN_AT, 1), 0, buffer.byteLength);
  reusable = memory;
  return true;
}

/** A new instance over `memory`; `shouldStop` is asked between Lloyd iterations. */
export function newKernel(memory: WebAssembly.Memory, shouldStop?: () => boolean): KernelExports {
  const instance = new WebAssembly.Instance(kernelModule(isShared(memory)), {
    env: { memory, shouldStop: shouldStop ? () => (shouldStop() ? 1 : 0) : () => 0 },
  });
  return instance.exports as unknown as KernelExports;
}

/** Below this the host keeps fixed small blocks (tables, stacks). */
export const HEAP_AT = 4096;
/**
 * Where a memory records the end of what any call, on any thread, has written (a u32: beyond it
 * the memory is still zero). In the memory itself, so that a thread that wrote in another's
 * shared memory leaves the mark behind for the owner.
 */
const WRITTEN_AT = 0;

/** Raises the memory's written mark to `end`; returns the mark before. */
function raiseWritten(memory: WebAssembly.Memory, end: number): number {
  const cell = new Uint32Array(memory.buffer, WRITTEN_AT, 1);
  for (;;) {
    const old = Atomics.load(cell, 0);
    if (old >= end || Atomics.compareExchange(cell, 0, old, end) === old) return old;
  }
}

/**
 * Makes [at, at + bytes) of `memory` usable as a zeroed block: grows the memory to hold it, and
 * zeroes what an earlier call wrote there. Other threads may grow a shared memory meanwhile
 * (growing is relative, so it is asked again until the block fits).
 */
export function claim(memory: WebAssembly.Memory, at: number, bytes: number): void {
  const end = at + bytes;
  while (memory.buffer.byteLength < end) {
    try {
      memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
    } catch {
      // 32-bit WebAssembly has 4 GB at most (and the process may have less): a user's limit
      const mb = Math.ceil(end / 2 ** 20);
      throw new SegmentationError('too-large', `K-means on this many distinct colours needs ${mb} MB of working memory, more than it can have: use a smaller width or fewer channels`);
    }
  }
  const dirty = raiseWritten(memory, end);
  if (at < dirty) new Uint8Array(memory.buffer, at, Math.min(end, dirty) - at).fill(0);
}

/**
 * Bump allocation of 8-aligned blocks in an instance's memory, growing it as needed; every
 * block starts zeroed, as in a fresh memory, also when an earlier call used those bytes. A grow
 * detaches an unshared memory's ArrayBuffer: make views only once every block is taken.
 */
export class Heap {
  private at = HEAP_AT;
  constructor(private readonly memory: WebAssembly.Memory) {}

  take(bytes: number): number {
    const o = this.at;
    const size = Math.ceil(bytes / 8) * 8;
    claim(this.memory, o, size);
    this.at += size;
    return o;
  }

  /** Where the next block would go: beyond it the memory is free for others. */
  get end(): number {
    return this.at;
  }
}
