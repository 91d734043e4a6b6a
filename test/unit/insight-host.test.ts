// The host's half of the insight views: the elbow's width, selections checked against k, and the
// names of the exported files (the views themselves: panel-session.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportName, isOurOutput, outputName, withSuffix } from '../../src/core/naming';
import { ELBOW_MAX_WIDTH, elbowWidth } from '../../src/extension/editor/panelSession';
import { viewForK } from '../../src/shared/protocol';

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
