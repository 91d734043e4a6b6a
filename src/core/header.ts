// Image size from the first bytes of a file, so a huge image is refused before any decoder
// allocates its pixels. Reads only headers; never decodes.

export type ImageFormat = 'png' | 'jpeg' | 'bmp' | 'gif' | 'tiff';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

export const FORMAT_LABELS: Record<ImageFormat, string> = {
  png: 'PNG',
  jpeg: 'JPEG',
  bmp: 'BMP',
  gif: 'GIF',
  tiff: 'TIFF',
};

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) return false;
  return prefix.every((b, i) => bytes[i] === b);
}

/** The format named by the magic bytes alone, whether or not the rest of the header is sound. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x42, 0x4d])) return 'bmp';
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38]) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) {
    return 'gif';
  }
  // Classic TIFF only: BigTIFF (version 43) is not read by the decoder either.
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  return undefined;
}

/**
 * Format and size from the header, or undefined when the magic bytes are unknown or the header
 * is truncated or names a zero size.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  const format = sniffFormat(bytes);
  if (!format) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = SIZE_READERS[format](bytes, view);
  if (!size || size.width <= 0 || size.height <= 0) return undefined;
  return { format, ...size };
}

type Size = { width: number; height: number } | undefined;

const SIZE_READERS: Record<ImageFormat, (bytes: Uint8Array, view: DataView) => Size> = {
  png: pngSize,
  jpeg: jpegSize,
  bmp: bmpSize,
  gif: gifSize,
  tiff: tiffSize,
};

function pngSize(bytes: Uint8Array, view: DataView): Size {
  // The first chunk must be IHDR: length 13, then width and height, big-endian.
  if (bytes.length < 24) return undefined;
  const isIhdr = bytes[12] === 0x49 && bytes[13] === 0x48 && bytes[14] === 0x44 && bytes[15] === 0x52;
  if (!isIhdr) return undefined;
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Start-of-frame markers carry the size; DHT (C4), JPG (C8) and DAC (CC) share the range. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegSize(bytes: Uint8Array, view: DataView): Size {
  let pos = 2;
  while (pos + 1 < bytes.length) {
    if (bytes[pos] !== 0xff) return undefined;
    const marker = bytes[pos + 1]!;
    if (marker === 0xff) {
      pos += 1; // fill byte before a marker
      continue;
    }
    pos += 2;
    // Markers without a length field.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue;
    // Image data or end of image before any frame header: no size to read.
    if (marker === 0xda || marker === 0xd9) return undefined;
    if (pos + 2 > bytes.length) return undefined;
    const length = view.getUint16(pos);
    if (length < 2) return undefined;
    if (isStartOfFrame(marker)) {
      // length(2) precision(1) height(2) width(2)
      if (length < 7 || pos + 7 > bytes.length) return undefined;
      return { height: view.getUint16(pos + 3), width: view.getUint16(pos + 5) };
    }
    pos += length;
  }
  return undefined;
}

function bmpSize(bytes: Uint8Array, view: DataView): Size {
  if (bytes.length < 18) return undefined;
  const dibSize = view.getUint32(14, true);
  if (dibSize === 12) {
    // OS/2 BITMAPCOREHEADER: 16-bit unsigned sizes.
    if (bytes.length < 22) return undefined;
    return { width: view.getUint16(18, true), height: view.getUint16(20, true) };
  }
  if (dibSize < 40 || bytes.length < 26) return undefined;
  // A negative height means rows stored top-down; the size is its magnitude.
  return { width: view.getInt32(18, true), height: Math.abs(view.getInt32(22, true)) };
}

function gifSize(bytes: Uint8Array, view: DataView): Size {
  // The logical screen: the decoder draws the first frame into a canvas of this size.
  if (bytes.length < 10) return undefined;
  return { width: view.getUint16(6, true), height: view.getUint16(8, true) };
}

const TIFF_IMAGE_WIDTH = 256;
const TIFF_IMAGE_LENGTH = 257;
const TIFF_SHORT = 3;
const TIFF_LONG = 4;

function tiffSize(bytes: Uint8Array, view: DataView): Size {
  const le = bytes[0] === 0x49;
  if (bytes.length < 8) return undefined;
  const ifd = view.getUint32(4, le);
  if (ifd < 8 || ifd + 2 > bytes.length) return undefined;
  const count = view.getUint16(ifd, le);
  let width: number | undefined;
  let height: number | undefined;
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > bytes.length) return undefined;
    const tag = view.getUint16(entry, le);
    if (tag !== TIFF_IMAGE_WIDTH && tag !== TIFF_IMAGE_LENGTH) continue;
    const type = view.getUint16(entry + 2, le);
    // A single SHORT sits left-justified in the 4-byte value field, in the file's byte order.
    let value: number;
    if (type === TIFF_SHORT) value = view.getUint16(entry + 8, le);
    else if (type === TIFF_LONG) value = view.getUint32(entry + 8, le);
    else return undefined;
    if (tag === TIFF_IMAGE_WIDTH) width = value;
    else height = value;
  }
  if (width === undefined || height === undefined) return undefined;
  return { width, height };
}

const TIFF_STRIP_OFFSETS = 273;
const TIFF_STRIP_BYTE_COUNTS = 279;
const TIFF_TILE_OFFSETS = 324;
const TIFF_TILE_BYTE_COUNTS = 325;

/**
 * Where the first TIFF page's pixel data ends, from its strip (or tile) offsets and byte counts;
 * undefined when IFD0 does not say. The decoder reads past the end of a truncated TIFF as zeros
 * without complaint, so the caller compares this with the file's length.
 */
export function tiffDataEnd(bytes: Uint8Array): number | undefined {
  if (sniffFormat(bytes) !== 'tiff' || bytes.length < 8) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = bytes[0] === 0x49;
  const ifd = view.getUint32(4, le);
  if (ifd < 8 || ifd + 2 > bytes.length) return undefined;
  const count = view.getUint16(ifd, le);
  const arrays = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > bytes.length) return undefined;
    const tag = view.getUint16(entry, le);
    const isData = tag === TIFF_STRIP_OFFSETS || tag === TIFF_STRIP_BYTE_COUNTS || tag === TIFF_TILE_OFFSETS || tag === TIFF_TILE_BYTE_COUNTS;
    if (!isData) continue;
    const values = readTiffArray(view, entry, le);
    if (!values) return undefined;
    arrays.set(tag, values);
  }
  const offsets = arrays.get(TIFF_STRIP_OFFSETS) ?? arrays.get(TIFF_TILE_OFFSETS);
  const sizes = arrays.get(TIFF_STRIP_BYTE_COUNTS) ?? arrays.get(TIFF_TILE_BYTE_COUNTS);
  if (!offsets || !sizes || offsets.length !== sizes.length) return undefined;
  let end = 0;
  offsets.forEach((o, i) => (end = Math.max(end, o + sizes[i]!)));
  return end;
}

/** A SHORT or LONG array: inline when it fits the 4-byte value field, else at the offset there. */
function readTiffArray(view: DataView, entry: number, le: boolean): number[] | undefined {
  const type = view.getUint16(entry + 2, le);
  const n = view.getUint32(entry + 4, le);
  const size = type === TIFF_SHORT ? 2 : type === TIFF_LONG ? 4 : 0;
  if (size === 0 || n === 0) return undefined;
  const start = n * size <= 4 ? entry + 8 : view.getUint32(entry + 8, le);
  if (start + n * size > view.byteLength) return undefined;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(size === 2 ? view.getUint16(start + i * 2, le) : view.getUint32(start + i * 4, le));
  }
  return out;
}
