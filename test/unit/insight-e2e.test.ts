// The views on a real segmentation: a photo decoded, resized to 300 wide, clustered in HSV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeImage } from '../../src/core/decode';
import { prepare, segmentSync } from '../../src/core/segment';
import { channelHistogram, clusterPalette, elbowCurve, elbowK, inspectPixel, paletteJson, renderResult, splitView } from '../../src/core/insight/index';
import type { SegmentParams } from '../../src/shared/params';

const FILE = 'test/fixtures/images/chelsea.png';
const params: SegmentParams = { colorSpace: 'hsv', channels: [0, 2], k: 4, width: 300, nInit: 4, maxIter: 300, seed: 7 };

test('insight views agree with a real segmentation of chelsea.png', async () => {
  const image = await decodeImage(readFileSync(FILE), FILE);
  const result = segmentSync(image, params);
  const { width, height } = result.image;
  assert.equal(width, 300);

  const palette = clusterPalette(result);
  assert.deepEqual(palette.map((e) => e.size), result.clusterSizes);
  assert.ok(Math.abs(palette.reduce((s, e) => s + e.share, 0) - 1) < 1e-12);
  assert.deepEqual(palette.map((e) => e.center), result.centers);

  const mean = renderResult(result, 'mean', []);
  for (let p = 0; p < width * height; p += 97) {
    assert.deepEqual([...mean.data.subarray(p * 3, p * 3 + 3)], palette[result.labels[p]!]!.meanRgb);
  }

  channelHistogram(result, 2).forEach((h, r) => {
    assert.equal(h.reduce((s, v) => s + v, 0), result.clusterSizes[r]);
  });
  const view = splitView(result, params.channels);
  assert.equal(view.kind, 'scatter');
  if (view.kind === 'scatter') assert.equal(view.scatter.counts.reduce((s, v) => s + v, 0), width * height);

  const info = inspectPixel(result, 150, 100);
  assert.equal(info.rank, result.labels[100 * width + 150]);
  assert.deepEqual(paletteJson(result, params), JSON.parse(JSON.stringify(paletteJson(result, params))));

  // The elbow reuses prepare's distinct values; at the segmentation's own k and settings it
  // reproduces the segmentation's inertia exactly.
  const prep = prepare(image, params);
  const same = elbowCurve(prep, { ...params, kMin: params.k, kMax: params.k });
  assert.deepEqual(same, [{ k: params.k, inertia: result.inertia }]);
  const curve = elbowCurve(prep, { nInit: 3 });
  assert.deepEqual(curve.map((p) => p.k), [2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const k = elbowK(curve);
  assert.ok(k >= 3 && k <= 6, `elbow at ${k}`);
});
