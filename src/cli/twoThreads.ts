// The CLI's K-means on two threads: the main thread and ONE helper worker (dist/worker.js) take
// chunks of restarts from a shared queue and the best of all chunks is kept. Each restart draws
// from its own generator (seed, restart index), so any split gives exactly the single-thread
// result (bestOf breaks inertia ties by the lowest restart, as one kmeans call does).
//
// Why chunks, not halves: the helper starts late (thread start-up, cold JIT, its own prepare)
// and restarts differ in length, so a fixed half leaves one thread idle. Why not one restart a
// chunk: every kmeans call builds its own kd-tree (~15 ms warm for 64k colours), so chunks shrink as the queue
// empties (guided scheduling) to keep the calls few and the final wait short.
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { bestOf, cluster, finish, prepare, type KMeansResult, type Prepared } from '../core/segment';
import type { ClusterOutcome, ClusterTask, TaskResponse, WorkerInit } from '../core/worker/protocol';
import type { RgbImage, SegmentParams, SegmentResult } from '../core/types';

/** --threads: 0 (not given) and 1 run K-means on the main thread, 2 shares it with a helper. */
export type ThreadsChoice = 0 | 1 | 2;

/**
 * Whether to share the restarts with a helper thread: only when asked (--threads 2). Measured
 * cold, interleaved, on the shared 2-core machine (load ~2): at -w 300 (bgr, all channels, k 3-8,
 * 33-64k colours) two threads were 1.2-2.5x SLOWER (the helper's start-up, cold JIT and its
 * duplicated prepare and kd-tree cost more than half the restarts save, and the main thread's
 * own restarts ran slower beside it); fruits at full size (96k colours, k 8, ~1.5 s) went from
 * -20% to +22% between runs. So the default stays one thread.
 */
export function isHeavy(prep: Prepared, params: SegmentParams, threads: ThreadsChoice): boolean {
  // one distinct value or k = 1 needs no search (cluster answers at once)
  if (params.nInit < 2 || prep.k <= 1 || prep.distinct.count <= 1) return false;
  return threads === 2;
}

/** The next chunk of restarts: half of what is left (at least MIN_CHUNK). */
const MIN_CHUNK = 2;
const CHUNK_DIVISOR = 2;
/** Chunks queued at the helper, so it never waits for the busy main thread to hand out more. */
const HELPER_QUEUE = 2;

class RestartQueue {
  private next = 0;
  constructor(private readonly n: number) {}
  take(): [number, number] | null {
    if (this.next >= this.n) return null;
    const size = Math.max(MIN_CHUNK, Math.ceil((this.n - this.next) / CHUNK_DIVISOR));
    const range: [number, number] = [this.next, Math.min(this.n, this.next + size)];
    this.next = range[1];
    return range;
  }
}

interface Run {
  key: string;
  image: RgbImage;
  params: SegmentParams;
  queue: RestartQueue;
  /** Whether the helper holds this run's image yet. */
  sent: boolean;
  results: KMeansResult[];
  /** Chunks sent to the helper and not answered, by task id. */
  out: Map<number, [number, number]>;
  /** Called when the helper answers or fails: the main thread may be waiting for it. */
  wake: () => void;
}

/** One worker thread running `cluster` tasks (the pool's protocol) for the CLI. */
export class RestartHelper {
  private readonly worker: Worker;
  /** Shared with the worker (WorkerInit): bumping it stops the tasks sent before. */
  private readonly stop = new Int32Array(new SharedArrayBuffer(4));
  private dead = false;

  get alive(): boolean {
    return !this.dead;
  }
  private nextId = 1;
  private nextKey = 1;
  private run: Run | null = null;

  private constructor(workerPath: string) {
    this.worker = new Worker(workerPath, { workerData: { stop: this.stop.buffer as SharedArrayBuffer } satisfies WorkerInit });
    // The CLI exits when its work is done, whatever the helper is doing.
    this.worker.unref();
    this.worker.on('message', (msg: TaskResponse) => this.answered(msg));
    this.worker.on('error', () => this.fail());
    this.worker.on('exit', () => this.fail());
  }

  /** Starts the helper, or returns null when the worker bundle is not beside the CLI. */
  static start(workerPath: string): RestartHelper | null {
    if (!existsSync(workerPath)) return null;
    try {
      return new RestartHelper(workerPath);
    } catch {
      return null;
    }
  }

  close(): void {
    if (this.dead) return;
    this.dead = true;
    void this.worker.terminate();
  }

