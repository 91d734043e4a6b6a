import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MAX_PIXELS, decodeImage } from '../../src/core/decode';
import { SegmentationError, isSegmentationError } from '../../src/core/errors';
import type { RgbImage } from '../../src/core/types';
import { deflateSync } from 'node:zlib';
import { BAD, fixture, pngChunk, pngHeaderOnly } from './io-helpers';
import { IMAGE_EXTENSIONS } from '../../src/shared/formats';
import { jpegDecodersStarted } from '../../src/core/codecs/jpeg';

/** The BMP's pixels read by hand (24-bit, bottom-up, BGR, rows padded to 4 bytes): ground truth independent of jimp. */
function rawBmp(bytes: Uint8Array): RgbImage {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  const offset = v.getUint32(10, true);
  const width = v.getInt32(18, true);
  const height = v.getInt32(22, true);
  assert.equal(v.getUint16(28, true), 24);
  const stride = Math.ceil((width * 3) / 4) * 4;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = offset + (height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      data[o] = bytes[row + x * 3 + 2]!;
      data[o + 1] = bytes[row + x * 3 + 1]!;
      data[o + 2] = bytes[row + x * 3]!;
    }
  }
  return { width, height, data };
}

const truth = rawBmp(fixture('small.bmp'));

async function decodeFixture(name: string): Promise<RgbImage> {
  return decodeImage(fixture(name), name);
}

function diffStats(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
  assert.equal(a.length, b.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d > max) max = d;
    sum += d;
  }
  return { max, mean: sum / a.length };
}

test('lossless formats decode to the exact pixels: PNG, BMP, TIFF little- and big-endian', async () => {
  assert.equal(truth.width, 64);
  assert.equal(truth.height, 48);
  for (const name of ['small.png', 'small.bmp', 'small-le.tif', 'small-be.tif']) {
    const img = await decodeFixture(name);
    assert.equal(img.width, 64, name);
    assert.equal(img.height, 48, name);
    assert.equal(img.data.length, 64 * 48 * 3, name);
    assert.deepEqual(img.data, truth.data, name);
  }
});

test('JPEG decodes close to OpenCV 4.6 imread of the same file', async () => {
  const ours = await decodeFixture('small.jpg');
  const cv = await decodeFixture('small.jpg.cv2.png');
  const { max, mean } = diffStats(ours.data, cv.data);
  assert.ok(mean < 1.5 && max <= 16, `JPEG vs OpenCV: mean ${mean.toFixed(3)}, max ${max}`);
  // and it is the picture, not grey: close to the lossless crop too
  assert.ok(diffStats(ours.data, truth.data).mean < 6);
});

test('GIF: the first frame in its palette colours', async () => {
  const gif = await decodeFixture('small.gif');
  const palette = await decodeFixture('small.gif.rgb.png');
  assert.deepEqual(gif.data, palette.data);
});

test('alpha is dropped, not composited: the stored colours stay', async () => {
  const img = await decodeFixture('small-alpha.png');
  assert.deepEqual(img.data, truth.data);
});

test('gray PNG becomes R = G = B', async () => {
  const img = await decodeFixture('small-gray.png');
  const values = new Set<number>();
  for (let i = 0; i < img.data.length; i += 3) {
    assert.equal(img.data[i], img.data[i + 1]);
    assert.equal(img.data[i], img.data[i + 2]);
    values.add(img.data[i]!);
  }
  assert.ok(values.size > 20);
});

test('a Uint8Array view into a larger buffer decodes the view only', async () => {
  const bytes = fixture('small.png');
  const big = new Uint8Array(bytes.length + 100);
  big.set(bytes, 50);
  const img = await decodeImage(big.subarray(50, 50 + bytes.length), 'view.png');
  assert.deepEqual(img.data, truth.data);
});

async function rejects(bytes: Uint8Array, name: string, code: string, opts?: { maxPixels?: number }): Promise<SegmentationError> {
  try {
    await decodeImage(bytes, name, opts);
  } catch (e) {
    assert.ok(isSegmentationError(e), `${name}: not a SegmentationError: ${String(e)}`);
    assert.equal(e.code, code, `${name}: ${e.message}`);
    assert.ok(e.message.startsWith(`${name}: `), e.message);
    assert.ok(!e.message.includes('\n'), e.message);
    return e;
  }
  assert.fail(`${name}: decoded, expected ${code}`);
}

