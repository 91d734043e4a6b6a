// The insight work done off the extension host's thread: the elbow curve in the segmentation
// pool (split over two workers, queued behind segmentations) and the exports in the image worker
// (label and mask PNGs, composites in the panel's modes), against in-process computations.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeImage } from '../../src/core/decode';
import { composite, grayLabelBytes } from '../../src/core/composite';
import { prepare, segmentSync } from '../../src/core/segment';
import { elbowCurve, maskBytes, renderResult } from '../../src/core/insight/index';
import { SegmentPool } from '../../src/core/worker/pool';
import { ImageClient } from '../../src/extension/workers/imageClient';
import type { RgbImage } from '../../src/core/types';
import type { SegmentParams } from '../../src/shared/params';

const FILE = 'test/fixtures/images/chelsea.png';
const params: SegmentParams = { colorSpace: 'lab', channels: [1, 2], k: 3, width: 150, nInit: 3, maxIter: 100, seed: 0 };
let image: RgbImage;
let scratch = '';
let io: ImageClient;

before(async () => {
  const r = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { stdio: 'inherit' });
  assert.equal(r.status, 0, 'esbuild failed');
  // Private copies: other builds rewriting dist/ meanwhile cannot disturb them.
  scratch = mkdtempSync(join(tmpdir(), 'insight-workers-'));
  for (const f of ['worker.js', 'imageWorker.js']) spawnSync('cp', [resolve('dist', f), join(scratch, f)]);
  image = await decodeImage(readFileSync(FILE), FILE);
  io = new ImageClient(join(scratch, 'imageWorker.js'));
});
after(async () => {
  await io.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

test('pool.elbow: the curve split over two workers equals the curve computed in one go', async () => {
  const pool = new SegmentPool({ workerPath: join(scratch, 'worker.js'), size: 2 });
  try {
    const points = await pool.elbow(image, params, { imageKey: 'chelsea' });
    assert.deepEqual(points.map((p) => p.k), [2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(points, elbowCurve(prepare(image, params)));
    const some = await pool.elbow(image, params, { imageKey: 'chelsea', elbow: { only: [3, 7], nInit: 1 } });
    assert.deepEqual(some, elbowCurve(prepare(image, params), { only: [3, 7], nInit: 1 }));
    // Inertia falls as k grows on real data.
    for (let i = 1; i < points.length; i++) assert.ok(points[i]!.inertia <= points[i - 1]!.inertia * 1.01);
  } finally {
    await pool.dispose();
  }
});

test('pool: a segmentation queued after an elbow curve runs first; aborting the curve cancels it', async () => {
  const pool = new SegmentPool({ workerPath: join(scratch, 'worker.js'), size: 1 });
  try {
    const order: string[] = [];
    // Occupies the only worker so the next two wait in the queue.
    const busy = pool.segment(image, { ...params, width: 0, nInit: 2 }).then(() => order.push('busy'));
    const abort = new AbortController();
    const elbow = pool.elbow(image, params, { elbow: { nInit: 1 } }).then(() => order.push('elbow'));
    const seg = pool.segment(image, params).then(() => order.push('segment'));
    const doomed = pool.elbow(image, params, { signal: abort.signal });
    abort.abort();
    await assert.rejects(doomed, /cancelled/);
    await Promise.all([busy, elbow, seg]);
    assert.deepEqual(order, ['busy', 'segment', 'elbow']);
  } finally {
    await pool.dispose();
  }
});

test('image worker: label PNG, mask PNG and composites in each mode equal the in-process ones', async () => {
  const result = segmentSync(image, params);
  const { width, height } = result.image;
  const gray = await decodeImage(await io.encodeGray(result), 'labels.png');
  assert.deepEqual([gray.width, gray.height], [width, height]);
  const levels = grayLabelBytes(result.labels, result.k);
  for (let p = 0; p < width * height; p++) assert.equal(gray.data[p * 3], levels[p], `label pixel ${p}`);

  const mask = await decodeImage(await io.encodeGray(result, [1, 2]), 'mask.png');
  const want = maskBytes(result.labels, [1, 2], result.k);
  for (let p = 0; p < width * height; p++) assert.equal(mask.data[p * 3], want[p], `mask pixel ${p}`);

  for (const view of [
    { mode: 'mean' as const, selected: [], white: false },
    { mode: 'mask' as const, selected: [0], white: true },
    { mode: 'boundaries' as const, selected: [], white: false },
  ]) {
    const png = await decodeImage(await io.encodeComposite(result, 'png', view), `${view.mode}.png`);
    const expected = composite(result.image, renderResult(result, view.mode, view.selected, { white: view.white }));
    assert.deepEqual(png, expected, `composite in mode ${view.mode}`);
  }
});
