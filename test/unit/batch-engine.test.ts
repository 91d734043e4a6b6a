// The batch engine (core/batch) as a host other than the CLI uses it: its own read and write
// functions (here an in-memory folder, as the extension's workspace.fs would be), progress,
// stopping, memory admission; with the real worker bundle (dist/batchWorker.js).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BATCH_WORKER_MARK, GATE_STOPPED, GATE_WRITING, type ImageTask, type TaskReply, type WritingNote } from '../../src/core/batch/protocol';
import { runBatch, type BatchProgress, type ImageReport } from '../../src/core/batch/engine';
import { ImageArena } from '../../src/core/batch/arena';
import { grayComposite, grayCompositePng } from '../../src/core/grayComposite';
import { encodeImage } from '../../src/core/encode';
import { composite, labelImage } from '../../src/core/composite';
import { imageMemoryTarget, jobsThatFit, MEMORY_EXTRA_BYTES } from '../../src/core/batch/memory';
import { segmentImageBytes, type ImageJob } from '../../src/core/batch/pipeline';
import { formatDuration, progressText, summaryText } from '../../src/core/batch/progress';
import { doneCheck, doneOutputs } from '../../src/core/batch/skipDone';
import { decodeImage } from '../../src/core/decode';
import { isOutputOf, outputName } from '../../src/core/naming';
import { DEFAULT_PARAMS } from '../../src/shared/params';
import { writeNewFile } from '../../src/core/files/writeNew';
import { BAD, FIXTURES } from './io-helpers';
import { privateBundles } from './private-bundle';

let WORKER = '';
let disposeBundle = (): void => undefined;

before(async () => {
  const b = await privateBundles({ batchWorker: 'src/core/batch/workerMain.ts' });
  WORKER = join(b.dir, 'batchWorker.js');
  disposeBundle = b.dispose;
});
after(() => disposeBundle());

const JOB: ImageJob = { params: { ...DEFAULT_PARAMS, nInit: 3 }, maxPixels: 1e8, mode: 'gray', select: [], formats: ['png'] };
const SMALL = ['small.png', 'small.jpg', 'small.bmp', 'small.gif', 'small-le.tif', 'linuxlogo.png'];

/** A folder in memory: what a host with its own file system (VS Code's workspace.fs) hands the engine. */
function memoryFolder(names: readonly string[]) {
  const files = new Map(names.map((n) => [n, new Uint8Array(readFileSync(join(FIXTURES, n)))]));
  const written = new Map<string, Uint8Array>();
  return {
    files,
    written,
    name: (n: string) => n,
    read: async (n: string) => {
      const b = files.get(n);
      if (!b) throw new Error(`${n}: no such file`);
      return b.slice();
    },
    write: async (n: string, outcome: { composites: { png?: Uint8Array } }) => {
      written.set(n, outcome.composites.png!);
      return [`${n}.out.png`];
    },
  };
}

test('an in-memory host: every image segmented on the workers as in-process, in any order, with progress', async () => {
  const folder = memoryFolder(SMALL);
  const reports: ImageReport<string>[] = [];
  const progress: BatchProgress[] = [];
  const summary = await runBatch([...folder.files.keys()], {
    ...folder,
    job: JOB,
    workerPath: WORKER,
    jobs: 2,
    onImage: (r) => reports.push(r),
    onProgress: (p) => progress.push(p),
  });
  assert.equal(summary.total, SMALL.length);
  assert.equal(summary.done, SMALL.length);
  assert.equal(summary.failed, 0);
  assert.equal(summary.cancelled, false);
  assert.equal(summary.jobs, 2);
  assert.equal(summary.peakJobs, 2);
  assert.deepEqual(reports.map((r) => r.index).sort(), SMALL.map((_, i) => i));
  assert.equal(progress.length, SMALL.length);
  assert.equal(progress.at(-1)!.done, SMALL.length);
  assert.ok(progress.every((p, i) => p.done === i + 1));
  for (const name of SMALL) {
    const alone = await segmentImageBytes(folder.files.get(name)!.slice(), name, JOB);
    assert.ok(Buffer.from(folder.written.get(name)!).equals(Buffer.from(alone.composites.png!)), name);
    const r = reports.find((x) => x.name === name)!;
    assert.equal(r.status, 'done');
    if (r.status === 'done') {
      assert.deepEqual(r.outcome.summary, alone.summary);
      assert.deepEqual(r.written, [`${name}.out.png`]);
    }
  }
});

