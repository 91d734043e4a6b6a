import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { MessageChannel } from 'node:worker_threads';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { segmentSync } from '../../src/core/segment';
import { SegmentPool } from '../../src/core/worker/pool';
import { isSegmentationError } from '../../src/core/errors';
import type { RgbImage, SegmentResult } from '../../src/core/types';
import type { SegmentParams } from '../../src/shared/params';
import { withoutTimings } from './kmeans-helpers';

const workerPath = resolve('dist/worker.js');
let scratch = '';

before(() => {
  const r = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { stdio: 'inherit' });
  assert.equal(r.status, 0, 'esbuild failed');
  scratch = mkdtempSync(join(tmpdir(), 'pool-test-'));
});
after(() => rmSync(scratch, { recursive: true, force: true }));

const base: SegmentParams = {
  colorSpace: 'bgr',
  channels: [0, 1, 2],
  k: 4,
  width: 0,
  nInit: 6,
  maxIter: 100,
  seed: 0,
};

function noisy(width: number, height: number, seed = 1): RgbImage {
  let s = seed;
  const rnd = (): number => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const x = p % width;
    const blob = x < width / 3 ? 40 : x < (2 * width) / 3 ? 128 : 220;
    data[p * 3] = blob + (rnd() % 31) - 15;
    data[p * 3 + 1] = 255 - blob + (rnd() % 31) - 15;
    data[p * 3 + 2] = rnd();
  }
  return { width, height, data };
}

/** `img` with every byte moved up by a pseudo-random 0..`mask` (more distinct colours), in place. */
function spread(img: RgbImage, seed: number, mask: number): RgbImage {
  let h = seed;
  for (let i = 0; i < img.data.length; i++) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) + i;
    img.data[i] = (img.data[i]! + ((h >>> 24) & mask)) & 255;
  }
  return img;
}

async function rejectsCancelled(p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (e: unknown) => isSegmentationError(e) && e.code === 'cancelled');
}

test('pool results equal segmentSync exactly, split or not, cached or not', async () => {
  const pool = new SegmentPool({ workerPath, size: 2 });
  try {
    const img = noisy(80, 50);
    const cases: SegmentParams[] = [
      base,
      { ...base, colorSpace: 'hsv', channels: [0, 2], k: 3, width: 40 },
      { ...base, colorSpace: 'lab', channels: [1, 2], k: 5, nInit: 7 },
      { ...base, colorSpace: 'ycrcb', channels: [1], k: 2, nInit: 1 },
    ];
    for (const params of cases) {
      const expected = withoutTimings(segmentSync(img, params));
      // Alone on an idle pool: restarts split over both workers.
      assert.deepEqual(withoutTimings(await pool.segment(img, params)), expected);
      // Cached by key, twice (the second run reuses the worker's prepared input).
      assert.deepEqual(withoutTimings(await pool.segment(img, params, { imageKey: 'img' })), expected);
      assert.deepEqual(withoutTimings(await pool.segment(img, params, { imageKey: 'img' })), expected);
    }
    // Two at once: each on its own worker.
    const [a, b] = await Promise.all([pool.segment(img, cases[0]!), pool.segment(img, cases[1]!)]);
    assert.deepEqual(withoutTimings(a), withoutTimings(segmentSync(img, cases[0]!)));
    assert.deepEqual(withoutTimings(b), withoutTimings(segmentSync(img, cases[1]!)));
    // The caller's image is untouched by the transfers.
    assert.equal(img.data.byteLength, 80 * 50 * 3);
    assert.deepEqual(img.data, noisy(80, 50).data);
    assert.ok(pool.threadCount <= 2);
  } finally {
    await pool.dispose();
  }
});

