// RgbImage -> file bytes in the formats OpenCV's imwrite writes for the reference script's -f: PNG, JPEG, BMP,
// WebP and TIFF, and the 1-byte-per-pixel gray PNG of labels. PNG, TIFF and WebP are written
// as OpenCV writes them by default; JPEG and BMP by jimp's codecs.

import { OPENCV_PNG, VIEW_FLAT_PNG, encodePngRows, type PngSettings, type RowSource } from './codecs/png';
import { encodeTiff } from './codecs/tiff';
import { encodeWebp } from './codecs/webpEncode';
import { loadJimp } from './jimpLoader';
import type { RgbImage } from './types';
import type { OutputFormat } from '../shared/formats';

/** OpenCV's imwrite default JPEG quality. */
export const JPEG_QUALITY = 95;

/**
 * Composites as OpenCV's imwrite writes a PNG by default: every row Sub-filtered, zlib level 1,
 * run-length strategy. Measured on the composite of a 12-megapixel camera photo (8020x3000):
 * 0.5-0.8 s and 29.3 MB (OpenCV's own file: 29.4 MB, 0.63-0.68 s) where jimp's pngjs with a
 * fixed Paeth filter, level 6, took 1.4-1.8 s for 29.5 MB; Paeth at level 1 took 1.1 s, Up
 * 0.6-0.7 s for 28.8 MB, the default strategy at level 2 1.3-1.4 s for 28.2 MB.
 */
const RGB_PNG: PngSettings = OPENCV_PNG;
/**
 * Label images are a few flat gray levels: unfiltered rows, zlib level 1 matching runs only (the
 * panel's pictures of flat colours, VIEW_FLAT_PNG). On a 12 MP photo's labels: 24 ms for 633 KB,
 * where zlib's default strategy at level 6 took 279 ms for 709 KB; over 20 label images of the
 * samples (k 3 and 8, full size and -w 300) 36 ms against 371 ms in all, each file 3 % smaller to
 * 24 % larger (a few kilobytes).
 */
const GRAY_PNG: PngSettings = VIEW_FLAT_PNG;

const MIME = { jpg: 'image/jpeg', bmp: 'image/bmp' } as const;

/** jimp's RGBA bitmap for its JPEG and BMP codecs. */
function toRgba(rgb: Uint8Array, pixels: number): Buffer {
  const out = Buffer.alloc(pixels * 4);
  for (let i = 0, j = 0; i < pixels * 3; i += 3, j += 4) {
    out[j] = rgb[i]!;
    out[j + 1] = rgb[i + 1]!;
    out[j + 2] = rgb[i + 2]!;
    out[j + 3] = 255;
  }
  return out;
}

function checkSize(width: number, height: number, length: number, bytesPerPixel: number): void {
  const whole = Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0;
  if (!whole || length !== width * height * bytesPerPixel) {
    // A caller's bug, not a user's mistake: a plain Error.
    throw new Error(`encode: ${width}x${height} image needs ${width * height * bytesPerPixel} bytes, got ${length}`);
  }
}

export async function encodeImage(img: RgbImage, format: OutputFormat): Promise<Uint8Array> {
  checkSize(img.width, img.height, img.data.length, 3);
  switch (format) {
    case 'png':
      return encodePngRows(img.data, img.width, img.height, 3, RGB_PNG);
    case 'tiff':
      return encodeTiff(img.data, img.width, img.height);
    case 'webp':
      return encodeWebp(img.data, img.width, img.height);
    case 'jpg':
    case 'bmp': {
      const { Jimp } = loadJimp(format === 'jpg' ? 'jpeg' : 'bmp');
      const jimg = new Jimp({ width: img.width, height: img.height, data: toRgba(img.data, img.width * img.height) });
      const options = format === 'jpg' ? { quality: JPEG_QUALITY } : {};
      const out: Buffer = await jimg.getBuffer(MIME[format] as 'image/jpeg', options as never);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    }
  }
}

/** The PNG encodeImage writes, of a picture drawn band by band (see RowSource). */
export function encodeRgbPngRows(rows: RowSource, width: number, height: number): Promise<Uint8Array> {
  return encodePngRows(rows, width, height, 3, RGB_PNG);
}

/** An 8-bit grayscale PNG from 1 byte per pixel (the label image). */
export async function encodeGrayPng(gray: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  checkSize(width, height, gray.length, 1);
  return encodePngRows(gray, width, height, 1, GRAY_PNG);
}
