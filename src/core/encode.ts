// RgbImage -> file bytes (PNG, JPEG, BMP) with jimp, and the 1-byte-per-pixel gray PNG of labels.

import { loadJimp } from './jimpLoader';
import type { OutputFormat, RgbImage } from './types';

/** OpenCV's imwrite default JPEG quality. */
export const JPEG_QUALITY = 95;

/**
 * zlib level for PNG. jimp deflates with the run-length strategy (as OpenCV does), for which the
 * level changes little; jimp's own default of 9 only costs time.
 */
const PNG_DEFLATE_LEVEL = 6;
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

function toRgba(data: Uint8Array, pixels: number, bytesPerPixel: 1 | 3): Buffer {
  const out = Buffer.alloc(pixels * 4);
  for (let i = 0, j = 0; i < pixels; i++, j += 4) {
    if (bytesPerPixel === 3) {
      out[j] = data[i * 3]!;
      out[j + 1] = data[i * 3 + 1]!;
      out[j + 2] = data[i * 3 + 2]!;
    } else {
      out[j] = out[j + 1] = out[j + 2] = data[i]!;
    }
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
  const { Jimp } = loadJimp();
  const jimg = new Jimp({ width: img.width, height: img.height, data: toRgba(img.data, img.width * img.height, 3) });
  const options =
    format === 'png'
      ? { colorType: PNG_COLOR, deflateLevel: PNG_DEFLATE_LEVEL }
      : format === 'jpg'
        ? { quality: JPEG_QUALITY }
        : {};
  const out: Buffer = await jimg.getBuffer(MIME[format] as 'image/png', options as never);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** An 8-bit grayscale PNG from 1 byte per pixel (the label image). */
export async function encodeGrayPng(gray: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  checkSize(width, height, gray.length, 1);
  const { Jimp } = loadJimp();
  const jimg = new Jimp({ width, height, data: toRgba(gray, width * height, 1) });
  const out: Buffer = await jimg.getBuffer('image/png', { colorType: PNG_GRAY, deflateLevel: PNG_DEFLATE_LEVEL });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