test('a bad file, a missing file and a failing write are reported per image; the rest are done', async () => {
  const folder = memoryFolder(['small.png', 'small.bmp']);
  folder.files.set('text.png', new Uint8Array(readFileSync(join(BAD, 'text.png'))));
  const write = folder.write;
  const items = ['small.png', 'text.png', 'gone.png', 'small.bmp', 'readonly.png'];
  folder.files.set('readonly.png', folder.files.get('small.png')!);
  const reports: ImageReport<string>[] = [];
  const summary = await runBatch(items, {
    ...folder,
    write: async (n, o) => {
      if (n === 'readonly.png') throw new Error('folder is not writable');
      return write(n, o);
    },
    job: JOB,
    workerPath: WORKER,
    jobs: 2,
    onImage: (r) => reports.push(r),
  });
  assert.equal(summary.done, 2);
  assert.equal(summary.failed, 3);
  assert.deepEqual(summary.failures.map((f) => f.name), ['text.png', 'gone.png', 'readonly.png']);
  assert.match(summary.failures[0]!.message, /^text\.png: not a supported image/);
  assert.match(summary.failures[1]!.message, /gone\.png: no such file/);
  assert.match(summary.failures[2]!.message, /not writable/);
  const failed = reports.find((r) => r.name === 'text.png')!;
  assert.equal(failed.status, 'failed');
  if (failed.status === 'failed') assert.equal((failed.error as { code?: string }).code, 'not-an-image');
  assert.match(summaryText(summary), /^5 images: 2 done, 3 failed \(text\.png, gone\.png, readonly\.png\) in /);
});

test('memory: an image starts only while the targets of those in flight fit the budget', async () => {
  const folder = memoryFolder(SMALL);
  const items = [...folder.files.keys()];
  const tight = await runBatch(items, { ...folder, job: JOB, workerPath: WORKER, jobs: 2, memoryBudget: MEMORY_EXTRA_BYTES * 1.5 });
  assert.equal(tight.done, items.length);
  assert.equal(tight.peakJobs, 1, 'two images at once would not fit');
  const roomy = await runBatch(items, { ...folder, job: JOB, workerPath: WORKER, jobs: 2, memoryBudget: MEMORY_EXTRA_BYTES * 3 });
  assert.equal(roomy.peakJobs, 2);
  // one image over the whole budget still runs, alone
  const over = await runBatch(['small.png'], { ...folder, job: JOB, workerPath: WORKER, memoryBudget: 1 });
  assert.equal(over.done, 1);

  assert.equal(imageMemoryTarget({ width: 4000, height: 3000 }), 8 * 4000 * 3000 * 4 + 150 * 2 ** 20);
  assert.equal(jobsThatFit(8, { width: 4000, height: 3000 }, 2 * 2 ** 30), 3);
  assert.equal(jobsThatFit(8, { width: 10000, height: 10000 }, 2 ** 30), 1);
  assert.equal(jobsThatFit(2, { width: 300, height: 200 }, 2 ** 34), 2);
});