test('empty file and a text file named .png: not-an-image', async () => {
  const empty = await rejects(new Uint8Array(0), 'empty.png', 'not-an-image');
  assert.match(empty.message, /empty/);
  const text = await rejects(new Uint8Array(readFileSync(join(BAD, 'text.png'))), 'text.png', 'not-an-image');
  assert.match(text.message, /PNG, JPEG, WebP, AVIF, BMP, GIF or TIFF/);
});

test('truncated PNG and JPEG at several points, damaged data: corrupt-image, jimp never leaks', async () => {
  const cases: [string, string][] = [
    ['truncated-signature.png', 'not-an-image'],
    ['truncated-header.png', 'corrupt-image'],
    ['truncated-half.png', 'corrupt-image'],
    ['truncated-end.png', 'corrupt-image'],
    ['truncated-header.jpg', 'corrupt-image'],
    ['truncated-half.jpg', 'corrupt-image'],
    ['truncated-end.jpg', 'corrupt-image'],
    ['damaged-data.png', 'corrupt-image'],
  ];
  for (const [name, code] of cases) {
    const e = await rejects(new Uint8Array(readFileSync(join(BAD, name))), name, code);
    assert.doesNotMatch(e.message, /stream|marker|undefined|offset/i, e.message);
    assert.match(e.message, /PNG|JPEG/);
  }
});

test('every cut of a PNG, JPEG, BMP, GIF and TIFF fails as a user error', async () => {
  for (const name of ['small.png', 'small.jpg', 'small.bmp', 'small.gif', 'small-le.tif']) {
    const bytes = fixture(name);
    for (const frac of [0.02, 0.25, 0.5, 0.75, 0.98]) {
      const cut = bytes.subarray(0, Math.floor(bytes.length * frac));
      await rejects(cut, `${name}@${frac}`, cut.length < 8 && name.endsWith('.png') ? 'not-an-image' : 'corrupt-image');
    }
  }
});

test('PNG claiming 60000x60000: too-large from the header, without allocating pixels', async () => {
  const rssBefore = process.memoryUsage().rss;
  const e = await rejects(pngHeaderOnly(60000, 60000), 'huge.png', 'too-large');
  const grown = process.memoryUsage().rss - rssBefore;
  assert.match(e.message, /60000x60000/);
  assert.match(e.message, /3600 megapixels/);
  assert.match(e.message, /limit of 100 megapixels/);
  // its pixels would take 14 GB; speed is for npm run bench, not unit tests
  assert.ok(grown < 64 * 2 ** 20, `rss grew ${grown} bytes`);
  // the on-disk fixture is the same thing
  await rejects(new Uint8Array(readFileSync(join(BAD, 'huge-60000x60000.png'))), 'huge-60000x60000.png', 'too-large');
});

test('the pixel limit is configurable and inclusive', async () => {
  const bytes = fixture('small.png');
  const e = await rejects(bytes, 'small.png', 'too-large', { maxPixels: 64 * 48 - 1 });
  assert.match(e.message, /64x48/);
  const img = await decodeImage(bytes, 'small.png', { maxPixels: 64 * 48 });
  assert.equal(img.width, 64);
  assert.equal(DEFAULT_MAX_PIXELS, 100_000_000);
  // a JPEG above jpeg-js's own 100 MP default would pass our header check with a higher limit:
  // the header check, not jpeg-js, decides
  await rejects(fixture('small.jpg'), 'small.jpg', 'too-large', { maxPixels: 100 });
});

test('supported extensions cover every decoded format', () => {
  for (const ext of ['png', 'jpg', 'jpeg', 'bmp', 'gif', 'tif', 'tiff']) assert.ok(IMAGE_EXTENSIONS.includes(ext), ext);
});

