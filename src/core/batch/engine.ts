// A batch: every image on a worker thread of its own, from the file's bytes to the bytes to save
// (decode, segment, composite, encode: pipeline.ts), up to `jobs` images at once. The host reads
// the files (the next ones while the current ones cluster) and writes the results through the
// caller's functions (node:fs in the CLI, VS Code's workspace.fs in the extension), or has the
// workers save them where the files are on the local disk (saveIn). Images
// start in input order; another one starts only while the memory targets of those in flight fit
// in the budget (memory.ts). Stopping (the AbortSignal) terminates the workers at once: an image
// whose write has begun is finished (writes are whole files or nothing, see writeNew.ts), none
// other is written. A failing image is reported and the rest go on.
import { resolve as resolvePath } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SegmentationError } from '../errors';
import { readInputHead } from '../files/readInput';
import { HEADER_BYTES, readImageHeader } from '../header';
import { defaultJobs, imageMemoryTarget, memoryBudget, unknownMemoryTarget } from './memory';
import type { ImageJob, ImageOutcome } from './pipeline';
import { fromWire } from '../worker/rpc';
import { BACKGROUND_MARK, BATCH_WORKER_MARK, GATE_OPEN, GATE_STOPPED, GATE_WRITING, type ImageTask, type SaveTarget, type TaskReply, type WritingNote } from './protocol';
import { ownBuffer } from '../bytes';

/** How a batch gets at its items: file paths for the CLI, Uris for the extension. */
export interface BatchIO<T> {
  /** What messages call the item (decode errors name it). */
  name(item: T): string;
  read(item: T): Promise<Uint8Array>;
  /** Saves what the image gave; returns what was written (paths, names), for the reports. */
  write(item: T, outcome: ImageOutcome): Promise<string[]>;
  /**
   * --skip-done: the outputs this item has already (then it is skipped), or undefined / [] to
   * segment it. Called just before its file is read.
   */
  done?(item: T): Promise<readonly string[] | undefined>;
  /**
   * A folder on the local disk where the worker itself saves the item's composite (the job's
   * first format, never overwriting): the host then never holds those bytes (tens of megabytes
   * a photo, each a pause of the host's garbage collector), and `write` is not called for it.
   */
  saveIn?(item: T): SaveTarget | undefined;
  /**
   * The item's path on the local disk, which the worker then reads itself (the host reads only
   * its header, for the memory admission); undefined: the host reads it with `read`.
   */
  localPath?(item: T): string | undefined;
}


export interface BatchOptions<T> extends BatchIO<T> {
  job: ImageJob;
  /** The worker script: dist/batchWorker.js, or the CLI's own file. */
  workerPath: string;
  /** Passed to the workers beside the batch mark. */
  workerData?: Record<string, unknown>;
  /** The workers run at background priority (where the system allows): for batches inside an editor. */
  background?: boolean;
  /** Images at once; default the number of cores (defaultJobs). */
  jobs?: number;
  /** Bytes the images in flight may take together (by their memory targets); default memoryBudget(). */
  memoryBudget?: number;
  signal?: AbortSignal;
  /** Each image as it ends (done and failed in the order they finish; skipped in input order as reached). */
  onImage?(report: ImageReport<T>): void;
  /** After each image ends. */
  onProgress?(progress: BatchProgress): void;
}

interface ReportBase<T> {
  item: T;
  /** Position in the batch's input. */
  index: number;
  name: string;
}

export type ImageReport<T> =
  | (ReportBase<T> & { status: 'done'; outcome: ImageOutcome; written: string[]; /** reading, then a worker's time and the write (not the wait for a worker) */ ms: number })
  | (ReportBase<T> & { status: 'skipped'; existing: readonly string[] })
  | (ReportBase<T> & { status: 'failed'; error: Error });

export interface BatchProgress {
  total: number;
  done: number;
  failed: number;
  skipped: number;
  /** Images on workers now. */
  running: number;
  elapsedMs: number;
  /** Images segmented or failed per second since the start (skipped ones take no time). */
  imagesPerSecond: number;
  /** At that rate, for the images not yet ended; undefined before the first ends. */
  etaMs: number | undefined;
}

export interface BatchSummary {
  total: number;
  done: number;
  failed: number;
  skipped: number;
  /** Not ended when the batch was stopped. */
  notRun: number;
  cancelled: boolean;
  seconds: number;
  /** Images segmented or failed per second. */
  imagesPerSecond: number;
  /** Worker threads started. */
  jobs: number;
  /** Most images on workers at once. */
  peakJobs: number;
  failures: { index: number; name: string; message: string }[];
}

interface Entry<T> {
  index: number;
  item: T;
  name: string;
  state: 'reading' | 'ready' | 'skipped' | 'failed';
  /** Reading the file (and the --skip-done look) took this long. */
  readMs: number;
  /** When a worker took it. */
  dispatched: number;
  bytes?: Uint8Array;
  /** Read by the worker (localPath). */
  path?: string;
  memory: number;
  existing?: readonly string[];
  error?: Error;
}

