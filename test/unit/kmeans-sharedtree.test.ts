// One kd-tree for every thread on a run's restarts (src/core/kmeans/sharedTree.ts): a helper
// joins the tree another thread built, in that thread's shared kernel memory, and its restarts
// are the ones it would have run on a tree of its own.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { MessageChannel } from 'node:worker_threads';
import { resolve } from 'node:path';
import { distinctValues } from '../../src/core/kmeans/distinct';
import { HEAP_AT, isShared, shareThreadMemory, threadMemory } from '../../src/core/kmeans/kernel';
import { kmeans } from '../../src/core/kmeans/kmeans';
import { RestartRng } from '../../src/core/kmeans/random';
import { awaitTree, newTreeLink, withdrawTree } from '../../src/core/kmeans/sharedTree';
import { WasmRestart } from '../../src/core/kmeans/wasmRestart';
import { sharedBytes } from '../../src/core/bytes';
import { WorkerLink } from '../../src/core/worker/rpc';
import type { ClusterTask, TaskRequest, TaskResults, WorkerExtra } from '../../src/core/worker/protocol';

// This file's thread plays the preparing worker: its kernel memory is shared, as in the pool.
shareThreadMemory();

/** Byte values of a noisy photo-like image: many distinct colours around a few blobs. */
function noisyValues(pixels: number, seed = 7): Uint8Array {
  let h = seed;
  const rnd = (): number => {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) + 0x9e3779b9;
    h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
    return (h ^ (h >>> 15)) >>> 8;
  };
  const data = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    const blob = [30, 110, 200][p % 3]!;
    for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.max(0, Math.min(255, blob + (rnd() % 61) - 30 + c * 9));
  }
  return data;
}

const values = distinctValues(noisyValues(120_000), 3);
const K = 5;
const opts = { k: K, nInit: 6, maxIter: 200, tol: 1e-4, seed: 3 };

test('the kernel memory of a thread that shares it is shared, and the kernel runs over it', () => {
  assert.ok(isShared(threadMemory()));
  // distinctValues above ran in it
  assert.ok(values.count > 50_000, `only ${values.count} distinct values`);
});

test('restarts on a joined tree equal those on the tree the builder runs, and take less memory than building', () => {
  const link = newTreeLink();
  const own = new WasmRestart({ points: values.points, weights: values.weights, d: 3 }, K, opts.maxIter, opts.tol);
  own.publish(link);
  const cursor = (): number => new Uint32Array(link.control.buffer)[1]!;
  const treeEnd = cursor();
  const tree = awaitTree(link);
  assert.ok(tree);
  const joined = new WasmRestart({ joined: { ...link, memory: threadMemory() }, tree }, K, opts.maxIter, opts.tol);
  const helperBytes = cursor() - treeEnd;
  assert.ok(helperBytes > 0, 'the helper took no memory of its own');
  assert.ok(helperBytes < (treeEnd - HEAP_AT) / 2, `the helper took ${helperBytes} bytes, the builder ${treeEnd - HEAP_AT}`);
  assert.deepEqual([...joined.perm], [...own.perm]);
  const a = new Int32Array(own.m);
  const b = new Int32Array(own.m);
  for (let r = 0; r < 3; r++) {
    own.run(new RestartRng(opts.seed, r));
    joined.run(new RestartRng(opts.seed, r));
    assert.equal(joined.inertia, own.inertia, `restart ${r}`);
    assert.equal(joined.iterations, own.iterations);
    assert.deepEqual([...joined.centers()], [...own.centers()]);
    own.labelsInto(a);
    joined.labelsInto(b);
    assert.deepEqual(b, a);
  }
});

test('a withdrawn link sends a helper away without a result, and a published one is not withdrawn', () => {
  const link = newTreeLink();
  withdrawTree(link);
  const helped = kmeans(values.points, values.weights, 3, { ...opts, tree: { ...link, memory: threadMemory() } });
  assert.equal(helped.restart, -1);
  assert.equal(helped.assign.length, 0);
  // the builder's call publishes, and its end does not withdraw what it published
  const built = newTreeLink();
  kmeans(values.points, values.weights, 3, { ...opts, nInit: 1, tree: built });
  assert.ok(awaitTree(built), 'the tree was withdrawn');
});

let link: WorkerLink<TaskRequest, TaskResults, WorkerExtra> | undefined;
before(() => {
  const r = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { stdio: 'inherit' });
  assert.equal(r.status, 0, 'esbuild failed');
});
after(() => link?.terminate());

test('a pool worker runs its restarts on the tree this thread built, with the result of building its own', async () => {
  const expected = kmeans(values.points, values.weights, 3, opts);
  const points = new Float64Array(sharedBytes(values.points.byteLength).buffer);
  points.set(values.points);
  const weights = new Float64Array(sharedBytes(values.weights.byteLength).buffer);
  weights.set(values.weights);
  // This thread builds and publishes the tree, then takes no restart: the worker runs all six.
  const tree = newTreeLink();
  new WasmRestart({ points, weights, d: 3 }, K, opts.maxIter, opts.tol).publish(tree);
  const treeEnd = new Uint32Array(tree.control.buffer)[1]!;
  link = new WorkerLink<TaskRequest, TaskResults, WorkerExtra>(resolve('dist/worker.js'), {
    name: 'segmentation worker',
    workerData: { stop: new SharedArrayBuffer(4) },
  });
  // This thread is the worker's peer 7: each side sends the other its kernel memory.
  const { port1, port2 } = new MessageChannel();
  const said = new Map<string, unknown>();
  const waiting = new Map<string, () => void>();
  port1.on('message', (m: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(m)) {
      said.set(key, value);
      waiting.get(key)?.();
    }
  });
  const heard = (what: string): Promise<void> => (said.has(what) ? Promise.resolve() : new Promise((done) => waiting.set(what, done)));
  port1.postMessage({ kernel: threadMemory() });
  await link.call<'peer'>({ kind: 'peer', peer: 7, port: port2 }, [port2]).answer;
  await heard('kernel');
  await heard('joined');
  assert.ok(isShared(said.get('kernel') as WebAssembly.Memory), 'the worker sent no shared kernel memory');
  const task: Omit<ClusterTask, 'id'> = {
    kind: 'cluster',
    distinct: { points, weights, count: values.count, d: 3, k: K },
    params: { colorSpace: 'bgr', channels: [0, 1, 2], k: K, width: 0, nInit: opts.nInit, maxIter: opts.maxIter, seed: opts.seed, tol: opts.tol },
    counter: new Int32Array(new SharedArrayBuffer(4)),
    tree: { control: tree.control, builder: 7 },
  };
  const { best, joined } = await link.call<'cluster'>(task).answer;
  port1.close();
  assert.ok(joined, 'the worker built a tree of its own');
  assert.equal(best.inertia, expected.inertia);
  assert.equal(best.restart, expected.restart);
  assert.deepEqual([...best.centers], [...expected.centers]);
  assert.deepEqual([...best.assign], [...expected.assign]);
  // it worked in this thread's memory, beyond the tree, rather than building a tree of its own
  assert.ok(new Uint32Array(tree.control.buffer)[1]! > treeEnd, 'the worker took no memory beyond the tree');
});
