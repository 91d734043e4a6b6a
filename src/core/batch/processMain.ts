// Entry of dist/batchProcess.js: one batch in a process of its own, driven over the IPC channel
// of child_process.fork (processProtocol.ts). The whole process runs at the lowest priority
// (its worker threads inherit it): it is a background job beside an editor.
import { readdirSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { basename, dirname } from 'node:path';
import { oneLine } from '../errors';
import { readInput } from '../files/readInput';
import { runBatch } from './engine';
import { checkToBatchProcess, imageLine, type BatchFile, type FromBatchProcess, type ToBatchProcess } from './processProtocol';

function send(m: FromBatchProcess, then?: () => void): void {
  if (process.connected) process.send?.(m, undefined, {}, () => then?.());
  else then?.();
}

/**
 * The whole process at the lowest priority. Linux keeps a priority per thread: Node's own threads
 * (the garbage collector's helpers among them, which also serve the workers) started before
 * this code, so each is lowered; threads started later inherit it. Elsewhere it is per process.
 */
function lowerPriority(): void {
  try {
    if (process.platform === 'linux') for (const tid of readdirSync('/proc/self/task')) setPriority(Number(tid), constants.priority.PRIORITY_LOW);
    else setPriority(constants.priority.PRIORITY_LOW);
  } catch {
    // not allowed here: the batch runs at normal priority
  }
}
lowerPriority();

const abort = new AbortController();
let started = false;
// the host went away (VS Code closed): stop, finishing a file being written
process.on('disconnect', () => abort.abort());
process.on('message', (raw) => {
  const m = checkToBatchProcess(raw);
  if (typeof m === 'string') send({ type: 'fatal', message: `batch process: ${m}` }, () => process.disconnect());
  else if (m.type === 'stop') abort.abort();
  else if (!started) {
    started = true;
    void run(m);
  }
});

async function run(m: Extract<ToBatchProcess, { type: 'start' }>): Promise<void> {
  try {
    const summary = await runBatch<BatchFile>(m.files, {
      job: m.job,
      workerPath: m.workerPath,
      jobs: m.jobs,
      background: true,
      signal: abort.signal,
      name: (f) => basename(f.path),
      read: (f) => readInput(f.path),
      localPath: (f) => f.path,
      saveIn: (f) => ({ dir: dirname(f.path), inputName: basename(f.path) }),
      // every image is saved by its worker (saveIn)
      write: async () => [],
      done: async (f) => f.existing,
      onImage: (r) => send({ type: 'image', line: imageLine(r) }),
      onProgress: (progress) => send({ type: 'progress', progress }),
    });
    send({ type: 'summary', summary }, () => process.disconnect());
  } catch (e) {
    send({ type: 'fatal', message: oneLine(e) }, () => process.disconnect());
  }
}