test('stopping: the signal ends the batch at once, images in flight are dropped, a write under way is finished whole', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kmeans-batch-stop-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const names = Array.from({ length: 12 }, (_, i) => `p${i}.png`);
  for (const [i, n] of names.entries()) copyFileSync(join(FIXTURES, i % 2 ? 'astronaut.png' : 'coffee.png'), join(dir, n));
  const abort = new AbortController();
  const job: ImageJob = { ...JOB, params: { ...DEFAULT_PARAMS, nInit: 20 } };
  const started = performance.now();
  let stoppedAt = 0;
  const summary = await runBatch(names, {
    job,
    workerPath: WORKER,
    jobs: 2,
    signal: abort.signal,
    name: (n) => n,
    read: async (n) => new Uint8Array(readFileSync(join(dir, n))),
    write: async (n, outcome) => {
      // stop while this write is under way: it still ends as a whole file
      stoppedAt = performance.now();
      abort.abort();
      return [await writeNewFile(dir, outputName(n, { ...job.params, k: outcome.summary.k }, 'png'), outcome.composites.png!)];
    },
  });
  assert.ok(performance.now() - stoppedAt < 1000, 'stopped within a second');
  assert.ok(performance.now() - started < 60_000);
  assert.equal(summary.cancelled, true);
  assert.equal(summary.done, 1);
  assert.equal(summary.notRun, names.length - 1);
  const left = readdirSync(dir).filter((n) => !names.includes(n));
  assert.equal(left.length, 1, left.join());
  assert.ok(isOutputOf(left[0]!, 'p0.png', job.params, 'png') || isOutputOf(left[0]!, 'p1.png', job.params, 'png'), left[0]);
  const img = await decodeImage(new Uint8Array(readFileSync(join(dir, left[0]!))), left[0]!);
  assert.ok(img.width > 0);

  // a signal already given: nothing runs
  const none = await runBatch(names, { job, workerPath: WORKER, signal: abort.signal, name: (n) => n, read: async () => new Uint8Array(), write: async () => [] });
  assert.equal(none.cancelled, true);
  assert.equal(none.notRun, names.length);
  assert.equal(none.jobs, 0);
});

test('skip-done: outputs beside an image for the same space, channels, k and format, with -2 names; each folder listed once', async () => {
  const p = { colorSpace: 'hsv' as const, channels: [0, 2], k: 3 };
  const siblings = ['a.png', 'a_20260101120000hsv_c02n3.png', 'a_20260101120000hsv_c02n3-2.png', 'a_20260101120000hsv_c02n4.png', 'a_20260101120000hsv_c02n3.jpg', 'ab_20260101120000hsv_c02n3.png', 'b.jpg'];
  assert.deepEqual(doneOutputs('a.png', siblings, p, 'png'), ['a_20260101120000hsv_c02n3-2.png', 'a_20260101120000hsv_c02n3.png']);
  assert.deepEqual(doneOutputs('a.png', siblings, p, 'jpg'), ['a_20260101120000hsv_c02n3.jpg']);
  assert.deepEqual(doneOutputs('b.jpg', siblings, p, 'png'), []);
  assert.deepEqual(doneOutputs('a.png', siblings, { ...p, channels: [0, 1, 2] }, 'png'), []);
  assert.ok(isOutputOf(outputName('x.y (1).png', { ...DEFAULT_PARAMS, ...p }, 'tiff'), 'x.y (1).png', p, 'tiff'));

  let listed = 0;
  const check = doneCheck<string>(
    {
      folderOf: (item) => item.slice(0, item.lastIndexOf('/')),
      nameOf: (item) => item.slice(item.lastIndexOf('/') + 1),
      list: async () => {
        listed++;
        return siblings;
      },
    },
    p,
    'png',
  );
  assert.equal((await check('/f/a.png')).length, 2);
  assert.equal((await check('/f/b.jpg')).length, 0);
  assert.equal(listed, 1);

  // in a batch: skipped images are reported in input order and never read
  const folder = memoryFolder(['small.png', 'small.bmp']);
  const reports: ImageReport<string>[] = [];
  const summary = await runBatch(['small.png', 'small.bmp'], {
    ...folder,
    job: JOB,
    workerPath: WORKER,
    done: async (n) => (n === 'small.png' ? ['small_20260101120000bgr_calln3.png'] : undefined),
    read: async (n) => {
      assert.notEqual(n, 'small.png');
      return folder.read(n);
    },
    onImage: (r) => reports.push(r),
  });
  assert.equal(summary.skipped, 1);
  assert.equal(summary.done, 1);
  assert.deepEqual(reports.map((r) => [r.name, r.status]), [['small.png', 'skipped'], ['small.bmp', 'done']]);
});

