// User errors (bad file, bad parameter) are expected: they carry a one-line message meant for a
// person and are shown as they are, never with a stack trace. Anything else is a bug.

export type ErrorCode =
  | 'not-found'
  | 'not-a-file'
  | 'not-an-image'
  | 'corrupt-image'
  /** A sound file in a variant no decoder here reads (animated WebP, arithmetic-coded JPEG, HEIC...). */
  | 'unsupported-image'
  | 'too-large'
  /** Within the pixel limit, but the decoder could not get the memory it needs. */
  | 'out-of-memory'
  /** A codec's WebAssembly file is missing from the installation (not the user's image's fault). */
  | 'codec-missing'
  | 'bad-parameter'
  | 'not-writable'
  | 'exists'
  | 'timed-out'
  | 'cancelled';

export class SegmentationError extends Error {
  override readonly name = 'SegmentationError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The file the error is about, when there is one: messages name it. */
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
  }
}

export function isSegmentationError(e: unknown): e is SegmentationError {
  return e instanceof Error && e.name === 'SegmentationError' && 'code' in e;
}

/** A one-line message for any thrown value: user errors as they are, bugs with their type. */
export function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/\s*\n\s*/g, ' ').trim();
}
