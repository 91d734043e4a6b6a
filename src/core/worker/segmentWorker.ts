// Entry of dist/worker.js: runs segmentation tasks for SegmentPool off the extension host's
// thread. It keeps the last few images (by key) so a parameter change does not resend pixels,
// and the last few prepared inputs so a change of k alone skips resize, convert and dedupe.
import { parentPort, workerData } from 'node:worker_threads';
import { isSegmentationError } from '../errors';
import { elbowCurve } from '../insight/elbow';
import { cluster, finish, prepare, withK, type Prepared } from '../segment';
import type { RgbImage, SegmentParams, SegmentResult } from '../types';
import {
  WORKER_IMAGES_KEPT,
  resultBuffers,
  type ClusterTask,
  type ElbowTask,
  type FinishTask,
  type SegmentTask,
  type TaskKind,
  type TaskRequest,
  type TaskResponse,
  type TaskResults,
  type WireError,
  type WorkerInit,
} from './protocol';
import { LruCache } from './lru';

const PREPARED_KEPT = 2;

const images = new LruCache<string, RgbImage>(WORKER_IMAGES_KEPT);
const prepared = new LruCache<string, Prepared>(PREPARED_KEPT);

class NeedImage extends Error {}

const stopCounter = (workerData as WorkerInit | undefined)?.stop;
const stopFlag = stopCounter ? new Int32Array(stopCounter) : undefined;

/** Whether the host has asked the task sent under `stopGen` to stop. */
function stopper(stopGen: number | undefined): (() => boolean) | undefined {
  if (!stopFlag || stopGen === undefined) return undefined;
  return () => Atomics.load(stopFlag, 0) !== stopGen;
}

function preparedKey(imageKey: string, p: SegmentParams): string {
  return `${imageKey}\u0000${p.width}\u0000${p.colorSpace}\u0000${p.channels.join(',')}`;
}

function dropPrepared(imageKey: string): void {
  for (const key of prepared.keys()) if (key.startsWith(`${imageKey}\u0000`)) prepared.delete(key);
}

/** The prepared input of an image task, from the caches when possible. */
function preparedFor(task: SegmentTask | ClusterTask | ElbowTask): Prepared {
  let image: RgbImage | undefined;
  if (task.image) {
    image = { width: task.image.width, height: task.image.height, data: new Uint8Array(task.image.data) };
    dropPrepared(task.imageKey);
    if (task.cache) images.set(task.imageKey, image);
    else images.delete(task.imageKey);
  } else if (task.cache) {
    image = images.get(task.imageKey); // also marks it recently used, as the host's mirror does
  }
  const key = preparedKey(task.imageKey, task.params);
  const hit = prepared.get(key);
  if (hit) return { ...withK(hit, task.params.k), timings: { resize: 0, convert: 0, distinct: 0 } };
  if (!image) throw new NeedImage(`worker does not hold image '${task.imageKey}'`);
  const prep = prepare(image, task.params);
  prepared.set(key, prep);
  return prep;
}

/** A result whose buffers may be transferred without detaching anything the caches hold. */
function detached(result: SegmentResult, shared: boolean): SegmentResult {
  if (!shared) return result;
  const image = { ...result.image, data: result.image.data.slice() };
  return { ...result, image, converted: result.converted.slice() };
}

type Handlers = { [K in TaskKind]: (task: Extract<TaskRequest, { kind: K }>) => TaskResults[K] };

const handlers: Handlers = {
  segment(task: SegmentTask) {
    try {
      const prep = preparedFor(task);
      const t0 = performance.now();
      const best = cluster(prep, task.params, undefined, stopper(task.stopGen));
      return detached(finish(prep, task.params, best, performance.now() - t0), task.cache);
    } finally {
      if (!task.cache) prepared.delete(preparedKey(task.imageKey, task.params));
    }
  },
  cluster(task: ClusterTask) {
    const prep = preparedFor(task);
    const t0 = performance.now();
    let best;
    try {
      best = cluster(prep, task.params, task.restarts, stopper(task.stopGen));
    } catch (e) {
      // Stopped: no finish follows, so nothing is kept for one.
      if (!task.cache) prepared.delete(preparedKey(task.imageKey, task.params));
      throw e;
    }
    if (!task.cache && !task.keep) prepared.delete(preparedKey(task.imageKey, task.params));
    return { best, clusterMs: performance.now() - t0, prepTimings: prep.timings };
  },
  finish(task: FinishTask) {
    const key = preparedKey(task.imageKey, task.params);
    const cached = prepared.get(key);
    if (!cached) throw new Error(`finish without a prepared input for '${task.imageKey}'`);
    const prep = { ...withK(cached, task.params.k), timings: task.prepTimings };
    const result = finish(prep, task.params, task.best, task.clusterMs);
    if (task.drop) prepared.delete(key);
    return detached(result, !task.drop);
  },
  elbow(task: ElbowTask) {
    try {
      return { points: elbowCurve(preparedFor(task), task.elbow, stopper(task.stopGen)) };
    } finally {
      if (!task.cache) prepared.delete(preparedKey(task.imageKey, task.params));
    }
  },
};

function wireError(e: unknown): WireError {
  if (e instanceof NeedImage) return { name: 'Error', message: e.message, code: 'need-image' };
  if (isSegmentationError(e)) return { name: e.name, message: e.message, code: e.code };
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

const port = parentPort;
if (!port) throw new Error('segmentWorker.ts must run in a worker thread');

port.on('message', (task: TaskRequest) => {
  let response: TaskResponse;
  let transfer: ArrayBuffer[] = [];
  try {
    const handler = handlers[task.kind] as (t: TaskRequest) => TaskResults[TaskKind];
    const result = handler(task);
    response = { id: task.id, ok: true, result };
    transfer = resultBuffers(result);
  } catch (e) {
    response = { id: task.id, ok: false, error: wireError(e) };
  }
  port.postMessage(response, transfer);
});
