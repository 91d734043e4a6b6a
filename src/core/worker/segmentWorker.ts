// Entry of dist/worker.js: runs segmentation tasks for SegmentPool off the extension host's
// thread. It keeps the last prepared inputs (resized, converted, collapsed to distinct values)
// by key, within a memory budget, so a change of k alone goes straight to K-means.
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { sharedBytes } from '../bytes';
import { elbowCurve } from '../insight/elbow';
import { cluster, finish, prepare, segmentSync, withK, type Prepared } from '../segment';
import { convertShare } from '../sharedConvert';
import { labelShare } from '../sharedLabels';
import {
  resultBuffers,
  type ClusterTask,
  type ConvertTask,
  type LabelTask,
  type ElbowTask,
  type FinishTask,
  type ForgetTask,
  type PeerTask,
  type WarmTask,
  type PrepareTask,
  type SharedDistinct,
  type TaskRequest,
  type TaskResults,
  type WorkerExtra,
  type WorkerInit,
} from './protocol';
import { serve, type Handlers } from './rpc';
import { COLLECT_AFTER_BYTES, collectIfHigh } from './idleCollect';
import { targetSize } from '../resize';
import { adoptThreadMemory, growThreadMemory, shareThreadMemory, threadMemory } from '../kmeans/kernel';
import type { TreeLink } from '../kmeans/sharedTree';

// Helpers run restarts on the kd-tree this thread builds, in its kernel memory (see sharedTree.ts).
shareThreadMemory();
/** The kernel memories of the pool's other workers, by the pool's name for each (see PeerTask). */
const peerKernels = new Map<number, WebAssembly.Memory>();
/** The channel to each of them. */
const peerPorts = new Map<number, MessagePort>();

function fromPeer(peer: number, port: MessagePort, m: { kernel?: WebAssembly.Memory }): void {
  if (!m.kernel) return;
  const first = !peerKernels.has(peer);
  peerKernels.set(peer, m.kernel);
  // from now on this worker helps on the peer's trees (a test waits for this)
  if (first) port.postMessage({ joined: true });
}

/**
 * A peer's kernel memory. Its message (and the one of a memory it took later, see the warm
 * task) was sent before the peer prepared what a helper is asked to run on, but messages on
 * different ports may be handled in any order, so those still queued are taken here.
 */
function peerKernel(peer: number): WebAssembly.Memory | undefined {
  const port = peerPorts.get(peer);
  for (let queued = port && receiveMessageOnPort(port); port && queued; queued = receiveMessageOnPort(port)) {
    fromPeer(peer, port, queued.message as { kernel?: WebAssembly.Memory });
  }
  return peerKernels.get(peer);
}

/**
 * What a worker may keep of prepared inputs. A 24-megapixel photo's takes about 110 MB in HSV,
 * Lab or YCrCb (the converted image, which the host shares, and its distinct values) and 37 MB in
 * BGR, so such a photo's newest is kept alone (with two, a panel taken through colour spaces went
 * past 1 GB); at the widths people try things at (300-1000 px) dozens would fit, and a handful are.
 */
const PREPARED_BUDGET_BYTES = 100 * 2 ** 20;
const PREPARED_MAX_ENTRIES = 4;

interface Entry {
  prep: Prepared;
  shared: SharedDistinct;
  bytes: number;
}

/** Least recently used first. */
const prepared = new Map<string, Entry>();

function keep(key: string, entry: Entry): void {
  prepared.delete(key);
  prepared.set(key, entry);
  let total = 0;
  for (const e of prepared.values()) total += e.bytes;
  for (const [k, e] of prepared) {
    if (prepared.size <= 1 || (total <= PREPARED_BUDGET_BYTES && prepared.size <= PREPARED_MAX_ENTRIES)) break;
    prepared.delete(k);
    total -= e.bytes;
  }
}

/**
 * Before a fresh prepare: the entries it will push out of the budget go now, not once it is
 * done, and when memory runs high this thread's garbage is collected first (theirs and that of
 * the runs before), so a large image's new colour space is not allocated on top of its last one.
 * The new entry holds at least its converted image (none in BGR, which clusters the image).
 */
async function makeRoom(task: PrepareTask): Promise<void> {
  const { width, height } = task.params.width > 0 ? targetSize(task.image.width, task.image.height, task.params.width) : task.image;
  const coming = task.params.colorSpace === 'bgr' ? 0 : width * height * 3;
  if (coming < COLLECT_AFTER_BYTES) return;
  let total = 0;
  for (const e of prepared.values()) total += e.bytes;
  for (const [k, e] of prepared) {
    if (total + coming <= PREPARED_BUDGET_BYTES) break;
    prepared.delete(k);
    total -= e.bytes;
  }
  await collectIfHigh();
}

function lookup(key: string): Entry | undefined {
  const e = prepared.get(key);
  if (e) {
    prepared.delete(key);
    prepared.set(key, e);
  }
  return e;
}

const stopCounter = (workerData as WorkerInit | undefined)?.stop;
const stopFlag = stopCounter ? new Int32Array(stopCounter) : undefined;

/** Whether the host has asked the task sent under `stopGen` to stop. */
function stopper(stopGen: number | undefined): (() => boolean) | undefined {
  if (!stopFlag || stopGen === undefined) return undefined;
  return () => Atomics.load(stopFlag, 0) !== stopGen;
}

/** Whether a helper should stop: the host set its yield flag (more urgent work) or asked it to stop. */
function yieldNow(task: ConvertTask | LabelTask | ElbowTask): () => boolean {
  const stop = stopper(task.stopGen);
  const { yieldFlag } = task;
  return () => (yieldFlag !== undefined && Atomics.load(yieldFlag, 0) !== 0) || (stop?.() ?? false);
}

