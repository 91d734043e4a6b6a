// The CLI's K-means on two threads (--threads): the fresh bundle and its worker run from a
// temporary folder; the split run must print exactly what the single-thread run prints.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FIXTURES } from './io-helpers';

const ROOT = resolve(__dirname, '..', '..');
const DIR = mkdtempSync(join(tmpdir(), 'kmeans-cli-threads-'));
// cli.js with worker.js beside it, as in dist/
const WITH_WORKER = join(DIR, 'with', 'cli.js');
// cli.js alone: someone copied the CLI elsewhere
const ALONE = join(DIR, 'alone', 'cli.js');

before(() => {
  const r = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  mkdirSync(join(DIR, 'with'));
  mkdirSync(join(DIR, 'alone'));
  copyFileSync(join(ROOT, 'dist', 'cli.js'), WITH_WORKER);
  copyFileSync(join(ROOT, 'dist', 'worker.js'), join(DIR, 'with', 'worker.js'));
  copyFileSync(join(ROOT, 'dist', 'cli.js'), ALONE);
});
after(() => rmSync(DIR, { recursive: true, force: true }));

interface Line {
  inertia: number;
  k: number;
  iterations: number;
  centers: number[][];
  clusterSizes: number[];
  distinctValues: number;
  threads: number;
  timings: { kmeans: number };
}

function runJson(cli: string, args: string[]): Line {
  const r = spawnSync(process.execPath, [cli, ...args, '--json'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /error/i);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Line;
}

const same = (a: Line, b: Line): void => {
  assert.equal(a.inertia, b.inertia);
  assert.equal(a.iterations, b.iterations);
  assert.deepEqual(a.centers, b.centers);
  assert.deepEqual(a.clusterSizes, b.clusterSizes);
};

const CASES: [string, string[]][] = [
  ['astronaut', ['-w', '120', '-n', '5', '--n-init', '9']],
  ['coffee', ['-w', '100', '-s', 'lab', '-c', '20', '-n', '4', '--n-init', '7', '--seed', '3']],
  ['chelsea', ['-w', '90', '-n', '8', '--n-init', '2']],
];

for (const [name, args] of CASES) {
  test(`--threads 2 gives the single-thread result: ${name} ${args.join(' ')}`, () => {
    const image = join(FIXTURES, `${name}.png`);
    const one = runJson(WITH_WORKER, [image, ...args, '--threads', '1']);
    const two = runJson(WITH_WORKER, [image, ...args, '--threads', '2']);
    assert.equal(one.threads, 1);
    assert.equal(two.threads, 2);
    same(one, two);
    assert.ok(two.timings.kmeans > 0);
  });
}

test('a batch reuses the helper: every image split and equal to its single-thread run', () => {
  const images = ['astronaut', 'chelsea'].map((n) => join(FIXTURES, `${n}.png`));
  const args = ['-w', '80', '-n', '3', '--n-init', '5'];
  const lines = (threads: string): Line[] => {
    const r = spawnSync(process.execPath, [WITH_WORKER, ...images, ...args, '--threads', threads, '--json'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Line);
  };
  const one = lines('1');
  const two = lines('2');
  assert.equal(two.length, 2);
  for (let i = 0; i < 2; i++) {
    assert.equal(two[i]!.threads, 2);
    same(one[i]!, two[i]!);
  }
});

test('without worker.js beside the CLI, --threads 2 runs on one thread with the same result', () => {
  const image = join(FIXTURES, 'astronaut.png');
  const args = ['-w', '100', '-n', '4', '--n-init', '6'];
  const split = runJson(WITH_WORKER, [image, ...args, '--threads', '2']);
  const alone = runJson(ALONE, [image, ...args, '--threads', '2']);
  assert.equal(alone.threads, 1);
  same(split, alone);
});

test('one thread by default; k capped to one colour needs no helper', () => {
  const light = runJson(WITH_WORKER, [join(FIXTURES, 'astronaut.png'), '-w', '60', '-n', '3']);
  assert.equal(light.threads, 1);
  const flat = runJson(WITH_WORKER, [join(FIXTURES, 'small-gray.png'), '-s', 'hsv', '-c', '1', '-n', '3', '--threads', '2']);
  assert.equal(flat.threads, 1);
});

test('--threads takes 1 or 2 only', () => {
  const r = spawnSync(process.execPath, [WITH_WORKER, join(FIXTURES, 'astronaut.png'), '--threads', '3'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /threads "3" invalid: use 1 or 2/);
});
