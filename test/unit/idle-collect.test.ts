// A worker thread's garbage is collected once it is idle (core/worker/idleCollect.ts, called by
// rpc.ts's serve): the shared memory its tasks made and dropped is freed, though the thread
// allocates next to no JavaScript (V8 collects such a heap only seconds later, if at all).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { WorkerLink } from '../../src/core/worker/rpc';
import { COLLECT_AFTER_BYTES, IDLE_COLLECT_MS, sharedBytesIn } from '../../src/core/worker/idleCollect';
import { privateBundles } from './private-bundle';

type Req = { id: number; kind: 'make'; bytes: number } | { id: number; kind: 'take'; buffer: SharedArrayBuffer } | { id: number; kind: 'count' };
interface Answers {
  make: { made: number };
  take: { made: number };
  count: { made: number; freed: number };
}

test('the shared buffers a served task dropped are freed once the thread is idle, not while it works', async () => {
  const bundle = await privateBundles({ idleWorker: 'test/unit/idle-collect-worker.ts' });
  const link = new WorkerLink<Req, Answers>(join(bundle.dir, 'idleWorker.js'), { name: 'test worker' });
  try {
    // back to back: no collection between the tasks of a burst
    for (let i = 0; i < 4; i++) await link.call<'take'>({ kind: 'take', buffer: new SharedArrayBuffer(16 << 20) }).answer;
    const busy = await link.call<'count'>({ kind: 'count' }).answer;
    assert.equal(busy.made, 4);
    assert.equal(busy.freed, 0, 'nothing collected while tasks came one after another');
    // V8 on its own frees them only when its memory reducer runs, about 8 s after the last
    // collection; the thread's own collection comes IDLE_COLLECT_MS after its last answer
    const idleSince = Date.now();
    let idle = busy;
    // (each look is a task, after which the thread waits IDLE_COLLECT_MS again)
    while (idle.freed < 4 && Date.now() - idleSince < 7000) {
      await new Promise((r) => setTimeout(r, IDLE_COLLECT_MS + 300));
      idle = await link.call<'count'>({ kind: 'count' }).answer;
    }
    const waited = Date.now() - idleSince;
    assert.equal(idle.freed, 4, 'every buffer freed after the thread fell idle');
    assert.ok(waited < IDLE_COLLECT_MS + 3000, `freed ${waited} ms after the thread fell idle`);
  } finally {
    await link.worker.terminate();
    bundle.dispose();
  }
});

test('a thread that saw little shared memory is not collected', async () => {
  const bundle = await privateBundles({ idleWorker: 'test/unit/idle-collect-worker.ts' });
  const link = new WorkerLink<Req, Answers>(join(bundle.dir, 'idleWorker.js'), { name: 'test worker' });
  try {
    for (let i = 0; i < 4; i++) await link.call<'take'>({ kind: 'take', buffer: new SharedArrayBuffer(1 << 20) }).answer;
    await new Promise((r) => setTimeout(r, IDLE_COLLECT_MS + 1500));
    const idle = await link.call<'count'>({ kind: 'count' }).answer;
    assert.equal(idle.made, 4);
    assert.equal(idle.freed, 0, `4 MB in all is below COLLECT_AFTER_BYTES (${COLLECT_AFTER_BYTES >> 20} MB): no collection for it`);
  } finally {
    await link.worker.terminate();
    bundle.dispose();
  }
});

test('the shared memory of a message: SharedArrayBuffers and views of them, each buffer once', () => {
  const a = new SharedArrayBuffer(1000);
  const b = new SharedArrayBuffer(24);
  const msg = { kind: 'x', image: { width: 1, height: 1, data: new Uint8Array(a) }, again: new Uint16Array(a, 8, 4), list: [b, new ArrayBuffer(5000), new Uint8Array(50)], n: 3 };
  assert.equal(sharedBytesIn(msg), 1024);
  assert.equal(sharedBytesIn(undefined), 0);
  assert.equal(sharedBytesIn({ plain: new Uint8Array(4096) }), 0);
});

test('while the process keeps a core busy the collection waits, and comes once it is quiet', async () => {
  const bundle = await privateBundles({ idleWorker: 'test/unit/idle-collect-worker.ts' });
  const link = new WorkerLink<Req, Answers>(join(bundle.dir, 'idleWorker.js'), { name: 'test worker' });
  try {
    for (let i = 0; i < 4; i++) await link.call<'take'>({ kind: 'take', buffer: new SharedArrayBuffer(16 << 20) }).answer;
    // this thread works (a run under way elsewhere in the process) for twice the quiet time
    const until = performance.now() + IDLE_COLLECT_MS * 2.5;
    let spin = 0;
    while (performance.now() < until) spin += Math.sqrt(spin + 1);
    const busy = await link.call<'count'>({ kind: 'count' }).answer;
    assert.ok(spin > 0);
    assert.equal(busy.freed, 0, 'no collection while the process was busy');
    const quietSince = Date.now();
    let idle = busy;
    while (idle.freed < 4 && Date.now() - quietSince < 7000) {
      await new Promise((r) => setTimeout(r, IDLE_COLLECT_MS + 300));
      idle = await link.call<'count'>({ kind: 'count' }).answer;
    }
    assert.equal(idle.freed, 4, 'collected once the process was quiet');
  } finally {
    await link.worker.terminate();
    bundle.dispose();
  }
});
