// Runs segmentations on a bounded set of worker threads so the extension host never blocks.
// Jobs queue when every worker is busy; a job that finds two workers idle splits its K-means
// restarts between them (each restart has its own random stream, so the best of the halves is
// the best of the whole run). Aborting a job rejects it at once and asks its workers to stop
// (a shared counter they read between K-means restarts and iterations), so they stay warm; a
// worker still busy STOP_GRACE_MS later is terminated and replaced. A crashed worker fails its
// job with a clear error and is replaced too.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { SegmentationError } from '../errors';
import { ELBOW_DEFAULTS, elbowKs, type ElbowOptions, type ElbowPoint } from '../insight/elbow';
import { bestOf } from '../kmeans/index';
import type { RgbImage, SegmentParams, SegmentResult } from '../types';
import { WORKER_IMAGES_KEPT } from './protocol';
import type { ClusterOutcome, ElbowOutcome, TaskRequest, TaskResponse, WireError, WireImage, WorkerInit } from './protocol';

export interface SegmentPoolOptions {
  /** The bundled worker script (dist/worker.js). */
  workerPath: string;
  /** Number of worker threads; default min(2, available cores). */
  size?: number;
}

export interface SegmentRunOptions {
  /** Aborting rejects the run with SegmentationError('cancelled') and stops its workers. */
  signal?: AbortSignal;
  /**
   * Identifies the pixels (e.g. the file path and its mtime): workers keep the last few images
   * by key, so later runs on the same image do not resend them. Reusing a key with different
   * pixel data is detected and resends them.
   */
  imageKey?: string;
  /**
   * Called once the run no longer occupies a worker: done, failed, or (after an abort) stopped
   * or replaced. Lets a caller hold a newer run back until the old one has really let go.
   */
  onStopped?: () => void;
}

/** Never more threads than this, whatever is asked. */
const MAX_THREADS = 8;
/** Splitting a run over more workers than this gains little: the prepare step is repeated. */
const MAX_SPLIT = 2;
/**
 * How long an aborted run's worker may take to stop before it is terminated. K-means checks
 * between iterations (milliseconds); resizing or converting a huge image does not check.
 */
export const STOP_GRACE_MS = 250;

class NeedImageError extends Error {}

interface Slot {
  worker: Worker;
  job: Job | null;
  pending: { id: number; resolve(value: unknown): void; reject(error: Error): void } | null;
  /** Mirror of the worker's image cache, least recently used first. */
  keys: string[];
  /** Shared with the worker: bumped to stop its running task (see WorkerInit). */
  stop: Int32Array;
  online: boolean;
  dead: boolean;
}

interface Job {
  /** An elbow curve is background work: queued segmentations go first. */
  kind: 'segment' | 'elbow';
  elbow?: ElbowOptions;
  image: RgbImage;
  params: SegmentParams;
  key: string;
  cache: boolean;
  signal?: AbortSignal;
  onAbort?: () => void;
  onStopped?: () => void;
  slots: Slot[];
  settled: boolean;
  resolve(result: SegmentResult | ElbowPoint[]): void;
  reject(error: Error): void;
}

function cancelled(why = 'segmentation cancelled'): SegmentationError {
  return new SegmentationError('cancelled', why);
}

function fromWire(e: WireError): Error {
  if (e.code === 'need-image') return new NeedImageError(e.message);
  if (e.name === 'SegmentationError' && e.code) return new SegmentationError(e.code, e.message);
  const error = new Error(e.message);
  error.name = e.name;
  return error;
}

/** Splits [0, n) into `parts` contiguous ranges of near-equal length. */
export function splitRestarts(n: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < parts; i++) {
    out.push([Math.floor((i * n) / parts), Math.floor(((i + 1) * n) / parts)]);
  }
  return out;
}

export class SegmentPool {
  readonly size: number;
  private readonly workerPath: string;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Set<Job>();
  /** The pixel data last sent under each key, to notice a key reused for other pixels. */
  private readonly keyData = new Map<string, WeakRef<Uint8Array>>();
  private nextTaskId = 1;
  private nextJobId = 1;
  private disposed = false;
  private started = 0;

  constructor(options: SegmentPoolOptions) {
    this.workerPath = options.workerPath;
    const wanted = options.size ?? Math.min(2, availableParallelism());
    this.size = Math.max(1, Math.min(MAX_THREADS, Math.floor(wanted)));
  }

  /** Live worker threads (they start on demand). */
  get threadCount(): number {
    return this.slots.length;
  }

  /** Worker threads started since the pool was made (replacements included). */
  get workersStarted(): number {
    return this.started;
  }

  segment(image: RgbImage, params: SegmentParams, options: SegmentRunOptions = {}): Promise<SegmentResult> {
    return this.enqueue<SegmentResult>('segment', image, params, options);
  }

  /**
   * The elbow curve (inertia per k, ELBOW_DEFAULTS unless `elbow` says otherwise) on the image
   * prepared with `params` (its k, nInit and maxIter are not used). The k are split over up to
   * two idle workers; segmentations queued meanwhile run first.
   */
  elbow(
    image: RgbImage,
    params: SegmentParams,
    options: SegmentRunOptions & { elbow?: ElbowOptions } = {},
  ): Promise<ElbowPoint[]> {
    return this.enqueue<ElbowPoint[]>('elbow', image, params, options, options.elbow ?? {});
  }