test('progress and summary text: n of N, images per second, time left; a rate only once images ended', () => {
  assert.equal(progressText({ total: 200, done: 0, failed: 0, skipped: 0, running: 2, elapsedMs: 100, imagesPerSecond: 0, etaMs: undefined }), '0 of 200');
  assert.equal(progressText({ total: 200, done: 10, failed: 2, skipped: 3, running: 2, elapsedMs: 2000, imagesPerSecond: 6, etaMs: 30_500 }), '15 of 200 · 6.0 images/s · 31 s left · 2 failed');
  const stopped = { total: 6, done: 0, failed: 0, skipped: 0, notRun: 6, cancelled: true, seconds: 4.9, imagesPerSecond: 0, jobs: 2, peakJobs: 2, failures: [] };
  assert.equal(summaryText(stopped), '6 images: 0 done, 6 not run (stopped) in 4.9 s', 'no rate when nothing ended');
  assert.equal(summaryText({ ...stopped, done: 2, notRun: 4, imagesPerSecond: 0.41 }), '6 images: 2 done, 4 not run (stopped) in 4.9 s, 0.41 images/s');
  assert.equal(formatDuration(245_000), '4 min 05 s');
  assert.equal(formatDuration(3_720_000), '1 h 02 min');
});

test('the gray composite drawn in one pass is composite(left, labelImage(...)), byte for byte', () => {
  for (const [w, h, k] of [[64, 48, 3], [7, 5, 2], [301, 2, 16], [1, 1, 255]] as const) {
    const left = { width: w, height: h, data: Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37) & 255) };
    const labels = Uint8Array.from({ length: w * h }, (_, i) => (i * 7) % k);
    const expected = composite(left, labelImage(labels, k, w, h));
    const got = grayComposite(left, labels, k);
    assert.equal(got.width, expected.width);
    assert.equal(got.height, expected.height);
    assert.ok(Buffer.from(got.data).equals(Buffer.from(expected.data)), `${w}x${h} k=${k}`);
  }
  assert.throws(() => grayComposite({ width: 2, height: 2, data: new Uint8Array(12) }, new Uint8Array(3), 2), /needs 4 labels/);
});

test('a worker that cannot start fails its images with a clear message; the batch ends', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kmeans-batch-noworker-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const folder = memoryFolder(['small.png', 'small.bmp', 'small.jpg']);
  const summary = await runBatch([...folder.files.keys()], { ...folder, job: JOB, workerPath: join(dir, 'missing.js'), jobs: 2 });
  assert.equal(summary.failed, 3);
  assert.equal(summary.done, 0);
  for (const f of summary.failures) assert.match(f.message, /the thread segmenting it stopped: .*missing\.js/);
});

/** The nice values of this process's threads other than the main one (Linux: /proc/self/task). */
function workerThreadNices(): number[] {
  return readdirSync('/proc/self/task')
    .filter((tid) => Number(tid) !== process.pid)
    .map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[16]));
}

