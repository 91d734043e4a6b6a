// One fresh instance of an Emscripten-built codec (Squoosh's glue as the @jsquash packages ship
// it) on a module compiled by wasmFiles.ts. The glue is written for browsers: it would fetch its
// .wasm from a URL, and it prints libjpeg's and libwebp's messages to the console. Here the
// compiled module is handed over directly and the messages are collected, so that an error can
// be told apart from a warning and said in one line.
import { wasmModule, type WasmFile } from './wasmFiles';

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

export interface CodecInstance<T> {
  codec: T;
  /** Every line the codec printed, warnings and errors alike, in order. */
  messages: string[];
}

export async function instantiate<T>(factory: GlueFactory<T>, file: WasmFile): Promise<CodecInstance<T>> {
  const module = wasmModule(file);
  const messages: string[] = [];
  let failed: { error: unknown } | undefined;
  const ready = factory({
    noInitialRun: true,
    locateFile: (path) => path,
    instantiateWasm: (imports, done) => {
      let instance: WebAssembly.Instance;
      try {
        instance = new WebAssembly.Instance(module, imports);
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
  });
  if (failed) throw failed.error;
  return { codec: await ready, messages };
}

/** An Emscripten codec's decoded picture: RGBA, 4 bytes a pixel (the browser's ImageData shape). */
export interface DecodedRgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The most memory these codecs' WebAssembly heaps can grow to (their builds' limit). */
export const WASM_HEAP_MAX = 2 ** 31;

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
