// The WebAssembly kernel (assembly/*.ts, compiled by scripts/build-wasm.mjs): its exports, the
// compiled module (once per thread) and a bump allocator over an instance's memory. Every call
// that uses the kernel makes its own instance, whose memory goes when the call is done.
import { SegmentationError } from '../errors';
import { KERNEL_WASM_BASE64 } from './kernelWasm.generated';

export interface KernelExports {
  memory: WebAssembly.Memory;
  // assembly/distinct.ts
  countByTable(feat: number, d: number, n: number, table: number): number;
  fillByTable(feat: number, d: number, n: number, table: number, points: number, weights: number, index: number): void;
  countByBitmap(feat: number, n: number, bits: number, rank: number): number;
  fillByBitmap(feat: number, n: number, bits: number, rank: number, points: number, weights: number, index: number): void;
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

/** A fresh instance; `shouldStop` is asked between Lloyd iterations. */
export function newKernel(shouldStop?: () => boolean): KernelExports {
  const instance = new WebAssembly.Instance(kernelModule(), {
    env: { shouldStop: shouldStop ? () => (shouldStop() ? 1 : 0) : () => 0 },
  });
  return instance.exports as unknown as KernelExports;
}

const PAGE = 65536;
/** Below this the host keeps fixed small blocks (tables, stacks). */
export const HEAP_AT = 4096;

/**
 * Bump allocation of 8-aligned blocks in an instance's memory, growing it as needed. A grow
 * detaches the memory's ArrayBuffer: make views only once every block is taken.
 */
export class Heap {
  private end = HEAP_AT;
  constructor(private readonly memory: WebAssembly.Memory) {}

  take(bytes: number): number {
    const o = this.end;
    this.end += Math.ceil(bytes / 8) * 8;
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
    return o;
  }
}
