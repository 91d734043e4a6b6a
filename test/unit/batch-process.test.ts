// The extension's batches of local files run in a process of their own (core/batch/processMain.ts,
// started by src/extension/batch/batchProcess.ts as the extension starts it): real images in a
// temporary folder, the composites it saves, a failure and a skip reported per image, the
// process and its threads at the lowest priority and on malloc's huge pages, a stop that leaves only whole files, and a
// crash reported instead of a batch that never ends.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { BatchProgress } from '../../src/core/batch/engine';
import type { ImageJob } from '../../src/core/batch/pipeline';
import type { ImageLine } from '../../src/core/batch/processProtocol';
import { decodeImage } from '../../src/core/decode';
import { isOurOutput } from '../../src/core/naming';
import { DEFAULT_PARAMS } from '../../src/shared/params';
import { runBatchProcess } from '../../src/extension/batch/batchProcess';
import { withMallocHugePages } from '../../src/core/batch/mallocHugePages';
import { png } from '../stress/corpus';
import { FIXTURES } from './io-helpers';
import { privateBundles } from './private-bundle';

let PROCESS = '';
let WORKER = '';
let disposeBundle = (): void => undefined;
const JOB: ImageJob = { params: { ...DEFAULT_PARAMS, nInit: 3 }, maxPixels: 1e8, mode: 'gray', select: [], formats: ['png'] };

before(async () => {
  const b = await privateBundles({ batchProcess: 'src/core/batch/processMain.ts', batchWorker: 'src/core/batch/workerMain.ts' });
  PROCESS = join(b.dir, 'batchProcess.js');
  WORKER = join(b.dir, 'batchWorker.js');
  disposeBundle = b.dispose;
});
after(() => disposeBundle());

function workDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kmeans-batch-process-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The processes whose parent is this one and whose command line runs `script`. */
function childrenRunning(script: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
        return Number(stat[1]) === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(script);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

/** The nice value of every thread of a process (Linux: /proc/PID/task). */
function threadNices(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[16]));
}

test('a folder in the batch process: composites saved beside the images, a corrupt one and a skip reported, all at the lowest priority', async (t) => {
  const dir = workDir(t);
  const names = ['chelsea.png', 'small.jpg', 'linuxlogo.png'];
  for (const n of names) copyFileSync(join(FIXTURES, n), join(dir, n));
  writeFileSync(join(dir, 'corrupt.png'), 'not a png');
  const lines: ImageLine[] = [];
  const progress: BatchProgress[] = [];
  const nices: number[][] = [];
  const tunables: string[] = [];
  const files = [...names, 'corrupt.png'].map((n) => ({ path: join(dir, n) }));
  const summary = await runBatchProcess({
    processPath: PROCESS,
    workerPath: WORKER,
    // linuxlogo.png has its composite already: it is skipped
    files: files.map((f) => (f.path.endsWith('linuxlogo.png') ? { ...f, existing: ['linuxlogo_done.png'] } : f)),
    job: JOB,
    signal: new AbortController().signal,
    onImage: (line) => {
      lines.push(line);
      // while it reports the first image the batch has more to do: its threads are alive
      if (nices.length === 0) {
        for (const pid of childrenRunning(PROCESS)) {
          nices.push(threadNices(pid));
          tunables.push(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((v) => v.startsWith('GLIBC_TUNABLES=')) ?? '');
        }
      }
    },
    onProgress: (p) => progress.push(p),
  });
  assert.deepEqual([summary.total, summary.done, summary.failed, summary.skipped, summary.cancelled], [4, 2, 1, 1, false]);
  assert.deepEqual(summary.failures.map((f) => f.name), ['corrupt.png']);
  // started with malloc's huge pages asked for (mallocHugePages.ts)
  assert.deepEqual(tunables, [`GLIBC_TUNABLES=${withMallocHugePages(process.env.GLIBC_TUNABLES)}`]);

  const byName = new Map(lines.map((l) => [l.name, l]));
  assert.deepEqual([...byName.keys()].sort(), ['chelsea.png', 'corrupt.png', 'linuxlogo.png', 'small.jpg']);
  const failed = byName.get('corrupt.png');
  assert.ok(failed?.status === 'failed' && /^corrupt\.png: /.test(failed.message) && !failed.message.includes('\n'), JSON.stringify(failed));
  assert.deepEqual(byName.get('linuxlogo.png'), { index: 2, name: 'linuxlogo.png', status: 'skipped', existing: ['linuxlogo_done.png'] });
  assert.equal(progress.at(-1)?.done, 2);

  // each composite is the seed's layout: the image, a strip, the gray clusters; nothing else written
  const outputs = readdirSync(dir).filter(isOurOutput).sort();
  assert.equal(outputs.length, 2, outputs.join(', '));
  for (const name of ['chelsea.png', 'small.jpg']) {
    const line = byName.get(name);
    assert.ok(line?.status === 'done', JSON.stringify(line));
    assert.equal(line.written.length, 1);
    const input = await decodeImage(readFileSync(join(dir, name)), name);
    const composite = await decodeImage(readFileSync(line.written[0]!), line.written[0]!);
    assert.equal(composite.height, input.height);
    assert.ok(composite.width > 2 * input.width, `${composite.width} wide for ${input.width}`);
  }

  assert.equal(nices.length, 1, 'the batch ran in one child process');
  assert.ok(nices[0]!.length >= 3, `its main thread and worker threads: ${nices[0]}`);
  assert.ok(nices[0]!.every((n) => n === constants.priority.PRIORITY_LOW), `every thread at nice ${constants.priority.PRIORITY_LOW}: ${nices[0]}`);
});

