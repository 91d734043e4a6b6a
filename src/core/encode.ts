// RgbImage -> file bytes (PNG, JPEG, BMP) with jimp, and the 1-byte-per-pixel gray PNG of labels.

import { loadJimp } from './jimpLoader';
import type { OutputFormat, RgbImage } from './types';

/** OpenCV's imwrite default JPEG quality. */
export const JPEG_QUALITY = 95;

/**
 * PNG encoder settings (pngjs under jimp's PNG codec). Measured on the CLI's composites of
 * /work/shared/images (full size and -w 300): pngjs's default adaptive filter tries all five
 * filters on every row and was most of the encode time. A fixed Paeth filter with zlib's
 * run-length strategy gives files within -3 %..+4 % of the adaptive ones; with the repacking
 * skipped (encodePng) the CLI's encode step took 2-3x less time (fruits: ~130-190 ms -> ~55 ms).
 * Under RLE the zlib level hardly matters; 6 avoids jimp's default of 9.
 */
const RGB_PNG = { filterType: 4, deflateLevel: 6, deflateStrategy: 3 } as const;
/**
 * Label images are a few flat gray levels: unfiltered rows deflated with zlib's default strategy
 * were 7 % smaller in total than the adaptive filter (every file within +10 %) and skip the
 * filter pass entirely.
 */
const GRAY_PNG = { filterType: 0, deflateLevel: 6, deflateStrategy: 0 } as const;
const PNG_COLOR = 2;
const PNG_GRAY = 0;

const MIME: Record<OutputFormat, string> = { png: 'image/png', jpg: 'image/jpeg', bmp: 'image/bmp' };

/** The output format for a file extension or a `-f` value (png, jpg, jpeg, bmp; any case, leading dot allowed). */
export function formatFromName(ext: string): OutputFormat | undefined {
  const e = ext.trim().toLowerCase().replace(/^\./, '');
  if (e === 'png') return 'png';
  if (e === 'jpg' || e === 'jpeg') return 'jpg';
  if (e === 'bmp') return 'bmp';
  return undefined;
}

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

/**
 * A PNG straight from packed RGB or gray bytes. pngjs skips its per-pixel repacking when the input
 * colour type equals the output one, so the bytes go to jimp's PNG codec as they are (it forwards
 * unknown options to pngjs) instead of being widened to RGBA and narrowed back. The jimp instance
 * lives only for this call, and jimp hands a PNG bitmap to the codec untouched, so the non-RGBA
 * bitmap is never seen by anything else.
 */
async function encodePng(data: Uint8Array, width: number, height: number, colorType: number, settings: object): Promise<Uint8Array> {
  const { Jimp } = loadJimp('png');
  const jimg = new Jimp({ width, height, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) });
  const options = { ...settings, colorType, inputColorType: colorType, inputHasAlpha: false };
  const out: Buffer = await jimg.getBuffer('image/png', options as never);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export async function encodeImage(img: RgbImage, format: OutputFormat): Promise<Uint8Array> {
  checkSize(img.width, img.height, img.data.length, 3);
  if (format === 'png') return encodePng(img.data, img.width, img.height, PNG_COLOR, RGB_PNG);
  const { Jimp } = loadJimp(format === 'jpg' ? 'jpeg' : 'bmp');
  const jimg = new Jimp({ width: img.width, height: img.height, data: toRgba(img.data, img.width * img.height) });
  const options = format === 'jpg' ? { quality: JPEG_QUALITY } : {};
  const out: Buffer = await jimg.getBuffer(MIME[format] as 'image/jpeg', options as never);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** An 8-bit grayscale PNG from 1 byte per pixel (the label image). */
export async function encodeGrayPng(gray: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  checkSize(width, height, gray.length, 1);
  return encodePng(gray, width, height, PNG_GRAY, GRAY_PNG);
}
