import { test } from 'node:test';
import assert from 'node:assert/strict';
import { elbowCurve, elbowK, elbowKs } from '../../src/core/insight/index';
import { rng } from './insight-fixtures';

/** Weighted points in `blobs` tight, well-separated groups in 3-D (like distinct pixel values). */
function blobs(count: number, perBlob: number, seed: number): { points: Float64Array; weights: Float64Array; d: number } {
  const rand = rng(seed);
  const centres = [
    [40, 40, 40],
    [200, 60, 50],
    [60, 190, 70],
    [90, 80, 220],
    [220, 220, 200],
    [150, 140, 130],
  ].slice(0, count);
  const pts: number[] = [];
  const weights: number[] = [];
  for (const c of centres) {
    for (let i = 0; i < perBlob; i++) {
      for (const v of c) pts.push(Math.round(v + (rand() - 0.5) * 24));
      weights.push(1 + Math.floor(rand() * 5));
    }
  }
  return { points: Float64Array.from(pts), weights: Float64Array.from(weights), d: 3 };
}

test('elbowCurve + elbowK find the number of blobs', () => {
  for (const n of [3, 4, 5]) {
    const input = blobs(n, 60, n);
    const curve = elbowCurve(input, { kMin: 2, kMax: 10, nInit: 3, seed: 1 });
    assert.deepEqual(curve.map((p) => p.k), [2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (let i = 1; i < curve.length; i++) {
      assert.ok(curve[i]!.inertia <= curve[i - 1]!.inertia * 1.001, `inertia falls with k (${n} blobs)`);
    }
    assert.equal(elbowK(curve), n, `${n} blobs: ${JSON.stringify(curve)}`);
  }
});

test('elbowCurve: inertia is the weighted sum of squared distances (k = 1 exactly)', () => {
  const points = Float64Array.from([0, 0, 2, 0, 10, 0]);
  const weights = Float64Array.from([1, 1, 2]);
  // Mean x = (0 + 2 + 20) / 4 = 5.5: 5.5^2 + 3.5^2 + 2 * 4.5^2 = 30.25 + 12.25 + 40.5.
  const curve = elbowCurve({ points, weights, d: 2 }, { kMin: 1, kMax: 3 });
  assert.deepEqual(curve.map((p) => p.k), [1, 2, 3]);
  assert.equal(curve[0]!.inertia, 83);
  assert.equal(curve[1]!.inertia, 2); // {0, 2} around 1, {10} alone
  assert.equal(curve[2]!.inertia, 0);
});

test('elbowCurve: k is capped to the distinct count; `only` picks a subset; prepare-shaped input works', () => {
  const points = Float64Array.from([1, 5, 9]);
  const weights = Float64Array.from([3, 1, 2]);
  const curve = elbowCurve({ points, weights, d: 1 });
  assert.deepEqual(curve.map((p) => p.k), [2, 3]);
  assert.equal(curve[1]!.inertia, 0);
  const input = blobs(4, 30, 9);
  const all = elbowCurve(input, { seed: 3 });
  const part = elbowCurve({ d: 3, distinct: input }, { seed: 3, only: [4, 7, 12] });
  assert.deepEqual(part, [all[2], all[5]]);
  assert.deepEqual(elbowKs(1), [1]);
  assert.deepEqual(elbowKs(100, 2, 5), [2, 3, 4, 5]);
  assert.throws(() => elbowKs(100, 5, 2), /k range 5..2/);
  assert.throws(() => elbowCurve({ points, weights, d: 2 }), /3 coordinates do not make 3 points of 2 channels/);
});

test('elbowK on hand-made curves', () => {
  const curve = (ks: number[], inertia: number[]) => ks.map((k, i) => ({ k, inertia: inertia[i]! }));
  // A sharp bend at 4.
  assert.equal(elbowK(curve([2, 3, 4, 5, 6, 7, 8], [1000, 600, 120, 110, 100, 95, 90])), 4);
  // A sharp bend at 3, points given out of order.
  assert.equal(elbowK(curve([5, 2, 3, 4, 6], [40, 900, 80, 60, 30])), 3);
  // A straight line has no point below its chord: the smallest k.
  assert.equal(elbowK(curve([2, 3, 4, 5], [400, 300, 200, 100])), 2);
  // Flat, or too short to bend.
  assert.equal(elbowK(curve([2, 3, 4], [5, 5, 5])), 2);
  assert.equal(elbowK(curve([2, 3], [10, 0])), 2);
  assert.equal(elbowK(curve([7], [10])), 7);
  assert.throws(() => elbowK([]), /empty/);
  // The axes are normalised: scaling the inertia does not move the elbow.
  const ks = [2, 3, 4, 5, 6, 7, 8, 9, 10];
  const inertia = [500, 260, 170, 150, 120, 105, 95, 88, 80];
  const k = elbowK(curve(ks, inertia));
  assert.equal(elbowK(curve(ks, inertia.map((v) => v * 1e6))), k);
  assert.equal(k, 4);
});
