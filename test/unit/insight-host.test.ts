// The host's half of the insight views and the panel's reading of it: the result message built
// from a real segmentation, taken apart as the webview does (shownResult), the elbow's width,
// selections checked against k, and the names of the exported files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeImage } from '../../src/core/decode';
import { segmentSync } from '../../src/core/segment';
import { clusterPalette, renderResult } from '../../src/core/insight/index';
import { exportName, isOurOutput, outputName, withSuffix } from '../../src/core/naming';
import { compositeRgba } from '../../src/extension/compositeRgba';
import { ELBOW_MAX_WIDTH, elbowWidth, resultMessage, viewForK } from '../../src/extension/insightLogic';
import { imagePixelAt, shownResult, withRight } from '../../src/webview/insight/shownResult';
import type { PanelParams } from '../../src/shared/protocol';

const FILE = 'test/fixtures/images/chelsea.png';
const params: PanelParams = { colorSpace: 'hsv', channels: [0, 2], k: 4, width: 120, nInit: 2, maxIter: 100, seed: 3, format: 'png' };

test('a result message carries copies of the labels and converted pixels the webview rebuilds the result from', async () => {
  const image = await decodeImage(readFileSync(FILE), FILE);
  const result = segmentSync(image, { ...params });
  const rgba = compositeRgba(result);
  const msg = resultMessage(7, result, params, rgba, 12.5);
  assert.equal(msg.type, 'result');
  assert.equal(msg.requestId, 7);
  assert.deepEqual([msg.colorSpace, msg.channels, msg.k], ['hsv', [0, 2], result.k]);
  assert.deepEqual(msg.centers, result.centers);
  assert.notEqual(msg.labels, result.labels.buffer, 'the labels are a copy (a cache may hold the original)');
  assert.notEqual(msg.converted, result.converted.buffer);
  assert.deepEqual(new Uint8Array(msg.labels), result.labels);
  assert.deepEqual(new Uint8Array(msg.converted), result.converted);

  const shown = shownResult(msg);
  assert.deepEqual(shown.result.image, result.image, 'the original comes back out of the composite');
  assert.deepEqual(shown.result.clusterSizes, result.clusterSizes);
  assert.deepEqual(shown.palette, clusterPalette(result));
  const { width, height } = result.image;

  // The right half swapped for a mode, the left half and the strip untouched.
  const mean = renderResult(result, 'mean');
  const out = withRight(shown, mean.data);
  for (let y = 0; y < height; y += 7) {
    for (let x = 0; x < rgba.width; x += 5) {
      const o = (y * rgba.width + x) * 4;
      const right = x >= shown.rightX;
      const want = right ? [...mean.data.subarray((y * width + x - shown.rightX) * 3, (y * width + x - shown.rightX) * 3 + 3), 255] : [...rgba.data.subarray(o, o + 4)];
      assert.deepEqual([...out.subarray(o, o + 4)], want, `(${x},${y})`);
    }
  }
  // Pointer positions: both halves map to the same pixel, the strip to none.
  assert.deepEqual(imagePixelAt(shown, 5, 6), { x: 5, y: 6 });
  assert.deepEqual(imagePixelAt(shown, shown.rightX + 5, 6), { x: 5, y: 6 });
  assert.equal(imagePixelAt(shown, width, 6), undefined);
  assert.equal(imagePixelAt(shown, 5, height), undefined);
  assert.equal(imagePixelAt(shown, rgba.width, 0), undefined);
});

test('shownResult refuses a message whose sizes disagree', async () => {
  const image = await decodeImage(readFileSync(FILE), FILE);
  const result = segmentSync(image, { ...params });
  const msg = resultMessage(1, result, params, compositeRgba(result), 1);
  assert.throws(() => shownResult({ ...msg, labels: new ArrayBuffer(10) }), /sizes disagree/);
  assert.throws(() => shownResult({ ...msg, converted: new ArrayBuffer(10) }), /sizes disagree/);
});

test('the elbow runs at the segmentation width up to a cap, else at the cap', () => {
  assert.equal(elbowWidth(200, 4000), 200);
  assert.equal(elbowWidth(ELBOW_MAX_WIDTH, 4000), ELBOW_MAX_WIDTH);
  assert.equal(elbowWidth(0, 250), 0, 'a small image at its own size');
  assert.equal(elbowWidth(0, 4000), ELBOW_MAX_WIDTH);
  assert.equal(elbowWidth(1200, 4000), ELBOW_MAX_WIDTH);
});

test('a selection keeps only the ranks a result of k clusters has', () => {
  assert.deepEqual(viewForK({ mode: 'mask', selected: [0, 2, 5], white: true }, 3), { mode: 'mask', selected: [0, 2], white: true });
  assert.deepEqual(viewForK({ mode: 'gray', selected: [], white: false }, 2), { mode: 'gray', selected: [], white: false });
});

test('export names follow the composite name; a batch skips them as our own outputs', () => {
  const d = new Date(2026, 10, 26, 22, 5, 9);
  const p = { colorSpace: 'lab' as const, channels: [1, 2], k: 3, width: 300, nInit: 4, maxIter: 100, seed: 0 };
  assert.equal(outputName('plate.png', p, 'png', d), 'plate_20261126220509lab_c12n3.png');
  assert.equal(exportName('plate.png', p, 'labels', d), 'plate_20261126220509lab_c12n3_labels.png');
  assert.equal(exportName('dir/plate.jpg', p, 'mask', d), 'plate_20261126220509lab_c12n3_mask.png');
  assert.equal(exportName('plate.png', { ...p, channels: [0, 1, 2] }, 'palette', d), 'plate_20261126220509lab_calln3_palette.json');
  for (const kind of ['labels', 'mask'] as const) {
    const n = exportName('plate.png', p, kind, d);
    assert.ok(isOurOutput(n), n);
    assert.ok(isOurOutput(withSuffix(n, 3)), withSuffix(n, 3));
  }
  assert.ok(!isOurOutput('plate_labels.png'));
  assert.ok(!isOurOutput('plate_20261126220509lab_c12n3_palette.png'));
});
