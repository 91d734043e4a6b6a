// The first touch of memory that a later stage will fill, on a short-lived thread of its own at
// the lowest priority. On the project's VM a page's first touch costs ~12 us (a 24 MP photo's
// decoded pixels are 18,000 pages, the clustering's kernel memory 45,000), and doing it ahead on
// an ordinary thread took a core from the decode that a panel's opening waits for: the decoding
// thread waited 1.8 s in the run queue over a 3.3 s decode. At nice 19 the paging runs on what
// the decode, the webview and the editor leave, and what it has not reached when the memory is
// wanted is touched by its user, as without it.
import { Worker } from 'node:worker_threads';

// Plain JavaScript, evaluated as the thread's script: no bundle to load (the thread starts in
// ~20 ms), and nothing from the caller's heap. It lowers its priority first, then does its jobs in order.
const PAGER_SOURCE = `
const { workerData } = require('node:worker_threads');
try {
  const tid = Number(/task\\/(\\d+)$/.exec(require('node:fs').readlinkSync('/proc/thread-self'))?.[1]);
  if (tid > 0) require('node:os').setPriority(tid, require('node:os').constants.priority.PRIORITY_LOW);
} catch {}
for (const job of workerData.jobs) {
  const words = new Int32Array(job.buffer, 0, job.buffer.byteLength >> 2);
  const first = Math.ceil((job.from || 0) / 4);
  if (job.backward) for (let i = words.length - 1; i >= first; i -= 1024) Atomics.compareExchange(words, i, 0, 0);
  else for (let i = first; i < words.length; i += 1024) Atomics.compareExchange(words, i, 0, 0);
}
`;

/** Memory to page in: `buffer` from byte `from` on; `backward`, from its end down. */
export interface PageJob {
  buffer: SharedArrayBuffer;
  from?: number;
  /**
   * For memory its user is about to fill from its start (a decoder's heap): the user and the
   * pager meet, where a pager going forward would trail behind, touching what was touched.
   */
  backward?: boolean;
}

/**
 * Pages in `buffer` from byte `from` on, in the background at the lowest priority; resolves when
 * the thread has ended (its hold on the memory with it). It writes nothing another thread may have
 * written (each touch swaps a 0 for a 0), so the memory may be used meanwhile.
 */
export function pageInBackground(buffer: SharedArrayBuffer, from = 0, backward = false): Promise<void> {
  return pageAllInBackground([{ buffer, from, backward }]);
}

/** Pages in each job's memory in turn, on one thread (as pageInBackground). */
export function pageAllInBackground(jobs: PageJob[]): Promise<void> {
  const todo = jobs.filter((j) => (j.from ?? 0) < j.buffer.byteLength);
  if (todo.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(PAGER_SOURCE, { eval: true, workerData: { jobs: todo } });
    } catch {
      // no thread to spare: the memory's user touches it, as without this
      resolve();
      return;
    }
    worker.once('error', () => resolve());
    worker.once('exit', () => resolve());
  });
}
