// WebP (libwebp) and AVIF (libavif with dav1d) decoders, as Squoosh built them to WebAssembly
// and jimp's @jimp/wasm-webp and @jimp/wasm-avif ship them. libwebp is the library under
// OpenCV's cv2.imread of a WebP (same integer YUV->RGB and fancy upsampling), so the pixels are
// OpenCV's; OpenCV 4.6 reads no AVIF, VS Code's image preview does. Both decoders return nothing
// on failure and say nothing about why: a sound file they cannot read is recognised beforehand
// from its header (an animated WebP), anything else that fails is damaged data.
import { SegmentationError } from '../errors';
import { WASM_HEAP_MAX, abortedOutOfHeap, instantiate, isOutOfMemory, type DecodedRgba, type GlueFactory, type PixelSink, SinkFailure } from './emscripten';
import { noMemoryToStart, overHeapLimit, tooLargeForMemory } from './jpeg';

interface Decoder {
  decode(data: Uint8Array): DecodedRgba | null | undefined;
}

/** VP8X flag bit of an animated WebP. */
const WEBP_ANIMATION = 0x02;

export function isAnimatedWebp(bytes: Uint8Array): boolean {
  return bytes.length >= 21 && String.fromCharCode(...bytes.subarray(12, 16)) === 'VP8X' && (bytes[20]! & WEBP_ANIMATION) !== 0;
}

/** The kind of a WebP's image data: the first VP8 or VP8L chunk, after any VP8X/ICCP/ALPH. */
export function webpImageChunk(bytes: Uint8Array): 'VP8 ' | 'VP8L' | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 12; at + 8 <= bytes.length; ) {
    const type = String.fromCharCode(...bytes.subarray(at, at + 4));
    if (type === 'VP8 ' || type === 'VP8L') return type;
    at += 8 + view.getUint32(at + 4, true) + (view.getUint32(at + 4, true) & 1);
  }
  return undefined;
}

export async function decodeWebpWasm(bytes: Uint8Array, name: string, size: { width: number; height: number }, what: string, sink?: PixelSink): Promise<DecodedRgba> {
  const { width, height } = size;
  if (isAnimatedWebp(bytes)) {
    // cv2.imread (OpenCV 4.6) refuses these too
    throw new SegmentationError('unsupported-image', 'animated WebP is not supported: save one frame as a still image', name);
  }
  // lossless decoding keeps a 32-bit ARGB copy of the picture beside the RGBA output
  const need = width * height * (webpImageChunk(bytes) === 'VP8L' ? 8 : 4) + bytes.length + 16 * 2 ** 20;
  if (need > WASM_HEAP_MAX) throw overHeapLimit(name, what, need);
  const factory = (require('@jsquash/webp/codec/dec/webp_dec.js') as { default: GlueFactory<Decoder> }).default;
  return run(() => instantiate(factory, 'webp_dec'), bytes, name, what, 'WebP', sink);
}

/** AV1's largest picture (level 6.x MaxPicSize): decoders refuse larger frames. */
export const AV1_MAX_PICTURE = 35_651_584;

/** True when the AVIF's primary image is a grid of tiles (an item of type 'grid'). */
export function isAvifGrid(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, Math.min(bytes.length, 1 << 16));
  for (let i = 0; i + 4 <= head.length; i++) {
    if (head[i] === 0x67 && head[i + 1] === 0x72 && head[i + 2] === 0x69 && head[i + 3] === 0x64) return true; // "grid"
  }
  return false;
}

export async function decodeAvifWasm(bytes: Uint8Array, name: string, size: { width: number; height: number }, what: string, sink?: PixelSink): Promise<DecodedRgba> {
  // the RGBA output, and the YUV planes it is made from (up to 3 planes of 16-bit samples)
  const need = size.width * size.height * 10 + bytes.length + 32 * 2 ** 20;
  if (need > WASM_HEAP_MAX) throw overHeapLimit(name, what, need);
  const factory = (require('@jsquash/avif/codec/dec/avif_dec.js') as { default: GlueFactory<Decoder> }).default;
  // a single AV1 frame past AV1's largest level: sound by the container, refused by every decoder
  const oversized = (): SegmentationError | undefined =>
    size.width * size.height > AV1_MAX_PICTURE && !isAvifGrid(bytes)
      ? new SegmentationError(
          'unsupported-image',
          `${what} is one AV1 frame, larger than AV1 decoders accept (35.7 megapixels, AV1's largest level): large AVIFs are stored as a grid of tiles`,
          name,
        )
      : undefined;
  return run(() => instantiate(factory, 'avif_dec'), bytes, name, what, 'AVIF', sink, oversized);
}

async function run(
  make: () => ReturnType<typeof instantiate<Decoder>>,
  bytes: Uint8Array,
  name: string,
  what: string,
  label: string,
  sink: PixelSink = () => false,
  /** Why a sound file failed, when it can be told from the file (else it is damaged data). */
  explain: () => SegmentationError | undefined = () => undefined,
): Promise<DecodedRgba> {
  const corrupt = `corrupt or truncated ${label} data, cannot decode`;
  let instance;
  try {
    instance = await make();
  } catch (e) {
    if (isOutOfMemory(e)) throw noMemoryToStart(name, label, e);
    throw e;
  }
  const { codec, messages, withSink } = instance;
  let result: DecodedRgba | null | undefined;
  try {
    result = withSink(sink, () => codec.decode(bytes));
  } catch (e) {
    if (e instanceof SinkFailure) throw e.cause;
    if (isOutOfMemory(e, messages) || abortedOutOfHeap(e, codec)) throw tooLargeForMemory(name, what, e);
    const err = explain() ?? new SegmentationError('corrupt-image', corrupt, name);
    err.cause = e;
    throw err;
  }
  if (!result || !(result.width > 0 && result.height > 0)) {
    if (isOutOfMemory(undefined, messages)) throw tooLargeForMemory(name, what, new Error(messages.join('; ')));
    throw explain() ?? new SegmentationError('corrupt-image', corrupt, name);
  }
  return result;
}
