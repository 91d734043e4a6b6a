// The panel's run without vscode (src/extension/panelRun.ts), on a real worker pool: the result
// message it posts, and the runs it must not post (superseded, or started before a file change).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { segmentSync } from '../../src/core/segment';
import { SegmentPool } from '../../src/core/worker/pool';
import type { RgbImage, SegmentResult } from '../../src/core/types';
import { compositeRgba } from '../../src/extension/compositeRgba';
import { LastResult } from '../../src/extension/lastResult';
import { LatestRun } from '../../src/extension/latestRun';
import { panelRun, type PanelRunContext } from '../../src/extension/panelRun';
import { toSegmentParams } from '../../src/extension/settingsLogic';
import type { PanelParams, ResultMessage } from '../../src/shared/protocol';

let pool: SegmentPool;
before(() => {
  const r = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { stdio: 'inherit' });
  assert.equal(r.status, 0, 'esbuild failed');
  pool = new SegmentPool({ workerPath: resolve('dist/worker.js'), size: 2 });
});
after(() => pool.dispose());

function stripes(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const band = Math.floor(((p % width) * 3) / width);
    data.set([40 + band * 90, 200 - band * 60, (p * 7) % 50], p * 3);
  }
  return { width, height, data };
}

const params: PanelParams = { colorSpace: 'bgr', channels: [0, 1, 2], k: 3, width: 0, nInit: 4, maxIter: 50, seed: 0, format: 'png' };

function context(image: RgbImage): { ctx: PanelRunContext; posted: ResultMessage[]; failed: unknown[] } {
  const posted: ResultMessage[] = [];
  const failed: unknown[] = [];
  const ctx: PanelRunContext = {
    load: async () => ({ image, key: 'img#1' }),
    pool: () => pool,
    last: new LastResult<PanelParams, SegmentResult>(),
    post: (m) => posted.push(m),
    fail: (e) => failed.push(e),
  };
  return { ctx, posted, failed };
}

test('a run posts the result message: the RGBA composite of the same segmentation, and keeps the result', async () => {
  const image = stripes(60, 20);
  const { ctx, posted, failed } = context(image);
  await panelRun(ctx, { type: 'run', requestId: 7, params }, new AbortController().signal);
  assert.deepEqual(failed, []);
  assert.equal(posted.length, 1);
  const msg = posted[0]!;
  const expected = segmentSync(image, toSegmentParams(params));
  const rgba = compositeRgba(expected);
  assert.equal(msg.requestId, 7);
  assert.equal(msg.k, 3);
  assert.equal(msg.width, rgba.width);
  assert.equal(msg.height, 20);
  assert.deepEqual(new Uint8Array(msg.pixels), rgba.data);
  assert.deepEqual(new Uint8Array(msg.labels), expected.labels);
  assert.ok(msg.timeMs >= 0);
  assert.ok(ctx.last.reuse(params, 'img#1', (a, b) => a.k === b.k), 'Save reuses the run');
});

test('through LatestRun only the newest of a burst of runs posts; a run older than a file change posts nothing', async () => {
  const image = stripes(200, 100);
  const { ctx, posted, failed } = context(image);
  const runs = new LatestRun();
  for (let k = 2; k <= 6; k++) runs.submit((signal) => panelRun(ctx, { type: 'run', requestId: k, params: { ...params, k } }, signal));
  await runs.idle();
  assert.deepEqual(failed, []);
  assert.deepEqual(posted.map((m) => m.requestId), [6]);

  // The file changes on disk while the run is under way (here: while its pixels load).
  const load = ctx.load;
  ctx.load = () => {
    ctx.last.fileChanged();
    return load();
  };
  runs.submit((signal) => panelRun(ctx, { type: 'run', requestId: 9, params }, signal));
  await runs.idle();
  assert.deepEqual(posted.map((m) => m.requestId), [6], 'the stale run is not shown');
});
