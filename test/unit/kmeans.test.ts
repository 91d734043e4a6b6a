import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bestOf, distinctIds, distinctValues, kmeans, packedValues, type KMeansOptions, type KMeansResult } from '../../src/core/kmeans/index';
import { kmeansBruteForce, lloydBruteForce } from '../oracle/bruteForce';
import { kmeansFromCenters } from '../oracle/fromCenters';
import { treeOrder } from '../../src/core/kmeans/wasmRestart';
import { inertiaOf } from '../../src/core/kmeans/inertia';
import { relocateEmptyClusters } from '../oracle/relocate';
import { blobPixels, randomWeighted, sortedRows } from './kmeans-helpers';

const opts = (k: number, extra: Partial<KMeansOptions> = {}): KMeansOptions => ({ k, nInit: 10, maxIter: 300, tol: 1e-4, seed: 1, ...extra });

/** The brute-force oracle on the points in tree order, mapped back to the caller's order. */
function brute(points: Float64Array, weights: Float64Array, d: number, o: KMeansOptions): KMeansResult {
  const perm = treeOrder(points, weights, d);
  const m = weights.length;
  const pp = new Float64Array(m * d);
  const pw = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    pw[i] = weights[perm[i]];
    for (let j = 0; j < d; j++) pp[i * d + j] = points[perm[i] * d + j];
  }
  const r = kmeansBruteForce(pp, pw, d, o);
  const assign = new Int32Array(m);
  for (let i = 0; i < m; i++) assign[perm[i]] = r.assign[i];
  return { ...r, assign };
}

function assertSame(a: KMeansResult, b: KMeansResult, what: string): void {
  assert.deepEqual(a.centers, b.centers, `${what}: centres`);
  assert.deepEqual(a.assign, b.assign, `${what}: labels`);
  assert.equal(a.restart, b.restart, `${what}: restart`);
  assert.equal(a.iterations, b.iterations, `${what}: iterations`);
  assert.ok(Math.abs(a.inertia - b.inertia) <= 1e-12 * b.inertia, `${what}: inertia ${a.inertia} vs ${b.inertia}`);
}

test('recovers the centres of well-separated blobs', () => {
  const truth = [
    [30, 40, 50],
    [200, 60, 90],
    [100, 220, 180],
  ];
  const px = blobPixels(truth, 3000, 6, 7);
  const dv = distinctValues(px, 3);
  const r = kmeans(dv.points, dv.weights, 3, opts(3));
  const got = sortedRows(r.centers, 3);
  const want = truth.slice().sort((a, b) => a[0] - b[0]);
  for (let c = 0; c < 3; c++) for (let j = 0; j < 3; j++) assert.ok(Math.abs(got[c][j] - want[c][j]) < 0.6, `centre ${c}`);
  // every pixel of a blob shares its cluster
  const index = distinctIds(dv, packedValues(px, 3));
  for (let p = 3; p < 3000; p++) assert.equal(r.assign[index[p]!], r.assign[index[p % 3]!]);
  const again = inertiaOf(dv.points, dv.weights, 3, r.assign, r.centers);
  assert.ok(Math.abs(r.inertia - again) <= 1e-12 * again);
});

test('identical to the brute-force specification, bit for bit (d = 1, 2, 3; tol, strict and maxIter stops)', () => {
  const cases: [number, number, number, Partial<KMeansOptions>][] = [
    // m, d, k, options
    [200, 1, 4, {}],
    [256, 1, 7, { tol: 0 }],
    [1500, 2, 5, {}],
    [1500, 2, 3, { tol: 0, nInit: 4 }],
    [3000, 3, 3, {}],
    [3000, 3, 8, { seed: 99 }],
    [3000, 3, 6, { maxIter: 2 }],
    [800, 3, 12, { tol: 0 }],
  ];
  for (const [m, d, k, extra] of cases) {
    const { points, weights } = randomWeighted(m, d, 256, 20, m + d + k);
    const o = opts(k, extra);
    assertSame(kmeans(points, weights, d, o), brute(points, weights, d, o), `m=${m} d=${d} k=${k} ${JSON.stringify(extra)}`);
  }
});

test('ties are broken the same way as brute force (lattice data, equidistant points)', () => {
  // points on a coarse lattice: many points sit exactly between two centres
  for (const [d, k, seed] of [
    [1, 3, 1],
    [2, 4, 2],
    [3, 5, 3],
    [3, 9, 4],
  ] as const) {
    const { points, weights } = randomWeighted(400, d, 5, 3, seed);
    for (let i = 0; i < points.length; i++) points[i] *= 2;
    const dv = dedupe(points, weights, d);
    const o = opts(k, { tol: 0, seed });
    const a = kmeans(dv.points, dv.weights, d, o);
    assertSame(a, brute(dv.points, dv.weights, d, o), `lattice d=${d} k=${k}`);
    assertSame(a, kmeans(dv.points, dv.weights, d, o), 'repeat');
  }
});

