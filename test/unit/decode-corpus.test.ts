// The decoder against OpenCV 4.6's cv2.imread(path, IMREAD_COLOR) on the corpus of
// test/fixtures/codecs (made by make-corpus.py with OpenCV, Pillow, cjpeg and avifenc): JPEG
// variants (baseline, progressive, restart markers, 4:4:4, 4:2:2, 4:2:0, 4:1:1, grayscale, RGB,
// EXIF orientations 1-8), 16-bit, low-depth, interlaced and colour-keyed PNGs, oriented PNGs and
// TIFFs, lossy and lossless WebP with and without alpha, and AVIF. OpenCV's pixels are
// committed as 8-bit PNGs beside each file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage } from '../../src/core/decode';
import { isSegmentationError } from '../../src/core/errors';
import type { RgbImage } from '../../src/core/types';

const DIR = join(__dirname, '..', 'fixtures', 'codecs');

interface Entry {
  file: string;
  writer: string;
  cv2: string | null;
  expect?: string;
  note: string;
  size: [number, number] | null;
}

const corpus = JSON.parse(readFileSync(join(DIR, 'corpus.json'), 'utf8')) as { entries: Entry[] };

/**
 * Files where the pixels are known not to be OpenCV's, with the largest difference allowed:
 * 4:4:0 JPEG (mozjpeg's libjpeg-turbo has no fancy upsampling for vertical-only subsampling,
 * Debian's 2.1.5 has), CMYK JPEG (read by jpeg-js, mozjpeg's build converts only YCbCr), and a
 * lossy AVIF against libavif's own avifdec (OpenCV reads no AVIF; YUV->RGB rounds differently).
 */
const KNOWN_OFF: Record<string, number> = {
  'jpeg-440-cjpeg.jpg': 2,
  'jpeg-cmyk-pil.jpg': 2,
  'avif-420-avifenc.avif': 2,
};

/** Sound files OpenCV or we cannot read, and what we say instead. */
const REFUSED: Record<string, RegExp> = {
  'jpeg-arithmetic-cjpeg.jpg': /arithmetic-coded JPEG is not supported/,
  'webp-animated-pil.webp': /animated WebP is not supported/,
  'avif-6000x6000-one-frame.avif': /^avif-6000x6000-one-frame\.avif: 6000x6000 AVIF \(36 megapixels\) is one AV1 frame, larger than AV1 decoders accept/,
};

function load(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(DIR, name)));
}

function differing(a: RgbImage, b: RgbImage): { count: number; max: number } {
  assert.equal(a.data.length, b.data.length);
  let count = 0;
  let max = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i]! - b.data[i]!);
    if (d > 0) {
      count++;
      max = Math.max(max, d);
    }
  }
  return { count, max };
}

test('the corpus covers what the issue names', () => {
  const files = corpus.entries.map((e) => e.file);
  for (const want of [/progressive/, /restart/, /444/, /422/, /420/, /gray-cv2\.jpg/, /rgb16/, /gray16/, /webp-lossy/, /webp-lossless/, /avif/]) {
    assert.ok(files.some((f) => want.test(f)), String(want));
  }
  for (let o = 1; o <= 8; o++) assert.ok(files.includes(`jpeg-exif-${o}-pil.jpg`), `orientation ${o}`);
  assert.ok(corpus.entries.length >= 40);
});

test('every corpus file decodes to cv2.imread\'s pixels: 0 differing values', async () => {
  const exact: string[] = [];
  for (const e of corpus.entries) {
    const reference = e.cv2 ?? e.expect;
    if (!reference || e.file in REFUSED || e.file in KNOWN_OFF) continue;
    const ours = await decodeImage(load(e.file), e.file);
    const ref = await decodeImage(load(reference), reference);
    assert.deepEqual([ours.width, ours.height], [ref.width, ref.height], `${e.file}: size`);
    const { count, max } = differing(ours, ref);
    assert.equal(count, 0, `${e.file} (${e.writer}): ${count} of ${ref.data.length} values differ, up to ${max}`);
    exact.push(e.file);
  }
  // the JPEGs alone: 9 kinds and 8 orientations
  assert.ok(exact.filter((f) => f.endsWith('.jpg')).length >= 19, exact.join(' '));
  assert.ok(exact.filter((f) => f.endsWith('.webp')).length >= 5, exact.join(' '));
  assert.ok(exact.filter((f) => f.endsWith('.png')).length >= 13, exact.join(' '));
});

test('EXIF orientations 5-8 swap width and height, as OpenCV', async () => {
  for (let o = 1; o <= 8; o++) {
    const img = await decodeImage(load(`jpeg-exif-${o}-pil.jpg`), 'x.jpg');
    assert.deepEqual([img.width, img.height], o >= 5 ? [43, 61] : [61, 43], `orientation ${o}`);
  }
  // OpenCV 4.6 ignores the orientation of a WebP
  const webp = await decodeImage(load('webp-exif-6-pil.webp'), 'x.webp');
  assert.deepEqual([webp.width, webp.height], [61, 43]);
});

