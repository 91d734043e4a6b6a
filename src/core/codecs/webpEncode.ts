// WebP writing through libwebp (Squoosh's WebAssembly build, SIMD, as @jimp/wasm-webp ships it),
// with what OpenCV's imwrite does when no quality is given: lossless (libwebp's
// WebPEncodeLossless defaults: quality 70, method 4), so a .webp composite keeps every pixel.
import { SegmentationError } from '../errors';
import { instantiate, isOutOfMemory, type GlueFactory } from './emscripten';

/** libwebp's WebPConfig fields, as the glue's `encode` takes them (all must be present). */
const LOSSLESS = {
  quality: 70,
  target_size: 0,
  target_PSNR: 0,
  method: 4,
  sns_strength: 50,
  filter_strength: 60,
  filter_sharpness: 0,
  filter_type: 1,
  partitions: 0,
  segments: 4,
  pass: 1,
  show_compressed: 0,
  preprocessing: 0,
  autofilter: 0,
  partition_limit: 0,
  alpha_compression: 1,
  alpha_filtering: 1,
  alpha_quality: 100,
  lossless: 1,
  exact: 0,
  image_hint: 0,
  emulate_jpeg_size: 0,
  thread_level: 0,
  low_memory: 0,
  near_lossless: 100,
  use_delta_palette: 0,
  use_sharp_yuv: 0,
};

/** WebP's format limit on each side. */
export const WEBP_MAX_SIDE = 16383;

interface Encoder {
  encode(rgba: Uint8Array, width: number, height: number, options: typeof LOSSLESS): Uint8Array | null | undefined;
}

export async function encodeWebp(rgb: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  if (width > WEBP_MAX_SIDE || height > WEBP_MAX_SIDE) {
    throw new SegmentationError(
      'too-large',
      `a ${width}x${height} image cannot be saved as WebP, which holds at most ${WEBP_MAX_SIDE} pixels a side: choose PNG, JPEG, BMP or TIFF`,
    );
  }
  const factory = (require('@jsquash/webp/codec/enc/webp_enc_simd.js') as { default: GlueFactory<Encoder> }).default;
  const { codec, messages } = await instantiate(factory, 'webp_enc_simd');
  const pixels = width * height;
  const rgba = new Uint8Array(pixels * 4);
  for (let i = 0, j = 0; i < pixels * 3; i += 3, j += 4) {
    rgba[j] = rgb[i]!;
    rgba[j + 1] = rgb[i + 1]!;
    rgba[j + 2] = rgb[i + 2]!;
    rgba[j + 3] = 255;
  }
  let out: Uint8Array | null | undefined;
  try {
    out = codec.encode(rgba, width, height, LOSSLESS);
  } catch (e) {
    if (isOutOfMemory(e, messages)) {
      throw new SegmentationError('out-of-memory', `a ${width}x${height} image is too large for the memory available to encode it as WebP: choose PNG`);
    }
    throw e;
  }
  if (!out) throw new Error(`WebP encoder failed on a ${width}x${height} image${messages.length ? `: ${messages.join('; ')}` : ''}`);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