/** Merges equal points (kmeans wants distinct points, as distinctValues gives). */
function dedupe(points: Float64Array, weights: Float64Array, d: number) {
  const bytes = new Uint8Array(points.length);
  const m = weights.length;
  const reps: number[] = [];
  for (let i = 0; i < m; i++) for (let r = 0; r < weights[i]; r++) reps.push(i);
  const px = new Uint8Array(reps.length * d);
  reps.forEach((i, p) => {
    for (let j = 0; j < d; j++) px[p * d + j] = points[i * d + j];
  });
  void bytes;
  return distinctValues(px, d);
}

test('weighted distinct points give the clustering of the expanded duplicates', () => {
  const truth = [
    [20, 200],
    [120, 40],
    [230, 160],
    [60, 90],
  ];
  const px = blobPixels(truth, 4000, 6, 3);
  const dv = distinctValues(px, 2);
  // expanded: every pixel its own weight-1 point (duplicates kept)
  const expanded = new Float64Array(px.length);
  for (let i = 0; i < px.length; i++) expanded[i] = px[i];
  const ones = new Float64Array(4000).fill(1);
  const a = kmeans(dv.points, dv.weights, 2, opts(4));
  const b = kmeans(expanded, ones, 2, opts(4));
  assert.deepEqual(sortedRows(a.centers, 2), sortedRows(b.centers, 2));
  assert.equal(a.inertia, b.inertia);
  assert.ok(dv.count < 4000 / 3, 'the test needs many duplicates');
});

test('empty-cluster relocation moves single pixels from the farthest points (sklearn semantics)', () => {
  // 1-d points 0, 1, 10 (weight 3), 4; clusters: 0 -> {0, 1, 10}, 1 empty, 2 -> {4}, 3 empty
  const px = new Float64Array([0, 1, 10, 4]);
  const pw = new Float64Array([1, 1, 3, 2]);
  const labels = new Int32Array([0, 0, 0, 2]);
  const old = new Float64Array([2, 50, 4, 60]);
  const sums = new Float64Array([0 + 1 + 30, 0, 8, 0]);
  const w = new Float64Array([5, 0, 2, 0]);
  relocateEmptyClusters(px, pw, 1, labels, old, sums, w);
  // the point 10 is farthest (8 from its centre): it gives one pixel to cluster 1, one to 3
  assert.deepEqual(Array.from(w), [3, 1, 2, 1]);
  assert.deepEqual(Array.from(sums), [11, 10, 8, 10]);
});

test('empty clusters during Lloyd: relocated as sklearn, identical to brute force', () => {
  // 1-d points 0 (x2), 1, 10 (x3), 13; centres 1 and 3 start far away and get no point
  const points = new Float64Array([0, 1, 10, 13]);
  const weights = new Float64Array([2, 1, 3, 1]);
  const init = new Float64Array([0.5, 100, 11, 200]);
  const one = kmeansFromCenters(points, weights, 1, init, { maxIter: 1, tol: 1e-4 });
  // 13 (farthest, 2 from 11) moves to cluster 1; then one pixel of 10 (1 from 11) to cluster 3
  assert.deepEqual(Array.from(one.centers), [1 / 3, 13, 10, 10]);
  // final assignment with those centres: 10 is as close to centre 2 as to 3, the lower wins
  assert.deepEqual(Array.from(one.assign), [0, 0, 2, 1]);
  assert.ok(Math.abs(one.inertia - 2 / 3) < 1e-12);
  // longer runs with many empty clusters, against the specification
  for (const [d, k, seed] of [
    [1, 5, 1],
    [2, 6, 2],
    [3, 8, 3],
  ] as const) {
    const { points: p, weights: w } = randomWeighted(300, d, 64, 5, seed);
    const dv = dedupe(p, w, d);
    const start = new Float64Array(k * d);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) start[c * d + j] = c < 2 ? 10 + 30 * c : 1000 + c; // k-2 far away
    const o = { maxIter: 100, tol: 0 };
    const perm = treeOrder(dv.points, dv.weights, d);
    const pp = new Float64Array(dv.count * d);
    const pw = new Float64Array(dv.count);
    for (let i = 0; i < dv.count; i++) {
      pw[i] = dv.weights[perm[i]];
      for (let j = 0; j < d; j++) pp[i * d + j] = dv.points[perm[i] * d + j];
    }
    const a = kmeansFromCenters(dv.points, dv.weights, d, start, o);
    const b = lloydBruteForce(pp, pw, d, start, o);
    assert.deepEqual(a.centers, b.centers);
    assert.equal(a.iterations, b.iterations);
    for (let i = 0; i < dv.count; i++) assert.equal(a.assign[perm[i]], b.assign[i]);
    // no centre is left out there: all were given points
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) assert.ok(a.centers[c * d + j] < 64);
  }
});