test('background: the workers of a batch inside an editor run below normal priority; the CLI keeps normal', async () => {
  assert.equal(process.platform, 'linux', 'the priority of threads is checked where CI runs');
  for (const background of [true, false]) {
    const folder = memoryFolder(['small.png', 'small.bmp', 'small.jpg']);
    const seen: number[][] = [];
    // while the first image is reported the workers are alive (the batch has more to do)
    const summary = await runBatch([...folder.files.keys()], { ...folder, job: JOB, workerPath: WORKER, jobs: 2, background, onImage: () => seen.push(workerThreadNices()) });
    assert.equal(summary.done, 3);
    const below = seen[0]!.filter((n) => n === constants.priority.PRIORITY_LOW).length;
    if (background) assert.ok(below >= 1, `a worker thread at nice ${constants.priority.PRIORITY_LOW}: ${seen[0]}`);
    else assert.equal(below, 0, `no thread lowered: ${seen[0]}`);
  }
});

test('localPath and saveIn: the workers read the files and save the composites beside them themselves, never overwriting; the host reads headers only', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kmeans-batch-savein-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const names = ['small.png', 'small.bmp', 'linuxlogo.png'];
  for (const n of names) copyFileSync(join(FIXTURES, n), join(dir, n));
  const folder = memoryFolder(names);
  let hostWrites = 0;
  let hostReads = 0;
  const run = () =>
    runBatch([...names, 'missing.png'], {
      ...folder,
      read: async () => {
        hostReads++;
        return new Uint8Array();
      },
      write: async () => {
        hostWrites++;
        return [];
      },
      localPath: (n) => join(dir, n),
      saveIn: (n) => ({ dir, inputName: n }),
      job: JOB,
      workerPath: WORKER,
      jobs: 2,
    });
  const first = await run();
  assert.equal(first.done, 3);
  assert.deepEqual(first.failures.map((f) => [f.name, f.message]), [['missing.png', `${join(dir, 'missing.png')}: no such file`]]);
  const second = await run(); // within the same second the same names are taken: -2 names; nothing replaced
  assert.equal(second.done, 3);
  assert.equal(hostWrites, 0);
  assert.equal(hostReads, 0);
  const files = readdirSync(dir).sort();
  assert.equal(files.length, names.length * 3, files.join(', '));
  assert.ok(!files.some((f) => f.endsWith('.partial')));
  for (const n of names) {
    const alone = await segmentImageBytes(folder.files.get(n)!.slice(), n, JOB);
    const outs = files.filter((f) => isOutputOf(f, n, JOB.params, 'png'));
    // small.png and small.bmp share the stem "small": their four outputs all match both
    assert.ok(outs.length >= 2, `${n}: ${outs.join(', ')}`);
    assert.ok(outs.some((f) => readFileSync(join(dir, f)).equals(Buffer.from(alone.composites.png!))), n);
  }
});

test('the gray composite saved as PNG is drawn as it is encoded: the same file as the whole picture encoded', async () => {
  for (const [w, h, k] of [[640, 480, 3], [7, 5, 2], [1201, 450, 16]] as const) {
    const left = { width: w, height: h, data: Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37 + (i >> 9)) & 255) };
    const labels = Uint8Array.from({ length: w * h }, (_, i) => ((i * 7) >> 4) % k);
    const whole = await encodeImage(grayComposite(left, labels, k), 'png');
    assert.ok(Buffer.from(await grayCompositePng(left, labels, k)).equals(Buffer.from(whole)), `${w}x${h} k=${k}`);
  }
});

test('a batch worker\'s arena: the next image of the same size takes the buffers of the one before, zeroed; what it did not use is let go', () => {
  const arena = new ImageArena();
  const a = arena.alloc(3 << 20);
  const b = arena.alloc(2 << 20);
  a.fill(7);
  assert.equal(arena.alloc(1000).length, 1000, 'small buffers come from the heap');
  assert.deepEqual(arena.stats(), { held: 5 << 20, fresh: 5 << 20 });
  arena.nextImage();
  const a2 = arena.alloc(3 << 20);
  assert.ok(a2.buffer === a.buffer, 'the same buffer');
  assert.ok(a2.every((v) => v === 0), 'zeroed');
  const c = arena.alloc(5 << 20); // b's 2 MB does not fit: fresh
  assert.ok(c.buffer !== b.buffer);
  assert.equal(arena.stats().fresh, 10 << 20);
  arena.nextImage();
  assert.equal(arena.stats().held, 8 << 20, "b, unused by the second image, is let go");
  assert.ok(arena.alloc(2 << 20).buffer === a.buffer, 'the smallest that fits, up to twice the size');
  assert.equal(arena.stats().fresh, 10 << 20);
  assert.ok(arena.alloc(1 << 20).buffer !== c.buffer, 'not more than twice the size');
});

