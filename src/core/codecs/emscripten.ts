// One fresh instance of an Emscripten-built codec (Squoosh's glue as the @jsquash packages ship
// it) on a module compiled by wasmFiles.ts. The glue is written for browsers: it would fetch its
// .wasm from a URL, and it prints libjpeg's and libwebp's messages to the console. Here the
// compiled module is handed over directly and the messages are collected, so that an error can
// be told apart from a warning and said in one line.
import { wasmMinPages, wasmModule, type WasmFile } from './wasmFiles';
import { IMPORTED_MEMORY } from './importedMemory';

/** What the glue's default export (the module factory) accepts, of what is used here. */
interface FactoryOptions {
  noInitialRun: boolean;
  /** Where the glue would fetch its .wasm from: never used, but without it some glue builds a URL from import.meta.url, which a CommonJS bundle does not have. */
  locateFile: (path: string) => string;
  instantiateWasm: (imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) => WebAssembly.Exports;
  print: (text: string) => void;
  printErr: (text: string) => void;
}

export type GlueFactory<T> = (options: FactoryOptions) => Promise<T>;

/**
 * Takes the decoded RGBA pixels while they are still in the decoder's memory; true when it took
 * them (the glue then makes no copy of its own), false to let the glue copy them as usual.
 */
export type PixelSink = (rgba: Uint8Array) => boolean;

export interface CodecInstance<T> {
  codec: T;
  /** Every line the codec printed, warnings and errors alike, in order. */
  messages: string[];
  /**
   * Runs `call` (synchronous: a codec call) with `sink` offered the pixels the codec returns.
   * Squoosh's C++ returns them as `new Uint8ClampedArray(view of its heap)`, a full copy in fresh
   * memory (48 MB for 12 megapixels, 400 MB at 100), and frees its own buffer right after; the
   * sink reads them from the heap before that, into the caller's RGB buffer, so the copy is
   * neither made nor paged in. The glue looks the constructor up by name on the global object
   * (once per instance), so for the instance's creation and its calls the name is bound to one
   * that asks this instance's sink first.
   */
  withSink<R>(sink: PixelSink, call: () => R): R;
}

/** The pixel sink failed (not the codec): `cause` is its own error, to be passed on as it is. */
export class SinkFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('the pixel sink failed');
  }
}

const NativeClamped = Uint8ClampedArray;

/** Runs `fn` with globalThis.Uint8ClampedArray bound to `ctor` (nothing else runs meanwhile: `fn` is synchronous). */
function withClamped<R>(ctor: unknown, fn: () => R): R {
  const g = globalThis as Record<string, unknown>;
  g.Uint8ClampedArray = ctor;
  try {
    return fn();
  } finally {
    g.Uint8ClampedArray = NativeClamped;
  }
}

/**
 * A fresh instance of the codec. With `memory` (shared, at most WASM_HEAP_MAX), the codec's heap is
 * that memory, which other threads may page in meanwhile, instead of one of its own.
 */
export async function instantiate<T>(factory: GlueFactory<T>, file: WasmFile, memory?: WebAssembly.Memory): Promise<CodecInstance<T>> {
  const module = wasmModule(file, memory ? HEAP_MAX_PAGES : undefined);
  // a small image's heap may be smaller than the codec's static data and stack ask for
  if (memory) {
    const short = wasmMinPages(file) - memory.buffer.byteLength / 65536;
    if (short > 0) memory.grow(short);
  }
  const messages: string[] = [];
  let failed: { error: unknown } | undefined;
  let sink: PixelSink | undefined;
  // the instance's Uint8ClampedArray: the sink first, the real constructor otherwise
  const capturing = function (this: unknown, ...args: unknown[]): Uint8ClampedArray {
    const src = args[0];
    if (new.target && args.length === 1 && src instanceof Uint8Array && sink?.(src)) return new NativeClamped(0);
    return Reflect.construct(NativeClamped, args) as Uint8ClampedArray;
  };
  capturing.prototype = NativeClamped.prototype;
  Object.setPrototypeOf(capturing, NativeClamped);
  const ready = withClamped(capturing, () => factory({
    noInitialRun: true,
    locateFile: (path) => path,
    instantiateWasm: (imports, done) => {
      let instance: WebAssembly.Instance;
      try {
        const own = memory ? { ...imports, [IMPORTED_MEMORY.module]: { [IMPORTED_MEMORY.name]: memory } } : imports;
        instance = new WebAssembly.Instance(module, own);
      } catch (error) {
        // Thrown back into the glue, this would make it fall back to fetching the .wasm by URL
        // (an unhandled rejection in Node). An empty answer leaves it waiting forever instead;
        // the glue calls this synchronously, so the failure is known before `ready` is awaited.
        failed = { error };
        return {};
      }
      done(instance);
      return instance.exports;
    },
    print: (text) => messages.push(text),
    printErr: (text) => messages.push(text),
  }));
  if (failed) throw failed.error;
  const codec = await ready;
  const withSink = <R>(s: PixelSink, call: () => R): R => {
    // An error of the sink's own (the caller's buffer could not be had) passes through the
    // codec's frames; it is the one reported, not whatever the codec makes of it.
    let own: { error: unknown } | undefined;
    sink = (rgba) => {
      try {
        return s(rgba);
      } catch (error) {
        own = { error };
        throw error;
      }
    };
    try {
      return withClamped(capturing, call);
    } catch (e) {
      throw own ? new SinkFailure(own.error) : e;
    } finally {
      sink = undefined;
    }
  };
  return { codec, messages, withSink };
}

/** An Emscripten codec's decoded picture: RGBA, 4 bytes a pixel (the browser's ImageData shape). */
export interface DecodedRgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The most memory these codecs' WebAssembly heaps can grow to (their builds' limit). */
export const WASM_HEAP_MAX = 2 ** 31;
/** The same in pages of 64 KiB: what a memory given to a codec declares. */
export const HEAP_MAX_PAGES = WASM_HEAP_MAX / 65536;

/**
 * True when the codec stopped with Emscripten's abort() after its heap had grown past half of
 * what it can have: its C++ glue aborts when an allocation fails (built without exceptions), and
 * that is what a decoder near its memory limit runs into.
 */
export function abortedOutOfHeap(e: unknown, codec: unknown): boolean {
  const heap = (codec as { HEAPU8?: Uint8Array }).HEAPU8?.length ?? 0;
  return e instanceof Error && /Aborted\(/.test(e.message) && heap > WASM_HEAP_MAX / 2;
}

/**
 * True when `e` says that memory ran out: the JavaScript heap or an ArrayBuffer could not be
 * allocated, or the WebAssembly heap could not grow (the glue aborts with "OOM"; libjpeg says
 * "Insufficient memory").
 */
export function isOutOfMemory(e: unknown, messages: readonly string[] = []): boolean {
  const text = [e instanceof Error ? e.message : String(e), ...messages].join('\n');
  if (e instanceof RangeError && /alloc|memory|Invalid (typed )?array length/i.test(text)) return true;
  return /out of memory|\bOOM\b|Insufficient memory|Cannot enlarge memory|allocation failed/i.test(text);
}