test('a run with many distinct values takes an idle worker as a helper: same result; previews go first', async () => {
  const pool = new SegmentPool({ workerPath, size: 2 });
  try {
    // Three blobs of colours spread wide: about 50k distinct colours.
    const img = spread(noisy(300, 200, 5), 9, 63);
    // restarts enough that the other worker is given some before the first has done them all
    const params = { ...base, k: 6, nInit: 40 };
    const expected = withoutTimings(segmentSync(img, params));
    // both workers up, each having answered (one small run kept only one of them busy, and the
    // other could still be meeting its peer when the run below began clustering: once in CI)
    await Promise.all([pool.segment(noisy(10, 10), base), pool.segment(noisy(12, 10), base)]);
    const lentBefore = pool.helpsLent;
    assert.deepEqual(withoutTimings(await pool.segment(img, params, { imageKey: 'big' })), expected);
    assert.ok(pool.helpsLent > lentBefore, 'no worker helped');
    assert.ok(pool.helpsOnSharedTree > 0, "no helper was set to run on the preparing worker's tree");
    // Again, prepared input kept: still the same result.
    assert.deepEqual(withoutTimings(await pool.segment(img, params, { imageKey: 'big' })), expected);

    // One long run with a helper holds both workers: a preview queued meanwhile does not wait for
    // it (the helper gives way after its restart), and the long run's result is still exact.
    // (400 restarts take 0.6-1 s on two workers: 200 ended before the preview in a fast moment.)
    const longOne = pool.segment(img, { ...params, nInit: 400 }, { imageKey: 'big' });
    await new Promise((r) => setTimeout(r, 150));
    const seen: string[] = [];
    const quick = pool.segment(noisy(40, 30), base, { priority: 'preview' }).then(() => seen.push('preview'));
    const whole = longOne.then((r) => {
      seen.push('long');
      return r;
    });
    await Promise.all([quick, whole]);
    assert.deepEqual(seen, ['preview', 'long']);
    assert.deepEqual(withoutTimings(await whole), withoutTimings(segmentSync(img, { ...params, nInit: 400 })));

    // With both workers busy on long runs, a preview queued after a normal run starts first: the
    // worker that frees takes the preview, then the normal run, while the other stays on a run
    // stopped only once both have ended. (Two busy runs of different lengths, 0.1 and 0.3 s, could
    // still free both workers together on a loaded machine, and the small runs then raced: once
    // in CI; two equal ones did so about once in 15.)
    const stopLater = new AbortController();
    const held = pool.segment(longImage, { ...longParams, nInit: 100_000 }, { signal: stopLater.signal }).catch((e: unknown) => e);
    const busy = pool.segment(longImage, { ...longParams, nInit: 150 });
    const order: string[] = [];
    const normal = pool.segment(noisy(40, 30), base).then(() => order.push('normal'));
    const preview = pool.segment(noisy(40, 30), base, { priority: 'preview' }).then(() => order.push('preview'));
    await Promise.all([busy, normal, preview]);
    stopLater.abort();
    const stopped = await held;
    assert.ok(isSegmentationError(stopped) && stopped.code === 'cancelled', 'the held run was stopped, not finished');
    assert.deepEqual(order, ['preview', 'normal']);
  } finally {
    await pool.dispose();
  }
});

test('a key reused for other pixels gives the result of the new pixels', async () => {
  const pool = new SegmentPool({ workerPath, size: 1 });
  try {
    const first = noisy(40, 30, 1);
    const second = noisy(40, 30, 2);
    await pool.segment(first, base, { imageKey: 'panel' });
    const r = await pool.segment(second, base, { imageKey: 'panel' });
    assert.deepEqual(withoutTimings(r), withoutTimings(segmentSync(second, base)));
  } finally {
    await pool.dispose();
  }
});

test('runs queue when every worker is busy and all complete', async () => {
  const pool = new SegmentPool({ workerPath, size: 1 });
  try {
    const img = noisy(60, 40);
    const params = [2, 3, 4, 5].map((k) => ({ ...base, k }));
    const results = await Promise.all(params.map((p) => pool.segment(img, p, { imageKey: 'q' })));
    results.forEach((r, i) => assert.deepEqual(withoutTimings(r), withoutTimings(segmentSync(img, params[i]!))));
    assert.equal(pool.threadCount, 1);
  } finally {
    await pool.dispose();
  }
});

/** A run that takes seconds: many distinct colours, many restarts. */
const longImage = noisy(400, 300, 3);
const longParams: SegmentParams = { ...base, k: 12, nInit: 400, maxIter: 500 };

