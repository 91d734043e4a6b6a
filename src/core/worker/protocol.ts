// Messages between the pool (host) and a segmentation worker, carried by rpc.ts (ids, answers,
// errors). Pixels travel in shared
// memory (core/bytes.ts): posting them copies nothing, in either direction. To add a task kind:
// add its request to TaskRequest, its result to TaskResults, a handler in segmentWorker.ts (the
// handler table is typed by kind, so a missing one fails the typecheck) and the pool's use of it.
import type { ElbowOptions, ElbowPoint } from '../insight/elbow';
import type { KMeansResult, Prepared, PrepareParams } from '../segment';
import type { ChannelImage, RgbImage, SegmentResult } from '../types';
import type { SharedConversion } from '../sharedConvert';
import type { SharedLabelling } from '../sharedLabels';
import type { MessagePort } from 'node:worker_threads';
import type { SegmentParams } from '../../shared/params';

/**
 * The worker's workerData: one Int32 the host bumps to stop the running task. A task carries
 * the value it was sent under (`stopGen`) and stops, between K-means restarts and iterations,
 * once the value has moved on: a superseded run ends within milliseconds and the warm worker
 * (its caches, its compiled code) is kept.
 */
export interface WorkerInit {
  stop: SharedArrayBuffer;
}

interface Base {
  /** Set by rpc.ts's WorkerLink. */
  id: number;
  /** The stop counter's value when sent (see WorkerInit); absent: never stopped early. */
  stopGen?: number;
}

/**
 * Resize, convert and collapse to distinct values; the worker keeps the result under `key` (a
 * few, by memory) for `cluster`, `finish` and `elbow` tasks, and for a later change of k alone.
 */
export interface PrepareTask extends Base {
  kind: 'prepare';
  key: string;
  /** In shared memory (see core/bytes.ts). */
  image: RgbImage;
  params: PrepareParams & Pick<SegmentParams, 'k'>;
  /** The conversion shared with helping workers (see sharedConvert.ts); absent: converted alone. */
  conversion?: SharedConversion;
}

/**
 * Converts chunks of the image another worker is preparing, until none is left or `yieldFlag`
 * is set (more urgent work is waiting for this worker).
 */
export interface ConvertTask extends Base {
  kind: 'convert';
  image: RgbImage;
  conversion: SharedConversion;
  yieldFlag?: Int32Array;
}

/**
 * Labels chunks of the pixels of a run another worker finishes, once that worker has put the
 * ranks in place, until none is left or `yieldFlag` is set.
 */
export interface LabelTask extends Base {
  kind: 'label';
  labelling: SharedLabelling;
  yieldFlag?: Int32Array;
}

export interface ChunksOutcome {
  /** Chunks this worker did. */
  chunks: number;
}

/** What another thread needs to run restarts on the same values: all of it in shared memory. */
export interface SharedDistinct {
  points: Float64Array;
  weights: Float64Array;
  count: number;
  d: number;
  /** k after capping to the number of distinct values. */
  k: number;
}

export interface PrepareOutcome {
  distinct: SharedDistinct;
  /** The image in its colour space and the value -> distinct id table, for workers that help label (see sharedLabels.ts). */
  converted: ChannelImage;
  lookup: Uint32Array;
  warnings: string[];
  timings: Prepared['timings'];
}

/**
 * Restarts taken one at a time from a shared counter (Atomics), until it passes nInit: threads
 * that join a run late take what is left. On the prepared input under `key`, or on `distinct`.
 */
export interface ClusterTask extends Base {
  kind: 'cluster';
  key?: string;
  distinct?: SharedDistinct;
  params: SegmentParams;
  /** One Int32 in shared memory: the next restart index. */
  counter: Int32Array;
  /**
   * The run's one kd-tree (see sharedTree.ts): the preparing worker builds and publishes it on
   * `control`; a helper names that worker (`builder`, as its PeerTask did) and runs its restarts
   * on the tree in that worker's kernel memory, or builds one of its own without it.
   */
  tree?: { control: Int32Array; builder?: number };
  /**
   * A helper's: once the host sets it, the task takes no further restart (more urgent work is
   * waiting for this worker); the run's own worker takes the rest.
   */
  yieldFlag?: Int32Array;
}

export interface ClusterOutcome {
  /** restart -1: this thread found no restart left. */
  best: KMeansResult;
  /** The helper had the preparing worker's memory: the restarts it took (if any) ran on that worker's tree (see ClusterTask.tree). */
  joined: boolean;
  /** Time spent in K-means on this thread. */
  clusterMs: number;
}

/** Labels and ranks from the best restart, on the worker that prepared `key`. */
export interface FinishTask extends Base {
  kind: 'finish';
  key: string;
  params: SegmentParams;
  best: KMeansResult;
  clusterMs: number;
  prepTimings: Prepared['timings'];
  /** Forget the prepared input afterwards (the caller will not come back to it). */
  drop: boolean;
  /** The labelling shared with helping workers (see sharedLabels.ts); absent: labelled alone. */
  labelling?: SharedLabelling;
}

/** Inertia for some k of the elbow curve (params.k is ignored), on the prepared input. */
export interface ElbowTask extends Base {
  kind: 'elbow';
  key: string;
  image: RgbImage;
  params: SegmentParams;
  elbow: ElbowOptions;
  /** Once the host sets it, the task stops (a preview or a run is waiting for this worker) and is asked again later. */
  yieldFlag?: Int32Array;
}

export interface ElbowOutcome {
  points: ElbowPoint[];
}

/** Drop every prepared input whose key starts with `prefix` (an image whose panel closed). */
export interface ForgetTask extends Base {
  kind: 'forget';
  prefix: string;
}

/** Grows the worker's kernel memory to `bytes` and pages it in, ahead of a large image's first run. */
export interface WarmTask extends Base {
  kind: 'warm';
  bytes: number;
  /**
   * A port with paged-in memory queued on it (a JPEG decoder's heap, sent there by the decoding
   * thread) to take as the worker's kernel memory first (see adoptThreadMemory).
   */
  memoryFrom?: MessagePort;
}

/**
 * Connects the worker to another of the pool's, named `peer`: each sends the other its kernel
 * memory over `port`, so that a helper can run restarts on the tree its peer built there. Worker
 * to worker, never through the host's thread: a worker's kernel memory then goes with the
 * threads that use it, not with the host's garbage collection.
 */
export interface PeerTask extends Base {
  kind: 'peer';
  peer: number;
  port: MessagePort;
}

export type TaskRequest = PeerTask | PrepareTask | ConvertTask | LabelTask | ClusterTask | FinishTask | ElbowTask | ForgetTask | WarmTask;
export type TaskKind = TaskRequest['kind'];

export interface TaskResults {
  prepare: PrepareOutcome;
  convert: ChunksOutcome;
  label: ChunksOutcome;
  cluster: ClusterOutcome;
  finish: SegmentResult;
  elbow: ElbowOutcome;
  forget: Record<string, never>;
  warm: Record<string, never>;
  peer: Record<string, never>;
}

/** Added to every answer: the keys of the prepared inputs the worker keeps (the pool routes by them). */
export interface WorkerExtra {
  held: string[];
}

/**
 * Buffers of a result that can be transferred back. A segmentation's pixels are in shared memory
 * (posted, not transferred: the worker's cache keeps using them).
 */
export function resultBuffers(result: TaskResults[TaskKind]): ArrayBuffer[] {
  if (!('best' in result)) return [];
  return [result.best.centers.buffer, result.best.assign.buffer].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}
