// Parity with the Python reference (the seed's script with sklearn 1.2 and OpenCV 4.6). The
// fixtures come from test/fixtures/parity/generate.py: the reference's label image per case and
// cases.json (inertia, composite geometry, a hash of the resized image). The input photos are
// copies of the shared images in test/fixtures/images (licences in its README.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeImage } from '../../src/core/decode';
import { segmentSync } from '../../src/core/segment';
import { composite, grayLevel, labelImage, STRIP_VALUE } from '../../src/core/composite';
import { validateParams } from '../../src/core/params';
import type { RgbImage } from '../../src/core/types';

const FIXTURES = resolve('test/fixtures/parity');
const IMAGES = resolve('test/fixtures/images');

interface ParityCase {
  image: string;
  colorSpace: string;
  channels: string;
  k: number;
  width: number;
  labels: string;
  resized: { width: number; height: number };
  composite: { width: number; height: number; stripX: number; stripWidth: number; stripValue: number; rightX: number };
  leftRgbSha256: string;
  inertia: number;
  clusterSizes: number[];
}

const cases = JSON.parse(readFileSync(join(FIXTURES, 'cases.json'), 'utf8')) as ParityCase[];

async function load(path: string): Promise<RgbImage> {
  assert.ok(existsSync(path), `${path} is missing`);
  return decodeImage(readFileSync(path), path);
}

/** All permutations of [0, k). */
function permutations(k: number): number[][] {
  if (k === 1) return [[0]];
  return permutations(k - 1).flatMap((p) => Array.from({ length: k }, (_, i) => [...p.slice(0, i), k - 1, ...p.slice(i)]));
}

/** Fraction of pixels on which two labelings agree under the best one-to-one pairing of clusters. */
function pairedAgreement(ours: Uint8Array, theirs: Uint8Array, k: number): number {
  const overlap = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let p = 0; p < ours.length; p++) overlap[ours[p]!]![theirs[p]!]! += 1;
  let best = 0;
  for (const perm of permutations(k)) {
    best = Math.max(best, perm.reduce((s, t, o) => s + overlap[o]![t]!, 0));
  }
  return best / ours.length;
}

for (const c of cases) {
  test(`parity ${c.image} ${c.colorSpace} -c ${c.channels} -n ${c.k}`, async () => {
    const { params } = validateParams({ colorSpace: c.colorSpace, channels: c.channels, k: c.k, width: c.width, seed: 0 });
    assert.equal(params.nInit, 40);
    assert.equal(params.maxIter, 500);
    const img = await load(join(IMAGES, c.image));
    const r = segmentSync(img, params);

    assert.deepEqual({ width: r.image.width, height: r.image.height }, c.resized);
    assert.equal(createHash('sha256').update(r.image.data).digest('hex'), c.leftRgbSha256, 'resized image differs');

    const comp = composite(r.image, labelImage(r.labels, r.k, r.image.width, r.image.height));
    assert.equal(comp.width, c.composite.width);
    assert.equal(comp.height, c.composite.height);
    assert.equal(STRIP_VALUE, c.composite.stripValue);
    for (const y of [0, comp.height - 1]) {
      for (let x = c.composite.stripX; x < c.composite.rightX; x++) {
        assert.equal(comp.data[(y * comp.width + x) * 3], STRIP_VALUE);
      }
      // The right part starts with the labels' gray level.
      const right = comp.data[(y * comp.width + c.composite.rightX) * 3];
      assert.equal(right, grayLevel(r.labels[y * r.image.width]!, r.k));
    }

    // The reference's label image holds gray levels; turn them back into ranks.
    const ref = await load(join(FIXTURES, c.labels));
    const levelToRank = new Map(Array.from({ length: c.k }, (_, i) => [grayLevel(i, c.k), i]));
    const theirs = new Uint8Array(ref.width * ref.height);
    for (let p = 0; p < theirs.length; p++) {
      const rank = levelToRank.get(ref.data[p * 3]!);
      assert.ok(rank !== undefined, `unexpected gray ${ref.data[p * 3]} in ${c.labels}`);
      theirs[p] = rank;
    }
    const agreement = pairedAgreement(r.labels, theirs, c.k);
    assert.ok(agreement >= 0.98, `labels agree on ${(agreement * 100).toFixed(2)} % of pixels`);
    assert.ok(r.inertia <= c.inertia * 1.001, `inertia ${r.inertia} vs reference ${c.inertia}`);
  });
}