test('the known differences stay within their margins', async () => {
  for (const [file, margin] of Object.entries(KNOWN_OFF)) {
    const e = corpus.entries.find((x) => x.file === file)!;
    const ours = await decodeImage(load(file), file);
    const ref = await decodeImage(load((e.cv2 ?? e.expect)!), 'ref.png');
    const { max } = differing(ours, ref);
    assert.ok(max <= margin, `${file}: up to ${max} levels apart (allowed ${margin})`);
  }
});

test('sound files we cannot read are refused by name, as unsupported, not as corrupt', async () => {
  for (const [file, message] of Object.entries(REFUSED)) {
    await assert.rejects(decodeImage(load(file), file), (e: unknown) => {
      assert.ok(isSegmentationError(e));
      assert.equal(e.code, 'unsupported-image', e.message);
      assert.match(e.message, message);
      assert.ok(e.message.startsWith(`${file}: `));
      return true;
    });
  }
});

test('alloc: the RGB pixels are written into the buffer the caller gives, e.g. shared memory', async () => {
  const sizes: number[] = [];
  let shared: Uint8Array | undefined;
  const img = await decodeImage(load('jpeg-exif-6-pil.jpg'), 'x.jpg', {
    alloc: (n) => {
      sizes.push(n);
      shared = new Uint8Array(new SharedArrayBuffer(n));
      return shared;
    },
  });
  assert.deepEqual(sizes, [61 * 43 * 3]);
  assert.equal(img.data, shared);
  assert.ok(img.data.buffer instanceof SharedArrayBuffer);
  const plain = await decodeImage(load('jpeg-exif-6-pil.jpg'), 'x.jpg');
  assert.deepEqual(Array.from(img.data), Array.from(plain.data));
});

test('WebAssembly decoders hand their pixels over in place: no copy by the glue, the global restored', async () => {
  const { instantiate } = await import('../../src/core/codecs/emscripten');
  const factory = (require('@jsquash/webp/codec/dec/webp_dec.js') as { default: Parameters<typeof instantiate>[0] }).default;
  const native = globalThis.Uint8ClampedArray;
  const instance = await instantiate(factory as never, 'webp_dec');
  assert.equal(globalThis.Uint8ClampedArray, native, 'restored after the instance is made');
  const seen: number[] = [];
  const codec = instance.codec as { decode(b: Uint8Array): { width: number; height: number; data: Uint8ClampedArray } };
  const out = instance.withSink(
    (rgba) => {
      seen.push(rgba.length);
      // a view of the decoder's own memory, not a copy
      assert.ok(rgba.buffer.byteLength > rgba.length);
      return true;
    },
    () => codec.decode(load('webp-lossless-cv2.webp')),
  );
  assert.equal(globalThis.Uint8ClampedArray, native, 'restored after the call');
  assert.deepEqual(seen, [61 * 43 * 4]);
  assert.deepEqual([out.width, out.height, out.data.length], [61, 43, 0]);
  // a sink that declines leaves the glue's own copy
  const again = await instantiate(factory as never, 'webp_dec');
  const copied = again.withSink(() => false, () => (again.codec as typeof codec).decode(load('webp-lossless-cv2.webp')));
  assert.equal(copied.data.length, 61 * 43 * 4);
  assert.ok(copied.data instanceof native);
});

test('a caller\'s buffer that cannot be had fails as itself, through the decoder, never as a corrupt file', async () => {
  for (const file of ['jpeg-420-cv2.jpg', 'webp-lossy-cv2.webp', 'avif-lossless-avifenc.avif', 'png-rgb16-cv2.png', 'tiff-orientation-6-pil.tif']) {
    // the way a SharedArrayBuffer of this size fails when memory is short
    const alloc = (): Uint8Array => {
      throw new RangeError('Array buffer allocation failed');
    };
    await assert.rejects(decodeImage(load(file), file, { alloc }), (e: unknown) => {
      assert.ok(isSegmentationError(e), String(e));
      assert.equal(e.code, 'out-of-memory', `${file}: ${e.message}`);
      assert.match(e.message, /is too large for the memory available/);
      return true;
    });
    // a bug in the caller's allocator stays a plain error, not a user's "corrupt file"
    await assert.rejects(decodeImage(load(file), file, { alloc: () => { throw new TypeError('boom'); } }), (e: unknown) => {
      assert.ok(!isSegmentationError(e), String(e));
      assert.match(String(e), /boom/);
      return true;
    });
  }
});
