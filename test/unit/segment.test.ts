import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestOf, cluster, finish, prepare, segmentSync } from '../../src/core/segment';
import type { RgbImage } from '../../src/core/types';
import type { SegmentParams } from '../../src/shared/params';
import { withoutTimings } from './kmeans-helpers';

const base: SegmentParams = {
  colorSpace: 'bgr',
  channels: [0, 1, 2],
  k: 3,
  width: 0,
  nInit: 4,
  maxIter: 100,
  seed: 0,
};

/** An image from a per-pixel colour function. */
function image(width: number, height: number, color: (x: number, y: number) => [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(color(x, y), (y * width + x) * 3);
  }
  return { width, height, data };
}

/** Deterministic noise so tests are repeatable. */
function noisy(width: number, height: number, seed = 1): RgbImage {
  let s = seed;
  const rnd = (): number => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  return image(width, height, (x) => {
    const blob = x < width / 3 ? 40 : x < (2 * width) / 3 ? 128 : 220;
    return [blob + (rnd() % 21) - 10, 255 - blob + (rnd() % 21) - 10, (rnd() % 41) + 100];
  });
}

test('k is capped to the number of distinct colours, with a warning', () => {
  const img = image(10, 4, (x) => (x < 3 ? [255, 0, 0] : [0, 0, 255]));
  const r = segmentSync(img, { ...base, k: 5 });
  assert.equal(r.k, 2);
  assert.equal(r.distinctValues, 2);
  assert.deepEqual(r.warnings, ['only 2 distinct colours: k capped to 2']);
  assert.deepEqual(r.clusterSizes, [28, 12]);
  // BGR order: blue is the majority, so it is rank 0.
  assert.deepEqual(r.centers, [
    [255, 0, 0],
    [0, 0, 255],
  ]);
  assert.equal(r.inertia, 0);
  for (let p = 0; p < 40; p++) assert.equal(r.labels[p], p % 10 < 3 ? 1 : 0);
});

test('a one-colour image gives one cluster and a singular warning', () => {
  const r = segmentSync(image(5, 5, () => [7, 8, 9]), { ...base, k: 2 });
  assert.equal(r.k, 1);
  assert.deepEqual(r.warnings, ['only 1 distinct colour: k capped to 1']);
  assert.deepEqual(r.clusterSizes, [25]);
  assert.deepEqual(r.centers, [[9, 8, 7]]);
  assert.ok(r.labels.every((l) => l === 0));
});

test('clusters of equal size are ranked by their centre, the lower first', () => {
  // Two colours, 50 pixels each; the brighter one comes first in raster order.
  const img = image(10, 10, (_x, y) => (y < 5 ? [200, 200, 200] : [10, 20, 30]));
  const r = segmentSync(img, { ...base, k: 2 });
  assert.deepEqual(r.clusterSizes, [50, 50]);
  assert.deepEqual(r.centers, [
    [30, 20, 10],
    [200, 200, 200],
  ]);
  assert.equal(r.labels[0], 1);
  assert.equal(r.labels[99], 0);
});

test('labels, cluster sizes, centres and inertia agree with each other', () => {
  const img = noisy(60, 30);
  const params = { ...base, k: 4 };
  const r = segmentSync(img, params);
  const n = img.width * img.height;
  assert.equal(r.labels.length, n);
  const counts = new Array<number>(r.k).fill(0);
  for (const l of r.labels) counts[l]! += 1;
  assert.deepEqual(counts, r.clusterSizes);
  for (let i = 1; i < r.k; i++) assert.ok(r.clusterSizes[i - 1]! >= r.clusterSizes[i]!);
  assert.equal(r.clusterSizes.reduce((a, b) => a + b, 0), n);

  // Inertia and centres from the pixels themselves (BGR order, all channels).
  let inertia = 0;
  const sums = Array.from({ length: r.k }, () => [0, 0, 0]);
  for (let p = 0; p < n; p++) {
    const bgr = [img.data[p * 3 + 2]!, img.data[p * 3 + 1]!, img.data[p * 3]!];
    const c = r.centers[r.labels[p]!]!;
    for (let j = 0; j < 3; j++) {
      inertia += (bgr[j]! - c[j]!) ** 2;
      sums[r.labels[p]!]![j]! += bgr[j]!;
    }
    // Every pixel sits with its nearest centre.
    const dist = (q: number[]): number => q.reduce((s, v, j) => s + (v - bgr[j]!) ** 2, 0);
    const mine = dist(c);
    for (const other of r.centers) assert.ok(mine <= dist(other) + 1e-9);
  }
  assert.ok(Math.abs(inertia - r.inertia) <= 1e-6 * Math.max(1, inertia));
  // Converged Lloyd centres are the means of their pixels.
  for (let c = 0; c < r.k; c++) {
    for (let j = 0; j < 3; j++) {
      assert.ok(Math.abs(sums[c]![j]! / r.clusterSizes[c]! - r.centers[c]![j]!) < 0.5);
    }
  }
  assert.ok(r.iterations >= 1);
});

