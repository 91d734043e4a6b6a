// The WebAssembly kernel (assembly/*.ts, compiled by scripts/build-wasm.mjs): its exports, the
// compiled module (once per thread) and a bump allocator over an instance's memory. Every call
// that uses the kernel makes its own instance over the thread's one memory (imported), reused
// from call to call, and copies what it returns out of it: a run leaves no hundreds of megabytes
// behind for the garbage collector. A 24-megapixel photo's distinct values take ~50 MB of it,
// its restarts ~130 MB; a thread that ran them keeps the larger, not that much per run.
import { faultIn } from '../bytes';
import { SegmentationError } from '../errors';
import { KERNEL_WASM_BASE64 } from './kernelWasm.generated';

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

let compiled: WebAssembly.Module | undefined;

function kernelModule(): WebAssembly.Module {
  if (!compiled) {
    const text = atob(KERNEL_WASM_BASE64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

const PAGE = 65536;

let reusable: WebAssembly.Memory | undefined;

/** This thread's kernel memory: every call's results are copied out before the next call. */
export function threadMemory(): WebAssembly.Memory {
  reusable ??= new WebAssembly.Memory({ initial: 1 });
  return reusable;
}

/**
 * Grows this thread's kernel memory to at least `bytes` and touches every page of it, ahead of a
 * large image: a first 24 MP run grows it to ~130 MB, whose first touch (~12 us a page on the
 * project's VM) made the first run 0.6-0.7 s slower than the next. Fresh memory is zero, and
 * stays so: what Heap knows of it holds.
 */
export function growThreadMemory(bytes: number): void {
  const memory = threadMemory();
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
  faultIn(memory.buffer, have);
}

/** A new instance over `memory`; `shouldStop` is asked between Lloyd iterations. */
export function newKernel(memory: WebAssembly.Memory, shouldStop?: () => boolean): KernelExports {
  const instance = new WebAssembly.Instance(kernelModule(), {
    env: { memory, shouldStop: shouldStop ? () => (shouldStop() ? 1 : 0) : () => 0 },
  });
  return instance.exports as unknown as KernelExports;
}

/** Per memory: the end of what any call has written (beyond it the memory is still zero). */
const written = new WeakMap<WebAssembly.Memory, number>();
/** Below this the host keeps fixed small blocks (tables, stacks). */
export const HEAP_AT = 4096;

/**
 * Bump allocation of 8-aligned blocks in an instance's memory, growing it as needed; every
 * block starts zeroed, as in a fresh memory, also when an earlier call used those bytes. A grow
 * detaches the memory's ArrayBuffer: make views only once every block is taken.
 */
export class Heap {
  private end = HEAP_AT;
  constructor(private readonly memory: WebAssembly.Memory) {}

  take(bytes: number): number {
    const o = this.end;
    this.end += Math.ceil(bytes / 8) * 8;
    const dirty = written.get(this.memory) ?? 0;
    written.set(this.memory, Math.max(dirty, this.end));
    const pages = Math.ceil(this.end / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (pages > 0) {
      try {
        this.memory.grow(pages);
      } catch {
        // 32-bit WebAssembly has 4 GB at most (and the process may have less): a user's limit
        const mb = Math.ceil(this.end / 2 ** 20);
        throw new SegmentationError('too-large', `K-means on this many distinct colours needs ${mb} MB of working memory, more than it can have: use a smaller width or fewer channels`);
      }
    }
    if (o < dirty) new Uint8Array(this.memory.buffer, o, Math.min(this.end, dirty) - o).fill(0);
    return o;
  }
}
