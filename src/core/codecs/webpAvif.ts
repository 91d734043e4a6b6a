// WebP (libwebp) and AVIF (libavif with dav1d) decoders, as Squoosh built them to WebAssembly
// and jimp's @jimp/wasm-webp and @jimp/wasm-avif ship them. libwebp is the library under
// OpenCV's cv2.imread of a WebP (same integer YUV->RGB and fancy upsampling), so the pixels are
// OpenCV's; OpenCV 4.6 reads no AVIF, VS Code's image preview does. Both decoders return nothing
// on failure and say nothing about why: a sound file they cannot read is recognised beforehand
// from its header (an animated WebP), anything else that fails is damaged data.
import { SegmentationError, isSegmentationError } from '../errors';
import { instantiate, isOutOfMemory, type DecodedRgba, type GlueFactory } from './emscripten';
import { tooLargeForMemory } from './jpeg';

interface Decoder {
  decode(data: Uint8Array): DecodedRgba | null | undefined;
}

/** VP8X flag bit of an animated WebP. */
const WEBP_ANIMATION = 0x02;

export function isAnimatedWebp(bytes: Uint8Array): boolean {
  return bytes.length >= 21 && String.fromCharCode(...bytes.subarray(12, 16)) === 'VP8X' && (bytes[20]! & WEBP_ANIMATION) !== 0;
}

export async function decodeWebpWasm(bytes: Uint8Array, name: string, what: string): Promise<DecodedRgba> {
  if (isAnimatedWebp(bytes)) {
    // cv2.imread (OpenCV 4.6) refuses these too
    throw new SegmentationError('unsupported-image', 'animated WebP is not supported: save one frame as a still image', name);
  }
  const factory = (require('@jsquash/webp/codec/dec/webp_dec.js') as { default: GlueFactory<Decoder> }).default;
  return run(() => instantiate(factory, 'webp_dec'), bytes, name, what, 'corrupt or truncated WebP data, cannot decode');
}

export async function decodeAvifWasm(bytes: Uint8Array, name: string, what: string): Promise<DecodedRgba> {
  const factory = (require('@jsquash/avif/codec/dec/avif_dec.js') as { default: GlueFactory<Decoder> }).default;
  return run(() => instantiate(factory, 'avif_dec'), bytes, name, what, 'corrupt or truncated AVIF data, cannot decode');
}

async function run(
  make: () => ReturnType<typeof instantiate<Decoder>>,
  bytes: Uint8Array,
  name: string,
  what: string,
  corrupt: string,
): Promise<DecodedRgba> {
  let result: DecodedRgba | null | undefined;
  let messages: string[] = [];
  try {
    const instance = await make();
    messages = instance.messages;
    result = instance.codec.decode(bytes);
  } catch (e) {
    if (isSegmentationError(e)) throw e; // a missing codec file
    if (isOutOfMemory(e, messages)) throw tooLargeForMemory(name, what, e);
    const err = new SegmentationError('corrupt-image', corrupt, name);
    err.cause = e;
    throw err;
  }
  if (!result || !(result.width > 0 && result.height > 0)) {
    if (isOutOfMemory(undefined, messages)) throw tooLargeForMemory(name, what, new Error(messages.join('; ')));
    throw new SegmentationError('corrupt-image', corrupt, name);
  }
  return result;
}
