// What the panel is shown, made on the host (core/view): regions of a result at any size up to
// their own, and the PNG bytes they travel in. At full size a region is the exact pixels of the
// full picture; smaller, each pixel of the right half is one true cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { decodeImage } from '../../src/core/decode';
import { clusterMeans, highlight, renderResult } from '../../src/core/insight/index';
import { segmentSync } from '../../src/core/segment';
import type { RgbImage, SegmentResult } from '../../src/core/types';
import { VIEW_FLAT_PNG, VIEW_PHOTO_PNG, encodePngSync } from '../../src/core/codecs/png';
import { boxRegion, renderRegion, sampleRegion } from '../../src/core/view/region';
import { placeHalves, stripWidth, compositeSize, displayScale, scaledSize } from '../../src/shared/geometry';

const FILE = 'test/fixtures/images/chelsea.png';

let result: SegmentResult;
async function chelsea(): Promise<SegmentResult> {
  result ??= segmentSync(await decodeImage(readFileSync(FILE), FILE), { colorSpace: 'lab', channels: [1, 2], k: 4, width: 0, nInit: 3, maxIter: 100, seed: 0 });
  return result;
}

/** The pixels of a rect of an RGB image. */
function crop(img: RgbImage, x: number, y: number, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let r = 0; r < h; r++) out.set(img.data.subarray(((y + r) * img.width + x) * 3, ((y + r) * img.width + x + w) * 3), r * w * 3);
  return out;
}

