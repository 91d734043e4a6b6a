// Load through the worker pool as the panel and the batch use it (see test/stress/load.ts; the
// extension's controllers need vscode, so the same calls are driven directly). A small version:
// `npm run stress` runs 200 changes and a batch of 50.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImageClient } from '../../src/extension/workers/imageClient';
import { segmentSync } from '../../src/core/segment';
import type { RgbImage, SegmentResult } from '../../src/core/types';
import { SegmentPool } from '../../src/core/worker/pool';
import { FIXTURE_IMAGES } from '../stress/corpus';
import { BASE_PARAMS, PanelDriver, burst, fixtureImages, liveThreads, rssMb, runBatch, sampler, withLoopDelay, workersStarted } from '../stress/load';

const ROOT = resolve(__dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'reliability-load-'));
let workerPath = '';
let imageWorkerPath = '';
let images: { name: string; image: RgbImage }[] = [];

before(async () => {
  const r = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // A private copy: other builds rewriting dist/ meanwhile cannot disturb the workers.
  workerPath = join(scratch, 'worker.js');
  copyFileSync(join(ROOT, 'dist', 'worker.js'), workerPath);
  imageWorkerPath = join(scratch, 'imageWorker.js');
  copyFileSync(join(ROOT, 'dist', 'imageWorker.js'), imageWorkerPath);
  // the image codecs' WebAssembly, which the decode worker reads from beside itself
  for (const f of readdirSync(join(ROOT, 'dist')).filter((n) => n.endsWith('.wasm'))) copyFileSync(join(ROOT, 'dist', f), join(scratch, f));
  images = await fixtureImages(FIXTURE_IMAGES, ['chelsea.png', 'coffee.png', 'astronaut.png', 'rocket.png', 'linuxlogo.png']);
});
after(() => rmSync(scratch, { recursive: true, force: true }));

const withoutTimings = ({ timings: _t, ...rest }: SegmentResult): Omit<SegmentResult, 'timings'> => rest;

async function threadsSettle(limit: number): Promise<number> {
  for (let i = 0; i < 100 && liveThreads() > limit; i++) await sleep(50);
  return liveThreads();
}

test('60 parameter changes, latest wins: only the last result is delivered, threads bounded and released', { timeout: 120_000 }, async () => {
  const pool = new SegmentPool({ workerPath });
  try {
    const { image } = images[0]!;
    await pool.segment(image, { ...BASE_PARAMS, width: 64 }); // both workers started
    const started0 = await workersStarted();
    const poolStarted0 = pool.workersStarted;
    const threads0 = liveThreads();
    const rss0 = rssMb();
    const s = sampler();
    const panel = new PanelDriver(pool, image, 'chelsea.png#1');
    const loop = await withLoopDelay(async () => {
      const last = await burst(panel, 60, (i) => ({ ...BASE_PARAMS, k: 2 + (i % 7), width: 100 + (i % 20) * 5, seed: i }));
      await panel.settled();
      return last;
    });
    const peak = s.stop();
    const restarts = (await workersStarted()) - started0 - 1;
    assert.deepEqual(panel.errors, []);
    assert.deepEqual(panel.delivered.map((d) => d.requestId), [panel.lastRequestId]);
    assert.equal(panel.cancelled, 59, 'aborted, or replaced while waiting');
    assert.deepEqual(withoutTimings(panel.delivered[0]!.result), withoutTimings(segmentSync(image, loop.value)));
    // Aborted runs stop cooperatively and keep their warm workers (each abort used to replace
    // one: 118 workers started for these 60 changes); a few may still be replaced on a starved CPU.
    const replaced = pool.workersStarted - poolStarted0;
    assert.ok(replaced <= 6, `${replaced} workers replaced for 59 aborted runs`);
    assert.ok(pool.threadCount <= pool.size);
    assert.ok(peak.peakThreads - threads0 <= 40, `threads peaked at ${peak.peakThreads} from ${threads0}`);
    const threadsAfter = await threadsSettle(threads0);
    assert.ok(threadsAfter <= threads0, `threads ${threadsAfter} after, ${threads0} before`);
    assert.ok(loop.maxBlockedMs < 50, `main thread blocked ${loop.maxBlockedMs} ms`);
    console.log(
      `# reliability: load: 60 changes latest-wins: 1 delivered (the last), 59 cancelled; ${restarts} workers started, last change to its result ${panel.lastLatencyMs.toFixed(0)} ms; threads ${threads0} -> peak ${peak.peakThreads} -> ${threadsAfter}; ` +
        `RSS ${rss0.toFixed(0)} -> peak ${peak.peakRssMb.toFixed(0)} -> ${rssMb().toFixed(0)} MB; main thread blocked at most ${loop.maxBlockedMs.toFixed(1)} ms ` +
        `(event-loop delay max ${loop.maxDelayMs.toFixed(0)} ms, of which CPU wait up to ${loop.maxRunqueueMs.toFixed(0)} ms)`,
    );
  } finally {
    await pool.dispose();
  }
});

