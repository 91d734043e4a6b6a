// Stopping superseded work: core's shouldStop, the pool's cooperative stop (the worker is kept),
// its terminate fallback (a worker busy where it does not look), and the panel's LatestRun.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isSegmentationError } from '../../src/core/errors';
import { elbowCurve } from '../../src/core/insight/elbow';
import { cluster, prepare, segmentSync } from '../../src/core/segment';
import type { RgbImage, SegmentResult } from '../../src/core/types';
import { STOP_GRACE_MS, SegmentPool } from '../../src/core/worker/pool';
import { LatestRun } from '../../src/extension/editor/latestRun';
import type { SegmentParams } from '../../src/shared/params';

const scratch = mkdtempSync(join(tmpdir(), 'pool-stop-'));
const workerPath = join(scratch, 'worker.js');

before(() => {
  const r = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: resolve(__dirname, '..', '..'), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  copyFileSync(resolve(__dirname, '..', '..', 'dist', 'worker.js'), workerPath);
});
after(() => rmSync(scratch, { recursive: true, force: true }));

function random(width: number, height: number, seed = 7): RgbImage {
  let s = seed;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return { width, height, data };
}

const base: SegmentParams = { colorSpace: 'bgr', channels: [0, 1, 2], k: 4, width: 0, nInit: 3, maxIter: 100, seed: 0 };
/** Seconds of K-means: many distinct colours, many clusters and restarts. */
const longImage = random(300, 200);
const longParams: SegmentParams = { ...base, k: 12, nInit: 400, maxIter: 500 };

const withoutTimings = ({ timings: _t, ...rest }: SegmentResult): Omit<SegmentResult, 'timings'> => rest;
const isCancelled = (e: unknown): boolean => isSegmentationError(e) && e.code === 'cancelled';

test('core: shouldStop ends K-means and the elbow curve with "cancelled"; never true, it changes nothing', () => {
  const image = random(60, 40);
  const prep = prepare(image, base);
  let asked = 0;
  assert.throws(() => cluster(prep, base, { shouldStop: () => ++asked > 5 }), isCancelled);
  assert.equal(asked, 6, 'asked between restarts and iterations until it said stop');
  assert.throws(() => elbowCurve(prep, {}, () => true), isCancelled);

  let calls = 0;
  assert.deepEqual(cluster(prep, base, { shouldStop: () => (calls++, false) }), cluster(prep, base));
  assert.ok(calls > base.nInit, `asked only ${calls} times`);
  assert.deepEqual(elbowCurve(prep, {}, () => false), elbowCurve(prep));
});

test('pool: an aborted run stops within the grace period and keeps its warm workers', { timeout: 60_000 }, async () => {
  const pool = new SegmentPool({ workerPath, size: 2 });
  try {
    await pool.segment(random(20, 20), base); // both workers started
    const started = pool.workersStarted;
    const abort = new AbortController();
    let stoppedAt = 0;
    const run = pool.segment(longImage, longParams, { signal: abort.signal, imageKey: 'long', onStopped: () => (stoppedAt = performance.now()) });
    await sleep(300); // well into K-means
    const abortedAt = performance.now();
    abort.abort();
    await assert.rejects(run, isCancelled);
    for (let i = 0; i < 100 && stoppedAt === 0; i++) await sleep(10);
    assert.ok(stoppedAt > 0, 'onStopped was not called');
    assert.equal(pool.workersStarted, started, 'a worker was terminated instead of stopping');
    console.log(`# pool-stop: an aborted run let go of its workers ${(stoppedAt - abortedAt).toFixed(1)} ms after the abort`);

    // The same workers, their prepared input: the next run is right.
    const quick = { ...longParams, nInit: 2, maxIter: 30 };
    assert.deepEqual(withoutTimings(await pool.segment(longImage, quick, { imageKey: 'long' })), withoutTimings(segmentSync(longImage, quick)));
    assert.equal(pool.workersStarted, started);
  } finally {
    await pool.dispose();
  }
});

