// A worker thread's garbage is collected once it is idle (core/worker/idleCollect.ts, called by
// rpc.ts's serve): the shared memory its tasks were sent and dropped is freed, though the thread
// allocates next to no JavaScript (V8 collects such a heap only seconds later, if at all).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { collectGarbage } from './io-helpers';
import { WorkerLink } from '../../src/core/worker/rpc';
import { COLLECT_AFTER_BYTES, HIGH_RSS_BYTES, IDLE_COLLECT_MS, sharedBytesIn } from '../../src/core/worker/idleCollect';
import { privateBundles } from './private-bundle';

type Req = { id: number; kind: 'take'; buffer: SharedArrayBuffer } | { id: number; kind: 'count' } | { id: number; kind: 'collectIfHigh' };
interface Answers {
  take: { taken: number };
  count: { taken: number; freed: number };
  collectIfHigh: { freed: number };
}
type Link = WorkerLink<Req, Answers>;

/** Runs `body` with a test worker that was sent `n` shared buffers of `bytes`, one after another. */
async function withWorkerSent(n: number, bytes: number, body: (link: Link) => Promise<void>): Promise<void> {
  const bundle = await privateBundles({ idleWorker: 'test/unit/idle-collect-worker.ts' });
  const link: Link = new WorkerLink<Req, Answers>(join(bundle.dir, 'idleWorker.js'), { name: 'test worker' });
  try {
    for (let i = 0; i < n; i++) await link.call<'take'>({ kind: 'take', buffer: new SharedArrayBuffer(bytes) }).answer;
    await body(link);
  } finally {
    await link.worker.terminate();
    bundle.dispose();
  }
}

const count = (link: Link): Promise<Answers['count']> => link.call<'count'>({ kind: 'count' }).answer;

/**
 * Looks until `n` buffers are freed (at most 7 s: V8's own memory reducer frees them about 8 s
 * after the thread's last collection); each look is a task, after which the thread waits
 * IDLE_COLLECT_MS again, so the looks are further apart than that. Returns the ms it took.
 */
async function msUntilFreed(link: Link, n: number): Promise<number> {
  const since = Date.now();
  let now = await count(link);
  while (now.freed < n && Date.now() - since < 7000) {
    await new Promise((r) => setTimeout(r, IDLE_COLLECT_MS + 300));
    now = await count(link);
  }
  assert.equal(now.freed, n, `${n} buffers freed`);
  return Date.now() - since;
}

test('the shared buffers a served task was sent are freed once the thread is idle, not while it works', async () => {
  await withWorkerSent(4, 16 << 20, async (link) => {
    const busy = await count(link);
    assert.equal(busy.taken, 4);
    assert.equal(busy.freed, 0, 'nothing collected while tasks came one after another');
    const waited = await msUntilFreed(link, 4);
    assert.ok(waited < IDLE_COLLECT_MS + 3000, `freed ${waited} ms after the thread fell idle`);
  });
});

test('a thread that saw little shared memory is not collected', async () => {
  await withWorkerSent(4, 1 << 20, async (link) => {
    await new Promise((r) => setTimeout(r, IDLE_COLLECT_MS + 1500));
    const idle = await count(link);
    assert.equal(idle.taken, 4);
    assert.equal(idle.freed, 0, `4 MB in all is below COLLECT_AFTER_BYTES (${COLLECT_AFTER_BYTES >> 20} MB): no collection for it`);
  });
});

test('while the process keeps a core busy the collection waits, and comes once it is quiet', async () => {
  await withWorkerSent(4, 16 << 20, async (link) => {
    // this thread works (a run under way elsewhere in the process) for longer than the quiet time
    const until = performance.now() + IDLE_COLLECT_MS * 2.5;
    let spin = 0;
    while (performance.now() < until) spin += Math.sqrt(spin + 1);
    assert.ok(spin > 0);
    assert.equal((await count(link)).freed, 0, 'no collection while the process was busy');
    await msUntilFreed(link, 4);
  });
});

/** Runs `body` while this process holds HIGH_RSS_BYTES more memory, paged in (a panel on a 24 MP photo taken through colour spaces). */
async function withMemoryHigh(body: () => Promise<void>): Promise<void> {
  let ballast: Buffer | undefined = Buffer.alloc(HIGH_RSS_BYTES + (64 << 20), 1);
  assert.ok(process.memoryUsage.rss() > HIGH_RSS_BYTES);
  try {
    await body();
  } finally {
    assert.equal(ballast[0], 1);
    ballast = undefined;
    // freed now, not at this thread's next collection: the tests after it see memory as it was
    await collectGarbage();
    assert.ok(process.memoryUsage.rss() < HIGH_RSS_BYTES, 'the ballast is given back');
  }
}

test('when memory runs high, the collection does not wait for a busy process', async () => {
  await withWorkerSent(4, 16 << 20, async (link) => {
    await withMemoryHigh(async () => {
      // as in the test before: busy for 2.5 quiet times, in small slices so the answers get through
      const until = performance.now() + IDLE_COLLECT_MS * 2.5;
      let spin = 0;
      while (performance.now() < until) {
        const slice = performance.now() + 50;
        while (performance.now() < slice) spin += Math.sqrt(spin + 1);
        await new Promise((r) => setImmediate(r));
      }
      assert.ok(spin > 0);
      assert.equal((await count(link)).freed, 4, 'collected while the process was busy');
    });
  });
});

test('collectIfHigh collects at once when memory runs high, and not otherwise', async () => {
  await withWorkerSent(4, 16 << 20, async (link) => {
    assert.equal((await link.call<'collectIfHigh'>({ kind: 'collectIfHigh' }).answer).freed, 0, 'memory is not high: nothing collected');
    await withMemoryHigh(async () => {
      assert.equal((await link.call<'collectIfHigh'>({ kind: 'collectIfHigh' }).answer).freed, 4, 'collected before answering');
    });
  });
});

test('the shared memory of a message: SharedArrayBuffers and views of them, each buffer once', () => {
  const a = new SharedArrayBuffer(1000);
  const b = new SharedArrayBuffer(24);
  const msg = { kind: 'x', image: { width: 1, height: 1, data: new Uint8Array(a) }, again: new Uint16Array(a, 8, 4), list: [b, new ArrayBuffer(5000), new Uint8Array(50)], n: 3 };
  assert.equal(sharedBytesIn(msg), 1024);
  assert.equal(sharedBytesIn(undefined), 0);
  assert.equal(sharedBytesIn({ plain: new Uint8Array(4096) }), 0);
});
