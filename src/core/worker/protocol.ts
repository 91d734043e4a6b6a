// Messages between the pool (host) and a segmentation worker. Every request carries an id and a
// kind; the worker answers each request exactly once with the same id. To add a task kind: add
// its request to TaskRequest, its result to TaskResults, a handler in segmentWorker.ts (the
// handler table is typed by kind, so a missing one fails the typecheck) and a method on
// SegmentPool that queues a job sending it (as `segment` does through `runWhole`).
import type { ErrorCode } from '../errors';
import type { ElbowOptions, ElbowPoint } from '../insight/elbow';
import type { KMeansResult, Prepared } from '../segment';
import type { SegmentParams, SegmentResult } from '../types';

/** How many images a worker keeps by key (the host mirrors this to know what to resend). */
export const WORKER_IMAGES_KEPT = 3;

/**
 * The worker's workerData: one Int32 the host bumps to stop the running task. An image task
 * carries the value it was sent under (`stopGen`) and stops, between K-means restarts and
 * iterations, once the value has moved on: a superseded run ends within milliseconds and the
 * warm worker (its caches, its compiled code) is kept.
 */
export interface WorkerInit {
  stop: SharedArrayBuffer;
}

/** Pixels in transit: the buffer is transferred, not copied. */
export interface WireImage {
  width: number;
  height: number;
  data: ArrayBuffer;
}

interface ImageTask {
  id: number;
  /**
   * Names the pixels. The worker keeps the last few images by key, so a task may omit `image`
   * when the worker already holds `imageKey`; a task with `image` replaces what the key held.
   */
  imageKey: string;
  image?: WireImage;
  /** Keep the image (and what was prepared from it) for later tasks with the same key. */
  cache: boolean;
  params: SegmentParams;
  /** The stop counter's value when sent (see WorkerInit); absent: never stopped early. */
  stopGen?: number;
}

/** The whole pipeline on one worker. */
export interface SegmentTask extends ImageTask {
  kind: 'segment';
}

/** prepare + the restarts [from, to); the prepared data stays in the worker for `finish`. */
export interface ClusterTask extends ImageTask {
  kind: 'cluster';
  restarts: [number, number];
  /** Keep the prepared input for a `finish` task even when `cache` is false. */
  keep: boolean;
}

/** Labels and ranks from the best restart, on a worker that ran a `cluster` task for the key. */
export interface FinishTask {
  kind: 'finish';
  id: number;
  imageKey: string;
  params: SegmentParams;
  best: KMeansResult;
  clusterMs: number;
  /** What preparing took in the `cluster` task of this run (zeros when it came from the cache). */
  prepTimings: Prepared['timings'];
  /** Forget the prepared data afterwards (the image was not to be cached). */
  drop: boolean;
}

/** Inertia for some k of the elbow curve (params.k is ignored), on the prepared input. */
export interface ElbowTask extends ImageTask {
  kind: 'elbow';
  elbow: ElbowOptions;
}

export interface ElbowOutcome {
  points: ElbowPoint[];
}

export type TaskRequest = SegmentTask | ClusterTask | FinishTask | ElbowTask;
export type TaskKind = TaskRequest['kind'];

export interface ClusterOutcome {
  best: KMeansResult;
  /** Time spent in K-means on this worker (prepare excluded). */
  clusterMs: number;
  prepTimings: Prepared['timings'];
}

export interface TaskResults {
  segment: SegmentResult;
  cluster: ClusterOutcome;
  finish: SegmentResult;
  elbow: ElbowOutcome;
}

export interface WireError {
  name: string;
  message: string;
  /** Set for SegmentationError (user errors) and for the protocol's own 'need-image'. */
  code?: ErrorCode | 'need-image';
}

export type TaskResponse =
  | { id: number; ok: true; result: TaskResults[TaskKind] }
  | { id: number; ok: false; error: WireError };

/** Buffers of a result that can be transferred back to the host. */
export function resultBuffers(result: TaskResults[TaskKind]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView): void => {
    if (a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  };
  if ('points' in result) return [];
  if ('labels' in result) {
    add(result.image.data);
    add(result.converted);
    add(result.labels);
  } else {
    add(result.best.centers);
    add(result.best.assign);
  }
  return [...out];
}
