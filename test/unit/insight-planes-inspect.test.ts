import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelPlanes, inspectPixel, splitView, thumbnailSize } from '../../src/core/insight/index';
import { grayOf, syntheticResult } from './insight-fixtures';
import { convertColor, converted as inOrder } from '../../src/core/colorspace';

test('channelPlanes: a small image is split into its planes unchanged', () => {
  const conv = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const out = channelPlanes(inOrder(conv), 2, 2, 96);
  assert.deepEqual([out.width, out.height], [2, 2]);
  assert.deepEqual(out.planes.map((p) => [...p]), [
    [1, 4, 7, 10],
    [2, 5, 8, 11],
    [3, 6, 9, 12],
  ]);
});

test('channelPlanes: downscaling averages whole boxes', () => {
  // 4x2 -> maxSide 2 -> 2x1: each output pixel averages a 2x2 box.
  const w = 4;
  const h = 2;
  const conv = new Uint8Array(w * h * 3);
  const v = [
    [10, 20, 100, 101],
    [30, 41, 102, 104],
  ];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 3;
      conv[s] = v[y]![x]!;
      conv[s + 1] = 255 - v[y]![x]!;
      conv[s + 2] = 7;
    }
  }
  const out = channelPlanes(inOrder(conv), w, h, 2);
  assert.deepEqual([out.width, out.height], [2, 1]);
  assert.deepEqual([...out.planes[0]], [Math.round(101 / 4), Math.round(407 / 4)]);
  assert.deepEqual([...out.planes[1]], [Math.round((1020 - 101) / 4), Math.round((1020 - 407) / 4)]);
  assert.deepEqual([...out.planes[2]], [7, 7]);
});

test('channelPlanes: a 300x200 image becomes 96x64 with the mean preserved', () => {
  const w = 300;
  const h = 200;
  const conv = new Uint8Array(w * h * 3).map((_, i) => (i * 7919) % 256);
  const out = channelPlanes(inOrder(conv), w, h);
  assert.deepEqual([out.width, out.height], [96, 64]);
  for (let c = 0; c < 3; c++) {
    let src = 0;
    for (let i = c; i < conv.length; i += 3) src += conv[i]!;
    const dst = out.planes[c]!.reduce((s, x) => s + x, 0);
    assert.ok(Math.abs(src / (w * h) - dst / (96 * 64)) < 2, `channel ${c} mean`);
  }
  assert.deepEqual(thumbnailSize(1000, 3, 96), { width: 96, height: 1 });
  assert.throws(() => channelPlanes(inOrder(conv), w, h + 1), /do not make a 300x201 image/);
});

test('inspectPixel: values read from image, converted and labels', () => {
  const result = syntheticResult(13, 9, 4, 6);
  for (const [x, y] of [[0, 0], [12, 8], [5, 3]] as const) {
    const info = inspectPixel(result, x, y);
    const p = y * 13 + x;
    assert.deepEqual(info, {
      x,
      y,
      rgb: [...result.image.data.subarray(p * 3, p * 3 + 3)],
      channels: [...result.converted.data.subarray(p * 3, p * 3 + 3)],
      rank: result.labels[p],
      gray: grayOf(result.labels[p]!, 4),
    });
  }
  for (const [x, y] of [[-1, 0], [13, 0], [0, 9], [1.5, 2], [Number.NaN, 0]]) {
    assert.throws(() => inspectPixel(result, x!, y!), RangeError);
  }
  assert.throws(() => inspectPixel(result, 13, 0), /pixel \(13, 0\) is off the 13x9 image/);
});

test('BGR read backwards from the RGB pixels: the same planes, inspector values and split as a converted copy', () => {
  const result = syntheticResult(40, 30, 3, 9);
  const rgb = result.image.data;
  const backwards = { ...result, converted: { data: rgb, offsets: [2, 1, 0] as const } };
  const copy = { ...result, converted: inOrder(convertColor(result.image, 'bgr')) };
  assert.deepEqual(channelPlanes(backwards.converted, 40, 30, 8), channelPlanes(copy.converted, 40, 30, 8));
  assert.deepEqual(inspectPixel(backwards, 7, 11), inspectPixel(copy, 7, 11));
  assert.deepEqual(inspectPixel(backwards, 7, 11).channels, [...rgb.subarray((11 * 40 + 7) * 3, (11 * 40 + 7) * 3 + 3)].reverse());
  for (const channels of [[0], [2, 0], [0, 1, 2]]) assert.deepEqual(splitView(backwards, channels, 16, true), splitView(copy, channels, 16, true));
});