  /**
   * Runs all restarts of `prep` on this thread and the helper; the helper's own prepare works
   * on the already resized image, so both threads cluster the very same distinct values.
   */
  async cluster(prep: Prepared, params: SegmentParams): Promise<KMeansResult> {
    const run: Run = {
      key: `cli-${this.nextKey++}`,
      image: prep.image,
      params: { ...params, width: 0 },
      queue: new RestartQueue(params.nInit),
      sent: false,
      results: [],
      out: new Map(),
      wake: () => undefined,
    };
    this.run = run;
    // while its answers are awaited, the helper must keep the process alive
    this.worker.ref();
    try {
      for (;;) {
        const range = run.queue.take() ?? this.reclaim(run);
        // tasks posted before the worker is up wait in its queue: no need to wait for 'online'
        this.feed();
        if (range) {
          run.results.push(cluster(prep, params, range));
          // lets the helper's answers in, so it is fed again while this thread works
          await new Promise<void>((done) => setImmediate(done));
          continue;
        }
        if (run.out.size === 0) break;
        await new Promise<void>((done) => (run.wake = done));
      }
      return bestOf(run.results);
    } finally {
      // what the helper still holds (a chunk this thread took back) is not needed any more
      Atomics.add(this.stop, 0, 1);
      this.run = null;
      this.worker.unref();
    }
  }

  /**
   * A chunk the main thread takes back once the queue is empty: all of a dead helper's, else
   * the last sent of two (the helper works in order, so it has not started that one yet).
   */
  private reclaim(run: Run): [number, number] | null {
    if (!this.dead && run.out.size < 2) return null;
    const ids = [...run.out.keys()];
    const id = this.dead ? ids[0]! : ids[ids.length - 1]!;
    const range = run.out.get(id)!;
    run.out.delete(id);
    return range;
  }

  private feed(): void {
    const run = this.run;
    if (!run || this.dead) return;
    while (run.out.size < HELPER_QUEUE) {
      const range = run.queue.take();
      if (!range) return;
      const id = this.nextId++;
      const task: ClusterTask = {
        kind: 'cluster',
        id,
        imageKey: run.key,
        cache: true,
        keep: true,
        params: run.params,
        restarts: range,
        stopGen: Atomics.load(this.stop, 0),
      };
      const transfer: ArrayBuffer[] = [];
      if (!run.sent) {
        const data = run.image.data.slice().buffer;
        task.image = { width: run.image.width, height: run.image.height, data };
        transfer.push(data);
        run.sent = true;
      }
      run.out.set(id, range);
      this.worker.postMessage(task, transfer);
    }
  }

  private answered(msg: TaskResponse): void {
    const run = this.run;
    if (!run || !run.out.has(msg.id)) return;
    if (!msg.ok) {
      // A helper that cannot do its part is dropped; the main thread redoes its chunks.
      this.fail();
      return;
    }
    run.out.delete(msg.id);
    run.results.push((msg.result as ClusterOutcome).best);
    this.feed();
    run.wake();
  }

  private fail(): void {
    if (this.dead) return;
    this.close();
    this.run?.wake();
  }
}

/** The CLI's helper, started on the first image that is worth it and kept for a batch. */
export class HelperSlot {
  private helper: RestartHelper | null = null;
  private tried = false;
  constructor(private readonly workerPath: string) {}

  get(): RestartHelper | null {
    if (this.helper?.alive === false) return null;
    if (!this.tried) {
      this.tried = true;
      this.helper = RestartHelper.start(this.workerPath);
    }
    return this.helper;
  }

  close(): void {
    this.helper?.close();
  }
}

/**
 * segmentSync with the K-means restarts shared with a helper thread when asked (see isHeavy)
 * and the helper can run: the same result either way, and `timings.kmeans` is the
 * wall time of the whole K-means phase on both threads. `threads` says how many ran it.
 */
export async function segmentSplit(
  image: RgbImage,
  params: SegmentParams,
  threads: ThreadsChoice,
  helpers: HelperSlot,
): Promise<{ result: SegmentResult; threads: 1 | 2 }> {
  const prep = prepare(image, params);
  const t0 = performance.now();
  const helper = isHeavy(prep, params, threads) ? helpers.get() : null;
  const best = helper ? await helper.cluster(prep, params) : cluster(prep, params);
  // a helper that died mid-run had its chunks redone here; it still counts as a split run
  return { result: finish(prep, params, best, performance.now() - t0), threads: helper ? 2 : 1 };
}