test('selected channels come in the order given', () => {
  const img = image(8, 8, (x) => (x < 4 ? [250, 0, 10] : [20, 0, 100]));
  const r = segmentSync(img, { ...base, channels: [2, 0], k: 2 });
  // bgr channel 2 is R, channel 0 is B.
  const sorted = [...r.centers].sort((a, b) => a[0]! - b[0]!);
  assert.deepEqual(sorted, [
    [20, 100],
    [250, 10],
  ]);
  // BGR is the image itself read backwards: no converted copy
  assert.equal(r.converted.data, img.data);
  const { data, offsets } = r.converted;
  assert.deepEqual([0, 1, 2].map((c) => data[offsets[c]]), [10, 0, 250]);
});

test('width resizes first, and the timings are reported', () => {
  const img = noisy(90, 45);
  const r = segmentSync(img, { ...base, width: 30 });
  assert.equal(r.image.width, 30);
  assert.equal(r.image.height, 15);
  assert.equal(r.labels.length, 30 * 15);
  for (const t of [r.timings.resize, r.timings.convert, r.timings.kmeans]) {
    assert.ok(Number.isFinite(t) && t >= 0, `timing ${t}`);
  }
  assert.ok(r.timings.kmeans > 0);
  // Without -w the image is the input itself.
  const same = segmentSync(img, base);
  assert.equal(same.image.width, 90);
  assert.equal(same.labels.length, 90 * 45);
});

test('restarts split in ranges and joined with bestOf give the single run', () => {
  const img = noisy(50, 40, 7);
  const params = { ...base, k: 5, nInit: 8, colorSpace: 'lab' as const };
  const whole = segmentSync(img, params);
  const prep = prepare(img, params);
  const halves = [cluster(prep, params, { restarts: [0, 3] }), cluster(prep, params, { restarts: [3, 8] })];
  const joined = finish(prep, params, bestOf(halves));
  assert.deepEqual(withoutTimings(joined), withoutTimings(whole));
  // Restarts taken from one counter (as threads sharing it do); a call that finds nothing left
  // returns no result and does not count.
  let next = 0;
  const take = (): number => next++;
  const parts = [cluster(prep, params, { nextRestart: take }), cluster(prep, params, { nextRestart: take })];
  assert.equal(parts[1]!.restart, -1, 'the second call found every restart taken');
  assert.deepEqual(withoutTimings(finish(prep, params, bestOf(parts))), withoutTimings(whole));
  // And the same parameters always give the same picture.
  assert.deepEqual(withoutTimings(segmentSync(img, params)), withoutTimings(whole));
});

test('the hsv space segments on the chosen channels', () => {
  // Red and green areas of equal brightness: only hue separates them.
  const img = image(20, 10, (x) => (x < 14 ? [200, 30, 30] : [30, 200, 30]));
  const r = segmentSync(img, { ...base, colorSpace: 'hsv', channels: [0], k: 2 });
  assert.equal(r.centers[0]!.length, 1);
  assert.deepEqual(r.clusterSizes, [140, 60]);
  assert.equal(r.labels[0], 0);
  assert.equal(r.labels[19], 1);
});
