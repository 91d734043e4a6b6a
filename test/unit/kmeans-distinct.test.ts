import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelValues, distinctIds, distinctOf, distinctValues, packedValues } from '../../src/core/kmeans/index';
import { lcg } from './kmeans-helpers';
import { Heap, growThreadMemory, threadMemory } from '../../src/core/kmeans/kernel';
import { isSegmentationError } from '../../src/core/errors';

function roundTrip(features: Uint8Array, d: number): void {
  const dv = distinctValues(features, d);
  const n = features.length / d;
  const index = distinctIds(dv, packedValues(features, d));
  assert.equal(index.length, n);
  assert.equal(dv.points.length, dv.count * d);
  assert.equal(dv.weights.length, dv.count);
  const counts = new Float64Array(dv.count);
  for (let p = 0; p < n; p++) {
    const id = index[p];
    assert.ok(id < dv.count);
    counts[id]++;
    for (let j = 0; j < d; j++) assert.equal(dv.points[id * d + j], features[p * d + j], `pixel ${p} dim ${j}`);
  }
  assert.deepEqual(counts, dv.weights);
  // strictly increasing in lexicographic order: every value once, order independent of pixels
  for (let i = 1; i < dv.count; i++) {
    let cmp = 0;
    for (let j = 0; j < d && cmp === 0; j++) cmp = dv.points[i * d + j] - dv.points[(i - 1) * d + j];
    assert.ok(cmp > 0, `point ${i} not after point ${i - 1}`);
  }
}

function randomBytes(n: number, seed: number, levels = 256): Uint8Array {
  const rnd = lcg(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rnd() * levels);
  return out;
}

test('distinctValues round-trips every pixel for d = 1, 2, 3', () => {
  roundTrip(randomBytes(5000, 1), 1);
  roundTrip(randomBytes(2 * 5000, 2), 2);
  roundTrip(randomBytes(3 * 20000, 3), 3);
  roundTrip(randomBytes(3 * 20000, 4, 6), 3); // many repeats
});

test('distinctValues: keys at the ends of the 24-bit range and of 32-key words, in a large image', () => {
  // the 3-channel method marks keys in a bitmap of 32-key words: bits 0 and 31, the first and
  // last words, and a few million pixels
  const edges = [
    [0, 0, 0],
    [0, 0, 31],
    [0, 0, 32],
    [0, 0, 63],
    [7, 8, 223],
    [7, 8, 224],
    [255, 255, 224],
    [255, 255, 255],
  ];
  const n = (1 << 21) + 17;
  const big = randomBytes(3 * n, 5, 40);
  edges.forEach((v, i) => big.set(v, 3 * (i * 1000 + 3)));
  roundTrip(big, 3);
  const dv = distinctValues(big, 3);
  const key = (i: number) => (dv.points[3 * i] << 16) | (dv.points[3 * i + 1] << 8) | dv.points[3 * i + 2];
  assert.equal(key(0), 0);
  assert.equal(key(dv.count - 1), 0xffffff);
  const keys = new Set(Array.from({ length: dv.count }, (_, i) => key(i)));
  for (const [r, g, b] of edges) assert.ok(keys.has((r << 16) | (g << 8) | b), `${r},${g},${b} missing`);
});

test('distinctValues: one pixel, one value repeated, and bad input', () => {
  const one = distinctValues(new Uint8Array([7, 8, 9]), 3);
  assert.deepEqual(Array.from(one.points), [7, 8, 9]);
  assert.deepEqual(Array.from(one.weights), [1]);
  const same = distinctValues(new Uint8Array(300).fill(42), 2);
  assert.equal(same.count, 1);
  assert.equal(same.weights[0], 150);
  assert.throws(() => distinctValues(new Uint8Array(4), 3), RangeError);
  assert.throws(() => distinctValues(new Uint8Array(4), 4), RangeError);
});

test('the kernel running out of memory is a user error that says what to do, not a crash', () => {
  const heap = new Heap(new WebAssembly.Memory({ initial: 1, maximum: 4 }));
  heap.take(1000);
  assert.throws(
    () => heap.take(5 * 65536),
    (e: unknown) => isSegmentationError(e) && e.code === 'too-large' && /working memory.*smaller width or fewer channels/.test(e.message),
  );
});

test('channels picked from 3-byte pixels, chunk by chunk, give the values of the packed channels', () => {
  // More pixels than one chunk (2^20), so chunks meet: 1.2 million pixels of 3 bytes.
  const pixels = randomBytes(1_200_000 * 3, 11, 64);
  for (const channels of [[0, 1, 2], [2, 0], [1], [2, 1, 0]]) {
    const packed = new Uint8Array((pixels.length / 3) * channels.length);
    for (let p = 0, o = 0; p < pixels.length / 3; p++) for (const c of channels) packed[o++] = pixels[p * 3 + c]!;
    const direct = distinctValues(packed, channels.length);
    const picked = distinctOf(channelValues(pixels, channels));
    assert.deepEqual(picked.points, direct.points, `values of channels ${channels}`);
    assert.deepEqual(picked.weights, direct.weights);
    assert.deepEqual(distinctIds(picked, channelValues(pixels, channels)), distinctIds(direct, packedValues(packed, channels.length)));
  }
});

test('the thread\'s kernel memory grown and paged in ahead: zero, as large as asked, and the next distinct values the same', () => {
  const rand = lcg(11);
  const features = Uint8Array.from({ length: 3 * 200_000 }, () => rand() & 0xff);
  const before = distinctOf(packedValues(features, 3));
  const size = threadMemory().buffer.byteLength;
  growThreadMemory(size + (40 << 20));
  const grown = new Uint8Array(threadMemory().buffer);
  assert.ok(grown.length >= size + (40 << 20));
  assert.ok(grown.subarray(size).every((v) => v === 0), 'the new memory is zero');
  growThreadMemory(1 << 16); // smaller than it is: nothing changes
  assert.equal(threadMemory().buffer.byteLength, grown.length);
  const after = distinctOf(packedValues(features, 3));
  for (const key of ['points', 'weights', 'lookup', 'count'] as const) assert.deepEqual(after[key], before[key], key);
});