interface Task<T> {
  id: number;
  entry: Entry<T>;
  /** The worker is writing the image's file: a stop waits for its reply (settled). */
  writing?: Promise<void>;
  settle?: () => void;
  /** The word the worker and a stop race for before the file is written (see ImageTask.gate). */
  gate: Int32Array;
}

interface Slot<T> {
  worker?: Worker;
  task?: Task<T>;
}

/** From now on a stop waits for the task's reply: its worker is writing the file. */
function awaitWrite<T>(task: Task<T>): void {
  task.writing ??= new Promise((resolve) => (task.settle = resolve));
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function workerDied(name: string, e: unknown): Error {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return new SegmentationError('out-of-memory', 'not enough memory to segment this image (its thread ran out)', name);
  return new Error(`the thread segmenting it stopped: ${asError(e).message}`);
}

export function progressOf(counts: { total: number; done: number; failed: number; skipped: number; running: number }, elapsedMs: number): BatchProgress {
  const processed = counts.done + counts.failed;
  const rate = elapsedMs > 0 ? (processed * 1000) / elapsedMs : 0;
  const left = counts.total - processed - counts.skipped;
  return { ...counts, elapsedMs, imagesPerSecond: rate, etaMs: processed > 0 && rate > 0 ? (left * 1000) / rate : undefined };
}

export function runBatch<T>(items: readonly T[], opts: BatchOptions<T>): Promise<BatchSummary> {
  const total = items.length;
  const jobs = Math.max(1, Math.min(opts.jobs ?? defaultJobs(), Math.max(1, total)));
  const budget = opts.memoryBudget ?? memoryBudget();
  // files read ahead: enough that a worker finds its next image read even when reads are slow
  const lookahead = jobs * 2 + 2;
  const t0 = performance.now();

  const slots: Slot<T>[] = [];
  const queue: Entry<T>[] = [];
  const writes = new Set<Promise<void>>();
  const failures: BatchSummary['failures'] = [];
  let next = 0;
  let nextId = 1;
  let running = 0;
  let inFlight = 0;
  let peakJobs = 0;
  let done = 0;
  let failed = 0;
  let skipped = 0;
  let stopped = false;
  let cancelled = false;
  let finishing = false;

  return new Promise<BatchSummary>((resolve, reject) => {
    const counts = () => ({ total, done, failed, skipped, running });

    const emit = (report: ImageReport<T>): void => {
      try {
        opts.onImage?.(report);
        opts.onProgress?.(progressOf(counts(), performance.now() - t0));
      } catch (e) {
        fatal(e);
      }
    };

    const fail = (entry: Entry<T>, error: Error): void => {
      failed++;
      failures.push({ index: entry.index, name: entry.name, message: error.message });
      emit({ status: 'failed', item: entry.item, index: entry.index, name: entry.name, error });
    };

    const prepare = async (entry: Entry<T>): Promise<void> => {
      const t = performance.now();
      try {
        const existing = opts.done ? await opts.done(entry.item) : undefined;
        if (existing && existing.length > 0) {
          entry.existing = existing;
          entry.state = 'skipped';
          return;
        }
        // a local file is read by its worker: here only its header, for the admission
        const path = opts.localPath?.(entry.item);
        const bytes = path === undefined ? await opts.read(entry.item) : undefined;
        const { head, size } = bytes ? { head: bytes, size: bytes.length } : await readInputHead(path!, HEADER_BYTES);
        const header = readImageHeader(head);
        entry.memory = header ? imageMemoryTarget(header) : unknownMemoryTarget(size);
        entry.path = path;
        entry.bytes = bytes;
        entry.state = 'ready';
      } catch (e) {
        entry.error = asError(e);
        entry.state = 'failed';
      } finally {
        entry.readMs = performance.now() - t;
        pump();
      }
    };

    const idleSlot = (): Slot<T> | undefined => {
      const idle = slots.find((s) => !s.task);
      if (idle) return idle;
      if (slots.length >= jobs) return undefined;
      const slot: Slot<T> = {};
      slots.push(slot);
      return slot;
    };

    const startWorker = (slot: Slot<T>): Worker => {
      const worker = new Worker(resolvePath(opts.workerPath), { workerData: { ...opts.workerData, [BATCH_WORKER_MARK]: true, [BACKGROUND_MARK]: opts.background === true } });
      const lost = (e: unknown): void => {
        if (slot.worker !== worker) return;
        slot.worker = undefined;
        const task = slot.task;
        if (!task || (stopped && !task.writing)) return;
        slot.task = undefined;
        release(task.entry);
        fail(task.entry, workerDied(task.entry.name, e));
        task.settle?.();
        pump();
      };
      worker.on('message', (reply: TaskReply | WritingNote) => {
        const task = slot.task;
        if (!task || task.id !== reply.id) return;
        if ('writing' in reply) {
          awaitWrite(task);
          return;
        }
        // once stopped, only a file being written counts (it is finished whole)
        if (stopped && !task.writing) return;
        slot.task = undefined;
        release(task.entry);
        if (!reply.ok) fail(task.entry, fromWire(reply.error));
        else if (reply.written) saved(task.entry, reply.outcome, reply.written);
        else save(task.entry, reply.outcome);
        task.settle?.();
        pump();
      });
      worker.on('error', lost);
      worker.on('exit', (code) => lost(new Error(`exit code ${code}`)));
      slot.worker = worker;
      return worker;
    };

    const release = (entry: Entry<T>): void => {
      running--;
      inFlight -= entry.memory;
    };

    const dispatch = (slot: Slot<T>, entry: Entry<T>): void => {
      let worker: Worker;
      try {
        worker = slot.worker ?? startWorker(slot);
      } catch (e) {
        entry.bytes = undefined;
        fail(entry, workerDied(entry.name, e));
        return;
      }
      const id = nextId++;
      const gate = new Int32Array(new SharedArrayBuffer(4));
      slot.task = { id, entry, gate };
      entry.dispatched = performance.now();
      running++;
      peakJobs = Math.max(peakJobs, running);
      inFlight += entry.memory;
      const buffer = entry.bytes && ownBuffer(entry.bytes);
      entry.bytes = undefined;
      const task: ImageTask = { id, name: entry.name, bytes: buffer && new Uint8Array(buffer), path: entry.path, job: opts.job, saveIn: opts.saveIn?.(entry.item), gate };
      worker.postMessage(task, buffer ? [buffer] : []);
    };

    const saved = (entry: Entry<T>, outcome: ImageOutcome, written: string[]): void => {
      done++;
      emit({ status: 'done', item: entry.item, index: entry.index, name: entry.name, outcome, written, ms: entry.readMs + performance.now() - entry.dispatched });
    };

    const save = (entry: Entry<T>, outcome: ImageOutcome): void => {
      const w = opts.write(entry.item, outcome).then(
        (written) => saved(entry, outcome, written),
        (e: unknown) => fail(entry, asError(e)),
      );
      writes.add(w);
      void w.finally(() => {
        writes.delete(w);
        pump();
      });
    };

    const pump = (): void => {
      if (stopped) return;
      let moved = true;
      while (moved) {
        moved = false;
        while (next < total && queue.length < lookahead) {
          const entry: Entry<T> = { index: next, item: items[next]!, name: opts.name(items[next]!), state: 'reading', readMs: 0, dispatched: 0, memory: 0 };
          next++;
          queue.push(entry);
          void prepare(entry);
          moved = true;
        }
        while (queue.length > 0) {
          const head = queue[0]!;
          if (head.state === 'reading') break;
          if (head.state === 'skipped') {
            queue.shift();
            skipped++;
            emit({ status: 'skipped', item: head.item, index: head.index, name: head.name, existing: head.existing ?? [] });
          } else if (head.state === 'failed') {
            queue.shift();
            fail(head, head.error!);
          } else {
            if (running > 0 && inFlight + head.memory > budget) break;
            const slot = idleSlot();
            if (!slot) break;
            queue.shift();
            dispatch(slot, head);
          }
          moved = true;
          if (stopped) return;
        }
      }
      if (done + failed + skipped === total && writes.size === 0) void finish();
    };

    const finish = async (): Promise<void> => {
      if (finishing) return;
      finishing = true;
      stopped = true;
      opts.signal?.removeEventListener('abort', onAbort);
      queue.length = 0;
      // a worker writing a file finishes it (writes are whole files or nothing; a thread ended
      // mid-write would leave its temporary file); one that has not begun never will
      for (const s of slots) {
        const t = s.task;
        if (t && Atomics.compareExchange(t.gate, 0, GATE_OPEN, GATE_STOPPED) === GATE_WRITING) awaitWrite(t);
      }
      await Promise.all(slots.map((s) => s.task?.writing));
      await Promise.all(slots.map((s) => s.worker?.terminate()));
      while (writes.size > 0) await Promise.allSettled([...writes]);
      const seconds = (performance.now() - t0) / 1000;
      resolve({
        total,
        done,
        failed,
        skipped,
        notRun: total - done - failed - skipped,
        cancelled,
        seconds,
        imagesPerSecond: seconds > 0 ? (done + failed) / seconds : 0,
        jobs: slots.length,
        peakJobs,
        failures: failures.sort((a, b) => a.index - b.index),
      });
    };

    function onAbort(): void {
      if (finishing) return;
      cancelled = true;
      void finish();
    }

    function fatal(e: unknown): void {
      if (finishing) return;
      stopped = true;
      finishing = true;
      opts.signal?.removeEventListener('abort', onAbort);
      void Promise.all(slots.map((s) => s.worker?.terminate())).finally(() => reject(e));
    }

    if (opts.signal?.aborted) {
      cancelled = true;
      void finish();
      return;
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    pump();
  });
}
