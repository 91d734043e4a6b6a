// PNG encoding, written here: one fixed row filter computed in a tight loop, then Node's zlib
// (native). Saved files use the settings OpenCV's imwrite uses by default for PNG (Sub filter,
// zlib level 1, run-length strategy); the pictures the panel is shown, fast over small ones.
import { constants, createDeflate, deflateSync, crc32 as zlibCrc32 } from 'node:zlib';

export interface PngSettings {
  /** Row filter for every row: 0 none, 1 Sub, 2 Up, 4 Paeth. */
  filter: 0 | 1 | 2 | 4;
  level: number;
  strategy: number;
}

/**
 * zlib's memLevel for every PNG written here (OpenCV leaves zlib's default, 8). With run-length
 * matching it only sizes the symbol buffer, so blocks are twice as long: 3-10 % less time for
 * 0.05-0.3 % smaller files on every composite measured (a 12 MP photo's 8250x3000 composite:
 * 259 ms for 29.12 MB against 278 ms for 29.18 MB; a sample's at -w 300: 1.6 against 1.8 ms).
 */
export const ZLIB_MEM_LEVEL = 9;

/** OpenCV 4.6's imwrite defaults for PNG (when no compression level is given). */
export const OPENCV_PNG: PngSettings = { filter: 1, level: 1, strategy: constants.Z_RLE };

/**
 * The panel's pictures of photographs (the original half): Up, level 1, run-length only. A
 * camera photo's noise leaves LZ77 little to find: at 2048x1365 this takes 60-100 ms for 5.1 MB
 * where Sub with the default strategy took 160-230 ms for 5.4 MB, and the samples (plate,
 * scans, renders) come out as small or smaller.
 */
export const VIEW_PHOTO_PNG: PngSettings = { filter: 2, level: 1, strategy: constants.Z_RLE };
/** The panel's pictures of flat cluster colours (the right half): no filter, level 1, run-length only (40 % smaller than the default strategy, as fast). */
export const VIEW_FLAT_PNG: PngSettings = { filter: 0, level: 1, strategy: constants.Z_RLE };

/** The eight bytes every PNG file starts with. */
export const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

let crcTable: Uint32Array | undefined;

