// One fresh instance of an Emscripten-built codec (Squoosh's glue as the @jsquash packages ship
// it) on a module compiled by wasmFiles.ts. The glue is written for browsers: it would fetch its
// .wasm from a URL, and it prints libjpeg's and libwebp's messages to the console. Here the
// compiled module is handed over directly and the messages are collected, so that an error can
// be told apart from a warning and said in one line.
import { wasmModule, type WasmFile } from './wasmFiles';

/** What the glue's default export (the module factory) accepts, of what is used here. */
interface FactoryOptions {
  noInitialRun: boolean;
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
  const codec = await factory({
    noInitialRun: true,
    instantiateWasm: (imports, done) => {
      const instance = new WebAssembly.Instance(module, imports);
      done(instance);
      return instance.exports;
    },
    print: (text) => messages.push(text),
    printErr: (text) => messages.push(text),
  });
  return { codec, messages };
}

/** An Emscripten codec's decoded picture: RGBA, 4 bytes a pixel (the browser's ImageData shape). */
export interface DecodedRgba {
  width: number;
  height: number;
  data: Uint8Array;
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
