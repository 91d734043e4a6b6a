// PNG bytes for pictures that are shown, not kept: the panel's display-size halves and zoom
// tiles. Fast over small: zlib's level 1, and a row filter chosen by the kind of picture (Sub
// for photographs, none for flat cluster colours). node:zlib only, so it runs in any worker.
import { deflateSync } from 'node:zlib';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

let crcTable: Uint32Array | undefined;

function crc32(bytes: Uint8Array, crc = 0xffffffff): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return crc;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, (crc32(out.subarray(4, 8 + data.length)) ^ 0xffffffff) >>> 0);
  return out;
}

export type RowFilter = 'none' | 'sub';

/**
 * An 8-bit PNG of `channels` (1 gray, 3 RGB) bytes a pixel. The result is a fresh ArrayBuffer
 * holding exactly the file, ready to transfer.
 */
export function encodeViewPng(data: Uint8Array, width: number, height: number, channels: 1 | 3, filter: RowFilter): ArrayBuffer {
  const row = width * channels;
  if (!(width > 0 && height > 0) || data.length < row * height) {
    throw new Error(`encodeViewPng: ${width}x${height}x${channels} needs ${row * height} bytes, got ${data.length}`);
  }
  const raw = new Uint8Array((row + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (row + 1);
    const s = y * row;
    if (filter === 'none') {
      raw.set(data.subarray(s, s + row), o + 1);
      continue;
    }
    raw[o] = 1;
    for (let x = 0; x < channels; x++) raw[o + 1 + x] = data[s + x]!;
    for (let x = channels; x < row; x++) raw[o + 1 + x] = (data[s + x]! - data[s + x - channels]!) & 0xff;
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = channels === 1 ? 0 : 2;
  const parts = [SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 1 })), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out.buffer;
}
