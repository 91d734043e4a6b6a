// Byte builders shared by the I/O tests: minimal but well-formed headers, so a test can claim
// any size without a pixel buffer behind it.
import { crc32 } from 'node:zlib';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Session } from 'node:inspector';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'images');
export const BAD = join(__dirname, '..', 'fixtures', 'bad');

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

/** One PNG chunk: length, type, data and CRC. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(Buffer.from(type, 'latin1'), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** PNG signature + a valid IHDR (8-bit RGB) for the given size, and nothing else. */
export function pngHeaderOnly(width: number, height: number): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return new Uint8Array([...[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], ...pngChunk('IHDR', ihdr)]);
}

/** A JPEG start: SOI, an APP0 segment, fill bytes, then a start-of-frame of the given marker. */
export function jpegHeaderOnly(width: number, height: number, sof = 0xc0): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0', 'latin1'), 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const frame = [0xff, 0xff, 0xff, sof, 0x00, 0x11, 8, height >> 8, height & 255, width >> 8, width & 255, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return new Uint8Array([0xff, 0xd8, ...app0, ...frame]);
}

/** Bundles the extension's image worker (src/extension/workers/imageWorker.ts) into a new temporary folder; returns that folder. */
export async function buildImageWorker(prefix: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // the codecs' WebAssembly, as esbuild.mjs gives it to dist/imageWorker.js (beside the bundle)
  const { codecBundleOptions, copyCodecWasm } = await import('../../scripts/codec-wasm.mjs');
  await build({
    entryPoints: { imageWorker: join(__dirname, '..', '..', 'src', 'extension', 'workers', 'imageWorker.ts') },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outdir: dir,
    logLevel: 'error',
    ...codecBundleOptions(),
  });
  copyCodecWasm(dir);
  return dir;
}

export { withExifThumbnail } from '../fixtures/photo/exif-thumbnail.mjs';

/** A full collection of this thread's heap now (through the inspector, as idleCollect.ts does): its garbage freed before a test measures memory. */
export async function collectGarbage(): Promise<void> {
  const session = new Session();
  session.connect();
  await new Promise((resolve) => session.post('HeapProfiler.collectGarbage', resolve));
  session.disconnect();
}

/** The nice values of this process's threads now (field 19 of each thread's stat). */
export function threadNiceValues(): number[] {
  const out: number[] = [];
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      out.push(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}
