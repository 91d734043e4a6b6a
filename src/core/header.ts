// Image size from the first bytes of a file, so a huge image is refused before any decoder
// allocates its pixels. Reads only headers; never decodes.

export type ImageFormat = 'png' | 'jpeg' | 'bmp' | 'gif' | 'tiff' | 'webp' | 'avif';

/** Enough of a file's start for readImageHeader (a JPEG's EXIF and other segments come before the frame's size). */
export const HEADER_BYTES = 256 * 1024;

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
  webp: 'WebP',
  avif: 'AVIF',
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
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP' && /^VP8[ LX]$/.test(ascii(bytes, 12, 4))) return 'webp';
  const brands = ftypBrands(bytes);
  if (brands && (brands.includes('avif') || brands.includes('avis'))) return 'avif';
  return undefined;
}

function ascii(bytes: Uint8Array, at: number, n: number): string {
  if (at + n > bytes.length) return '';
  return String.fromCharCode(...bytes.subarray(at, at + n));
}

/** The major and compatible brands of an ISO-BMFF file's leading `ftyp` box (AVIF, HEIC, ...). */
function ftypBrands(bytes: Uint8Array): string[] | undefined {
  if (bytes.length < 16 || ascii(bytes, 4, 4) !== 'ftyp') return undefined;
  const size = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  if (size < 16 || size > 4096) return undefined;
  const brands = [ascii(bytes, 8, 4)];
  for (let at = 16; at + 4 <= Math.min(size, bytes.length); at += 4) brands.push(ascii(bytes, at, 4));
  return brands;
}

const HEIF_BRANDS = ['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs', 'mif1', 'msf1'];

/**
 * The name of an image format recognised by its magic bytes that no decoder here reads, so the
 * error can name it ("HEIC images are not supported") instead of calling the file no image.
 */
export function sniffUnsupportedFormat(bytes: Uint8Array): string | undefined {
  const head = ascii(bytes, 0, Math.min(bytes.length, 12));
  const brands = ftypBrands(bytes);
  if (brands) {
    if (brands.some((b) => HEIF_BRANDS.includes(b))) return 'HEIC/HEIF';
    if (brands.includes('jp2 ') || brands.includes('jpx ')) return 'JPEG 2000';
    if (brands.includes('jxl ')) return 'JPEG XL';
    return undefined;
  }
  if (startsWith(bytes, [0xff, 0x0a]) || startsWith(bytes, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a])) return 'JPEG XL';
  if (startsWith(bytes, [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a]) || startsWith(bytes, [0xff, 0x4f, 0xff, 0x51])) return 'JPEG 2000';
  if (startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b])) return 'BigTIFF';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'WebP (of an unknown kind)';
  if (startsWith(bytes, [0, 0, 1, 0]) && bytes.length >= 6 && bytes[4]! + bytes[5]! > 0) return 'ICO';
  if (startsWith(bytes, [0, 0, 2, 0]) && bytes.length >= 6 && bytes[4]! + bytes[5]! > 0) return 'CUR';
  if (head.startsWith('8BPS')) return 'Photoshop (PSD)';
  if (startsWith(bytes, [0x76, 0x2f, 0x31, 0x01])) return 'OpenEXR';
  if (head.startsWith('#?RADIANCE') || head.startsWith('#?RGBE')) return 'Radiance HDR';
  if (/^P[1-7][\s#]/.test(head)) return 'PNM (PBM/PGM/PPM)';
  if (/^P[Ff]\s/.test(head)) return 'PFM';
  if (startsWith(bytes, [0x59, 0xa6, 0x6a, 0x95])) return 'Sun Raster';
  if (head.startsWith('qoif')) return 'QOI';
  if (head.startsWith('%PDF')) return 'PDF';
  const text = ascii(bytes, 0, Math.min(bytes.length, 512)).replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(text)) return 'SVG';
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
  webp: webpSize,
  avif: avifSize,
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

/** The canvas (VP8X) or the single frame's size (VP8 lossy, VP8L lossless). */
function webpSize(bytes: Uint8Array, view: DataView): Size {
  const kind = ascii(bytes, 12, 4);
  if (kind === 'VP8X') {
    if (bytes.length < 30) return undefined;
    const u24 = (at: number): number => bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
    return { width: u24(24) + 1, height: u24(27) + 1 };
  }
  if (kind === 'VP8 ') {
    // frame tag (3 bytes), start code 9d 01 2a, then 14-bit width and height (2 bits of scale)
    if (bytes.length < 30 || bytes[23] !== 0x9d || bytes[24] !== 0x01 || bytes[25] !== 0x2a) return undefined;
    return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  }
  if (kind === 'VP8L') {
    if (bytes.length < 25 || bytes[20] !== 0x2f) return undefined;
    const bits = view.getUint32(21, true);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  return undefined;
}

/**
 * The largest image spatial extent (`ispe`) among the item properties of an AVIF: the primary
 * image's, or a grid's full size, whichever is larger, never less than what is decoded.
 */
function avifSize(bytes: Uint8Array, view: DataView): Size {
  let best: Size;
  const walk = (start: number, end: number, depth: number): void => {
    for (let at = start; at + 8 <= end; ) {
      let size = view.getUint32(at);
      const type = ascii(bytes, at + 4, 4);
      let header = 8;
      if (size === 1) {
        if (at + 16 > end) return;
        const big = view.getBigUint64(at + 8);
        if (big > BigInt(end - at)) return;
        size = Number(big);
        header = 16;
      } else if (size === 0) {
        size = end - at;
      }
      if (size < header || at + size > end) return;
      if (depth < 4) {
        if (type === 'meta') walk(at + header + 4, at + size, depth + 1);
        else if (type === 'iprp' || type === 'ipco') walk(at + header, at + size, depth + 1);
      }
      if (type === 'ispe' && size >= header + 12) {
        const width = view.getUint32(at + header + 4);
        const height = view.getUint32(at + header + 8);
        if (!best || width * height > best.width * best.height) best = { width, height };
      }
      at += size;
    }
  };
  walk(0, bytes.length, 0);
  return best;
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
