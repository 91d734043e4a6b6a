// Bytes of an image file -> RgbImage. The size is checked from the header first, so a 60000x60000
// PNG is refused without allocating its pixels.

import { SegmentationError } from './errors';
import { checkGifFrame, checkPngData, firstTiffPage } from './decodeGuards';
import { FORMAT_LABELS, readImageHeader, sniffFormat, tiffDataEnd } from './header';
import { loadJimp } from './jimpLoader';
import type { RgbImage } from './types';

export const DEFAULT_MAX_PIXELS = 100_000_000;

/** File extensions (lower case, no dot) of the formats the decoder reads. */
export const SUPPORTED_EXTENSIONS: readonly string[] = ['png', 'jpg', 'jpeg', 'jpe', 'bmp', 'dib', 'gif', 'tif', 'tiff'];

export interface DecodeOptions {
  /** Refuse images with more pixels than this (default 100 megapixels). */
  maxPixels?: number;
}

function megapixels(pixels: number): string {
  const mp = pixels / 1e6;
  return mp >= 10 ? mp.toFixed(0) : mp >= 0.1 ? mp.toFixed(1) : mp.toPrecision(2);
}

export async function decodeImage(bytes: Uint8Array, name: string, opts: DecodeOptions = {}): Promise<RgbImage> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (bytes.length === 0) throw new SegmentationError('not-an-image', 'empty file (0 bytes), not an image', name);
  const format = sniffFormat(bytes);
  if (!format) {
    throw new SegmentationError('not-an-image', 'not a supported image (expected PNG, JPEG, BMP, GIF or TIFF)', name);
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

  if (format === 'tiff') {
    const end = tiffDataEnd(bytes);
    if (end !== undefined && end > bytes.length) {
      throw new SegmentationError('corrupt-image', `truncated TIFF: pixel data ends at byte ${end} of a ${bytes.length}-byte file`, name);
    }
  }

  // The header alone does not bound what these decoders do (see decodeGuards.ts).
  let input = bytes;
  if (format === 'png') checkPngData(bytes, name);
  if (format === 'gif') checkGifFrame(bytes, name, maxPixels);
  if (format === 'tiff') input = firstTiffPage(bytes, name, maxPixels);

  // Outside the try: a missing decoder is a bug, not a bad file.
  const { Jimp } = loadJimp(format);
  let rgba: { width: number; height: number; data: Uint8Array };
  try {
    const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    // jpeg-js would otherwise fill a truncated JPEG with grey and cap at its own 100 MP limit.
    const jpegLimits = {
      tolerantDecoding: false,
      maxResolutionInMP: Math.ceil(maxPixels / 1e6) + 1,
      maxMemoryUsageInMB: Math.max(512, Math.ceil((maxPixels * 8) / 2 ** 20)),
    };
    const image = await Jimp.fromBuffer(buf, { 'image/jpeg': jpegLimits });
    rgba = image.bitmap;
  } catch (e) {
    const err = new SegmentationError('corrupt-image', `corrupt or truncated ${label} data, cannot decode`, name);
    err.cause = e;
    throw err;
  }
  const { width, height } = rgba;
  if (!(width > 0 && height > 0) || rgba.data.length < width * height * 4) {
    throw new SegmentationError('corrupt-image', `corrupt ${label} data: decoded to no pixels`, name);
  }
  return { width, height, data: rgbaToRgb(rgba.data, width * height) };
}

/** Alpha is dropped, not composited: OpenCV's imread keeps the stored colours. */
export function rgbaToRgb(rgba: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let i = 0, j = 0; i < pixels; i++, j += 4) {
    const o = i * 3;
    out[o] = rgba[j]!;
    out[o + 1] = rgba[j + 1]!;
    out[o + 2] = rgba[j + 2]!;
  }
  return out;
}
