// Runs segmentations on a bounded set of worker threads so the extension host never blocks.
// Pixels live in shared memory (core/bytes.ts), so no task copies an image. A segmentation is
// prepared (resize, convert, distinct values) on one worker, which keeps that input for later
// runs on the same image (a change of k goes straight to K-means); its restarts are taken one
// at a time from a shared counter by that worker and by any worker that falls idle meanwhile,
// so a late helper still takes its share; the best restart is labelled where it was prepared.
// A worker that is idle while a large image is prepared converts chunks of it meanwhile, and
// one idle while a run is finished labels chunks of its pixels (sharedConvert.ts,
// sharedLabels.ts); such helpers give way like restart helpers when other work comes.
// Queued work goes first by priority: previews, segmentations, helping a running segmentation,
// then a sweep's runs (Explore), then elbow curves. Aborting a run rejects it at once and asks its workers to stop (a shared
// counter they read between K-means restarts and iterations); a worker still busy a grace period
// later is terminated and replaced. A crashed worker fails its run with a clear error and is
// replaced too.
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, type TransferListItem } from 'node:worker_threads';
import { toShared } from '../bytes';
import { SegmentationError, isSegmentationError } from '../errors';
import { ELBOW_DEFAULTS, elbowKs, type ElbowOptions, type ElbowPoint } from '../insight/elbow';
import { bestOf } from '../kmeans/index';
import { needsConversion } from '../colorspace';
import { targetSize } from '../resize';
import { chunksLeft } from '../sharedChunks';
import { newSharedConversion, type SharedConversion } from '../sharedConvert';
import { newSharedLabelling, type SharedLabelling } from '../sharedLabels';
import { newTreeLink, withdrawTree } from '../kmeans/sharedTree';
import type { RgbImage, SegmentResult } from '../types';
import type { ChunksOutcome, ClusterOutcome, ElbowOutcome, PrepareOutcome, SharedDistinct, TaskKind, TaskRequest, TaskResults, WorkerInit, WorkerExtra } from './protocol';
import { WorkerLink, type WithoutId } from './rpc';
import type { SegmentParams } from '../../shared/params';

export interface SegmentPoolOptions {
  /** The bundled worker script (dist/worker.js). */
  workerPath: string;
  /** Number of worker threads; default min(2, available cores). */
  size?: number;
}

export type RunPriority = 'preview' | 'normal' | 'sweep';

export interface SegmentRunOptions {
  /** Aborting rejects the run with SegmentationError('cancelled') and stops its workers. */
  signal?: AbortSignal;
  /**
   * Names the pixels (e.g. the file and its version): workers keep what they prepared from them
   * by this key, so later runs on the same image skip the preparation. Reusing a key for other
   * pixels is noticed and prepares again.
   */
  imageKey?: string;
  /**
   * Called once the run no longer occupies a worker: done, failed, or (after an abort) stopped
   * or replaced. Lets a caller hold a newer run back until the old one has really let go.
   */
  onStopped?: () => void;
  /**
   * Previews (a reduced copy, to show something at once) go before every other run; a sweep's
   * runs (Explore) after the segmentations and their helpers, before elbow curves.
   */
  priority?: RunPriority;
  /** Called when the run has its input prepared and starts K-means. */
  onClustering?: () => void;
}

/** Never more threads than this, whatever is asked. */
const MAX_THREADS = 8;
/**
 * How long an aborted run's worker may take to stop before it is terminated. K-means checks
 * between iterations (milliseconds).
 */
export const STOP_GRACE_MS = 250;
/**
 * Preparing (resize, conversion, distinct values) does not look at the stop counter: it takes
 * up to a second or two on tens of megapixels, and what it makes is kept for the next run,
 * which usually wants the same. Only a worker stuck far longer than that is terminated.
 */
export const PREPARE_GRACE_MS = 30_000;
/**
 * Fewer distinct values than this cluster in a few milliseconds a restart: another worker would
 * spend longer building its own tree than it saves.
 */
const HELPER_MIN_VALUES = 20_000;

const PRIORITY = { preview: 0, normal: 1, sweep: 2, elbow: 3 } as const;
/** From this size on, a worker that falls idle helps convert and label the image of a run (see sharedConvert.ts, sharedLabels.ts). */
const SHARE_PIXELS = 2_000_000;
/** warm(pixels): images from this size get their workers' kernel memory grown ahead. */
const WARM_MEMORY_PIXELS = 2_000_000;
/**
 * A 24 MP photo's run (three channels, ~1.2 M distinct colours) lays out 139 MB of the preparing
 * worker's kernel memory, and each helper takes 44 MB more beyond it for its own arrays (see
 * sharedTree.ts); a helper's own kernel memory is not used.
 */