test('k > m throws a RangeError; bad options are refused', () => {
  const points = new Float64Array([1, 2, 3]);
  const w = new Float64Array([1, 1, 1]);
  assert.throws(() => kmeans(points, w, 1, opts(4)), RangeError);
  assert.throws(() => kmeans(points, w, 1, opts(0)), RangeError);
  assert.throws(() => kmeans(points, w, 4, opts(2)), RangeError);
  assert.throws(() => kmeans(points, w, 1, opts(2, { restarts: [5, 3] })), RangeError);
  assert.throws(() => kmeans(points, w, 1, opts(2, { nInit: 0 })), RangeError);
  assert.throws(() => kmeans(points, new Float64Array(3), 1, opts(2)), /weights sum to 0/);
  assert.throws(() => kmeans(points, new Float64Array([1, -1, 1]), 1, opts(2)), RangeError);
  // k = m is fine: every point its own centre
  const r = kmeans(points, w, 1, opts(3));
  assert.deepEqual(Array.from(r.centers).sort(), [1, 2, 3]);
  assert.equal(r.inertia, 0);
});

test('same seed, same bits; another seed can give another run', () => {
  const { points, weights } = randomWeighted(2000, 3, 256, 9, 11);
  const a = kmeans(points, weights, 3, opts(5, { nInit: 1 }));
  const b = kmeans(points, weights, 3, opts(5, { nInit: 1 }));
  assertSame(a, b, 'same seed');
  let differs = false;
  for (let s = 2; s < 8 && !differs; s++) {
    const c = kmeans(points, weights, 3, opts(5, { nInit: 1, seed: s }));
    differs = c.inertia !== a.inertia || c.centers.some((v, i) => v !== a.centers[i]);
  }
  assert.ok(differs, 'six other seeds all gave the same run');
});

test('restarts split over calls + bestOf equal the full run', () => {
  const { points, weights } = randomWeighted(3000, 3, 256, 9, 12);
  const o = opts(6, { nInit: 12 });
  const full = kmeans(points, weights, 3, o);
  const parts = [
    [0, 5],
    [5, 6],
    [6, 12],
  ].map(([a, b]) => kmeans(points, weights, 3, { ...o, restarts: [a, b] as [number, number] }));
  assertSame(bestOf(parts), full, 'split');
  assert.ok(full.restart >= 0 && full.restart < 12);
  assert.equal(bestOf([...parts].reverse()), bestOf(parts));
});

test('reported inertia equals a brute-force recomputation from centres and labels', () => {
  for (const d of [1, 2, 3]) {
    const { points, weights } = randomWeighted(1000, d, 256, 30, 20 + d);
    const r = kmeans(points, weights, d, opts(4));
    const again = inertiaOf(points, weights, d, r.assign, r.centers);
    assert.ok(Math.abs(r.inertia - again) <= 1e-12 * again, `d=${d}: ${r.inertia} vs ${again}`);
    // and every point's label is its nearest centre
    for (let i = 0; i < weights.length; i++) {
      let best = 0;
      let bd = Infinity;
      for (let c = 0; c < 4; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += (points[i * d + j] - r.centers[c * d + j]) ** 2;
        if (s < bd) {
          bd = s;
          best = c;
        }
      }
      assert.equal(r.assign[i], best);
    }
  }
});

test("matches or beats sklearn's inertia on a real image (coffee, HSV channels 0+2)", () => {
  const dir = new URL('../fixtures/kmeans/', import.meta.url);
  const features = new Uint8Array(readFileSync(new URL('coffee-hsv-02-w64.bin', dir)));
  const ref = JSON.parse(readFileSync(new URL('coffee-hsv-02-w64.sklearn.json', dir), 'utf8'));
  const dv = distinctValues(features, 2);
  for (const c of ref.cases) {
    const r = kmeans(dv.points, dv.weights, 2, { k: c.k, nInit: c.n_init, maxIter: c.max_iter, tol: 1e-4, seed: 0 });
    assert.ok(r.inertia <= c.inertia * 1.001, `k=${c.k}: ours ${r.inertia}, sklearn ${c.inertia}`);
  }
});

test('points that are not bytes (general tree build) cluster like brute force', () => {
  const { points, weights } = randomWeighted(1200, 3, 1000, 9, 31);
  for (let i = 0; i < points.length; i++) points[i] = points[i] / 3 - 50; // fractions, negatives
  const o = opts(4, { nInit: 3 });
  const a = kmeans(points, weights, 3, o);
  const b = brute(points, weights, 3, o);
  assert.deepEqual(a.assign, b.assign);
  for (let i = 0; i < a.centers.length; i++) assert.ok(Math.abs(a.centers[i] - b.centers[i]) < 1e-9);
  assert.ok(Math.abs(a.inertia - b.inertia) <= 1e-9 * b.inertia);
});