/** Prepares and keeps. */
function entryFor(task: PrepareTask | ElbowTask): Entry {
  const hit = lookup(task.key);
  if (hit) return hit;
  // Shared allocation: the image and values in shared memory, for the host and helper threads.
  const prep = prepare(task.image, task.params, sharedBytes, 'conversion' in task ? task.conversion : undefined);
  const { points, weights, count } = prep.distinct;
  const shared = { points, weights, count, d: prep.d, k: prep.k };
  const bytes =
    (prep.image === task.image ? 0 : prep.image.data.byteLength) +
    (prep.converted.data === prep.image.data ? 0 : prep.converted.data.byteLength) +
    prep.distinct.lookup.byteLength +
    points.byteLength +
    weights.byteLength;
  const entry: Entry = { prep, shared, bytes };
  keep(task.key, entry);
  return entry;
}

function held(key: string): Entry {
  const e = lookup(key);
  if (!e) throw new Error(`the worker holds no prepared input '${key}'`);
  return e;
}

const handlers: Handlers<TaskRequest, TaskResults> = {
  async prepare(task: PrepareTask) {
    const fresh = !prepared.has(task.key);
    if (fresh) await makeRoom(task);
    const entry = entryFor(task);
    const prep = withK(entry.prep, task.params.k);
    return {
      distinct: { ...entry.shared, k: prep.k },
      converted: entry.prep.converted,
      lookup: entry.prep.distinct.lookup,
      warnings: prep.warnings,
      timings: fresh ? prep.timings : { resize: 0, convert: 0, distinct: 0 },
    };
  },
  convert(task: ConvertTask) {
    return { chunks: convertShare(task.image, task.conversion, yieldNow(task)) };
  },
  label(task: LabelTask) {
    return { chunks: labelShare(task.labelling, yieldNow(task)) };
  },
  cluster(task: ClusterTask) {
    const input = task.key ? withK(held(task.key).prep, task.params.k) : sharedInput(task);
    const { counter, yieldFlag } = task;
    const next = (): number => (yieldFlag && Atomics.load(yieldFlag, 0) !== 0 ? -1 : Atomics.add(counter, 0, 1));
    const t0 = performance.now();
    const tree = treeLink(task.tree);
    const best = cluster(input, task.params, { nextRestart: next, shouldStop: stopper(task.stopGen), tree });
    return { best, clusterMs: performance.now() - t0, joined: tree?.memory !== undefined };
  },
  finish(task: FinishTask) {
    const prep = { ...withK(held(task.key).prep, task.params.k), timings: task.prepTimings };
    const result = finish(prep, task.params, task.best, task.clusterMs, sharedBytes, task.labelling);
    if (task.drop) prepared.delete(task.key);
    return result;
  },
  elbow(task: ElbowTask) {
    return { points: elbowCurve(entryFor(task).prep, task.elbow, yieldNow(task)) };
  },
  warm(task: WarmTask) {
    // A decoder's heap, paged in already, instead of fresh memory (queued on the port before the
    // task was sent); the peers hear of it before any task of this thread's they could help with.
    const given = task.memoryFrom && receiveMessageOnPort(task.memoryFrom)?.message;
    task.memoryFrom?.close();
    if (given instanceof WebAssembly.Memory && adoptThreadMemory(given)) {
      for (const port of peerPorts.values()) port.postMessage({ kernel: given });
    }
    // answered at once: the paging goes on at the lowest priority while this thread works
    growThreadMemory(task.bytes);
    return {};
  },
  peer(task: PeerTask) {
    const { peer, port } = task;
    peerPorts.set(peer, port);
    port.on('message', (m: { kernel?: WebAssembly.Memory }) => fromPeer(peer, port, m));
    // the peer's thread ended (replaced, or the pool trimmed): its memory is not to be kept
    port.on('close', () => {
      peerKernels.delete(peer);
      peerPorts.delete(peer);
    });
    port.unref();
    port.postMessage({ kernel: threadMemory() });
    return {};
  },
  forget(task: ForgetTask) {
    for (const key of [...prepared.keys()]) if (key.startsWith(task.prefix)) prepared.delete(key);
    return {};
  },
};

/** The builder's link, or a helper's with its peer's memory; a helper without it builds a tree of its own. */
function treeLink(tree: ClusterTask['tree']): TreeLink | undefined {
  if (!tree) return undefined;
  if (tree.builder === undefined) return { control: tree.control };
  const memory = peerKernel(tree.builder);
  return memory ? { control: tree.control, memory } : undefined;
}

function sharedInput(task: ClusterTask): SharedDistinct & { distinct: SharedDistinct } {
  const d = task.distinct;
  if (!d) throw new Error('a cluster task needs a key or the distinct values');
  return { ...d, distinct: d };
}

serve<TaskRequest, TaskResults, WorkerExtra>(handlers, {
  transfer: (result) => resultBuffers(result as TaskResults[keyof TaskResults]),
  extra: () => ({ held: [...prepared.keys()] }),
});

/**
 * A first segmentation in a new thread costs 0.1 s more than the next (the kernel's WebAssembly
 * compiled, the code paths compiled): a small one is done as soon as the thread is up, while the
 * panel that started it still decodes its image, not in the first preview or run.
 */
function warmUp(): void {
  const side = 96;
  const data = new Uint8Array(side * side * 3);
  let h = 0x9e3779b9;
  for (let i = 0; i < data.length; i++) data[i] = (h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) + i) >>> 24;
  try {
    segmentSync({ width: side, height: side, data }, { width: 0, colorSpace: 'bgr', channels: [0, 1, 2], k: 3, nInit: 2, maxIter: 20, seed: 0 });
  } catch {
    // only time was to be saved: the tasks report their own errors
  }
}
setImmediate(warmUp);
