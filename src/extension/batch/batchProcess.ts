// Runs a batch of local files in a process of its own (dist/batchProcess.js, forked the way VS
// Code's extensions fork language servers), so the workers' memory stays out of the extension
// host's process: in code-server, on 8 photos of 12 MP, the extension host's event loop was late
// by up to 51-132 ms with the workers inside it (its forks of `ps` and `ls`, every 2-5 s, copied
// their page tables) and by at most 30-45 ms with them in a process of their own.
import { fork } from 'node:child_process';
import type { BatchProgress, BatchSummary } from '../../core/batch/engine';
import { withMallocHugePages } from '../../core/batch/mallocHugePages';
import type { ImageJob } from '../../core/batch/pipeline';
import type { BatchFile, FromBatchProcess, ImageLine, ToBatchProcess } from '../../core/batch/processProtocol';

export interface BatchProcessRun {
  /** dist/batchProcess.js and the worker script it starts its threads on. */
  processPath: string;
  workerPath: string;
  files: BatchFile[];
  job: ImageJob;
  signal: AbortSignal;
  onImage(line: ImageLine): void;
  onProgress(progress: BatchProgress): void;
}

/** The last characters of the process's error output kept for a crash's message. */
const STDERR_TAIL = 2000;
/** How long the process may linger after its summary before it is killed. */
const EXIT_GRACE_MS = 5000;

export function runBatchProcess(run: BatchProcessRun): Promise<BatchSummary> {
  return new Promise<BatchSummary>((resolve, reject) => {
    const child = fork(run.processPath, [], {
      execArgv: [],
      // VS Code's own binary runs as plain Node (as for language servers); its buffers on huge
      // pages (see mallocHugePages.ts: half the page faults on photos, up to a tenth less time)
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', GLIBC_TUNABLES: withMallocHugePages(process.env.GLIBC_TUNABLES) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-STDERR_TAIL)));
    // settled once the process is gone, so a batch that has ended holds nothing any more
    let summary: BatchSummary | undefined;
    let fatal: Error | undefined;
    let lingering: NodeJS.Timeout | undefined;
    const ended = (): void => {
      lingering ??= setTimeout(() => child.kill(), EXIT_GRACE_MS);
    };
    const send = (m: ToBatchProcess): void => {
      if (child.connected) child.send(m);
    };
    const stop = (): void => send({ type: 'stop' });
    run.signal.addEventListener('abort', stop, { once: true });

    child.on('message', (m: FromBatchProcess) => {
      if (m.type === 'image') run.onImage(m.line);
      else if (m.type === 'progress') run.onProgress(m.progress);
      else if (m.type === 'summary') {
        summary = m.summary;
        ended();
      } else if (m.type === 'fatal') {
        fatal = new Error(m.message);
        ended();
      }
    });
    child.on('error', (e) => {
      fatal ??= new Error(`the batch process could not run: ${e.message}`);
      // never started: no 'close' to wait for
      if (child.pid === undefined) {
        run.signal.removeEventListener('abort', stop);
        reject(fatal);
      }
    });
    // 'close', not 'exit': the messages the process sent before it ended have all been read then
    child.on('close', (code, signal) => {
      clearTimeout(lingering);
      run.signal.removeEventListener('abort', stop);
      if (summary) return resolve(summary);
      if (fatal) return reject(fatal);
      const last = stderr.trim().split('\n').pop();
      reject(new Error(`the batch process ended (${signal ?? `exit code ${code}`}) before its summary${last ? `: ${last}` : ''}`));
    });
    send({ type: 'start', files: run.files, job: run.job, workerPath: run.workerPath });
    if (run.signal.aborted) stop();
  });
}
