// Parity with the Python reference on a JPEG at full size (test/fixtures/parity-jpeg, made by its
// generate.py): our decoder must give cv2.imread's picture, so the clusters land where the
// reference's do. With jpeg-js's pixels the same cases agreed on 98.7-99.9 % of pixels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeImage } from '../../src/core/decode';
import { grayLevel } from '../../src/core/composite';
import { validateParams } from '../../src/core/params';
import { segmentSync } from '../../src/core/segment';

const ROOT = resolve(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'parity-jpeg');

interface Fixture {
  image: string;
  width: number;
  height: number;
  rgbSha256: string;
  cases: { colorSpace: string; channels: string; k: number; labels: string; inertia: number; clusterSizes: number[] }[];
}

const fixture = JSON.parse(readFileSync(join(FIXTURES, 'cases.json'), 'utf8')) as Fixture;

function pairedAgreement(ours: Uint8Array, theirs: Uint8Array, k: number): number {
  const overlap = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let p = 0; p < ours.length; p++) overlap[ours[p]!]![theirs[p]!]! += 1;
  const perms = (n: number): number[][] => (n === 1 ? [[0]] : perms(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)])));
  let best = 0;
  for (const perm of perms(k)) best = Math.max(best, perm.reduce((s, t, o) => s + overlap[o]![t]!, 0));
  return best / ours.length;
}

test(`${fixture.image} decodes to cv2.imread's pixels (SHA-256 of the RGB)`, async () => {
  const img = await decodeImage(readFileSync(join(ROOT, fixture.image)), fixture.image);
  assert.deepEqual([img.width, img.height], [fixture.width, fixture.height]);
  assert.equal(createHash('sha256').update(img.data).digest('hex'), fixture.rgbSha256);
});

for (const c of fixture.cases) {
  test(`JPEG parity at full size: ${fixture.image} ${c.colorSpace} -c ${c.channels} -n ${c.k}`, async () => {
    const img = await decodeImage(readFileSync(join(ROOT, fixture.image)), fixture.image);
    const { params } = validateParams({ colorSpace: c.colorSpace, channels: c.channels, k: c.k, seed: 0 });
    const r = segmentSync(img, params);
    const ref = await decodeImage(readFileSync(join(FIXTURES, c.labels)), c.labels);
    const rank = new Map(Array.from({ length: c.k }, (_, i) => [grayLevel(i, c.k), i]));
    const theirs = new Uint8Array(ref.width * ref.height);
    for (let p = 0; p < theirs.length; p++) theirs[p] = rank.get(ref.data[p * 3]!)!;
    const agreement = pairedAgreement(r.labels, theirs, c.k);
    const inertiaGap = r.inertia / c.inertia - 1;
    assert.ok(inertiaGap <= 0.001, `inertia ${r.inertia} vs the reference's ${c.inertia}`);
    // where both reach the same optimum, the labels are the same up to ties
    if (Math.abs(inertiaGap) < 1e-6) assert.ok(agreement >= 0.999, `labels agree on ${(agreement * 100).toFixed(3)} %`);
    else assert.ok(agreement >= 0.98, `labels agree on ${(agreement * 100).toFixed(3)} % (inertia ${(inertiaGap * 100).toFixed(4)} % apart)`);
    console.log(`# ${c.colorSpace}/${c.channels}/k=${c.k}: labels agree on ${(agreement * 100).toFixed(3)} %, inertia ${(inertiaGap * 100).toFixed(5)} % from the reference's`);
  });
}
