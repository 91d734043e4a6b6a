// EXIF orientation, applied as cv2.imread (OpenCV 4.6, without IMREAD_IGNORE_ORIENTATION)
// applies it: read from a JPEG's APP1 "Exif" segment, a PNG's eXIf chunk or a TIFF's first
// directory (OpenCV 4.6 does not look at WebP's), then flips and transposes as its
// ApplyExifOrientation does. Values outside 1-8 leave the image as stored.
import { pngChunks } from './pngChunks';

/** 1 = as stored; 2-4 flips; 5-8 transposes (width and height swap). */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

const ORIENTATION_TAG = 0x0112;

/**
 * The header of a TIFF structure (an EXIF block is one) at [at, end): its byte order and where
 * its first directory (IFD0) lies, checked to be inside it.
 */
export function tiffHeader(bytes: Uint8Array, at: number, end: number): { view: DataView; le: boolean; ifd0: number } | undefined {
  if (at + 8 > end) return undefined;
  const le = bytes[at] === 0x49 && bytes[at + 1] === 0x49;
  const be = bytes[at] === 0x4d && bytes[at + 1] === 0x4d;
  if (!le && !be) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(at + 2, le) !== 42) return undefined;
  const ifd0 = at + view.getUint32(at + 4, le);
  if (ifd0 + 2 > end || ifd0 < at + 8) return undefined;
  return { view, le, ifd0 };
}

/** The Orientation tag of a TIFF structure (an EXIF block is one) starting at `at`, if valid. */
export function tiffOrientation(bytes: Uint8Array, at = 0, end = bytes.length): Orientation | undefined {
  const header = tiffHeader(bytes, at, end);
  if (!header) return undefined;
  const { view, le, ifd0: ifd } = header;
  const count = view.getUint16(ifd, le);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > end) return undefined;
    if (view.getUint16(entry, le) !== ORIENTATION_TAG) continue;
    const type = view.getUint16(entry + 2, le);
    // SHORT as the standard says; a LONG also seen in the wild
    const value = type === 3 ? view.getUint16(entry + 8, le) : type === 4 ? view.getUint32(entry + 8, le) : 0;
    return value >= 1 && value <= 8 ? (value as Orientation) : undefined;
  }
  return undefined;
}

/** Where the TIFF structure of a JPEG's first APP1 segment that starts with "Exif\0\0" lies: [at, end). */
export function jpegExif(bytes: Uint8Array): { at: number; end: number } | undefined {
  let pos = 2;
  while (pos + 4 <= bytes.length) {
    if (bytes[pos] !== 0xff) return undefined;
    const marker = bytes[pos + 1]!;
    if (marker === 0xff) {
      pos++;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // scan data: no more metadata
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      pos += 2;
      continue;
    }
    const length = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
    const data = pos + 4;
    const end = Math.min(bytes.length, pos + 2 + length);
    if (marker === 0xe1 && end - data >= 14 && String.fromCharCode(...bytes.subarray(data, data + 6)) === 'Exif\0\0') {
      return { at: data + 6, end };
    }
    if (length < 2) return undefined;
    pos += 2 + length;
  }
  return undefined;
}

/** The orientation in a JPEG's first APP1 segment that starts with "Exif\0\0". */
export function jpegOrientation(bytes: Uint8Array): Orientation | undefined {
  const exif = jpegExif(bytes);
  return exif && tiffOrientation(bytes, exif.at, exif.end);
}

/** The orientation in a PNG's eXIf chunk (before the image data, as the PNG spec places it). */
export function pngOrientation(bytes: Uint8Array): Orientation | undefined {
  for (const { type, data, length } of pngChunks(bytes)) {
    if (type === 'eXIf') {
      // some writers keep the "Exif\0\0" prefix of the JPEG segment
      const skip = length >= 6 && String.fromCharCode(...bytes.subarray(data, data + 6)) === 'Exif\0\0' ? 6 : 0;
      return tiffOrientation(bytes, data + skip, data + length);
    }
    if (type === 'IDAT' || type === 'IEND') return undefined;
  }
  return undefined;
}

export function orientedSize(width: number, height: number, o: Orientation): { width: number; height: number } {
  return o >= 5 ? { width: height, height: width } : { width, height };
}

/**
 * Copies `channels`-per-pixel samples (the first three taken as R, G, B) into `out` as RGB,
 * oriented; `shift` divides 16-bit samples down to 8 bits as OpenCV does (>> 8, no rounding).
 * For each output pixel the source pixel is found as OpenCV's flips and transposes place it.
 */
export function toOrientedRgb(
  src: Uint8Array | Uint16Array,
  channels: number,
  width: number,
  height: number,
  o: Orientation,
  out: Uint8Array,
  shift = 0,
): void {
  const { width: ow, height: oh } = orientedSize(width, height, o);
  if (out.length < ow * oh * 3) throw new Error(`toOrientedRgb: output holds ${out.length} bytes, needs ${ow * oh * 3}`);
  const row = width * channels;
  // source index of output (0, y) and the steps along x, for each y
  let start: (y: number) => number;
  let step: number;
  switch (o) {
    case 2: start = (y) => y * row + (width - 1) * channels; step = -channels; break;
    case 3: start = (y) => (height - 1 - y) * row + (width - 1) * channels; step = -channels; break;
    case 4: start = (y) => (height - 1 - y) * row; step = channels; break;
    case 5: start = (y) => y * channels; step = row; break;
    case 6: start = (y) => (height - 1) * row + y * channels; step = -row; break;
    case 7: start = (y) => (height - 1) * row + (width - 1 - y) * channels; step = -row; break;
    case 8: start = (y) => (width - 1 - y) * channels; step = row; break;
    default: start = (y) => y * row; step = channels;
  }
  let d = 0;
  if (shift === 0 && src instanceof Uint8Array) {
    for (let y = 0; y < oh; y++) {
      let s = start(y);
      for (let x = 0; x < ow; x++, s += step, d += 3) {
        out[d] = src[s]!;
        out[d + 1] = src[s + 1]!;
        out[d + 2] = src[s + 2]!;
      }
    }
    return;
  }
  for (let y = 0; y < oh; y++) {
    let s = start(y);
    for (let x = 0; x < ow; x++, s += step, d += 3) {
      out[d] = src[s]! >> shift;
      out[d + 1] = src[s + 1]! >> shift;
      out[d + 2] = src[s + 2]! >> shift;
    }
  }
}
