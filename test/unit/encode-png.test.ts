// The PNG encoder's fixed filter settings: lossless on the CLI's real picture layout, the filter
// actually used in the file, byte views that do not start at offset 0, and images larger than
// the encoder's 1 MB bands.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, deflateSync, inflateSync } from 'node:zlib';
import { composite, grayLabelBytes, labelImage } from '../../src/core/composite';
import { decodeImage } from '../../src/core/decode';
import { encodeGrayPng, encodeImage, encodeRgbPngRows } from '../../src/core/encode';
import { OPENCV_PNG, ZLIB_MEM_LEVEL, encodePngRows, filterRows, type RowSource } from '../../src/core/codecs/png';
import type { RgbImage } from '../../src/core/types';
import { fixture } from './io-helpers';

/** Three "clusters" by brightness: a stand-in for K-means ranks with the same flat-region look. */
function brightnessRanks(img: RgbImage): Uint8Array {
  const labels = new Uint8Array(img.width * img.height);
  for (let i = 0; i < labels.length; i++) {
    const sum = img.data[i * 3]! + img.data[i * 3 + 1]! + img.data[i * 3 + 2]!;
    labels[i] = sum < 200 ? 0 : sum < 450 ? 1 : 2;
  }
  return labels;
}

/** `length` bytes, byte i = pick(i, r) with r a fresh 32-bit pseudo-random number (a fixed seed). */
function seededBytes(length: number, seed: number, pick: (i: number, r: number) => number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = pick(i, s);
  }
  return out;
}

/** The file's zlib stream: its IDAT chunks' data, joined. */
function zlibStream(png: Uint8Array): Buffer {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const idat: Uint8Array[] = [];
  for (let at = 8; at < png.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += length + 12;
  }
  return Buffer.concat(idat);
}

/** The filter-type byte of every row, read from the file's own IDAT stream. */
function rowFilters(png: Uint8Array, bytesPerPixel: number): number[] {
  const width = new DataView(png.buffer, png.byteOffset, png.byteLength).getUint32(16);
  const raw = inflateSync(zlibStream(png));
  const stride = 1 + width * bytesPerPixel;
  assert.equal(raw.length % stride, 0, 'whole rows');
  const filters: number[] = [];
  for (let at = 0; at < raw.length; at += stride) filters.push(raw[at]!);
  return filters;
}

test('a full-size composite (photo | strip | labels) survives PNG exactly, Sub-filtered as OpenCV writes it', async () => {
  const photo = await decodeImage(fixture('fruits.png'), 'fruits.png');
  const picture = composite(photo, labelImage(brightnessRanks(photo), 3, photo.width, photo.height));
  const before = picture.data.slice();
  const png = await encodeImage(picture, 'png');
  assert.equal(png[25], 2, 'colour type RGB');
  const filters = rowFilters(png, 3);
  assert.equal(filters.length, picture.height);
  assert.ok(filters.every((f) => f === 1), `row filters ${[...new Set(filters)].join(',')}`);
  const back = await decodeImage(png, 'composite.png');
  assert.equal(back.width, picture.width);
  assert.equal(back.height, picture.height);
  assert.ok(Buffer.from(back.data).equals(Buffer.from(picture.data)), 'decoded pixels differ');
  assert.ok(Buffer.from(picture.data).equals(Buffer.from(before)), 'input was modified');
});

test('the label PNG of a real image is exact, gray, unfiltered', async () => {
  const photo = await decodeImage(fixture('chelsea.png'), 'chelsea.png');
  const gray = grayLabelBytes(brightnessRanks(photo), 3);
  const png = await encodeGrayPng(gray, photo.width, photo.height);
  assert.equal(png[25], 0, 'colour type gray');
  const filters = rowFilters(png, 1);
  assert.equal(filters.length, photo.height);
  assert.ok(filters.every((f) => f === 0), `row filters ${[...new Set(filters)].join(',')}`);
  const back = await decodeImage(png, 'labels.png');
  for (let i = 0; i < gray.length; i++) {
    if (back.data[i * 3] !== gray[i] || back.data[i * 3 + 1] !== gray[i] || back.data[i * 3 + 2] !== gray[i]) {
      assert.fail(`pixel ${i}: got ${back.data.subarray(i * 3, i * 3 + 3).join(',')}, want ${gray[i]}`);
    }
  }
});