test('images segmented with an arena give the same files as without; the photos after the first allocate nothing big', async () => {
  const { cameraPhoto } = await import('../fixtures/photo/make-photo.mjs');
  const files = [await cameraPhoto(1024, 768, { seed: 3 }), await cameraPhoto(1024, 768, { seed: 5 }), await cameraPhoto(800, 600, { seed: 4 })];
  const arena = new ImageArena();
  const fresh: number[] = [];
  for (const f of files) {
    const bytes = new Uint8Array(readFileSync(f));
    const withArena = await segmentImageBytes(bytes.slice(), f, JOB, arena);
    fresh.push(arena.stats().fresh);
    const alone = await segmentImageBytes(bytes.slice(), f, JOB);
    assert.ok(Buffer.from(withArena.composites.png!).equals(Buffer.from(alone.composites.png!)), f);
    assert.deepEqual(withArena.summary, alone.summary);
  }
  // (BGR makes no converted copy: the decoded image is the only big buffer)
  assert.ok(fresh[0]! >= 1024 * 768 * 3 && fresh[0]! < 2 * 1024 * 768 * 3, `the first photo's decoded image comes from the arena, and no converted copy (${fresh[0]} bytes)`);
  assert.deepEqual(fresh, [fresh[0], fresh[0], fresh[0]], 'the second photo (the same size) and the third (smaller) reused the buffers of the one before');
});

test('the write gate: a worker writes only if it sets the gate before the batch stops it; stopped first, it writes nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'batch-gate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(join(FIXTURES, 'small.png'), join(dir, 'small.png'));
  const worker = new Worker(WORKER, { workerData: { [BATCH_WORKER_MARK]: true } });
  t.after(() => worker.terminate());
  const ask = (id: number, gate: Int32Array): Promise<TaskReply[]> =>
    new Promise((resolve) => {
      const got: (TaskReply | WritingNote)[] = [];
      const on = (m: TaskReply | WritingNote): void => {
        got.push(m);
        if (!('writing' in m)) {
          worker.off('message', on);
          resolve(got as TaskReply[]);
        }
      };
      worker.on('message', on);
      const task: ImageTask = { id, name: 'small.png', path: join(dir, 'small.png'), job: JOB, saveIn: { dir, inputName: 'small.png' }, gate };
      worker.postMessage(task);
    });
  // the batch stopped first: nothing written, the task ends as cancelled
  const stopped = new Int32Array(new SharedArrayBuffer(4));
  stopped[0] = GATE_STOPPED;
  const [refused] = await ask(1, stopped);
  assert.equal(refused!.ok, false);
  assert.equal(!refused!.ok && refused!.error.code, 'cancelled');
  assert.deepEqual(readdirSync(dir), ['small.png'], 'nothing written, no temporary file');
  // the worker first: it takes the gate, says so, writes the whole file
  const open = new Int32Array(new SharedArrayBuffer(4));
  const replies = await ask(2, open);
  assert.equal(open[0], GATE_WRITING);
  assert.ok('writing' in replies[0]!, 'the writing note came first');
  const done = replies.at(-1)!;
  assert.ok(done.ok && done.written?.length === 1);
  assert.deepEqual(readdirSync(dir).sort(), ['small.png', done.ok ? basename(done.written![0]!) : ''].sort());
});
