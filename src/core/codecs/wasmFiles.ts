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

const compiled = new Map<WasmFile, WebAssembly.Module>();

export function wasmModule(file: WasmFile): WebAssembly.Module {
  let m = compiled.get(file);
  if (!m) {
    m = new WebAssembly.Module(bytesOf(file));
    compiled.set(file, m);
  }
  return m;
}
