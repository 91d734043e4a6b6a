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
import { instantiate, isOutOfMemory, type DecodedRgba, type GlueFactory } from './emscripten';

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

export async function decodeJpegWasm(bytes: Uint8Array, name: string, what: string): Promise<DecodedRgba> {
  const factory = (require('@jsquash/jpeg/codec/dec/mozjpeg_dec.js') as { default: GlueFactory<MozjpegDecoder> }).default;
  let instance;
  try {
    instance = await instantiate(factory, 'mozjpeg_dec');
  } catch (e) {
    if (isOutOfMemory(e)) throw tooLargeForMemory(name, what, e);
    throw e;
  }
  const { codec, messages } = instance;
  let result: DecodedRgba | null | undefined;
  try {
    result = codec.decode(bytes, false);
  } catch (e) {
    if (isOutOfMemory(e, messages)) throw tooLargeForMemory(name, what, e);
    const last = messages[messages.length - 1] ?? '';
    if (/Unsupported color conversion request/i.test(last)) throw new JpegNeedsFallback(last);
    for (const [re, say] of UNSUPPORTED) {
      const m = re.exec(last);
      if (m) throw withCause(new SegmentationError('unsupported-image', say(m), name), e);
    }
    throw withCause(new SegmentationError('corrupt-image', `corrupt JPEG data (${describe(last)}), cannot decode`, name), e);
  }
  if (!result) throw new SegmentationError('corrupt-image', 'corrupt JPEG data, cannot decode', name);
  const warning = messages[0];
  if (warning !== undefined && !/extraneous bytes before marker/i.test(warning)) {
    const truncated = /Premature end of JPEG file/i.test(warning);
    throw new SegmentationError('corrupt-image', truncated ? 'truncated JPEG: the file ends before the picture does' : `corrupt JPEG data (${describe(warning)})`, name);
  }
  return result;
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

/** `what` names the image and its size, e.g. "10000x6400 JPEG (64 megapixels)". */
export function tooLargeForMemory(name: string, what: string, cause: unknown): SegmentationError {
  return withCause(new SegmentationError('out-of-memory', `${what} is too large for the memory available to decode it (the file is not damaged)`, name), cause);
}
