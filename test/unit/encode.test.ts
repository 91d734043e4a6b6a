import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeImage } from '../../src/core/decode';
import { encodeGrayPng, encodeImage } from '../../src/core/encode';
import { readImageHeader } from '../../src/core/header';
import { isSegmentationError } from '../../src/core/errors';
import type { RgbImage } from '../../src/core/types';
import { fixture } from './io-helpers';

async function load(name: string): Promise<RgbImage> {
  return decodeImage(fixture(name), name);
}

test('PNG and BMP round trips are exact', async () => {
  const img = await load('chelsea.png');
  for (const format of ['png', 'bmp'] as const) {
    const bytes = await encodeImage(img, format);
    const back = await decodeImage(bytes, `out.${format}`);
    assert.equal(back.width, img.width);
    assert.equal(back.height, img.height);
    assert.deepEqual(back.data, img.data, format);
  }
});

test('PNG is 8-bit RGB without alpha; BMP is 24-bit', async () => {
  const img = await load('small.png');
  const png = await encodeImage(img, 'png');
  assert.equal(png[24], 8, 'bit depth');
  assert.equal(png[25], 2, 'colour type RGB');
  const bmp = await encodeImage(img, 'bmp');
  assert.equal(new DataView(bmp.buffer, bmp.byteOffset).getUint16(28, true), 24);
  assert.deepEqual(readImageHeader(bmp), { format: 'bmp', width: 64, height: 48 });
});

test('JPEG at quality 95 decodes close to the original', async () => {
  const img = await load('chelsea.png');
  const jpg = await encodeImage(img, 'jpg');
  assert.deepEqual(readImageHeader(jpg), { format: 'jpeg', width: 451, height: 300 });
  const back = await decodeImage(jpg, 'out.jpg');
  let sum = 0;
  for (let i = 0; i < img.data.length; i++) sum += Math.abs(img.data[i]! - back.data[i]!);
  const mean = sum / img.data.length;
  assert.ok(mean < 2.5, `mean abs error ${mean}`);
  // quality matters: 95 is much larger than a low-quality file would be
  assert.ok(jpg.length > 40_000, `only ${jpg.length} bytes`);
});

test('a composite-like image with flat gray areas survives PNG exactly, odd sizes too', async () => {
  const width = 7;
  const height = 3;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 256;
  const img = { width, height, data };
  for (const format of ['png', 'bmp'] as const) {
    const back = await decodeImage(await encodeImage(img, format), `odd.${format}`);
    assert.deepEqual(back.data, data, format);
  }
});

test('gray PNG: 8-bit grayscale, one value a pixel, exact', async () => {
  const width = 33;
  const height = 5;
  const gray = new Uint8Array(width * height);
  for (let i = 0; i < gray.length; i++) gray[i] = [0, 85, 170, 255][i % 4]!;
  const png = await encodeGrayPng(gray, width, height);
  assert.equal(png[25], 0, 'colour type gray');
  assert.equal(png[24], 8);
  const back = await decodeImage(png, 'labels.png');
  for (let i = 0; i < gray.length; i++) {
    assert.equal(back.data[i * 3], gray[i]);
    assert.equal(back.data[i * 3 + 2], gray[i]);
  }
});

test('size mismatch is a programming error, not a user error', async () => {
  await assert.rejects(encodeImage({ width: 2, height: 2, data: new Uint8Array(11) }, 'png'), /needs 12 bytes, got 11/);
  await assert.rejects(encodeGrayPng(new Uint8Array(3), 2, 2), /needs 4 bytes/);
});

test('WebP (lossless) and TIFF (LZW with the predictor) round trips are exact; the files say so', async () => {
  const img = await load('chelsea.png');
  const webp = await encodeImage(img, 'webp');
  assert.equal(String.fromCharCode(...webp.subarray(12, 16)), 'VP8L', 'lossless bitstream');
  const tiff = await encodeImage(img, 'tiff');
  const v = new DataView(tiff.buffer, tiff.byteOffset);
  const ifd = v.getUint32(4, true);
  const tags = new Map<number, number>();
  for (let i = 0; i < v.getUint16(ifd, true); i++) tags.set(v.getUint16(ifd + 2 + i * 12, true), v.getUint16(ifd + 2 + i * 12 + 8, true));
  assert.equal(tags.get(259), 5, 'LZW');
  assert.equal(tags.get(317), 2, 'horizontal predictor');
  for (const [bytes, name] of [[webp, 'out.webp'], [tiff, 'out.tiff']] as const) {
    const back = await decodeImage(bytes, name);
    assert.deepEqual([back.width, back.height], [img.width, img.height], name);
    assert.ok(Buffer.from(back.data).equals(Buffer.from(img.data)), name);
  }
  // a picture that fills the LZW table many times over (noise) and flat runs, odd width
  const width = 301;
  const height = 97;
  const data = new Uint8Array(width * height * 3);
  let s = 7;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    data[i] = i < data.length / 2 ? s >>> 24 : 200;
  }
  const back = await decodeImage(await encodeImage({ width, height, data }, 'tiff'), 'noise.tiff');
  assert.ok(Buffer.from(back.data).equals(Buffer.from(data)));
});

test('WebP refuses a picture wider than its format holds, before encoding, as a user error', async () => {
  const img = { width: 16384, height: 1, data: new Uint8Array(16384 * 3) };
  await assert.rejects(encodeImage(img, 'webp'), (e: unknown) => {
    assert.ok(isSegmentationError(e));
    assert.equal(e.code, 'too-large');
    assert.match(e.message, /16384x1 image cannot be saved as WebP, which holds at most 16383 pixels a side/);
    return true;
  });
});