test('abort rejects fast, and the pool still works after', async () => {
  const pool = new SegmentPool({ workerPath, size: 2 });
  try {
    const controller = new AbortController();
    const run = pool.segment(longImage, longParams, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 150));
    let settled = false;
    run.catch(() => (settled = true));
    const outcome = rejectsCancelled(run);
    controller.abort();
    // Rejected at once, without waiting for the worker (no timed assertion: the box is shared).
    for (let i = 0; i < 3; i++) await Promise.resolve();
    assert.ok(settled, 'the abort did not reject the run at once');
    await outcome;
    assert.ok(pool.threadCount <= 2);

    const img = noisy(50, 40);
    assert.deepEqual(withoutTimings(await pool.segment(img, base)), withoutTimings(segmentSync(img, base)));
    // An already-aborted signal never starts.
    await rejectsCancelled(pool.segment(img, base, { signal: AbortSignal.abort() }));
  } finally {
    await pool.dispose();
  }
});

test('latest wins: each new run aborts the previous one', async () => {
  const pool = new SegmentPool({ workerPath, size: 2 });
  try {
    let current: AbortController | undefined;
    const start = (params: SegmentParams): Promise<SegmentResult> => {
      current?.abort();
      current = new AbortController();
      return pool.segment(longImage, params, { signal: current.signal, imageKey: 'panel' });
    };
    const first = start(longParams);
    const second = start({ ...longParams, k: 11 });
    const last = start({ ...longParams, k: 3, nInit: 2, maxIter: 50 });
    await rejectsCancelled(first);
    await rejectsCancelled(second);
    const r = await last;
    assert.deepEqual(withoutTimings(r), withoutTimings(segmentSync(longImage, { ...longParams, k: 3, nInit: 2, maxIter: 50 })));
  } finally {
    await pool.dispose();
  }
});

test('a crashed worker fails its run with a clear error and is replaced', async () => {
  // The real worker, plus a fault: a task for the key 'crash' throws (uncaught) instead of
  // answering, as a bug in the engine would.
  const crashing = join(scratch, 'crashing-worker.cjs');
  writeFileSync(
    crashing,
    `const { parentPort } = require('node:worker_threads');
const doomed = new Set();
parentPort.on('message', (m) => { if (String(m.key).startsWith('crash#')) doomed.add(m.id); });
const post = parentPort.postMessage.bind(parentPort);
parentPort.postMessage = (msg, transfer) => {
  if (doomed.has(msg.id)) throw new Error('injected fault');
  post(msg, transfer);
};
require(${JSON.stringify(workerPath)});
`,
  );
  const pool = new SegmentPool({ workerPath: crashing, size: 2 });
  try {
    const img = noisy(40, 30);
    assert.deepEqual(withoutTimings(await pool.segment(img, base)), withoutTimings(segmentSync(img, base)));
    await assert.rejects(pool.segment(img, base, { imageKey: 'crash' }), /segmentation worker crashed: injected fault/);
    assert.ok(pool.threadCount <= 2);
    const again = await pool.segment(img, { ...base, k: 3 }, { imageKey: 'fine' });
    assert.deepEqual(withoutTimings(again), withoutTimings(segmentSync(img, { ...base, k: 3 })));
  } finally {
    await pool.dispose();
  }
});