const KERNEL_BYTES_PER_PIXEL = 5.8;
const HELPER_BYTES_PER_PIXEL = 1.9;
const KERNEL_BYTES_MAX = 384 * 2 ** 20;
/** A memory given to warm() is taken for images whose runs need at most this much (by the estimate above, uncapped). */
const ADOPT_MAX_BYTES = 2 ** 30;
/** From this size on, preparing an image again costs more than waiting for the worker that holds it (see waitsForHolder). */
const HOLDER_WAIT_PIXELS = 2_000_000;

interface Slot {
  /** The pool's name for the worker, which its peers know it by (see connect). */
  id: number;
  link: WorkerLink<TaskRequest, TaskResults, WorkerExtra>;
  job: Job | null;
  /** Lets the process exit again once the job on this worker lets go (see occupy). */
  unhold?: () => void;
  /** The prepared inputs the worker holds (from its last answer). */
  keys: string[];
  /** Key prefixes to drop once the worker is free (see forget). */
  forgets: string[];
  /** Shared with the worker: bumped to stop its running task (see WorkerInit). */
  stop: Int32Array;
  /** Shared with the worker: set while it helps a run, for it to stop taking restarts (see lend). */
  yieldFlag: Int32Array;
  /** What warm() grew the worker's kernel memory to: large images go to the warmest worker. */
  warmBytes: number;
  /** Its warm() calls not answered yet: answered at once, they leave the worker idle. */
  warming: number;
  dead: boolean;
}

interface Help {
  distinct: SharedDistinct;
  counter: Int32Array;
  /** The kd-tree the preparing worker (`builder`) builds in its memory, for helpers to run restarts on. */
  tree: { control: Int32Array; builder: number };
  /** Every thread's share of the restarts, the preparing worker's first. */
  runs: Promise<ClusterOutcome>[];
}

interface Job {
  kind: 'segment' | 'elbow';
  priority: number;
  elbow?: ElbowOptions;
  image: RgbImage;
  params: SegmentParams;
  /** The worker-side key of the prepared input. */
  key: string;
  cache: boolean;
  signal?: AbortSignal;
  onAbort?: () => void;
  onStopped?: () => void;
  onClustering?: () => void;
  /** The workers on it: the first prepares and finishes, others help with restarts. */
  slots: Slot[];
  /** Whether its current task may run long without looking at the stop counter. */
  unstoppable: boolean;
  /** Set while its restarts are being taken: idle workers may join. */
  help?: Help;
  /** Set while its image is converted: idle workers may join (see sharedConvert.ts). */
  conversion?: SharedConversion;
  /** Set while its pixels are labelled: idle workers may join (see sharedLabels.ts). */
  labelling?: SharedLabelling;
  settled: boolean;
  resolve(result: SegmentResult | ElbowPoint[]): void;
  reject(error: Error): void;
}

/** Whether preparing the job's image costs more than waiting for a worker's short task (see waitsForHolder). */
function large(job: Job): boolean {
  const target = targetSize(job.image.width, job.image.height, job.params.width);
  return target.width * target.height >= HOLDER_WAIT_PIXELS;
}

function cancelled(why = 'segmentation cancelled'): SegmentationError {
  return new SegmentationError('cancelled', why);
}

/** Waits for every promise in `list`, including ones pushed onto it while waiting. */
async function settleAll<T>(list: Promise<T>[]): Promise<PromiseSettledResult<T>[]> {
  let outcomes: PromiseSettledResult<T>[] = [];
  while (outcomes.length < list.length) outcomes = await Promise.allSettled([...list]);
  return outcomes;
}

export class SegmentPool {
  readonly size: number;
  private readonly workerPath: string;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Set<Job>();
  /** Per image key: the pixels last seen under it and their generation (a new array, a new generation). */
  private readonly keyData = new Map<string, { data: WeakRef<Uint8Array>; gen: number }>();
  private nextJobId = 1;
  private nextGen = 1;
  private disposed = false;
  private started = 0;
  private lent = 0;
  private joinedHelps = 0;
  private readonly helperChunks = { convert: 0, label: 0 };
  private gaveWay = 0;
  private trimRequested = false;

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

