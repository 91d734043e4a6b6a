// The common PNG read here: 8-bit RGB or RGBA, not interlaced, every chunk sound. Its rows are
// already inflated by checkPngData (decodeGuards.ts); undoing the row filters takes one pass,
// where pngjs made an RGBA bitmap of them first (a 12 MP PNG took 1.2 s against OpenCV's 0.3 s).
// Anything else (other depths and colour types, interlacing, tRNS, a CRC or chunk pngjs would
// reject) returns undefined and goes through pngjs, which keeps its errors and conversions.
import { SIGNATURE, crc32 } from './png';
import { pngChunks } from './pngChunks';

/** Critical chunks this reader knows; an unknown critical chunk is pngjs's to refuse. */
const CRITICAL = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND']);

export interface PngPixels {
  width: number;
  height: number;
  /** width * height * channels bytes, rows packed. */
  data: Uint8Array;
  channels: 3 | 4;
}

/** Whether every chunk up to IEND is whole, known or ancillary, with its CRC right; the IHDR's fields. */
function soundChunks(bytes: Uint8Array): { width: number; height: number; channels: 3 | 4 } | undefined {
  if (bytes.length < 8 + 25 || SIGNATURE.some((b, i) => bytes[i] !== b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let ihdr: { width: number; height: number; channels: 3 | 4 } | undefined;
  for (const { type, at, data, length } of pngChunks(bytes)) {
    if (data + length + 4 > bytes.length || crc32(bytes.subarray(at + 4, data + length)) !== view.getUint32(data + length)) return undefined;
    const critical = (bytes[at + 4]! & 0x20) === 0;
    if ((critical && !CRITICAL.has(type)) || type === 'tRNS') return undefined;
    if (at === 8) {
      if (type !== 'IHDR' || length !== 13) return undefined;
      const [depth, colorType, compression, filter, interlace] = bytes.subarray(data + 8, data + 13);
      if (depth !== 8 || (colorType !== 2 && colorType !== 6) || compression !== 0 || filter !== 0 || interlace !== 0) return undefined;
      ihdr = { width: view.getUint32(data), height: view.getUint32(data + 4), channels: colorType === 2 ? 3 : 4 };
    } else if (type === 'IHDR') {
      return undefined;
    }
    if (type === 'IEND') return ihdr && ihdr.width > 0 && ihdr.height > 0 ? ihdr : undefined;
  }
  return undefined;
}

/**
 * The pixels of an 8-bit RGB or RGBA PNG from `rows`, its inflated scanlines (a filter byte, then
 * width * channels bytes, for each row); undefined for any other PNG or an unknown filter.
 */
export function readPngRows(bytes: Uint8Array, rows: Uint8Array): PngPixels | undefined {
  const head = soundChunks(bytes);
  if (!head) return undefined;
  const { width, height, channels: bpp } = head;
  const stride = width * bpp;
  if (rows.length !== (stride + 1) * height) return undefined;
  // Stores into a Uint8Array keep the low byte: the sums below wrap as the filters want.
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const s = y * (stride + 1) + 1;
    const o = y * stride;
    const up = o - stride;
    switch (rows[s - 1]) {
      case 0:
        out.set(rows.subarray(s, s + stride), o);
        break;
      case 1:
        for (let x = 0; x < bpp; x++) out[o + x] = rows[s + x]!;
        for (let x = bpp; x < stride; x++) out[o + x] = rows[s + x]! + out[o + x - bpp]!;
        break;
      case 2:
        if (y === 0) out.set(rows.subarray(s, s + stride), o);
        else for (let x = 0; x < stride; x++) out[o + x] = rows[s + x]! + out[up + x]!;
        break;
      case 3:
        for (let x = 0; x < stride; x++) {
          const a = x >= bpp ? out[o + x - bpp]! : 0;
          const b = y > 0 ? out[up + x]! : 0;
          out[o + x] = rows[s + x]! + ((a + b) >> 1);
        }
        break;
      case 4:
        for (let x = 0; x < stride; x++) {
          const a = x >= bpp ? out[o + x - bpp]! : 0;
          const b = y > 0 ? out[up + x]! : 0;
          const c = x >= bpp && y > 0 ? out[up + x - bpp]! : 0;
          const pa = Math.abs(b - c);
          const pb = Math.abs(a - c);
          const pc = Math.abs(a + b - 2 * c);
          out[o + x] = rows[s + x]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
        }
        break;
      default:
        return undefined;
    }
  }
  return { width, height, data: out, channels: bpp };
}