/** CRC-32 of a chunk; zlib's (Node 20.15+), else a table. */
export function crc32(bytes: Uint8Array): number {
  if (typeof zlibCrc32 === 'function') return zlibCrc32(bytes) >>> 0;
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Filters rows [y0, y1) of `data` into `out` (each row prefixed with its filter byte), with
 * `filter` for every row (bpp bytes a pixel). The row above row y0 is read from `data`.
 */
export function filterRows(
  data: Uint8Array,
  stride: number,
  y0: number,
  y1: number,
  bpp: number,
  filter: PngSettings['filter'],
  out: Uint8Array,
): void {
  for (let y = y0; y < y1; y++) {
    const o = (y - y0) * (stride + 1);
    const s = y * stride;
    const f = filter === 2 && y === 0 ? 0 : filter;
    out[o] = f;
    const row = o + 1;
    if (f === 0) {
      out.set(data.subarray(s, s + stride), row);
    } else if (f === 1) {
      for (let x = 0; x < bpp; x++) out[row + x] = data[s + x]!;
      for (let x = bpp; x < stride; x++) out[row + x] = data[s + x]! - data[s + x - bpp]!;
    } else if (f === 2) {
      for (let x = 0; x < stride; x++) out[row + x] = data[s + x]! - data[s + x - stride]!;
    } else {
      // Paeth: a = left, b = up, c = up-left
      for (let x = 0; x < stride; x++) {
        const a = x >= bpp ? data[s + x - bpp]! : 0;
        const b = y > 0 ? data[s + x - stride]! : 0;
        const c = x >= bpp && y > 0 ? data[s + x - stride - bpp]! : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        out[row + x] = data[s + x]! - (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
    }
  }
}

function chunkHeader(type: string, length: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setUint32(0, length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  out.set(chunkHeader(type, data.length));
  out.set(data, 8);
  new DataView(out.buffer).setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Bytes of filtered rows handed to zlib at a time (about a megabyte, whole rows). */
const BAND_BYTES = 1 << 20;

/**
 * Writes rows [y0, y1) of a picture, `stride` bytes each, into `into` from its start: a picture
 * drawn band by band as it is encoded, never whole in memory.
 */
export type RowSource = (y0: number, y1: number, into: Uint8Array) => void;

/**
 * A PNG of 8-bit gray (1 byte a pixel) or RGB (3 bytes) rows, from the picture's bytes or from a
 * RowSource (with a filter that reads no row above: None or Sub). The rows are filtered a band at
 * a time into one of two small buffers while zlib, on Node's thread pool, compresses the band
 * before: the two overlap, and no full-size filtered copy of the image is ever made (on this
 * project's VM, first touching 70 MB of fresh memory alone took a quarter of a second). Each
 * piece of zlib's output becomes one IDAT chunk.
 */
export async function encodePngRows(data: Uint8Array | RowSource, width: number, height: number, channels: 1 | 3, s: PngSettings): Promise<Uint8Array> {
  const stride = width * channels;
  const rowsPerBand = Math.max(1, Math.floor(BAND_BYTES / (stride + 1)));
  const buffers = [new Uint8Array(rowsPerBand * (stride + 1)), new Uint8Array(rowsPerBand * (stride + 1))];
  let raw: Uint8Array | undefined;
  if (typeof data === 'function') {
    if (s.filter !== 0 && s.filter !== 1) throw new Error(`encodePngRows: a row source needs filter 0 or 1 (got ${s.filter})`);
    raw = new Uint8Array(rowsPerBand * stride);
  }
  const deflate = createDeflate({ level: s.level, strategy: s.strategy, memLevel: ZLIB_MEM_LEVEL, chunkSize: 4 << 20 });
  const out: Uint8Array[] = [];
  deflate.on('data', (piece: Buffer) => out.push(piece));
  const finished = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  let pending: Promise<void> = Promise.resolve();
  for (let y = 0, band = 0; y < height; y += rowsPerBand, band++) {
    const y1 = Math.min(height, y + rowsPerBand);
    const buf = buffers[band & 1]!;
    // the buffer was last handed to zlib two bands ago; wait until it has been consumed
    if (typeof data === 'function') {
      data(y, y1, raw!);
      filterRows(raw!, stride, 0, y1 - y, channels, s.filter, buf);
    } else filterRows(data, stride, y, y1, channels, s.filter, buf);
    await pending;
    pending = new Promise<void>((resolve, reject) => deflate.write(buf.subarray(0, (y1 - y) * (stride + 1)), (err) => (err ? reject(err) : resolve())));
  }
  await pending;
  deflate.end();
  await finished;

  return pngFile(width, height, channels, out);
}

/**
 * The same in one call, for pictures of a few megapixels at most (the panel's): one filtered
 * copy and zlib on this thread. A fresh buffer holding exactly the file, ready to transfer.
 */
export function encodePngSync(data: Uint8Array, width: number, height: number, channels: 1 | 3, s: PngSettings): Uint8Array {
  const stride = width * channels;
  if (!(width > 0 && height > 0) || data.length < stride * height) {
    throw new Error(`encodePngSync: ${width}x${height}x${channels} needs ${stride * height} bytes, got ${data.length}`);
  }
  const rows = new Uint8Array((stride + 1) * height);
  filterRows(data, stride, 0, height, channels, s.filter, rows);
  return pngFile(width, height, channels, [deflateSync(rows, { level: s.level, strategy: s.strategy, memLevel: ZLIB_MEM_LEVEL })]);
}

/** Signature, header, one IDAT chunk per piece of zlib's output, end. */
function pngFile(width: number, height: number, channels: 1 | 3, out: Uint8Array[]): Uint8Array {
  const ihdr = new Uint8Array(13);
  const hv = new DataView(ihdr.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  ihdr.set([8, channels === 3 ? 2 : 0, 0, 0, 0], 8);
  const head = [SIGNATURE, chunk('IHDR', ihdr)];
  const tail = chunk('IEND', new Uint8Array(0));
  const total = head.reduce((n, p) => n + p.length, 0) + out.reduce((n, p) => n + 12 + p.length, 0) + tail.length;
  const file = new Uint8Array(total);
  const view = new DataView(file.buffer);
  let at = 0;
  for (const p of head) {
    file.set(p, at);
    at += p.length;
  }
  for (const piece of out) {
    file.set(chunkHeader('IDAT', piece.length), at);
    file.set(piece, at + 8);
    view.setUint32(at + 8 + piece.length, crc32(file.subarray(at + 4, at + 8 + piece.length)));
    at += 12 + piece.length;
  }
  file.set(tail, at);
  return file;
}
