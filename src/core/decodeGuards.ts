// Structure checks the header size check cannot make, for decoders that trust what a file says:
// - GIF: the decoder loops over the first frame's own width x height, which may be far larger
//   than the logical screen the header gives (a 1x1 screen with a 65535x65535 frame hangs it).
// - TIFF: utif2 follows the IFD chain without loop detection (a chain pointing back to itself
//   grows memory until the process aborts), reads any value count a tag claims (0xFFFFFFF0 values
//   abort the process), recurses into SubIFD/EXIF pointers without a depth limit, and decodes
//   every page, not just the first. Only the first page is ever used, so the decoder is handed a
//   copy with the chain cut and the pointer tags disarmed, after every tag is checked to lie
//   inside the file and the page's raw size is checked against the pixel limit.
// - PNG: pngjs inflates non-interlaced pixel data with its own wrapper around zlib, which misses
//   zlib's errors: a damaged deflate stream then "decodes" to whatever an uninitialised buffer
//   held (garbage pixels, or bytes of this process's memory written into an output image; seen
//   in about 1 run of 50). So the stream is inflated here first, with zlib's own checks.
import { constants, inflateSync } from 'node:zlib';
import { SegmentationError } from './errors';
import { pngChunks } from './codecs/pngChunks';

const MP = (n: number): string => (n / 1e6).toFixed(n >= 1e7 ? 0 : 1);

/** Size of the first frame of a GIF (its image descriptor) and where its LZW data starts. */
export function gifFirstFrameSize(bytes: Uint8Array): { width: number; height: number; dataAt: number } | undefined {
  if (bytes.length < 13) return undefined;
  const flags = bytes[10]!;
  let p = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  while (p < bytes.length) {
    const block = bytes[p]!;
    if (block === 0x2c) {
      if (p + 9 > bytes.length) return undefined;
      const lf = bytes[p + 9]!;
      const dataAt = p + 10 + (lf & 0x80 ? 3 * 2 ** ((lf & 7) + 1) : 0);
      return { width: bytes[p + 5]! | (bytes[p + 6]! << 8), height: bytes[p + 7]! | (bytes[p + 8]! << 8), dataAt };
    }
    if (block !== 0x21) return undefined;
    p += 2;
    while (p < bytes.length && bytes[p] !== 0) p += bytes[p]! + 1;
    p++;
  }
  return undefined;
}

/**
 * Refuses a GIF whose first frame has more pixels than allowed, whatever its screen says, or
 * whose LZW codes the decoder (omggif) would loop on forever.
 */
export function checkGifFrame(bytes: Uint8Array, name: string, maxPixels: number): void {
  const frame = gifFirstFrameSize(bytes);
  if (!frame) return;
  if (frame.width * frame.height > maxPixels) {
    throw new SegmentationError(
      'too-large',
      `GIF frame of ${frame.width}x${frame.height} is ${MP(frame.width * frame.height)} megapixels, over the limit of ${MP(maxPixels)} megapixels`,
      name,
    );
  }
  const bad = gifLzwProblem(bytes, frame.dataAt, frame.width * frame.height);
  if (bad) throw new SegmentationError('corrupt-image', `corrupt GIF data: ${bad}`, name);
}

/**
 * Replays omggif's LZW reading of the first frame without producing pixels, and says what is
 * wrong when a code names a table entry that does not exist yet: omggif does not check that,
 * and such an entry can make its prefix chase cycle forever. Reads bits exactly as omggif does
 * (bytes past the end read as 0) and stops where it stops: end of data, end code, output full.
 */
