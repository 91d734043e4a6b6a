// A thread's kernel memory may be a memory another thread has filled (a JPEG decoder's heap once
// the pixels are out, see SegmentPool.warm): runs in it give what they give in fresh memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adoptThreadMemory, shareThreadMemory, threadMemory } from '../../src/core/kmeans/kernel';
import { segmentSync } from '../../src/core/segment';
import type { SegmentParams } from '../../src/shared/params';
import { withoutTimings } from './kmeans-helpers';

// as the pool's workers do, first thing (the kernel memory is then shared)
shareThreadMemory();

function photoLike(width: number, height: number): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(width * height * 3);
  let h = 7;
  for (let p = 0; p < width * height; p++) {
    const x = p % width;
    const base = x < width / 2 ? 60 : 190;
    for (let c = 0; c < 3; c++) {
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) + p;
      data[p * 3 + c] = (base + c * 20 + ((h >>> 24) % 61) - 30) & 255;
    }
  }
  return { width, height, data };
}

/** A shared memory as a decoder leaves it: written all over but its first kilobyte (an Emscripten heap's null page). */
function filledMemory(pages: number, byte: number): WebAssembly.Memory {
  const memory = new WebAssembly.Memory({ initial: pages, maximum: 32768, shared: true });
  new Uint8Array(memory.buffer).fill(byte, 1024);
  return memory;
}

const params: SegmentParams = { colorSpace: 'bgr', channels: [0, 1, 2], k: 5, width: 0, nInit: 6, maxIter: 100, seed: 0 };

test('runs in a taken memory full of other data equal runs in fresh memory', () => {
  const img = photoLike(700, 500);
  const fresh = withoutTimings(segmentSync(img, params));
  const hsv = withoutTimings(segmentSync(img, { ...params, colorSpace: 'hsv', channels: [0, 2], k: 3 }));
  const own = threadMemory().buffer.byteLength;
  for (const byte of [0xa5, 0xff]) {
    const memory = filledMemory(Math.ceil(own / 65536) + 64 + byte, byte);
    assert.ok(adoptThreadMemory(memory), 'a larger shared memory is taken');
    assert.equal(threadMemory(), memory);
    assert.deepEqual(withoutTimings(segmentSync(img, params)), fresh);
    assert.deepEqual(withoutTimings(segmentSync(img, { ...params, colorSpace: 'hsv', channels: [0, 2], k: 3 })), hsv);
    // and again in it, now holding the runs' own leftovers
    assert.deepEqual(withoutTimings(segmentSync(img, params)), fresh);
  }
});

test('a memory no larger than the thread\'s, or not shared, is not taken', () => {
  const mine = threadMemory();
  const pages = mine.buffer.byteLength / 65536;
  assert.equal(adoptThreadMemory(filledMemory(pages, 1)), false);
  assert.equal(adoptThreadMemory(new WebAssembly.Memory({ initial: pages + 10 })), false);
  assert.equal(threadMemory(), mine);
});