test('five panels and a batch of 20 files through one pool: all finish, the main thread never blocks 50 ms', { timeout: 180_000 }, async () => {
  const pool = new SegmentPool({ workerPath });
  const io = new ImageClient(imageWorkerPath);
  const dir = join(scratch, 'batch');
  mkdirSync(dir);
  const sources = ['small.png', 'small.jpg', 'small.bmp', 'small.gif', 'small-le.tif', 'linuxlogo.png', 'chelsea.png', 'coffee.png', 'astronaut.png', 'rocket.png'];
  const files = Array.from({ length: 20 }, (_, i) => {
    const f = join(dir, `img${i}-${sources[i % sources.length]}`);
    copyFileSync(join(FIXTURE_IMAGES, sources[i % sources.length]!), f);
    return f;
  });
  try {
    await pool.segment(images[4]!.image, { ...BASE_PARAMS, width: 32 });
    const panels = images.map((x) => new PanelDriver(pool, x.image, `${x.name}#1`));
    const started0 = await workersStarted();
    const poolStarted0 = pool.workersStarted;
    const s = sampler();
    const loop = await withLoopDelay(async () => {
      const batch = runBatch(pool, io, files, dir, { ...BASE_PARAMS, width: 200 });
      await Promise.all(panels.map((p) => burst(p, 8, (i) => ({ ...BASE_PARAMS, k: 2 + i, width: 160 }))));
      await Promise.all(panels.map((p) => p.settled()));
      return batch;
    });
    const peak = s.stop();
    const restarts = (await workersStarted()) - started0 - 1;
    const replaced = pool.workersStarted - poolStarted0;
    const latency = Math.max(...panels.map((p) => p.lastLatencyMs));
    const batch = loop.value;
    assert.deepEqual(batch.failed, []);
    assert.equal(batch.done, files.length);
    assert.equal(readdirSync(dir).filter((n) => n.endsWith('.seg.png')).length, files.length);
    for (const p of panels) {
      assert.deepEqual(p.errors, []);
      assert.deepEqual(p.delivered.map((d) => d.requestId), [p.lastRequestId], p.key);
    }
    assert.ok(loop.maxBlockedMs < 50, `main thread blocked ${loop.maxBlockedMs.toFixed(1)} ms (slowest own step: ${JSON.stringify(batch.slowestMainThreadStepMs)})`);
    console.log(
      `# reliability: load: 5 panels x 8 changes + batch of ${files.length}: all finished; ${restarts} workers started (${replaced} of them segmentation workers replaced); slowest last-change-to-result ${latency.toFixed(0)} ms; main thread blocked at most ${loop.maxBlockedMs.toFixed(1)} ms; ` +
        `event-loop delay max ${loop.maxDelayMs.toFixed(0)} ms / p99 ${loop.p99DelayMs.toFixed(0)} ms incl. CPU wait up to ${loop.maxRunqueueMs.toFixed(0)} ms; ` +
        `peak threads ${peak.peakThreads}, peak RSS ${peak.peakRssMb.toFixed(0)} MB`,
    );
  } finally {
    await pool.dispose();
    await io.dispose();
  }
});