export function gifLzwProblem(bytes: Uint8Array, at: number, outputLength: number): string | undefined {
  let p = at;
  const minCodeSize = bytes[p++] ?? 0;
  if (minCodeSize > 11) return `LZW minimum code size ${minCodeSize}`;
  const clear = 1 << minCodeSize;
  const eoi = clear + 1;
  let next = eoi + 1;
  let size = minCodeSize + 1;
  let mask = (1 << size) - 1;
  let shift = 0;
  let cur = 0;
  let op = 0;
  let sub: number = bytes[p++] ?? NaN;
  // Entry lengths, to follow the output position as omggif does.
  const lengths = new Int32Array(4096).fill(1);
  let prev: number | null = null;
  for (;;) {
    while (shift < 16) {
      if (sub === 0) break;
      cur |= (bytes[p++] ?? 0) << shift;
      shift += 8;
      if (sub === 1) sub = bytes[p++] ?? NaN;
      else sub--;
    }
    if (shift < size) return undefined;
    const code = cur & mask;
    cur >>= size;
    shift -= size;
    if (code === clear) {
      next = eoi + 1;
      size = minCodeSize + 1;
      mask = (1 << size) - 1;
      prev = null;
      continue;
    }
    if (code === eoi) return undefined;
    if (prev === null ? code >= clear : code > next) return `code ${code} before table entry ${next} exists`;
    const length = code < next ? lengths[code]! : lengths[prev!]! + 1;
    op += length;
    if (op > outputLength) return undefined;
    if (prev !== null && next < 4096) {
      lengths[next++] = lengths[prev]! + 1;
      if (next >= mask + 1 && size < 12) {
        size++;
        mask = (mask << 1) | 1;
      }
    }
    prev = code;
  }
}

/** Bytes per value of each TIFF field type 1-13 (index = type). */
const TIFF_TYPE_SIZE = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4];
/** Tags utif2 follows as pointers to further IFDs (SubIFDs, EXIF, GPS, DNG private, and 61440). */
const POINTER_TAGS = new Set([330, 34665, 34853, 50740, 61440]);
/** A private tag number nothing reads: a disarmed pointer tag becomes this. */
const INERT_TAG = 65000;
const MAX_TIFF_ENTRIES = 1000;

/**
 * A copy of a TIFF the decoder can read safely: first page only, no pointer tags, every tag's
 * values inside the file. Throws corrupt-image or too-large otherwise.
 */
export function firstTiffPage(bytes: Uint8Array, name: string, maxPixels: number): Uint8Array {
  const corrupt = (why: string): SegmentationError => new SegmentationError('corrupt-image', `corrupt TIFF: ${why}`, name);
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const le = out[0] === 0x49;
  const ifd = view.getUint32(4, le);
  if (ifd < 8 || ifd + 2 > out.length) throw corrupt('the first directory lies outside the file');
  const count = view.getUint16(ifd, le);
  if (count === 0 || count > MAX_TIFF_ENTRIES) throw corrupt(`the first directory claims ${count} entries`);
  const end = ifd + 2 + count * 12;
  if (end > out.length) throw corrupt('the first directory runs past the end of the file');
  const short = (at: number, type: number): number => (type === 3 ? view.getUint16(at, le) : view.getUint32(at, le));
  let spp = 1;
  let bps = 1;
  let width = 0;
  let height = 0;
  for (let i = 0; i < count; i++) {
    const at = ifd + 2 + i * 12;
    const tag = view.getUint16(at, le);
    const type = view.getUint16(at + 2, le);
    const n = view.getUint32(at + 4, le);
    if (type < 1 || type > 13) throw corrupt(`tag ${tag} has unknown type ${type}`);
    const size = TIFF_TYPE_SIZE[type]! * n;
    const valueAt = size <= 4 ? at + 8 : view.getUint32(at + 8, le);
    if (valueAt + size > out.length) throw corrupt(`tag ${tag} claims ${n} values past the end of the file`);
    if (POINTER_TAGS.has(tag)) view.setUint16(at, INERT_TAG, le);
    if (n > 0 && (type === 3 || type === 4)) {
      if (tag === 256) width = short(valueAt, type);
      else if (tag === 257) height = short(valueAt, type);
      else if (tag === 277) spp = short(valueAt, type);
      else if (tag === 258) for (let j = 0; j < n; j++) bps = Math.max(bps, short(valueAt + j * TIFF_TYPE_SIZE[type]!, type));
    }
  }
  // 4 samples of 32 bits (float RGBA) is the most any image this decoder can read has; a claim of
  // thousands of samples would make it allocate and walk hundreds of MB for a tiny image.
  if (spp * bps > 128) throw corrupt(`${spp} samples of ${bps} bits per pixel`);
  // The decoder's raw buffer is width x height x samples x bits; 16-bit RGBA (8 bytes a pixel) is
  // the most a sound image the pixel limit allows needs.
  const rawBytes = (width * height * spp * bps) / 8;
  if (rawBytes > maxPixels * 8) {
    throw new SegmentationError(
      'too-large',
      `TIFF page of ${width}x${height} with ${spp} samples of ${bps} bits needs ${MP(rawBytes)} MB, over the limit`,
      name,
    );
  }
  // Cut the chain after the first page (the next-directory offset may be missing at the very end).
  if (end + 4 <= out.length) view.setUint32(end, 0, le);
  return out;
}

