// Entry of dist/batchProcess.js: one batch in a process of its own, driven over the IPC channel
// of child_process.fork (processProtocol.ts). The whole process runs at the lowest priority
// (its worker threads inherit it): it is a background job beside an editor.
import { basename } from 'node:path';
import { oneLine } from '../errors';
import { runBatch } from './engine';
import { localFiles } from './localFiles';
import { lowerProcessPriority } from '../priority';
import { checkToBatchProcess, imageLine, type BatchFile, type FromBatchProcess, type ToBatchProcess } from './processProtocol';

function send(m: FromBatchProcess, then?: () => void): void {
  if (process.connected) process.send?.(m, undefined, {}, () => then?.());
  else then?.();
}

// first, so that the worker threads inherit it
lowerProcessPriority();

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
      ...localFiles((f: BatchFile) => f.path, true),
      done: async (f) => f.existing,
      onImage: (r) => send({ type: 'image', line: imageLine(r) }),
      onProgress: (progress) => send({ type: 'progress', progress }),
    });
    send({ type: 'summary', summary }, () => process.disconnect());
  } catch (e) {
    send({ type: 'fatal', message: oneLine(e) }, () => process.disconnect());
  }
}