  /** Times an idle worker joined a running segmentation's restarts. */
  get helpsLent(): number {
    return this.lent;
  }

  /** Of those, the helps set to run on the kd-tree the run's own worker built (see sharedTree.ts), not on one of their own. */
  get helpsOnSharedTree(): number {
    return this.joinedHelps;
  }

  /** Chunks of images being prepared that other workers converted (see sharedConvert.ts). */
  get chunksConvertedByHelpers(): number {
    return this.helperChunks.convert;
  }

  /** Times an elbow fit's k stopped for more urgent work (it ran again later). */
  get elbowsGaveWay(): number {
    return this.gaveWay;
  }

  /** Chunks of pixels that other workers labelled (see sharedLabels.ts). */
  get chunksLabelledByHelpers(): number {
    return this.helperChunks.label;
  }

  segment(image: RgbImage, params: SegmentParams, options: SegmentRunOptions = {}): Promise<SegmentResult> {
    return this.enqueue<SegmentResult>('segment', image, params, options);
  }

  /**
   * The elbow curve (inertia per k, ELBOW_DEFAULTS unless `elbow` says otherwise) on the image
   * prepared with `params` (its k, nInit and maxIter are not used). Each k is a job of its own
   * behind every other kind of work, so a preview or a segmentation asked for meanwhile waits
   * for one k at most, not for the curve.
   */
  async elbow(image: RgbImage, params: SegmentParams, options: SegmentRunOptions & { elbow?: ElbowOptions } = {}): Promise<ElbowPoint[]> {
    const o = { ...ELBOW_DEFAULTS, ...options.elbow };
    const ks = elbowKs(255, o.kMin, o.kMax).filter((k) => !options.elbow?.only || options.elbow.only.includes(k));
    let left = ks.length;
    const { onStopped } = options;
    const stopped = (): void => {
      if (--left === 0) onStopped?.();
    };
    const parts = ks.map((k) =>
      this.enqueue<ElbowPoint[]>('elbow', image, params, { ...options, onStopped: stopped }, { ...options.elbow, only: [k] }),
    );
    const settled = await Promise.allSettled(parts);
    const failed = settled.find((p) => p.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.flatMap((p) => (p as PromiseFulfilledResult<ElbowPoint[]>).value).sort((a, b) => a.k - b.k);
  }

  /**
   * Starts the worker threads now (a panel opening), not when the first run needs them; for an
   * image of `pixels` (>= 2 MP) one of them also grows its kernel memory to what such an image's
   * run takes with every other worker helping (see growThreadMemory), while the image is still
   * being decoded. That worker prepares the image (see start); the others need no more memory to
   * help than the preparing one's. The memory queued on `memoryFrom` (a JPEG decoder's heap once
   * the image is out, paged in already) becomes that worker's kernel memory, if it is larger than
   * the worker's, and the rest is grown (see adoptThreadMemory): the first touch of ~130 MB less
   * at 24 MP. The port is transferred when it is used; the caller closes it otherwise.
   */
  warm(pixels = 0, memoryFrom?: MessagePort): void {
    if (this.disposed) return;
    this.idleSlots();
    // workers just started are busy for a moment meeting their peers (see connect): the warm-up queues behind
    const idle = this.slots.filter((s) => s.job === null && !s.dead);
    if (pixels < WARM_MEMORY_PIXELS || idle.length === 0) return;
    const perPixel = KERNEL_BYTES_PER_PIXEL + HELPER_BYTES_PER_PIXEL * (this.size - 1);
    const bytes = Math.min(KERNEL_BYTES_MAX, Math.round(pixels * perPixel));
    const slot = idle.reduce((a, b) => (b.warmBytes > a.warmBytes ? b : a));
    if (slot.warmBytes >= bytes) return;
    slot.warmBytes = bytes;
    slot.warming++;
    const after = (): void => {
      slot.warming--;
      this.pump();
    };
    // a decoder's heap has its maximum (2 GB): not for a worker that might need more
    const from = memoryFrom && pixels * perPixel <= ADOPT_MAX_BYTES ? memoryFrom : undefined;
    this.call<'warm'>(slot, { kind: 'warm', bytes, memoryFrom: from }, from ? [from] : undefined).then(after, after);
  }

  /** The image behind `imageKey` is closed: its workers drop what they prepared from it. */
  forget(imageKey: string): void {
    const entry = this.keyData.get(imageKey);
    this.keyData.delete(imageKey);
    if (!entry) return;
    const prefix = `${imageKey}#${entry.gen}\u0000`;
    for (const slot of this.slots) {
      if (!slot.keys.some((k) => k.startsWith(prefix))) continue;
      slot.keys = slot.keys.filter((k) => !k.startsWith(prefix));
      // An idle worker forgets now, a busy one when it is free.
      if (slot.job === null && !slot.link.busy) this.tell(slot, prefix);
      else slot.forgets.push(prefix);
    }
  }

  /**
   * Ends the worker threads as soon as nothing runs (now, if nothing does), so their memory goes
   * back to the system; they start again on demand. New work before then cancels the request.
   */
  trim(): void {
    this.trimRequested = true;
    this.pump();
  }

  private enqueue<T extends SegmentResult | ElbowPoint[]>(
    kind: Job['kind'],
    image: RgbImage,
    params: SegmentParams,
    options: SegmentRunOptions,
    elbow?: ElbowOptions,
  ): Promise<T> {
    const { signal, imageKey, onStopped, onClustering } = options;
    if (this.disposed || signal?.aborted) {
      onStopped?.();
      return Promise.reject(this.disposed ? cancelled('the segmentation pool is disposed') : cancelled());
    }
    const shared = { ...image, data: toShared(image.data) };
    const base = imageKey !== undefined ? `${imageKey}#${this.generation(imageKey, image.data)}` : `\u0000job${this.nextJobId++}`;
    return new Promise<T>((resolveT, reject) => {
      const resolve = resolveT as (result: SegmentResult | ElbowPoint[]) => void;
      const job: Job = {
        kind,
        priority: kind === 'elbow' ? PRIORITY.elbow : PRIORITY[options.priority ?? 'normal'],
        elbow,
        image: shared,
        params,
        key: `${base}\u0000${params.width}\u0000${params.colorSpace}\u0000${params.channels.join(',')}`,
        cache: imageKey !== undefined,
        signal,
        onStopped,
        onClustering,
        slots: [],
        unstoppable: false,
        settled: false,
        resolve,
        reject,
      };
      if (signal) {
        job.onAbort = () => this.cancel(job);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.pump();
    });
  }

  /** The generation of the pixels under `key`: it changes when the key names another array. */
  private generation(key: string, data: Uint8Array): number {
    const known = this.keyData.get(key);
    if (known && known.data.deref() === data) return known.gen;
    const gen = this.nextGen++;
    this.keyData.set(key, { data: new WeakRef(data), gen });
    return gen;
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

  private spawn(): Slot {
    const stop = new SharedArrayBuffer(4);
    const slot = {
      id: this.started,
      job: null,
      keys: [],
      forgets: [],
      stop: new Int32Array(stop),
      yieldFlag: new Int32Array(new SharedArrayBuffer(4)),
      warmBytes: 0,
      warming: 0,
      dead: false,
    } as Omit<Slot, 'link'> as Slot;
    slot.link = new WorkerLink(this.workerPath, {
      name: 'segmentation worker',
      workerData: { stop } satisfies WorkerInit,
      onResponse: (res) => (slot.keys = res.held),
      onExit: (why) => this.crashed(slot, why),
    });
    this.started++;
    for (const other of this.slots) if (!other.dead) this.connect(slot, other);
    this.slots.push(slot);
    return slot;
  }

  /**
   * Gives two workers a channel of their own, over which each sends the other its kernel memory
   * (a helper runs restarts on the tree its peer built there). Never through this thread: a
   * worker's memory then goes when the threads that use it end, not at this thread's next
   * garbage collection (a closed panel gives its 185 MB back at once).
   */
  private connect(a: Slot, b: Slot): void {
    const { port1, port2 } = new MessageChannel();
    const after = (): void => this.pump();
    this.call<'peer'>(a, { kind: 'peer', peer: b.id, port: port1 }, [port1]).then(after, after);
    this.call<'peer'>(b, { kind: 'peer', peer: a.id, port: port2 }, [port2]).then(after, after);
  }

  private crashed(slot: Slot, why: string): void {
    if (slot.dead) return;
    void this.kill(slot, new Error(`segmentation worker crashed: ${why}`), slot.link.online);
  }

  /** Terminates a worker, fails its in-flight task and optionally starts a replacement. */
  private async kill(slot: Slot, error: Error, replace: boolean): Promise<void> {
    if (!slot.dead) {
      slot.dead = true;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      slot.unhold?.();
      if (replace && !this.disposed) this.spawn();
    }
    await slot.link.terminate(() => error);
    this.pump();
  }

  /** Idle workers, after starting missing ones unless `start` is false. */
  private idleSlots(start = true): Slot[] {
    while (start && this.slots.length < this.size) this.spawn();
    // A worker growing its memory for a large image (see warm) is idle: that image's run, queued
    // behind the warm-up, is to go to it, not to a worker that would grow its memory again.
    return this.slots.filter((s) => s.job === null && !s.dead && s.link.busy === s.warming);
  }

  /** The queued job to start next: lowest priority number, then first come. */
  private nextQueued(maxPriority: number, ready: (j: Job) => boolean = () => true): Job | undefined {
    let best: Job | undefined;
    for (const j of this.queue) if (j.priority <= maxPriority && (!best || j.priority < best.priority) && ready(j)) best = j;
    return best;
  }

  /**
   * Whether a large image's segmentation should wait for the busy worker that holds its prepared
   * input rather than prepare it again on an idle one (a second at 24 MP): when that worker is
   * only helping another run (it is asked to give way after its restart), on background work
   * (an elbow fit, a sweep's run) or on a small image (a preview's copy), it is free in a
   * fraction of that.
   */
  private waitsForHolder(job: Job, idle: Slot[]): boolean {
    if (job.kind !== 'segment' || idle.some((s) => s.keys.includes(job.key)) || !large(job)) return false;
    const holder = this.slots.find((s) => s.job !== null && !s.dead && s.keys.includes(job.key));
    const current = holder?.job;
    if (!holder || !current) return false;
    const helping = current.slots[0] !== holder;
    if (helping) Atomics.store(holder.yieldFlag, 0, 1);
    return helping || current.priority > PRIORITY.normal || !large(current);
  }

  private needyJob(): Job | undefined {
    const needs = (j: Job): boolean =>
      (j.help !== undefined && Atomics.load(j.help.counter, 0) < j.params.nInit) ||
      (j.conversion !== undefined && chunksLeft(j.conversion.table)) ||
      (j.labelling !== undefined && chunksLeft(j.labelling.table));
    return [...this.running].find((j) => !j.settled && needs(j));
  }

  private pump(): void {
    if (this.disposed) return;
    for (;;) {
      // Threads start for queued work only: after trim() they stay ended until work comes.
      const idle = this.idleSlots(this.queue.length > 0);
      const ready = (j: Job): boolean => !this.waitsForHolder(j, idle);
      const queued = this.nextQueued(PRIORITY.normal, ready);
      const needy = queued ? undefined : this.needyJob();
      const background = queued || needy ? undefined : this.nextQueued(PRIORITY.elbow, ready);
      if (!queued && !needy && !background) break;
      if (queued || background) this.trimRequested = false;
      if (idle.length === 0) {
        // A preview or a segmentation waits: workers that only help another run give way after
        // the restart they are on (the run's own worker takes the rest).
        // An elbow fit's k gives way too (it is asked again later).
        if (queued) for (const slot of this.slots) if (slot.job && (slot.job.slots[0] !== slot || slot.job.kind === 'elbow')) Atomics.store(slot.yieldFlag, 0, 1);
        break;
      }
      if (queued) this.start(queued, idle);
      else if (needy) this.lend(idle[0]!, needy);
      else this.start(background!, idle);
    }
    if (this.trimRequested && this.running.size === 0 && this.queue.length === 0) {
      for (const slot of this.slots.filter((s) => s.job === null && !s.link.busy)) void this.kill(slot, cancelled('the worker was stopped'), false);
      // a worker still answering a short task (meeting a peer, forgetting) ends when it has answered
      this.trimRequested = this.slots.length > 0;
    }
  }

  private start(job: Job, idle: Slot[]): void {
    this.queue.splice(this.queue.indexOf(job), 1);
    // The worker that holds the job's prepared input, if one is idle; else for a large image the
    // one with the most kernel memory paged in (see warm), for others the one with the least.
    const holder = idle.find((s) => s.keys.includes(job.key));
    const warmest = large(job);
    const byWarmth = [...idle].sort((a, b) => (warmest ? b.warmBytes - a.warmBytes : a.warmBytes - b.warmBytes));
    job.slots = [holder ?? byWarmth[0]!];
    for (const slot of job.slots) this.occupy(slot, job);
    this.running.add(job);
    void this.execute(job);
  }

  private occupy(slot: Slot, job: Job): void {
    slot.job = job;
    slot.unhold = slot.link.hold();
  }

  /**
   * An idle worker joins a running segmentation: it converts chunks of the image being prepared,
   * labels chunks of the pixels being finished, or takes restarts from the shared counter.
   */
  private lend(slot: Slot, job: Job): void {
    this.occupy(slot, job);
    job.slots.push(slot);
    Atomics.store(slot.yieldFlag, 0, 0);
    const done = (): void => {
      this.release(slot, job);
      job.slots = job.slots.filter((s) => s !== slot);
      this.pump();
    };
    // Nothing waits on a convert or label task: the worker that owns the work waits for the chunks themselves.
    const count =
      (kind: 'convert' | 'label') =>
      (r: ChunksOutcome): void => {
        this.helperChunks[kind] += r.chunks;
      };
    if (job.conversion && chunksLeft(job.conversion.table)) {
      const part = this.call<'convert'>(slot, { kind: 'convert', image: job.image, conversion: job.conversion, yieldFlag: slot.yieldFlag });
      part.then(count('convert'), () => undefined).then(done, done);
      return;
    }
    if (job.labelling && chunksLeft(job.labelling.table)) {
      const part = this.call<'label'>(slot, { kind: 'label', labelling: job.labelling, yieldFlag: slot.yieldFlag });
      part.then(count('label'), () => undefined).then(done, done);
      return;
    }
    const help = job.help!;
    this.lent++;
    const run = this.call<'cluster'>(slot, {
      kind: 'cluster',
            distinct: help.distinct,
      params: job.params,
      counter: help.counter,
      tree: help.tree,
      yieldFlag: slot.yieldFlag,
    });
    help.runs.push(run);
    run.then((o) => {
      if (o.joined) this.joinedHelps++;
    }, () => undefined);
    run.then(done, done);
  }

  private async execute(job: Job): Promise<void> {
    let again = false;
    try {
      const result = job.kind === 'elbow' ? await this.runElbow(job) : await this.runSegment(job);
      this.settle(job, null, result);
    } catch (e) {
      // An elbow fit's k that gave way to a preview or a run is asked again once a worker is free.
      again = job.kind === 'elbow' && !job.settled && isSegmentationError(e) && e.code === 'cancelled' && this.yielded(job);
      if (!again) this.settle(job, e instanceof Error ? e : new Error(String(e)));
    } finally {
      // A helper still on the job lets go: one waiting for a labelling whose owner failed before
      // opening it would otherwise wait for good.
      for (const slot of job.slots.slice(1)) Atomics.store(slot.yieldFlag, 0, 1);
      for (const slot of job.slots) this.release(slot, job);
      job.slots = [];
      this.running.delete(job);
      if (again) {
        this.gaveWay++;
        this.queue.unshift(job);
      } else this.stopped(job);
      this.pump();
    }
  }

  private yielded(job: Job): boolean {
    const slot = job.slots[0];
    return slot !== undefined && Atomics.load(slot.yieldFlag, 0) !== 0;
  }

  private stopped(job: Job): void {
    const fn = job.onStopped;
    job.onStopped = undefined;
    fn?.();
  }

  private release(slot: Slot, job: Job): void {
    if (slot.job !== job) return;
    slot.job = null;
    slot.unhold?.();
    slot.unhold = undefined;
    if (slot.dead) return;
    const prefix = slot.forgets.shift();
    if (prefix !== undefined && !slot.link.busy) this.tell(slot, prefix);
  }

  private settle(job: Job, error: Error | null, result?: SegmentResult | ElbowPoint[]): void {
    if (job.settled) return;
    job.settled = true;
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
      const grace = job.unstoppable && slot === job.slots[0] ? PREPARE_GRACE_MS : STOP_GRACE_MS;
      const timer = setTimeout(() => {
        if (slot.job === job && !slot.dead) void this.kill(slot, error, true);
      }, grace);
      timer.unref();
    }
  }

  private call<K extends TaskKind>(slot: Slot, task: WithoutId<Extract<TaskRequest, { kind: K }>>, transfer?: TransferListItem[]): Promise<TaskResults[K]> {
    if (slot.dead) return Promise.reject(cancelled());
    return slot.link.call<K>({ ...task, stopGen: Atomics.load(slot.stop, 0) }, transfer).answer;
  }

  /** Has a worker drop its prepared inputs under `prefix` (and any other it was to forget), in the background. */
  private tell(slot: Slot, prefix: string): void {
    const after = (): void => {
      const next = slot.forgets.shift();
      if (next !== undefined && !slot.dead && slot.job === null) this.tell(slot, next);
      else this.pump();
    };
    this.call<'forget'>(slot, { kind: 'forget', prefix }).then(after, after);
  }

  private async runSegment(job: Job): Promise<SegmentResult> {
    const main = job.slots[0]!;
    const { key, params } = job;
    job.unstoppable = true;
    const conversion = this.sharedConversion(job, main);
    const preparing = this.call<'prepare'>(main, { kind: 'prepare', key, image: job.image, params, conversion });
    if (conversion) {
      job.conversion = conversion;
      this.pump();
    }
    const prep = await preparing.finally(() => (job.conversion = undefined));
    job.unstoppable = false;
    if (job.settled) throw cancelled();
    job.onClustering?.();
    const counter = new Int32Array(new SharedArrayBuffer(4));
    // Helpers use the preparing worker's tree. Its worker takes no other task until every
    // helper has answered (the job holds it until settleAll below), so the tree stays put.
    const link = newTreeLink();
    const help: Help = { distinct: prep.distinct, counter, runs: [], tree: { control: link.control, builder: main.id } };
    const own = this.call<'cluster'>(main, { kind: 'cluster', key, params, counter, tree: { control: link.control } });
    // A worker that died or failed before publishing its tree: helpers waiting for it go.
    void own.finally(() => withdrawTree(link)).catch(() => undefined);
    help.runs.push(own);
    if (params.nInit > 1 && prep.distinct.k > 1 && prep.distinct.count >= HELPER_MIN_VALUES) {
      job.help = help;
      this.pump();
    }
    const outcomes = await settleAll(help.runs);
    job.help = undefined;
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
    if (job.settled) throw cancelled();
    const done = outcomes.map((o) => (o as PromiseFulfilledResult<ClusterOutcome>).value);
    job.unstoppable = true;
    const labelling = this.sharedLabelling(prep, params.channels);
    const finishing = this.call<'finish'>(main, {
      kind: 'finish',
            key,
      params,
      best: bestOf(done.map((o) => o.best)),
      clusterMs: Math.max(...done.map((o) => o.clusterMs)),
      prepTimings: prep.timings,
      drop: !job.cache,
      labelling,
    });
    if (labelling) {
      job.labelling = labelling;
      this.pump();
    }
    return finishing.finally(() => (job.labelling = undefined));
  }

  /**
   * A conversion other workers may help with: a large image the worker converts at full size
   * (not resized first) and does not hold prepared already, with more than one worker in the pool.
   * BGR is not converted at all (see inColorSpace).
   */
  private sharedConversion(job: Job, main: Slot): SharedConversion | undefined {
    const { width, height } = job.image;
    const target = targetSize(width, height, job.params.width);
    const full = target.width === width && target.height === height;
    if (this.size < 2 || !full || width * height < SHARE_PIXELS || main.keys.includes(job.key) || !needsConversion(job.params.colorSpace)) return undefined;
    return newSharedConversion(width * height, job.params.colorSpace);
  }

  /** A labelling other workers may help with: a large image, with more than one worker in the pool. */
  private sharedLabelling(prep: PrepareOutcome, channels: number[]): SharedLabelling | undefined {
    if (this.size < 2 || prep.converted.data.length / 3 < SHARE_PIXELS) return undefined;
    return newSharedLabelling(prep.converted, channels, prep.lookup, prep.distinct.count);
  }

  /** Some k of an elbow curve (job.elbow.only) on one worker. */
  private async runElbow(job: Job): Promise<ElbowPoint[]> {
    const slot = job.slots[0]!;
    Atomics.store(slot.yieldFlag, 0, 0);
    const part = await this.call<'elbow'>(slot, { kind: 'elbow', key: job.key, image: job.image, params: job.params, elbow: { ...job.elbow }, yieldFlag: slot.yieldFlag });
    if (!job.cache) this.tell(slot, job.key);
    return part.points;
  }
}