/** Samples per pixel of each PNG colour type. */
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Checks that a non-interlaced PNG's compressed rows inflate without error to at least the
 * image's size (pngjs's own inflate, see above, would not notice). Files too broken to reach
 * this point (no IHDR, no IDAT, a chunk cut short) are left to pngjs, which rejects them.
 * Returns the inflated rows when they are exactly the image's (codecs/pngRead.ts reads them).
 */
export function checkPngData(bytes: Uint8Array, name: string): Uint8Array | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  let depth = 0;
  let colorType = -1;
  let interlaced = false;
  const parts: Uint8Array[] = [];
  for (const { type, data, length } of pngChunks(bytes)) {
    if (type === 'IHDR' && length >= 13) {
      width = view.getUint32(data);
      height = view.getUint32(data + 4);
      depth = bytes[data + 8]!;
      colorType = bytes[data + 9]!;
      interlaced = bytes[data + 12] !== 0;
    } else if (type === 'IDAT') {
      parts.push(bytes.subarray(data, data + length));
    } else if (type === 'IEND') {
      break;
    }
  }
  const channels = PNG_CHANNELS[colorType];
  // interlaced data goes through zlib.inflateSync in pngjs, which does throw
  if (interlaced || !channels || parts.length === 0 || width === 0 || height === 0) return undefined;
  const need = (Math.ceil((width * channels * depth) / 8) + 1) * height;
  let rows: Uint8Array;
  try {
    // A missing end of stream is tolerated, as decoders do; damaged data is not.
    rows = inflateSync(Buffer.concat(parts), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: need });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return undefined; // more than enough rows
    throw new SegmentationError('corrupt-image', 'corrupt PNG data: the compressed pixel rows are damaged', name);
  }
  if (rows.length < need) {
    throw new SegmentationError('corrupt-image', `truncated PNG data: ${rows.length} of the ${need} bytes of pixel rows`, name);
  }
  return rows;
}

/**
 * The colour a gray or RGB PNG's tRNS chunk marks transparent, as R, G, B in the scale pngjs
 * returns samples in (16-bit stays 16-bit, lower depths are scaled to 8 bits); undefined when
 * there is none or the image has a palette or an alpha channel.
 */
export function pngTransparentKey(bytes: Uint8Array): [number, number, number] | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 33) return undefined;
  const depth = bytes[24]!;
  const colorType = bytes[25]!;
  if (colorType !== 0 && colorType !== 2) return undefined;
  for (const { type, data, length } of pngChunks(bytes)) {
    if (type === 'IDAT' || type === 'IEND') return undefined;
    if (type === 'tRNS') {
      const scale = (v: number): number => (depth < 8 ? Math.round((v * 255) / ((1 << depth) - 1)) : v);
      if (colorType === 0 && length >= 2) {
        const g = scale(view.getUint16(data));
        return [g, g, g];
      }
      if (colorType === 2 && length >= 6) return [scale(view.getUint16(data)), scale(view.getUint16(data + 2)), scale(view.getUint16(data + 4))];
      return undefined;
    }
  }
  return undefined;
}
