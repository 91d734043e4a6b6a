// Paging memory in ahead on a thread of the lowest priority (core/pager.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { collectGarbage, threadNiceValues } from './io-helpers';
import { pageInBackground } from '../../src/core/pager';

const residentKb = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);

test('a buffer is paged in by a thread at nice 19 that then ends, and nothing in it changes', async () => {
  const bytes = 192 << 20;
  const buffer = new SharedArrayBuffer(bytes);
  const view = new Uint8Array(buffer);
  // written before and while it pages: kept
  view[5] = 7;
  const before = residentKb();
  const paging = pageInBackground(buffer, 4096);
  view[bytes - 1] = 9;
  let sawLowest = false;
  const until = Date.now() + 20_000;
  while (!sawLowest && Date.now() < until) {
    sawLowest = threadNiceValues().includes(19);
    await new Promise((r) => setTimeout(r, 5));
  }
  await paging;
  assert.ok(sawLowest, 'a thread of the lowest priority ran');
  const grown = residentKb() - before;
  assert.ok(grown > 0.9 * (bytes >> 10), `resident memory grew by ${grown} KB`);
  assert.equal(view[5], 7);
  assert.equal(view[bytes - 1], 9);
  assert.equal(view.reduce((n, v) => n + v, 0), 16);
  // the thread has ended (its hold on the memory with it)
  assert.ok(!threadNiceValues().includes(19), 'no thread of the lowest priority left');
});

test('paging backward covers the same bytes, from the end down to `from`, and writes nothing', async () => {
  const bytes = 128 << 20;
  const buffer = new SharedArrayBuffer(bytes);
  const view = new Uint8Array(buffer);
  view[1] = 3;
  view[bytes - 2] = 4;
  // the tests before left garbage (a 192 MB buffer): freed now, not while this one measures
  await collectGarbage();
  const before = residentKb();
  await pageInBackground(buffer, 64 << 20, true);
  const grown = residentKb() - before;
  // the upper half, not the lower one
  assert.ok(grown > 0.9 * (64 << 10) && grown < 1.4 * (64 << 10), `resident memory grew by ${grown} KB`);
  assert.equal(view[1], 3);
  assert.equal(view[bytes - 2], 4);
  assert.equal(view.reduce((n, v) => n + v, 0), 7);
});

test('nothing to page (from past the end) resolves at once, with no thread started', async () => {
  const threadsBefore = readdirSync('/proc/self/task').length;
  await pageInBackground(new SharedArrayBuffer(4096), 4096);
  assert.ok(readdirSync('/proc/self/task').length <= threadsBefore);
});
