// The first touch of memory that a later stage will fill, on a short-lived thread of its own at
// the lowest priority. On the project's VM a page's first touch costs ~12 us (a 24 MP photo's
// decoded pixels are 18,000 pages, the clustering's kernel memory 45,000), and doing it ahead on
// an ordinary thread took a core from the decode that a panel's opening waits for: the decoding
// thread waited 1.8 s in the run queue over a 3.3 s decode. At nice 19 the paging runs on what
// the decode, the webview and the editor leave, and what it has not reached when the memory is
// wanted is touched by its user, as without it.
import { Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

// Plain JavaScript, evaluated as the thread's script: no bundle to load (the thread starts in
// ~20 ms), and nothing from the caller's heap. Its jobs are done in order; a job with a memory
// first makes that shared WebAssembly memory and sends it (or null) on the job's port.
const PAGER_SOURCE = `
const { workerData } = require('node:worker_threads');
const jobs = workerData.jobs;
for (const job of jobs) {
  if (!job.memory) continue;
  let memory = null;
  try {
    memory = new WebAssembly.Memory({ initial: job.memory.initial, maximum: job.memory.maximum, shared: true });
    job.buffer = memory.buffer;
  } catch {}
  job.memory.port.postMessage(memory);
  job.memory.port.close();
}
try {
  const tid = Number(/task\\/(\\d+)$/.exec(require('node:fs').readlinkSync('/proc/thread-self'))?.[1]);
  if (tid > 0) require('node:os').setPriority(tid, require('node:os').constants.priority.PRIORITY_LOW);
} catch {}
for (const job of jobs) {
  if (!job.buffer) continue;
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
  if (from >= buffer.byteLength) return Promise.resolve();
  return startPager([{ buffer, from, backward }], []);
}

/**
 * A shared WebAssembly memory of `initial` pages (of 64 KiB, at most `maximum`) made on a pager
 * thread, which sends it on `port` and then pages it in from its end, and then does `then`. The
 * memory goes to whoever has the port's other end (see memoryFrom) and never to this thread,
 * whose handle on it would keep it until this thread's next garbage collection.
 */
export function memoryPagedInBackground(size: { initial: number; maximum: number }, port: MessagePort, then: PageJob[] = []): Promise<void> {
  return startPager([{ memory: { ...size, port }, backward: true }, ...then], [port]);
}

function startPager(jobs: (Partial<PageJob> & { memory?: { initial: number; maximum: number; port: MessagePort } })[], transfer: MessagePort[]): Promise<void> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(PAGER_SOURCE, { eval: true, workerData: { jobs }, transferList: transfer });
    } catch {
      // no thread to spare: the memory's user touches it, as without this (and makes its own)
      for (const port of transfer) {
        port.postMessage(null);
        port.close();
      }
      resolve();
      return;
    }
    worker.once('error', () => resolve());
    worker.once('exit', () => resolve());
  });
}

/** Longest the user of a memory made on a pager thread waits for it (it comes in ~20-50 ms). */
export const MEMORY_WAIT_MS = 1000;

/**
 * The memory a pager thread sends on `port` (memoryPagedInBackground), once it is there;
 * undefined when it could not be made, or none came within MEMORY_WAIT_MS (the caller then
 * makes its own, as without it).
 */
export function memoryFrom(port: MessagePort): Promise<WebAssembly.Memory | undefined> {
  const take = (m: unknown): WebAssembly.Memory | undefined => (m instanceof WebAssembly.Memory ? m : undefined);
  const queued = receiveMessageOnPort(port);
  if (queued) {
    port.close();
    return Promise.resolve(take(queued.message));
  }
  return new Promise((resolve) => {
    const done = (m: unknown): void => {
      clearTimeout(timer);
      port.close();
      resolve(take(m));
    };
    const timer = setTimeout(() => done(null), MEMORY_WAIT_MS);
    port.once('message', done);
    port.once('close', () => done(null));
  });
}