test('views into a larger buffer encode only their own bytes', async () => {
  const width = 5;
  const height = 4;
  const backing = new Uint8Array(7 + width * height * 3 + 9).fill(0xee);
  const rgb = backing.subarray(7, 7 + width * height * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 53) % 251;
  const back = await decodeImage(await encodeImage({ width, height, data: rgb }, 'png'), 'view.png');
  assert.deepEqual([...back.data], [...rgb]);

  const gray = backing.subarray(3, 3 + width * height);
  gray.set(Array.from({ length: width * height }, (_, i) => (i % 3) * 127));
  const backGray = await decodeImage(await encodeGrayPng(gray, width, height), 'view-gray.png');
  assert.deepEqual(
    Array.from({ length: width * height }, (_, i) => backGray.data[i * 3]),
    [...gray],
  );
});

test('an image of many bands (rows split across zlib writes, several IDAT chunks) is exact', async () => {
  // 1500 x 700 RGB is 3 MB of rows: three bands of the encoder and more than one 4 MB... zlib piece
  // is not needed for several IDATs: each zlib output piece becomes one chunk
  const width = 1500;
  const height = 700;
  const rgb = seededBytes(width * height * 3, 12345, (i, r) => (i % 7 === 0 ? r >>> 24 : (i >> 10) & 0xff));
  const png = await encodeImage({ width, height, data: rgb }, 'png');
  const back = await decodeImage(png, 'bands.png');
  assert.ok(Buffer.from(back.data).equals(Buffer.from(rgb)));
  assert.equal(rowFilters(png, 3).length, height);
});

test('composites are deflated band by band into exactly the stream zlib makes of all the rows at once, at memLevel 9', async () => {
  // camera-like noise over a gradient, 1200 x 900: 3.2 MB of rows, four bands, and enough
  // literals that zlib's symbol buffer (sized by memLevel) fills many times
  const width = 1200;
  const height = 900;
  const rgb = seededBytes(width * height * 3, 99, (i, r) => ((i / 3) % width) / 6 + (r >>> 28));
  const png = await encodeImage({ width, height, data: rgb }, 'png');
  const rows = new Uint8Array((width * 3 + 1) * height);
  filterRows(rgb, width * 3, 0, height, 3, OPENCV_PNG.filter, rows);
  const settings = { level: OPENCV_PNG.level, strategy: OPENCV_PNG.strategy };
  const stream = zlibStream(png);
  assert.equal(ZLIB_MEM_LEVEL, 9);
  assert.ok(stream.equals(deflateSync(rows, { ...settings, memLevel: 9 })), 'not zlib\'s one-call stream at memLevel 9');
  // the setting shows: zlib's default memLevel splits the same rows into other blocks
  const atDefault = deflateSync(rows, settings);
  assert.ok(!stream.equals(atDefault));
  assert.ok(stream.length < atDefault.length, `${stream.length} bytes, ${atDefault.length} at zlib's default memLevel`);
});

test('label PNGs are deflated at level 1 matching runs only, unfiltered', async () => {
  const photo = await decodeImage(fixture('fruits.png'), 'fruits.png');
  const gray = grayLabelBytes(brightnessRanks(photo), 3);
  const png = await encodeGrayPng(gray, photo.width, photo.height);
  const stream = zlibStream(png);
  assert.equal(stream[1]! >> 6, 0, 'the zlib header says the fastest level');
  const rows = new Uint8Array((photo.width + 1) * photo.height);
  filterRows(gray, photo.width, 0, photo.height, 1, 0, rows);
  assert.ok(stream.equals(deflateSync(rows, { level: 1, strategy: constants.Z_RLE, memLevel: 9 })));
});

test('a picture drawn band by band (a row source) gives the same file as its bytes; filters that read the row above are refused', async () => {
  // more rows than one 1 MB band, so the source is asked several times, each from its buffer's start
  const width = 900;
  const height = 500;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 131 + (i >> 12)) & 0xff;
  const asked: [number, number][] = [];
  const rows: RowSource = (y0, y1, into) => {
    asked.push([y0, y1]);
    into.set(rgb.subarray(y0 * width * 3, y1 * width * 3));
  };
  const whole = await encodeImage({ width, height, data: rgb }, 'png');
  const drawn = await encodeRgbPngRows(rows, width, height);
  assert.ok(Buffer.from(drawn).equals(Buffer.from(whole)));
  assert.ok(asked.length > 1, `${asked.length} bands`);
  assert.deepEqual(asked.map(([a, b]) => b - a).reduce((n, r) => n + r, 0), height);
  await assert.rejects(encodePngRows(rows, width, height, 3, { ...OPENCV_PNG, filter: 4 }), /row source needs filter 0 or 1/);
});