test('trim ends the idle threads, which start again only when work comes', async () => {
  const pool = new SegmentPool({ workerPath, size: 2 });
  try {
    await Promise.all([pool.segment(noisy(10, 10), base), pool.segment(noisy(12, 10), base)]);
    assert.equal(pool.threadCount, 2);
    const started = pool.workersStarted;
    pool.trim();
    for (let i = 0; i < 40 && pool.threadCount > 0; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(pool.threadCount, 0, 'the threads did not end');
    // nothing queued: no thread starts again (a trimmed pool used to replace them at once)
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(pool.threadCount, 0, 'threads started again with nothing to do');
    assert.equal(pool.workersStarted, started);
    assert.deepEqual(withoutTimings(await pool.segment(noisy(10, 10), base)), withoutTimings(segmentSync(noisy(10, 10), base)));
    assert.ok(pool.threadCount > 0);
  } finally {
    await pool.dispose();
  }
});

test('a missing worker script fails the run with a clear error', async () => {
  const pool = new SegmentPool({ workerPath: join(scratch, 'no-such-worker.js'), size: 1 });
  try {
    await assert.rejects(pool.segment(noisy(10, 10), base), /segmentation worker crashed: .*no-such-worker/);
  } finally {
    await pool.dispose();
  }
});

test('dispose ends the threads and cancels what is pending', async () => {
  const pool = new SegmentPool({ workerPath, size: 1 });
  const img = noisy(30, 20);
  await pool.segment(img, base);
  assert.equal(pool.threadCount, 1);
  const running = pool.segment(longImage, longParams);
  const queued = pool.segment(img, base);
  await new Promise((r) => setTimeout(r, 50));
  // Each worker is an OS thread of this process (Linux lists them in /proc/self/task).
  // Compared by thread id: Node may start a thread of its own meanwhile (so a count could stay
  // the same), and an ended thread leaves the list a moment after its exit is reported.
  const threadsBefore = readdirSync('/proc/self/task');
  const outcomes = Promise.all([rejectsCancelled(running), rejectsCancelled(queued)]);
  await pool.dispose();
  await outcomes;
  assert.equal(pool.threadCount, 0);
  const someEnded = (): boolean => {
    const now = new Set(readdirSync('/proc/self/task'));
    return threadsBefore.some((tid) => !now.has(tid));
  };
  for (let i = 0; i < 40 && !someEnded(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(someEnded(), 'the worker thread is still alive');
  await rejectsCancelled(pool.segment(img, base));
});

test('a large image run waits for the busy worker holding its prepared input (on an elbow fit, a preview) instead of preparing it again', async () => {
  const pool = new SegmentPool({ workerPath, size: 2 });
  try {
    const big = noisy(2000, 1100, 3);
    const params = { ...base, nInit: 2 };
    const first = await pool.segment(big, params, { imageKey: 'big' });
    assert.ok(first.timings.convert > 0, 'the first run prepares');
    for (let round = 0; round < 3; round++) {
      // One elbow fit (a single k) goes to the first idle worker, the one that prepared the large
      // image; the change of k that follows finds only the other worker idle.
      const elbow = pool.elbow(noisy(1200, 800, round), params, { imageKey: `small${round}`, elbow: { only: [8] } });
      await new Promise((r) => setTimeout(r, 10));
      const again = await pool.segment(big, { ...params, k: 3 + round }, { imageKey: 'big' });
      assert.deepEqual([again.timings.resize, again.timings.convert], [0, 0], `round ${round}: not prepared again`);
      assert.deepEqual(withoutTimings(again), withoutTimings(segmentSync(big, { ...params, k: 3 + round })));
      await elbow;
    }
    // The same when that worker is on a preview of a small copy (the first idle worker takes it).
    const preview = pool.segment(noisy(700, 500, 9), params, { priority: 'preview' });
    const afterPreview = await pool.segment(big, { ...params, k: 7 }, { imageKey: 'big' });
    assert.deepEqual([afterPreview.timings.resize, afterPreview.timings.convert], [0, 0], 'not prepared again behind a preview');
    await preview;
  } finally {
    await pool.dispose();
  }
});

test('a decoder\'s heap given with warm() becomes the preparing worker\'s kernel memory: the run and its helper work in it, exactly', async () => {
  const pool = new SegmentPool({ workerPath, size: 2 });
  try {
    const img = spread(noisy(2000, 1000, 9), 3, 31); // 2 MP: warm() grows memory for it
    const params = { ...base, k: 5, nInit: 12 };
    const expected = withoutTimings(segmentSync(img, params));
    // as a JPEG decoder leaves its heap: written all over but its first kilobyte
    const heap = new WebAssembly.Memory({ initial: 400, maximum: 32768, shared: true });
    new Uint8Array(heap.buffer).fill(0x5a, 1024);
    // both workers up and idle, as when a panel's photo is decoded: the run queued right after the
    // warm-up goes to the worker that takes the heap, not to the other
    await Promise.all([pool.segment(noisy(10, 10), base), pool.segment(noisy(12, 10), base)]);
    // as the decoding thread sends it, port to port (see readImage.ts)
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(heap);
    port1.close();
    pool.warm(img.width * img.height, port2);
    const onTree = pool.helpsOnSharedTree;
    assert.deepEqual(withoutTimings(await pool.segment(img, params, { imageKey: 'photo' })), expected);
    // the run's tree and arrays (~40 MB here) are laid out in it: it grew
    assert.ok(heap.buffer.byteLength > 400 * 65536, `the run did not work in the heap (${heap.buffer.byteLength} bytes)`);
    assert.ok(pool.helpsOnSharedTree > onTree, "no helper ran on the tree built in the heap");
    // changes of k: in the same memory, still exact
    assert.deepEqual(withoutTimings(await pool.segment(img, { ...params, k: 3 }, { imageKey: 'photo' })), withoutTimings(segmentSync(img, { ...params, k: 3 })));
  } finally {
    await pool.dispose();
  }
});

test('an idle worker converts and labels part of a large image another worker prepares and finishes, and the result is exact', async () => {
  const pool = new SegmentPool({ workerPath, size: 2 });
  try {
    const img = noisy(2000, 1500, 7); // 3 MP: twelve chunks to share
    const params = { ...base, colorSpace: 'lab' as const, k: 3, nInit: 2 };
    const expected = withoutTimings(segmentSync(img, params));
    // as a panel opening such a photo does while it decodes: the workers grow their kernel memory
    pool.warm(img.width * img.height);
    // both workers up and idle (two runs at once take one each)
    await Promise.all([pool.segment(noisy(10, 10), base), pool.segment(noisy(12, 10), base)]);
    assert.equal(pool.threadCount, 2);
    assert.equal(pool.chunksConvertedByHelpers, 0);
    // Converting 3 MP takes some 100 ms: on a loaded machine the preparing worker may finish before
    // the helper gets a core. Over three fresh preparations (new keys) the helper joins one.
    let key = '';
    let runs = 0;
    for (let attempt = 0; attempt < 3 && pool.chunksConvertedByHelpers === 0; attempt++, runs++) {
      key = `photo${attempt}`;
      assert.deepEqual(withoutTimings(await pool.segment(img, params, { imageKey: key })), expected);
    }
    const helped = pool.chunksConvertedByHelpers;
    assert.ok(helped > 0 && helped < 12, `the helper converted ${helped} of 12 chunks`);
    // changes of k: the worker holds the prepared input, nothing is converted again. Labelling
    // 3 MP takes some 40 ms, so the helper, free when the restarts end, joins it in most runs,
    // not in every one (on a loaded machine it missed three in a row): within six it does.
    for (let i = 0; i < 6 && (i < 2 || pool.chunksLabelledByHelpers === 0); i++, runs++) {
      const k = 4 + (i % 3);
      assert.deepEqual(withoutTimings(await pool.segment(img, { ...params, k }, { imageKey: key })), withoutTimings(segmentSync(img, { ...params, k })));
    }
    assert.equal(pool.chunksConvertedByHelpers, helped);
    const labelled = pool.chunksLabelledByHelpers;
    assert.ok(labelled > 0 && labelled < 12 * runs, `the helper labelled ${labelled} of ${12 * runs} chunks`);
  } finally {
    await pool.dispose();
  }
});

test('an elbow fit gives way to a preview at once and finishes later with the same curve', async () => {
  const pool = new SegmentPool({ workerPath, size: 2 });
  try {
    // every channel random: about 800k distinct colours, a curve of a second or more
    const img = noisy(1200, 800, 3);
    let h = 7;
    for (let i = 0; i < img.data.length; i++) img.data[i] = (h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) + i) >>> 24;
    const params = { ...base, k: 3 };
    const elbow = { kMin: 2, kMax: 8, nInit: 2 };
    const t0 = performance.now();
    const expected = await pool.elbow(img, params, { imageKey: 'first', elbow });
    const alone = performance.now() - t0;
    // The same curve again, on both workers, with previews queued while it runs: each preview
    // ends while the curve is still being fitted, and the curve comes out the same.
    const curve = pool.elbow(img, params, { imageKey: 'again', elbow });
    let curveDone = false;
    void curve.then(() => (curveDone = true));
    await new Promise((r) => setTimeout(r, 150));
    for (let i = 0; i < 3; i++) {
      await pool.segment(noisy(40, 30, i), base, { priority: 'preview' });
      assert.equal(curveDone, false, `preview ${i} waited for the whole curve`);
    }
    assert.deepEqual(await curve, expected);
    assert.ok(pool.elbowsGaveWay > 0, 'no k of the curve gave way to a preview');
    assert.ok(alone > 600, `the curve took only ${Math.round(alone)} ms: too short to test this`);
  } finally {
    await pool.dispose();
  }
});