test('a stop ends the batch process at once: the summary says what did not run, and only whole files are left', async (t) => {
  const dir = workDir(t);
  // noisy 1500 x 1000 images: each takes a worker a while
  const names: string[] = [];
  for (let i = 0; i < 6; i++) {
    const raw = new Uint8Array((1500 * 3 + 1) * 1000);
    for (let p = 0; p < raw.length; p++) raw[p] = (p % 4501 === 0 ? 0 : (p * 2654435761 + i * 97) >>> 24) & 255;
    names.push(`noise-${i}.png`);
    writeFileSync(join(dir, names[i]!), png(1500, 1000, deflateSync(raw)));
  }
  const abort = new AbortController();
  const lines: ImageLine[] = [];
  const summary = await runBatchProcess({
    processPath: PROCESS,
    workerPath: WORKER,
    files: names.map((n) => ({ path: join(dir, n) })),
    job: { ...JOB, params: { ...JOB.params, nInit: 10 } },
    signal: abort.signal,
    onImage: (line) => {
      lines.push(line);
      abort.abort();
    },
    onProgress: () => undefined,
  });
  assert.equal(summary.cancelled, true);
  assert.ok(summary.notRun >= 3, `most images were not run: ${JSON.stringify(summary)}`);
  assert.equal(summary.done + summary.failed + summary.notRun, 6);
  for (const name of readdirSync(dir).filter((n) => !names.includes(n))) {
    assert.ok(isOurOutput(name), `only composites are left: ${name}`);
    const img = await decodeImage(readFileSync(join(dir, name)), name);
    assert.equal(img.height, 1000, `${name} is a whole composite`);
  }
  assert.deepEqual(childrenRunning(PROCESS), [], 'the process has ended');
});

test('a batch process that cannot start its workers, or dies, is reported; the promise never hangs', async (t) => {
  const dir = workDir(t);
  copyFileSync(join(FIXTURES, 'small.png'), join(dir, 'small.png'));
  const missing = await runBatchProcess({
    processPath: PROCESS,
    workerPath: join(dir, 'no-such-worker.js'),
    files: [{ path: join(dir, 'small.png') }],
    job: JOB,
    signal: new AbortController().signal,
    onImage: () => undefined,
    onProgress: () => undefined,
  });
  assert.equal(missing.failed, 1);
  assert.match(missing.failures[0]!.message, /no-such-worker\.js/);

  // a script that dies at once stands for a crash of the batch process
  const dying = join(dir, 'dies.js');
  writeFileSync(dying, "process.stderr.write('out of luck\\n'); process.exit(3);");
  await assert.rejects(
    runBatchProcess({ processPath: dying, workerPath: WORKER, files: [], job: JOB, signal: new AbortController().signal, onImage: () => undefined, onProgress: () => undefined }),
    /^Error: the batch process ended \(exit code 3\) before its summary: out of luck$/,
  );
});
