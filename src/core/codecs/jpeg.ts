// JPEG through mozjpeg (libjpeg-turbo's decoder, as Squoosh built it to WebAssembly and jimp's
// @jimp/wasm-jpeg ships it): the same integer IDCT, fancy chroma upsampling and YCbCr->RGB tables
// as the libjpeg-turbo under OpenCV's cv2.imread, so the pixels are the same, where jpeg-js
// upsampled chroma its own way (up to 33 levels apart on half the values of a photo).
//
// The decoder keeps the stored orientation (the caller applies EXIF as OpenCV does). libjpeg
// reports problems as text: an error stops it, a warning does not. Of the warnings only the first
// is printed (libjpeg's own rule), and it decides: extraneous bytes before a marker leave the
// picture whole (OpenCV reads such files too), anything else (a premature end of the file or of
// a segment, a bad Huffman code) means missing or made-up pixels, and the file is refused.
import { SegmentationError } from '../errors';
import { pageAllInBackground, type PageJob } from '../pager';
import { HEAP_MAX_PAGES, WASM_HEAP_MAX, abortedOutOfHeap, instantiate, isOutOfMemory, type CodecInstance, type DecodedRgba, type GlueFactory, type PixelSink, SinkFailure } from './emscripten';

interface MozjpegDecoder {
  decode(data: Uint8Array, preserveOrientation: boolean): DecodedRgba | null | undefined;
}

/** What the decoder cannot do that a sound JPEG may ask for, by libjpeg's message. */
const UNSUPPORTED: [RegExp, (m: RegExpExecArray) => string][] = [
  [/arithmetic coding is not implemented/i, () => 'arithmetic-coded JPEG is not supported'],
  [/Unsupported JPEG data precision (\d+)/i, (m) => `${m[1]}-bit JPEG is not supported (8 bits per sample only, as OpenCV 4.6)`],
  [/Unsupported JPEG process/i, () => 'lossless or hierarchical JPEG is not supported'],
];

/** Thrown for a JPEG whose colour components mozjpeg cannot turn into RGB (CMYK, YCCK). */
export class JpegNeedsFallback extends Error {}

/**
 * A decoder kept between images on one thread (a batch worker's): a fresh one is a fresh
 * WebAssembly heap, whose every page is faulted in again (tens of megabytes an image; on a VM
 * where that costs ~12 us a page, a tenth of a second a photo). One whose heap grew past this
 * is let go, so a huge image's memory does not stay.
 */
let kept: CodecInstance<MozjpegDecoder> | undefined;
const KEEP_HEAP_BYTES = 256 * 2 ** 20;
let started = 0;

/** JPEG decoders this thread has made (tests). */
export function jpegDecodersStarted(): number {
  return started;
}

/**
 * `heap`: the decoder's heap, a shared memory of jpegDecoderPages pages at most HEAP_MAX_PAGES
 * (which another thread may page in meanwhile); such a decoder is not kept for the next image.
 */