/** A PNG written by encodePngSync, read back (8-bit, filter none, sub or up). */
function readPng(bytes: ArrayBuffer): { width: number; height: number; channels: number; data: Uint8Array } {
  const b = new Uint8Array(bytes);
  const view = new DataView(bytes);
  assert.deepEqual([...b.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let o = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  while (o < b.length) {
    const len = view.getUint32(o);
    const type = String.fromCharCode(...b.subarray(o + 4, o + 8));
    const body = b.subarray(o + 8, o + 8 + len);
    if (type === 'IHDR') {
      width = view.getUint32(o + 8);
      height = view.getUint32(o + 12);
      channels = body[9] === 2 ? 3 : 1;
    } else if (type === 'IDAT') idat.push(body);
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const row = width * channels;
  const data = new Uint8Array(row * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (row + 1)]!;
    for (let x = 0; x < row; x++) {
      const v = raw[y * (row + 1) + 1 + x]!;
      const left = x >= channels ? data[y * row + x - channels]! : 0;
      const up = y > 0 ? data[(y - 1) * row + x]! : 0;
      if (f > 2) throw new Error(`row ${y}: filter ${f} is not one this reader knows`);
      data[y * row + x] = f === 0 ? v : f === 1 ? (v + left) & 255 : (v + up) & 255;
    }
  }
  return { width, height, channels, data };
}

test('a region at its own size is the exact crop of the image and of the full-size right half, in every view', async () => {
  const r = await chelsea();
  const rect = { x: 37, y: 11, width: 120, height: 90 };
  const means = clusterMeans(r);
  const views = [
    { mode: 'gray', selected: [], white: false },
    { mode: 'mean', selected: [], white: false },
    { mode: 'mask', selected: [1, 3], white: false },
    { mode: 'mask', selected: [0], white: true },
  ] as const;
  for (const view of views) {
    const region = renderRegion(r, rect, rect.width, rect.height, view, means);
    assert.deepEqual(region.original, crop(r.image, rect.x, rect.y, rect.width, rect.height));
    const full = renderResult(r, view.mode, view.selected, { white: view.white });
    assert.deepEqual(region.right, crop(full, rect.x, rect.y, rect.width, rect.height), `${view.mode} ${view.selected}`);
  }
  const hovered = renderRegion(r, rect, rect.width, rect.height, views[0], means, 2);
  assert.deepEqual(hovered.right, crop(highlight(r, 2), rect.x, rect.y, rect.width, rect.height));
});

test('smaller: each right-half pixel is the cluster at the centre of its box; the original is the box average', async () => {
  const r = await chelsea();
  const { width, height } = r.image;
  const [w, h] = [113, 75]; // 451x300 at a quarter, rounded
  const whole = { x: 0, y: 0, width, height };
  const labels = sampleRegion(r.labels, width, whole, w, h);
  for (const [x, y] of [[0, 0], [56, 37], [112, 74]]) {
    const sx = Math.floor(((x + 0.5) * width) / w);
    const sy = Math.floor(((y + 0.5) * height) / h);
    assert.equal(labels[y * w + x], r.labels[sy * width + sx]);
  }
  const avg = boxRegion(r.image, whole, w, h);
  // Box (0,0) covers source columns 0..floor(451/113) and rows 0..floor(300/75) (exclusive).
  const bw = Math.floor(width / w);
  const bh = Math.floor(height / h);
  const sum = [0, 0, 0];
  for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) for (let c = 0; c < 3; c++) sum[c]! += r.image.data[(y * width + x) * 3 + c]!;
  assert.deepEqual([...avg.subarray(0, 3)], sum.map((v) => Math.round(v / (bw * bh))));
  // Gray levels are the seed's, never a blend.
  const region = renderRegion(r, whole, w, h, { mode: 'gray', selected: [], white: false }, clusterMeans(r));
  const grays = new Set<number>();
  for (let p = 0; p < w * h; p++) grays.add(region.right[p * 3]!);
  assert.deepEqual([...grays].sort((a, b) => a - b), [0, 85, 170, 255]);
  assert.throws(() => renderRegion(r, { x: 0, y: 0, width: 10, height: 10 }, 11, 10, { mode: 'gray', selected: [], white: false }, clusterMeans(r)), RangeError);
  assert.throws(() => boxRegion(r.image, { x: 400, y: 0, width: 100, height: 10 }, 10, 10), RangeError);
});

test('the panel\'s PNGs decode to the bytes they were made from, RGB and gray, with each of their row filters, in a buffer of their own', () => {
  const rgb = new Uint8Array(31 * 17 * 3).map((_, i) => (i * 37) % 256);
  for (const settings of [VIEW_FLAT_PNG, VIEW_PHOTO_PNG]) {
    const file = encodePngSync(rgb, 31, 17, 3, settings);
    assert.equal(file.buffer.byteLength, file.byteLength, 'transferable without extra bytes');
    const png = readPng(file.buffer as ArrayBuffer);
    assert.deepEqual([png.width, png.height, png.channels], [31, 17, 3]);
    assert.deepEqual(png.data, rgb);
  }
  const gray = new Uint8Array(9 * 4).map((_, i) => i * 7);
  assert.deepEqual(readPng(encodePngSync(gray, 9, 4, 1, VIEW_PHOTO_PNG).buffer as ArrayBuffer).data, gray);
  assert.throws(() => encodePngSync(rgb, 32, 17, 3, VIEW_FLAT_PNG), /needs/);
});

test('layouts: side by side is the seed composite; stacked and swipe place the halves as drawn', () => {
  const side = placeHalves('side', 451, 300);
  assert.deepEqual([side.width, side.height], [compositeSize(451, 300).width, 300]);
  assert.equal(side.right.x, 451 + stripWidth(451));
  const stacked = placeHalves('stacked', 6000, 4000);
  assert.deepEqual([stacked.width, stacked.height, stacked.right.y], [6000, 8000 + stripWidth(4000), 4000 + stripWidth(4000)]);
  const swipe = placeHalves('swipe', 6000, 4000);
  assert.deepEqual([swipe.width, swipe.height, swipe.right.x, swipe.strip], [6000, 4000, 0, undefined]);
  // Display sizes: never larger than the image, the long side at most the panel's.
  assert.deepEqual(scaledSize(6000, 4000, displayScale(6000, 4000, 1024)), { width: 1024, height: 683 });
  assert.deepEqual(scaledSize(300, 200, displayScale(300, 200, 1024)), { width: 300, height: 200 });
});

/** Box averages the plain way: each output pixel's box summed pixel by pixel, rounded as Math.round. */
function boxReference(img: RgbImage, rect: { x: number; y: number; width: number; height: number }, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  const xs = (i: number): number => rect.x + Math.floor((i * rect.width) / w);
  const ys = (i: number): number => rect.y + Math.floor((i * rect.height) / h);
  for (let oy = 0; oy < h; oy++) {
    for (let ox = 0; ox < w; ox++) {
      const sum = [0, 0, 0];
      for (let y = ys(oy); y < ys(oy + 1); y++) for (let x = xs(ox); x < xs(ox + 1); x++) for (let c = 0; c < 3; c++) sum[c]! += img.data[(y * img.width + x) * 3 + c]!;
      const area = (ys(oy + 1) - ys(oy)) * (xs(ox + 1) - xs(ox));
      for (let c = 0; c < 3; c++) out[(oy * w + ox) * 3 + c] = Math.round(sum[c]! / area);
    }
  }
  return out;
}

test('box averages of large regions (summed in the WebAssembly kernel) and small ones are those of the plain sum, rounding halves up', async () => {
  // a noisy 1200x900 picture
  const [W, H] = [1200, 900];
  const data = new Uint8Array(W * H * 3);
  let s = 12345;
  for (let i = 0; i < data.length; i++) data[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
  // the first 2x2 box at half size: means 1.5, 2.5, 3.5
  data.set([1, 2, 3, 2, 3, 4], 0);
  data.set([1, 2, 3, 2, 3, 4], W * 3);
  const img = { width: W, height: H, data };
  const cases: [{ x: number; y: number; width: number; height: number }, number, number][] = [
    [{ x: 0, y: 0, width: W, height: H }, 410, 307],
    [{ x: 0, y: 0, width: W, height: H }, 600, 450],
    [{ x: 0, y: 0, width: W, height: H }, 7, 5],
    [{ x: 37, y: 11, width: 1001, height: 777 }, 333, 259],
    [{ x: 3, y: 5, width: 90, height: 60 }, 31, 17],
  ];
  for (const [rect, w, h] of cases) {
    const got = boxRegion(img, rect, w, h);
    assert.ok(Buffer.from(got).equals(Buffer.from(boxReference(img, rect, w, h))), `${rect.width}x${rect.height} at ${rect.x},${rect.y} to ${w}x${h}`);
  }
  assert.deepEqual([...boxRegion(img, { x: 0, y: 0, width: W, height: H }, 600, 450).subarray(0, 3)], [2, 3, 4], 'halves round up (1.5 to 2)');
  // a real photo at display size
  const photo = await decodeImage(readFileSync('test/fixtures/images/astronaut.png'), 'astronaut.png');
  const whole = { x: 0, y: 0, width: photo.width, height: photo.height };
  assert.ok(Buffer.from(boxRegion(photo, whole, 171, 171)).equals(Buffer.from(boxReference(photo, whole, 171, 171))));
});
