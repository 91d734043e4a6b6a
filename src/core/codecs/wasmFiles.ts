// The codecs' WebAssembly binaries: where each comes from, and each compiled once per process.
// Compiling is the costly part (a few ms for mozjpeg, ~30 ms for libavif); each decode then gets
// a fresh instance of the compiled module, so a decoder's memory (up to 2 GB of WebAssembly heap
// for a 100-megapixel image) is given back when the decode ends, and a decoder that stopped on
// an error is never reused.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { SegmentationError } from '../errors';
import { BUNDLED_WASM } from './wasmEmbedded';
import { definedMemory, withImportedMemory } from './importedMemory';
import files from './wasm-files.json';

/**
 * Each binary: where npm puts it (the packages jimp's @jimp/wasm-* plugins are built on), what it
 * is, and whether the CLI bundle carries it inside (esbuild.mjs reads this file too).
 */
const FILES: Readonly<Record<string, { package: string; label: string; inCli: boolean }>> = files;

export type WasmFile = keyof typeof files;

function bytesOf(file: WasmFile): Uint8Array<ArrayBuffer> {
  if (!BUNDLED_WASM) return new Uint8Array(readFileSync(require.resolve(FILES[file]!.package)));
  const embedded = BUNDLED_WASM.embedded[file];
  if (embedded) return new Uint8Array(brotliDecompressSync(Buffer.from(embedded(), 'base64')));
  const beside = join(__dirname, `${file}.wasm`);
  try {
    return new Uint8Array(readFileSync(beside));
  } catch {
    throw new SegmentationError(
      'codec-missing',
      `the ${FILES[file]!.label} (${file}.wasm) is missing beside ${__filename}: keep the .wasm files of dist/ next to it`,
    );
  }
}

const compiled = new Map<string, WebAssembly.Module>();

/**
 * The compiled codec; with `importedMemoryPages`, the variant whose memory is an imported shared
 * one of at most that many pages (see importedMemory.ts).
 */
export function wasmModule(file: WasmFile, importedMemoryPages?: number): WebAssembly.Module {
  const key = importedMemoryPages === undefined ? file : `${file}@${importedMemoryPages}`;
  let m = compiled.get(key);
  if (!m) {
    const bytes = bytesOf(file);
    if (importedMemoryPages !== undefined) minPages.set(file, definedMemory(bytes)?.min ?? 0);
    m = new WebAssembly.Module(importedMemoryPages === undefined ? bytes : withImportedMemory(bytes, importedMemoryPages));
    compiled.set(key, m);
  }
  return m;
}

/** Each codec's own least memory, read when its variant with an imported memory was made. */
const minPages = new Map<WasmFile, number>();

/** The least memory (pages of 64 KiB) the codec's own declaration asks for, once wasmModule made its variant with an imported memory. */
export function wasmMinPages(file: WasmFile): number {
  return minPages.get(file) ?? 0;
}