export async function decodeJpegWasm(bytes: Uint8Array, name: string, what: string, sink: PixelSink = () => false, heap?: WebAssembly.Memory): Promise<DecodedRgba> {
  const need = jpegDecoderBytes(bytes);
  if (need > WASM_HEAP_MAX) {
    throw overHeapLimit(name, what, need);
  }
  const factory = (require('@jsquash/jpeg/codec/dec/mozjpeg_dec.js') as { default: GlueFactory<MozjpegDecoder> }).default;
  // This thread's decoder from the image before, if it ended cleanly: taken, so a decode that
  // fails leaves none behind (an aborted instance is not used again).
  let instance = heap ? undefined : kept;
  if (!heap) kept = undefined;
  try {
    if (!instance) {
      // a heap made ahead that the codec will not take (it never should) costs only its paging
      instance = heap ? await instantiate(factory, 'mozjpeg_dec', heap).catch(() => instantiate(factory, 'mozjpeg_dec')) : await instantiate(factory, 'mozjpeg_dec');
      started++;
    }
  } catch (e) {
    if (isOutOfMemory(e)) throw noMemoryToStart(name, 'JPEG', e);
    throw e;
  }
  const { codec, messages, withSink } = instance;
  messages.length = 0;
  let result: DecodedRgba | null | undefined;
  try {
    result = withSink(sink, () => codec.decode(bytes, false));
  } catch (e) {
    if (e instanceof SinkFailure) throw e.cause;
    if (isOutOfMemory(e, messages) || abortedOutOfHeap(e, codec)) throw tooLargeForMemory(name, what, e);
    const last = messages.filter((m) => !/^Aborted\(/.test(m)).pop() ?? '';
    if (/Unsupported color conversion request/i.test(last)) throw new JpegNeedsFallback(last);
    for (const [re, say] of UNSUPPORTED) {
      const m = re.exec(last);
      if (m) throw withCause(new SegmentationError('unsupported-image', say(m), name), e);
    }
    throw withCause(new SegmentationError('corrupt-image', `corrupt JPEG data (${describe(last)}), cannot decode`, name), e);
  }
  if (!result) throw new SegmentationError('corrupt-image', 'corrupt JPEG data, cannot decode', name);
  const heapBytes = (codec as { HEAPU8?: Uint8Array }).HEAPU8?.length ?? Infinity;
  if (messages.length === 0 && heapBytes <= KEEP_HEAP_BYTES && !heap) kept = instance;
  const warning = messages[0];
  if (warning !== undefined && !/extraneous bytes before marker/i.test(warning)) {
    const truncated = /Premature end of JPEG file/i.test(warning);
    throw new SegmentationError('corrupt-image', truncated ? 'truncated JPEG: the file ends before the picture does' : `corrupt JPEG data (${describe(warning)})`, name);
  }
  return result;
}

/**
 * Pages (of 64 KiB) of a heap for the decoder of this JPEG, of the size it will need (see
 * jpegDecoderBytes): a shared memory made ahead, which another thread may page in before the
 * decode fills it (see importedMemory.ts); 0 when the file has no frame header or needs more
 * than a decoder can have (the decode then says so).
 */
export function jpegDecoderPages(bytes: Uint8Array): number {
  const need = jpegDecoderBytes(bytes);
  return need === 0 || need > WASM_HEAP_MAX ? 0 : Math.ceil(need / 65536);
}

/** From this size a decoder's heap is worth paging in ahead (a 2 MP JPEG's: 24 MB, 6,000 pages). */
const PAGED_HEAP_MIN_BYTES = 24 * 2 ** 20;

/**
 * A heap for the decoder of this JPEG, made now and paged in from its end by a thread at the
 * lowest priority while the decoder fills it from its start (see pager.ts), then `then`, for a
 * decode with a core to spare beside it (the CLI on one image: 24 MP in 3.72-4.33 s against
 * 3.88-5.04 s, six alternated runs each); undefined for a small one, or when the memory cannot
 * be had now (the decoder then asks for its own, and says so if it cannot have it either).
 * Made by the thread that decodes: one that waited for it from another thread waited 0.2 s
 * for that thread to start while a panel opened.
 */
export function pagedJpegHeap(bytes: Uint8Array, then: PageJob[] = []): WebAssembly.Memory | undefined {
  const pages = jpegDecoderPages(bytes);
  let heap: WebAssembly.Memory | undefined;
  if (heapMadeAhead(bytes)) {
    try {
      heap = new WebAssembly.Memory({ initial: pages, maximum: HEAP_MAX_PAGES, shared: true });
    } catch {
      heap = undefined;
    }
  }
  void pageAllInBackground(heap ? [{ buffer: heap.buffer as unknown as SharedArrayBuffer, backward: true }, ...then] : then);
  return heap;
}

/** Whether pagedJpegHeap makes a heap for this JPEG (when the memory can be had). */
export function heapMadeAhead(bytes: Uint8Array): boolean {
  return jpegDecoderPages(bytes) * 65536 >= PAGED_HEAP_MIN_BYTES;
}

/**
 * What the decoder must hold at once, from the frame header: the RGBA output, the file, and for
 * a progressive JPEG every block's coefficients (2 bytes each, whole MCUs), plus some working
 * space. 0 when there is no frame header (the decoder then fails on its own).
 */
export function jpegDecoderBytes(bytes: Uint8Array): number {
  for (let pos = 2; pos + 4 <= bytes.length; ) {
    if (bytes[pos] !== 0xff) return 0;
    const marker = bytes[pos + 1]!;
    if (marker === 0xff) {
      pos++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      pos += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return 0;
    const length = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
    const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (sof) {
      const at = pos + 4;
      if (at + 6 > bytes.length) return 0;
      const height = (bytes[at + 1]! << 8) | bytes[at + 2]!;
      const width = (bytes[at + 3]! << 8) | bytes[at + 4]!;
      const n = bytes[at + 5]!;
      const comps: [number, number][] = [];
      for (let c = 0; c < n && at + 8 + c * 3 < bytes.length; c++) {
        const f = bytes[at + 7 + c * 3]!;
        comps.push([Math.max(1, f >> 4), Math.max(1, f & 15)]);
      }
      const hmax = Math.max(1, ...comps.map(([h]) => h));
      const vmax = Math.max(1, ...comps.map(([, v]) => v));
      const progressive = marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce;
      let coefficients = 0;
      if (progressive) {
        const mcuCols = Math.ceil(width / (8 * hmax));
        const mcuRows = Math.ceil(height / (8 * vmax));
        for (const [h, v] of comps) coefficients += mcuCols * h * mcuRows * v * 64 * 2;
      }
      return width * height * 4 + coefficients + bytes.length + 16 * 2 ** 20;
    }
    if (length < 2) return 0;
    pos += 2 + length;
  }
  return 0;
}

/** libjpeg's wording, without its "Corrupt JPEG data:" prefix, in lower case. */
function describe(message: string): string {
  const m = message.replace(/^Corrupt JPEG data:\s*/i, '').trim();
  return m ? m.charAt(0).toLowerCase() + m.slice(1) : 'the decoder stopped';
}

function withCause<E extends Error>(err: E, cause: unknown): E {
  err.cause = cause;
  return err;
}

/** The decoder's WebAssembly instance could not even get its memory: whatever the image's size. */
export function noMemoryToStart(name: string, label: string, cause: unknown): SegmentationError {
  return withCause(new SegmentationError('out-of-memory', `not enough memory available to start the ${label} decoder (the file is not damaged)`, name), cause);
}

/** A decoder would need more than its WebAssembly heap can ever hold: said before trying. */
export function overHeapLimit(name: string, what: string, need: number): SegmentationError {
  const mb = (n: number): number => Math.round(n / 2 ** 20);
  return new SegmentationError(
    'out-of-memory',
    `${what} is too large for the memory available to decode it: the decoder needs about ${mb(need)} MB, more than the ${mb(WASM_HEAP_MAX)} MB a WebAssembly decoder can have (the file is not damaged)`,
    name,
  );
}

/** `what` names the image and its size, e.g. "10000x6400 JPEG (64 megapixels)". */
export function tooLargeForMemory(name: string, what: string, cause: unknown): SegmentationError {
  return withCause(new SegmentationError('out-of-memory', `${what} is too large for the memory available to decode it (the file is not damaged)`, name), cause);
}
