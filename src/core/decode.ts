// Bytes of an image file -> RgbImage, pixel for pixel what OpenCV's cv2.imread(path,
// IMREAD_COLOR) returns (as RGB). The size is checked from the header first, so a 60000x60000
// PNG is refused without allocating its pixels. JPEG, WebP and AVIF go through WebAssembly
// codecs (codecs/), 8-bit RGB and RGBA PNG through codecs/pngRead.ts, other PNG through pngjs,
// BMP, GIF and TIFF through jimp's JavaScript codecs.

import { SegmentationError, isSegmentationError } from './errors';
import { checkGifFrame, checkPngData, firstTiffPage, pngTransparentKey } from './decodeGuards';
import { FORMAT_LABELS, readImageHeader, sniffFormat, sniffUnsupportedFormat, tiffDataEnd, type ImageFormat } from './header';
import { jimpFormat } from './jimpLoader';
import { isOutOfMemory, type PixelSink } from './codecs/emscripten';
import { JpegNeedsFallback, decodeJpegWasm, tooLargeForMemory } from './codecs/jpeg';
import { jpegOrientation, orientedSize, pngOrientation, tiffOrientation, toOrientedRgb, type Orientation } from './codecs/orientation';
import { readPngRows } from './codecs/pngRead';
import { decodeAvifWasm, decodeWebpWasm } from './codecs/webpAvif';
import type { RgbImage } from './types';
import { imageFormatsText } from '../shared/formats';

export const DEFAULT_MAX_PIXELS = 100_000_000;

export interface DecodeOptions {
  /** Refuse images with more pixels than this (default 100 megapixels). */
  maxPixels?: number;
  /**
   * Allocates the final RGB pixel buffer (width x height x 3 bytes), e.g. as a view of a
   * SharedArrayBuffer; default `new Uint8Array(bytes)`. Called once, after the image decoded.
   */
  alloc?: (bytes: number) => Uint8Array;
  /** A JPEG decoder's heap (see codecs/jpeg.ts's jpegDecoderPages), paged in ahead by another thread. */
  jpegHeap?: WebAssembly.Memory;
}

function megapixels(pixels: number): string {
  const mp = pixels / 1e6;
  return mp >= 10 ? mp.toFixed(0) : mp >= 0.1 ? mp.toFixed(1) : mp.toPrecision(2);
}

/** A decoder's output before it becomes RGB: `channels` samples a pixel, 8 or 16 bits. */
interface Raw {
  width: number;
  height: number;
  data: Uint8Array | Uint16Array;
  channels: number;
  /** 8 for 16-bit samples (OpenCV keeps their high byte), else 0. */
  shift: number;
  orientation: Orientation;
  /** The finished RGB image, when a WebAssembly decoder's pixels went straight into it. */
  done?: RgbImage;
}

type Alloc = (bytes: number) => Uint8Array;

/** The caller's `alloc` threw (not for want of memory): passed on unchanged, never called corrupt. */
class CallerFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('the caller\'s alloc failed');
  }
}

export async function decodeImage(bytes: Uint8Array, name: string, opts: DecodeOptions = {}): Promise<RgbImage> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (bytes.length === 0) throw new SegmentationError('not-an-image', 'empty file (0 bytes), not an image', name);
  const format = sniffFormat(bytes);
  if (!format) {
    const other = sniffUnsupportedFormat(bytes);
    if (other) throw new SegmentationError('unsupported-image', `${other} images are not supported: use ${imageFormatsText('or')}`, name);
    throw new SegmentationError('not-an-image', `not a supported image (expected ${imageFormatsText('or')})`, name);
  }
  const label = FORMAT_LABELS[format];
  const header = readImageHeader(bytes);
  if (!header) throw new SegmentationError('corrupt-image', `truncated or corrupt ${label} header`, name);
  const pixels = header.width * header.height;
  if (pixels > maxPixels) {
    throw new SegmentationError(
      'too-large',
      `${header.width}x${header.height} ${label} is ${megapixels(pixels)} megapixels, over the limit of ${megapixels(maxPixels)} megapixels`,
      name,
    );
  }
  const what = `${header.width}x${header.height} ${label} (${megapixels(pixels)} megapixels)`;

  const alloc: Alloc = (n) => {
    try {
      return opts.alloc ? opts.alloc(n) : new Uint8Array(n);
    } catch (e) {
      if (isOutOfMemory(e)) throw tooLargeForMemory(name, what, e);
      throw new CallerFailure(e);
    }
  };
  let raw: Raw;
  try {
    raw = await decodeRaw(format, bytes, name, header, what, maxPixels, alloc, opts.jpegHeap);
  } catch (e) {
    if (e instanceof CallerFailure) throw e.cause; // the caller's own allocator: its bug, as it is
    if (isSegmentationError(e)) throw e;
    if (isOutOfMemory(e)) throw tooLargeForMemory(name, what, e);
    const err = new SegmentationError('corrupt-image', `corrupt or truncated ${label} data, cannot decode`, name);
    err.cause = e;
    throw err;
  }
  if (raw.done) return raw.done;
  // from here on, alloc's errors reach the caller directly
  const callerAlloc: Alloc = (n) => {
    try {
      return alloc(n);
    } catch (e) {
      throw e instanceof CallerFailure ? e.cause : e;
    }
  };
  const { width, height, data, channels } = raw;
  if (!(width > 0 && height > 0) || data.length < width * height * channels) {
    throw new SegmentationError('corrupt-image', `corrupt ${label} data: decoded to no pixels`, name);
  }
  // A decoder may go by a size other than the one the header check saw (a GIF frame, a WebP canvas).
  if (width * height > maxPixels) {
    throw new SegmentationError('too-large', `${width}x${height} ${label} is ${megapixels(width * height)} megapixels, over the limit of ${megapixels(maxPixels)} megapixels`, name);
  }
  return toRgbImage(data, channels, width, height, raw.orientation, callerAlloc, raw.shift);
}