test('pool: an aborted run that is still preparing finishes preparing for the next run instead of being terminated', { timeout: 60_000 }, async () => {
  const pool = new SegmentPool({ workerPath, size: 1 });
  try {
    await pool.segment(random(20, 20), base);
    const started = pool.workersStarted;
    // Converting and collapsing 12 MP to distinct Lab values takes most of a second here, unchecked.
    const big = random(4000, 3000);
    const params = { ...base, colorSpace: 'lab' as const, nInit: 1, maxIter: 5 };
    const abort = new AbortController();
    let stopped = false;
    const run = pool.segment(big, params, { signal: abort.signal, imageKey: 'big', onStopped: () => (stopped = true) });
    await sleep(100);
    abort.abort();
    await assert.rejects(run, isCancelled);
    for (let i = 0; i < 3000 && !stopped; i++) await sleep(10);
    assert.ok(stopped, 'onStopped was not called');
    assert.equal(pool.workersStarted, started, 'the preparing worker was terminated');
    // The next run on the same pixels does not prepare again.
    const next = await pool.segment(big, { ...params, k: 3 }, { imageKey: 'big' });
    assert.deepEqual([next.timings.resize, next.timings.convert], [0, 0], 'prepared again');
  } finally {
    await pool.dispose();
  }
});

test('pool: a worker that does not stop when asked is terminated after the grace period and replaced', { timeout: 60_000 }, async () => {
  // The real worker, plus a fault: a cluster task for the key 'stuck' spins without looking
  // at the stop counter, as a bug in the engine would.
  const stuck = join(scratch, 'stuck-worker.cjs');
  writeFileSync(
    stuck,
    `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => { if (m.kind === 'cluster' && String(m.key).startsWith('stuck#')) for (;;); });
require(${JSON.stringify(workerPath)});
`,
  );
  const pool = new SegmentPool({ workerPath: stuck, size: 1 });
  try {
    await pool.segment(random(20, 20), base);
    const started = pool.workersStarted;
    const abort = new AbortController();
    let stoppedAt = 0;
    const run = pool.segment(random(60, 40), base, { signal: abort.signal, imageKey: 'stuck', onStopped: () => (stoppedAt = performance.now()) });
    await sleep(300);
    const abortedAt = performance.now();
    abort.abort();
    await assert.rejects(run, isCancelled);
    for (let i = 0; i < 300 && stoppedAt === 0; i++) await sleep(10);
    assert.ok(stoppedAt - abortedAt >= STOP_GRACE_MS - 5, `let go after ${stoppedAt - abortedAt} ms`);
    assert.equal(pool.workersStarted, started + 1, 'replaced once');
    const img = random(30, 20);
    assert.deepEqual(withoutTimings(await pool.segment(img, base)), withoutTimings(segmentSync(img, base)));
  } finally {
    await pool.dispose();
  }
});

test('LatestRun: while a run is in flight, each newer one replaces the waiting one; only the latest starts', async () => {
  const runs = new LatestRun();
  const started: number[] = [];
  const signals: AbortSignal[] = [];
  const dropped: number[] = [];
  let release!: () => void;
  const firstHolds = new Promise<void>((r) => (release = r));
  for (let i = 0; i < 100; i++) {
    runs.submit(
      async (signal) => {
        started.push(i);
        signals.push(signal);
        // The first run holds its "worker" until released, as a stopping worker does.
        if (i === 0) await firstHolds;
      },
      () => dropped.push(i),
    );
  }
  await sleep(10);
  assert.deepEqual(started, [0]);
  assert.equal(signals[0]!.aborted, true);
  assert.equal(dropped.length, 98);
  release();
  await runs.idle();
  assert.deepEqual(started, [0, 99]);
  assert.equal(signals[1]!.aborted, false);
  assert.deepEqual(dropped, Array.from({ length: 98 }, (_, i) => i + 1));

  // cancel(): the run in flight is aborted and a waiting one never starts.
  let hold!: () => void;
  runs.submit(() => new Promise((r) => (hold = r)));
  let lateStarted = false;
  await sleep(1);
  runs.submit(async () => void (lateStarted = true));
  runs.cancel();
  hold();
  await runs.idle();
  assert.equal(lateStarted, false);
});