  private enqueue<T extends SegmentResult | ElbowPoint[]>(
    kind: Job['kind'],
    image: RgbImage,
    params: SegmentParams,
    options: SegmentRunOptions,
    elbow?: ElbowOptions,
  ): Promise<T> {
    const { signal, imageKey, onStopped } = options;
    if (this.disposed || signal?.aborted) {
      onStopped?.();
      return Promise.reject(this.disposed ? cancelled('the segmentation pool is disposed') : cancelled());
    }
    return new Promise<T>((resolveT, reject) => {
      const resolve = resolveT as (result: SegmentResult | ElbowPoint[]) => void;
      const job: Job = {
        kind,
        elbow,
        image,
        params,
        key: imageKey ?? `\u0000job${this.nextJobId++}`,
        cache: imageKey !== undefined,
        signal,
        onStopped,
        slots: [],
        settled: false,
        resolve,
        reject,
      };
      if (imageKey !== undefined) this.noteKeyData(imageKey, image.data);
      if (signal) {
        job.onAbort = () => this.cancel(job);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.pump();
    });
  }

  /** Ends every thread; pending and queued runs reject with SegmentationError('cancelled'). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const error = cancelled('the segmentation pool is disposed');
    for (const job of this.queue.splice(0)) {
      this.settle(job, error);
      this.stopped(job);
    }
    for (const job of [...this.running]) this.settle(job, error);
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => this.kill(s, error, false)));
  }

  private noteKeyData(key: string, data: Uint8Array): void {
    if (this.keyData.get(key)?.deref() === data) return;
    // New pixels under this key: no worker holds them yet.
    for (const slot of this.slots) slot.keys = slot.keys.filter((k) => k !== key);
    this.keyData.set(key, new WeakRef(data));
  }

  private spawn(): Slot {
    const stop = new SharedArrayBuffer(4);
    const worker = new Worker(this.workerPath, { workerData: { stop } satisfies WorkerInit });
    this.started++;
    const slot: Slot = { worker, job: null, pending: null, keys: [], stop: new Int32Array(stop), online: false, dead: false };
    worker.unref();
    worker.on('online', () => (slot.online = true));
    worker.on('message', (msg: TaskResponse) => {
      const pending = slot.pending;
      if (!pending || pending.id !== msg.id) return;
      slot.pending = null;
      if (msg.ok) pending.resolve(msg.result);
      else pending.reject(fromWire(msg.error));
    });
    worker.on('error', (e) => this.crashed(slot, e.message));
    worker.on('exit', (code) => this.crashed(slot, `exited with code ${code}`));
    this.slots.push(slot);
    return slot;
  }

  private crashed(slot: Slot, why: string): void {
    if (slot.dead) return;
    const replace = slot.online;
    void this.kill(slot, new Error(`segmentation worker crashed: ${why}`), replace);
  }

  /** Terminates a worker, fails its in-flight task and optionally starts a replacement. */
  private async kill(slot: Slot, error: Error, replace: boolean): Promise<void> {
    if (!slot.dead) {
      slot.dead = true;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      const pending = slot.pending;
      slot.pending = null;
      pending?.reject(error);
      if (replace && !this.disposed) this.spawn();
    }
    await slot.worker.terminate();
    this.pump();
  }

  private idleSlots(): Slot[] {
    while (this.slots.length < this.size) this.spawn();
    return this.slots.filter((s) => s.job === null && !s.dead);
  }

  private pump(): void {
    if (this.disposed) return;
    while (this.queue.length > 0) {
      const idle = this.idleSlots();
      if (idle.length === 0) return;
      const first = this.queue.findIndex((j) => j.kind === 'segment');
      const job = this.queue.splice(Math.max(0, first), 1)[0]!;
      const parts = job.kind === 'elbow' ? MAX_SPLIT : job.params.nInit;
      const want = this.queue.length === 0 ? Math.min(idle.length, MAX_SPLIT, parts) : 1;
      const holds = (s: Slot): number => (job.cache && s.keys.includes(job.key) ? 1 : 0);
      idle.sort((a, b) => holds(b) - holds(a));
      job.slots = idle.slice(0, Math.max(1, want));
      for (const slot of job.slots) {
        slot.job = job;
        slot.worker.ref();
      }
      this.running.add(job);
      void this.execute(job);
    }
  }

  private async execute(job: Job): Promise<void> {
    try {
      const result =
        job.kind === 'elbow'
          ? await this.runElbow(job)
          : job.slots.length === 1
            ? await this.runWhole(job)
            : await this.runSplit(job);
      this.settle(job, null, result);
    } catch (e) {
      this.settle(job, e instanceof Error ? e : new Error(String(e)));
    } finally {
      for (const slot of job.slots) this.release(slot, job);
      this.stopped(job);
      this.pump();
    }
  }

  private stopped(job: Job): void {
    const fn = job.onStopped;
    job.onStopped = undefined;
    fn?.();
  }

  private release(slot: Slot, job: Job): void {
    if (slot.job !== job) return;
    slot.job = null;
    if (!slot.dead) slot.worker.unref();
  }

  private settle(job: Job, error: Error | null, result?: SegmentResult | ElbowPoint[]): void {
    if (job.settled) return;
    job.settled = true;
    this.running.delete(job);
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    if (error) job.reject(error);
    else job.resolve(result!);
  }

  private cancel(job: Job): void {
    if (job.settled) return;
    const error = cancelled();
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    this.settle(job, error);
    if (queued >= 0) this.stopped(job);
    for (const slot of job.slots) {
      if (slot.job !== job) continue;
      Atomics.add(slot.stop, 0, 1);
      // Resizing or converting a huge image does not look at the counter: replace the worker.
      const timer = setTimeout(() => {
        if (slot.job === job && !slot.dead) void this.kill(slot, error, true);
      }, STOP_GRACE_MS);
      timer.unref();
    }
  }

  private call<T>(slot: Slot, task: TaskRequest, transfer: ArrayBuffer[]): Promise<T> {
    if (slot.dead) return Promise.reject(cancelled());
    if (task.kind !== 'finish') task.stopGen = Atomics.load(slot.stop, 0);
    return new Promise<T>((resolve, reject) => {
      slot.pending = { id: task.id, resolve: resolve as (v: unknown) => void, reject };
      slot.worker.postMessage(task, transfer);
    });
  }

  /** Sends an image task, with the pixels unless the worker is known to hold them. */
  private async imageTask<T>(slot: Slot, job: Job, build: (image?: WireImage) => TaskRequest): Promise<T> {
    const send = (withImage: boolean): Promise<T> => {
      // Copy, then transfer the copy: the caller keeps its image.
      const image: WireImage | undefined = withImage
        ? { width: job.image.width, height: job.image.height, data: job.image.data.slice().buffer }
        : undefined;
      slot.keys = slot.keys.filter((k) => k !== job.key);
      if (job.cache) {
        slot.keys.push(job.key);
        if (slot.keys.length > WORKER_IMAGES_KEPT) slot.keys.shift();
      }
      return this.call<T>(slot, build(image), image ? [image.data] : []);
    };
    const held = job.cache && slot.keys.includes(job.key);
    if (job.settled) throw cancelled();
    try {
      return await send(!held);
    } catch (e) {
      if (held && e instanceof NeedImageError && !job.settled) return send(true);
      throw e;
    }
  }

  private runWhole(job: Job): Promise<SegmentResult> {
    const slot = job.slots[0]!;
    return this.imageTask<SegmentResult>(slot, job, (image) => ({
      kind: 'segment',
      id: this.nextTaskId++,
      imageKey: job.key,
      image,
      cache: job.cache,
      params: job.params,
    }));
  }

  /** Each worker computes every n-th k (cheap and dear k alike); the points come back sorted by k. */
  private async runElbow(job: Job): Promise<ElbowPoint[]> {
    const o = { ...ELBOW_DEFAULTS, ...job.elbow };
    const ks = elbowKs(255, o.kMin, o.kMax).filter((k) => !job.elbow?.only || job.elbow.only.includes(k));
    const n = Math.max(1, Math.min(job.slots.length, ks.length));
    const parts = await Promise.all(
      job.slots.slice(0, n).map((slot, i) =>
        this.imageTask<ElbowOutcome>(slot, job, (image) => ({
          kind: 'elbow',
          id: this.nextTaskId++,
          imageKey: job.key,
          image,
          cache: job.cache,
          params: job.params,
          elbow: { ...job.elbow, only: ks.filter((_, j) => j % n === i) },
        })),
      ),
    );
    return parts.flatMap((p) => p.points).sort((a, b) => a.k - b.k);
  }

  private async runSplit(job: Job): Promise<SegmentResult> {
    const ranges = splitRestarts(job.params.nInit, job.slots.length);
    const outcomes = await Promise.allSettled(
      job.slots.map((slot, i) =>
        this.imageTask<ClusterOutcome>(slot, job, (image) => ({
          kind: 'cluster',
          id: this.nextTaskId++,
          imageKey: job.key,
          image,
          cache: job.cache,
          params: job.params,
          restarts: ranges[i]!,
          keep: i === 0,
        })),
      ),
    );
    for (const slot of job.slots.slice(1)) this.release(slot, job);
    this.pump();
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
    if (job.settled) throw cancelled();
    const done = outcomes.map((o) => (o as PromiseFulfilledResult<ClusterOutcome>).value);
    const best = bestOf(done.map((o) => o.best));
    return this.call<SegmentResult>(
      job.slots[0]!,
      {
        kind: 'finish',
        id: this.nextTaskId++,
        imageKey: job.key,
        params: job.params,
        best,
        clusterMs: Math.max(...done.map((o) => o.clusterMs)),
        prepTimings: done[0]!.prepTimings,
        drop: !job.cache,
      },
      [best.centers.buffer as ArrayBuffer, best.assign.buffer as ArrayBuffer],
    );
  }
}
