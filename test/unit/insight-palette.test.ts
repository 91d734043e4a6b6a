import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterPalette, paletteJson } from '../../src/core/insight/index';
import { grayOf, resultFrom, syntheticResult } from './insight-fixtures';

test('palette: one entry per rank in gray order, exact sizes and rounded mean colours', () => {
  const result = syntheticResult(37, 23, 5, 7);
  const palette = clusterPalette(result);
  assert.equal(palette.length, 5);
  palette.forEach((e, i) => {
    assert.equal(e.rank, i);
    assert.equal(e.gray, grayOf(i, 5));
    const pixels = [...result.labels.keys()].filter((p) => result.labels[p] === i);
    assert.equal(e.size, pixels.length);
    assert.ok(e.size > 0);
    for (let c = 0; c < 3; c++) {
      const sum = pixels.reduce((s, p) => s + result.image.data[p * 3 + c]!, 0);
      assert.equal(e.meanRgb[c], Math.round(sum / pixels.length));
    }
    assert.deepEqual(e.center, result.centers[i]);
  });
  assert.ok(palette[0]!.size > palette[4]!.size, 'rank 0 is the largest in this fixture');
  const shares = palette.reduce((s, e) => s + e.share, 0);
  assert.ok(Math.abs(shares - 1) < 1e-12, `shares sum to ${shares}`);
  assert.equal(palette[2]!.share, palette[2]!.size / (37 * 23));
});

test('palette: exact means on a hand-made 2x2 image, an empty cluster is black', () => {
  const image = { width: 2, height: 2, data: Uint8Array.from([10, 20, 30, 11, 21, 31, 200, 100, 0, 0, 0, 0]) };
  const labels = Uint8Array.from([0, 0, 1, 0]);
  const result = resultFrom(image, new Uint8Array(12), labels, 3);
  const palette = clusterPalette(result);
  assert.deepEqual(palette[0]!.meanRgb, [7, 14, 20]); // (10+11+0)/3 = 7, (20+21+0)/3 = 13.67, 61/3 = 20.33
  assert.deepEqual(palette[1]!.meanRgb, [200, 100, 0]);
  assert.deepEqual(palette[2]!.meanRgb, [0, 0, 0]);
  assert.equal(palette[2]!.size, 0);
  assert.deepEqual(palette.map((e) => e.gray), [0, 127, 254]);
  assert.deepEqual(palette.map((e) => e.share), [0.75, 0.25, 0]);
});

test('palette: a label not below k is reported, not silently counted', () => {
  const result = resultFrom({ width: 2, height: 1, data: new Uint8Array(6) }, new Uint8Array(6), Uint8Array.from([0, 3]), 4);
  assert.throws(() => clusterPalette({ ...result, k: 3 }), /label 3 at pixel 1 is not a rank below k = 3/);
});

test('paletteJson: plain data that survives a JSON round trip', () => {
  const result = syntheticResult(20, 10, 3, 3);
  const json = paletteJson(result, { colorSpace: 'hsv', channels: [2, 0] });
  const back = JSON.parse(JSON.stringify(json));
  assert.deepEqual(back, json);
  assert.equal(back.colorSpace, 'hsv');
  assert.deepEqual(back.channels, [2, 0]);
  assert.equal(back.k, 3);
  assert.equal(back.inertia, result.inertia);
  assert.equal(back.clusters.length, 3);
  const palette = clusterPalette(result);
  back.clusters.forEach((c: Record<string, unknown>, i: number) => {
    assert.deepEqual(Object.keys(c).sort(), ['center', 'gray', 'meanRgb', 'rank', 'share', 'size']);
    assert.deepEqual(c, { ...palette[i] });
  });
});

test('palette: a one-colour image (k capped to 1) gets gray 0, not the formula\'s 0/0', () => {
  const image = { width: 3, height: 1, data: new Uint8Array(9).fill(40) };
  const result = resultFrom(image, new Uint8Array(9).fill(5), new Uint8Array(3), 1);
  const palette = clusterPalette(result);
  assert.deepEqual(palette.map((e) => [e.gray, e.share, e.meanRgb]), [[0, 1, [40, 40, 40]]]);
  assert.equal(JSON.stringify(paletteJson(result, { colorSpace: 'bgr', channels: [0] })).includes('null'), false);
});

test('palette of a segmentation in BGR on all three channels (any order, resized or not): the sums the clustering told, the same entries as a pass over the pixels', async () => {
  const { decodeImage } = await import('../../src/core/decode');
  const { segmentSync } = await import('../../src/core/segment');
  const { readFileSync } = await import('node:fs');
  const image = await decodeImage(new Uint8Array(readFileSync(new URL('../fixtures/images/fruits.png', import.meta.url))), 'fruits.png');
  const base = { colorSpace: 'bgr' as const, channels: [0, 1, 2], k: 4, width: 0, nInit: 2, maxIter: 100, seed: 0 };
  for (const params of [base, { ...base, channels: [2, 1, 0] }, { ...base, channels: [1, 2, 0], k: 5 }, { ...base, width: 200 }]) {
    const result = segmentSync(image, params);
    assert.equal(result.rgbSums?.length, result.k * 3, `${params.channels} at width ${params.width}: sums told`);
    const told = clusterPalette(result);
    const counted = clusterPalette({ ...result, rgbSums: undefined });
    assert.deepEqual(told, counted, `${params.channels} at width ${params.width}`);
    assert.ok(told.some((e) => e.meanRgb[0] !== e.meanRgb[2]), 'colours, not grays: R and B not swapped into the same');
  }
  // other spaces, or fewer channels: values that are not the pixels' R, G and B, counted from the pixels
  for (const params of [{ ...base, colorSpace: 'hsv' as const }, { ...base, channels: [1, 2] }]) {
    const result = segmentSync(image, params);
    assert.equal(result.rgbSums, undefined, `${params.colorSpace} ${params.channels}`);
  }
});