function toRgbImage(data: Uint8Array | Uint16Array, channels: number, width: number, height: number, o: Orientation, alloc: Alloc, shift = 0): RgbImage {
  const size = orientedSize(width, height, o);
  const n = size.width * size.height * 3;
  const out = alloc(n);
  toOrientedRgb(data, channels, width, height, o, out, shift);
  return { width: size.width, height: size.height, data: out.length === n ? out : out.subarray(0, n) };
}

/**
 * A WebAssembly decoder's pixel sink (see codecs/emscripten.ts): RGBA of the size the header
 * gave goes straight into the caller's RGB buffer, oriented; anything else is left to the glue.
 */
function sinkInto(target: { done?: RgbImage }, size: { width: number; height: number }, o: Orientation, alloc: Alloc): PixelSink {
  return (rgba) => {
    if (rgba.length !== size.width * size.height * 4) return false;
    target.done = toRgbImage(rgba, 4, size.width, size.height, o, alloc);
    return true;
  };
}

async function decodeRaw(
  format: ImageFormat,
  bytes: Uint8Array,
  name: string,
  size: { width: number; height: number },
  what: string,
  maxPixels: number,
  alloc: Alloc,
  jpegHeap: WebAssembly.Memory | undefined,
): Promise<Raw> {
  const target: { done?: RgbImage } = {};
  const rgba = (d: { width: number; height: number; data: Uint8Array }, orientation: Orientation = 1): Raw => ({
    width: d.width,
    height: d.height,
    data: d.data,
    channels: 4,
    shift: 0,
    orientation,
    done: target.done,
  });
  const buffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  switch (format) {
    case 'jpeg': {
      const orientation = jpegOrientation(bytes) ?? 1;
      try {
        return rgba(await decodeJpegWasm(bytes, name, what, sinkInto(target, size, orientation, alloc), jpegHeap), orientation);
      } catch (e) {
        if (!(e instanceof JpegNeedsFallback)) throw e;
      }
      // CMYK and YCCK (mozjpeg's build converts only to RGB): jpeg-js, within the pixel limit
      // (it would otherwise fill a truncated JPEG with grey and stop at its own 100 MP cap). Its
      // memory cap counts what it allocates: a 4-component image takes about 20 bytes a pixel
      // (coefficients, planes, RGBA), so a cap of 8 refused a valid 64 MP CMYK photo.
      const limits = {
        tolerantDecoding: false,
        maxResolutionInMP: Math.ceil(maxPixels / 1e6) + 1,
        maxMemoryUsageInMB: Math.max(512, Math.ceil((maxPixels * 24) / 2 ** 20)),
      };
      try {
        return rgba(await jimpFormat('jpeg').decode(buffer(bytes), limits), orientation);
      } catch (e) {
        if (/maxMemoryUsageInMB|maxResolutionInMP/.test(String((e as Error)?.message))) throw tooLargeForMemory(name, what, e);
        throw e;
      }
    }
    case 'webp':
      return rgba(await decodeWebpWasm(bytes, name, size, what, sinkInto(target, size, 1, alloc)));
    case 'avif':
      return rgba(await decodeAvifWasm(bytes, name, size, what, sinkInto(target, size, 1, alloc)));
    case 'png':
      return decodePng(bytes, name);
    case 'tiff': {
      const end = tiffDataEnd(bytes);
      if (end !== undefined && end > bytes.length) {
        throw new SegmentationError('corrupt-image', `truncated TIFF: pixel data ends at byte ${end} of a ${bytes.length}-byte file`, name);
      }
      // the header alone does not bound what utif2 does (see decodeGuards.ts)
      const page = firstTiffPage(bytes, name, maxPixels);
      return rgba(await jimpFormat('tiff').decode(buffer(page)), tiffOrientation(bytes) ?? 1);
    }
    case 'gif':
      checkGifFrame(bytes, name, maxPixels);
      return rgba(await jimpFormat('gif').decode(buffer(bytes)));
    case 'bmp':
      return rgba(await jimpFormat('bmp').decode(buffer(bytes)));
  }
}

interface PngjsImage {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  data: Uint8Array | Uint16Array;
}

/**
 * pngjs with what OpenCV does differently put right: 16-bit samples keep their high byte
 * (pngjs would round), and a tRNS colour key keeps its colour (pngjs blanks those pixels to
 * transparent black; OpenCV's IMREAD_COLOR drops transparency and keeps what is stored).
 */
function decodePng(bytes: Uint8Array, name: string): Raw {
  const rows = checkPngData(bytes, name);
  const read = rows && readPngRows(bytes, rows);
  if (read) return { width: read.width, height: read.height, data: read.data, channels: read.channels, shift: 0, orientation: pngOrientation(bytes) ?? 1 };
  const { PNG } = require('pngjs') as { PNG: { sync: { read(data: Buffer, options?: object): PngjsImage } } };
  const sixteen = bytes.length > 24 && bytes[24] === 16; // IHDR bit depth
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), sixteen ? { skipRescale: true } : {});
  const key = pngTransparentKey(bytes);
  if (key) {
    const d = png.data;
    for (let i = 3; i < d.length; i += 4) {
      if (d[i] === 0) {
        d[i - 3] = key[0];
        d[i - 2] = key[1];
        d[i - 1] = key[2];
      }
    }
  }
  return { width: png.width, height: png.height, data: png.data, channels: 4, shift: sixteen ? 8 : 0, orientation: pngOrientation(bytes) ?? 1 };
}