test('a damaged PNG deflate stream is refused every time, never decoded from uninitialised memory', async () => {
  // pngjs alone "decoded" this file in about 2 % of runs, to bytes of an uninitialised buffer
  const bytes = new Uint8Array(readFileSync(join(BAD, 'damaged-data.png')));
  for (let i = 0; i < 200; i++) {
    const e = await rejects(bytes, 'damaged-data.png', 'corrupt-image');
    assert.match(e.message, /damaged/);
  }
});

/** An 8-bit RGB PNG of w x h from its raw rows (filter byte 0 each), the stream split over `parts` IDATs. */
function rgbPng(w: number, h: number, pixel: (x: number, y: number) => number[], parts: number, rowsCompressed = h): Uint8Array {
  const raw = new Uint8Array((1 + 3 * w) * rowsCompressed);
  for (let y = 0; y < rowsCompressed; y++) for (let x = 0; x < w; x++) raw.set(pixel(x, y), y * (1 + 3 * w) + 1 + 3 * x);
  const z = deflateSync(raw);
  const head = pngHeaderOnly(w, h);
  const chunks = [head];
  const step = Math.ceil(z.length / parts);
  for (let at = 0; at < z.length; at += step) chunks.push(pngChunk('IDAT', z.subarray(at, at + step)));
  chunks.push(pngChunk('IEND', new Uint8Array(0)));
  return new Uint8Array(Buffer.concat(chunks));
}

test('PNG rows split over several IDAT chunks decode exactly; a stream with rows missing is refused', async () => {
  const pixel = (x: number, y: number) => [x * 30, y * 60, (x + y) * 10];
  const img = await decodeImage(rgbPng(8, 4, pixel, 3), 'split.png');
  assert.equal(img.width, 8);
  assert.equal(img.height, 4);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) assert.deepEqual(Array.from(img.data.subarray(3 * (y * 8 + x), 3 * (y * 8 + x) + 3)), pixel(x, y));
  const e = await rejects(rgbPng(8, 4, pixel, 2, 2), 'short.png', 'corrupt-image');
  assert.match(e.message, /truncated PNG data: 50 of the 100 bytes/);
});

test('formats we recognise but cannot read are named: unsupported-image, not "not an image"', async () => {
  const heic = new Uint8Array(24);
  new DataView(heic.buffer).setUint32(0, 24);
  heic.set(new TextEncoder().encode('ftypheic\0\0\0\0mif1heic'), 4);
  const e = await rejects(heic, 'photo.heic', 'unsupported-image');
  assert.match(e.message, /^photo\.heic: HEIC\/HEIF images are not supported: use PNG, JPEG, WebP, AVIF, BMP, GIF or TIFF$/);
  const svg = await rejects(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), 'icon.svg', 'unsupported-image');
  assert.match(svg.message, /SVG images are not supported/);
});

test('one JPEG decoder serves the images of a thread in turn; one that failed is not used again', async () => {
  const codecs = join(__dirname, '..', 'fixtures', 'codecs');
  const a = new Uint8Array(readFileSync(join(codecs, 'jpeg-420-cv2.jpg')));
  const b = new Uint8Array(readFileSync(join(codecs, 'jpeg-444-pil.jpg')));
  const cut = new Uint8Array(readFileSync(join(BAD, 'truncated-half.jpg')));
  const firstA = await decodeImage(a, 'a.jpg');
  const firstB = await decodeImage(b, 'b.jpg');
  const before = jpegDecodersStarted();
  // the same pixels again and again from the decoder kept between images
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await decodeImage(a, 'a.jpg'), firstA);
    assert.deepEqual(await decodeImage(b, 'b.jpg'), firstB);
  }
  assert.equal(jpegDecodersStarted(), before, 'a decoder was made for every image');
  // a damaged file: its decoder is let go, the next image gets a fresh one and the same pixels
  await assert.rejects(decodeImage(cut, 'cut.jpg'), (e: unknown) => isSegmentationError(e) && e.code === 'corrupt-image');
  assert.deepEqual(await decodeImage(a, 'a.jpg'), firstA);
  assert.equal(jpegDecodersStarted(), before + 1);
});
