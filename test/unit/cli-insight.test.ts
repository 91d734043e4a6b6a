// The CLI's insight options as a person runs them: --palette writes the clusters as JSON,
// --mode draws the composite's right half another way, --select picks the clusters of a mask.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { grayLevel, stripWidth } from '../../src/core/composite';
import { decodeImage } from '../../src/core/decode';
import { FIXTURES } from './io-helpers';

const ROOT = resolve(__dirname, '..', '..');
const CLI_DIR = mkdtempSync(join(tmpdir(), 'kmeans-cli-insight-bundle-'));
const CLI = join(CLI_DIR, 'cli.js');
const IMAGE = join(FIXTURES, 'coffee.png');
const FAST = ['--n-init', '2', '-w', '80', '-n', '3', '-s', 'lab', '-c', '12'];

before(() => {
  const r = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  copyFileSync(join(ROOT, 'dist', 'cli.js'), CLI);
});
after(() => rmSync(CLI_DIR, { recursive: true, force: true }));

function run(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

function workDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kmeans-cli-insight-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function readPng(path: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  return decodeImage(readFileSync(path), path);
}

test('--palette writes centres, mean colours and sizes that agree with the label image', async (t) => {
  const dir = workDir(t);
  const r = run(['-i', IMAGE, ...FAST, '--palette', 'p.json', '--labels', 'l.png', '--json'], dir);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.deepEqual(summary.written, [join(dir, 'l.png'), join(dir, 'p.json')]);
  const palette = JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8'));
  assert.equal(palette.colorSpace, 'lab');
  assert.deepEqual(palette.channels, [1, 2]);
  assert.equal(palette.k, 3);
  assert.equal(palette.inertia, summary.inertia);
  assert.deepEqual(palette.clusters.map((c: { size: number }) => c.size), summary.clusterSizes);
  assert.deepEqual(palette.clusters.map((c: { center: number[] }) => c.center), summary.centers);

  // Each cluster's gray, size and mean RGB, recomputed from the label PNG and the resized original.
  const labels = await readPng(join(dir, 'l.png'));
  const out = run(['-i', IMAGE, ...FAST, '--out', 'c.png'], dir);
  assert.equal(out.status, 0, out.stderr);
  const comp = await readPng(join(dir, 'c.png'));
  const { width, height } = labels;
  for (const c of palette.clusters) {
    assert.equal(c.gray, grayLevel(c.rank, 3));
    const sum = [0, 0, 0];
    let n = 0;
    for (let p = 0; p < width * height; p++) {
      if (labels.data[p * 3] !== c.gray) continue;
      n++;
      const o = (Math.floor(p / width) * comp.width + (p % width)) * 3;
      for (let i = 0; i < 3; i++) sum[i] += comp.data[o + i]!;
    }
    assert.equal(n, c.size, `size of cluster ${c.rank}`);
    assert.deepEqual(c.meanRgb, sum.map((s) => Math.round(s / n)), `mean colour of cluster ${c.rank}`);
    assert.ok(Math.abs(c.share - n / (width * height)) < 1e-12);
  }
});

test('--palette refuses an existing file, a name that is not .json and several images', (t) => {
  const dir = workDir(t);
  writeFileSync(join(dir, 'taken.json'), '{}');
  let r = run(['-i', IMAGE, ...FAST, '--palette', 'taken.json'], dir);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /taken\.json.*already exists/);
  assert.equal(readFileSync(join(dir, 'taken.json'), 'utf8'), '{}');
  r = run(['-i', IMAGE, ...FAST, '--palette', 'p.txt'], dir);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--palette p\.txt: the palette is JSON; name it \.json/);
  r = run(['-i', IMAGE, '-i', IMAGE, ...FAST, '--palette', 'p.json'], dir);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--palette names one file: give one image, not 2/);
  assert.ok(!existsSync(join(dir, 'p.json')));
});

test('--mode mask --select draws only the selected clusters on the right; --mode mean their mean colours', async (t) => {
  const dir = workDir(t);
  let r = run(['-i', IMAGE, ...FAST, '--mode', 'mask', '--select', '2,0', '--out', 'm.png', '--labels', 'l.png', '--palette', 'p.json'], dir);
  assert.equal(r.status, 0, r.stderr);
  const labels = await readPng(join(dir, 'l.png'));
  const comp = await readPng(join(dir, 'm.png'));
  const { width, height } = labels;
  const x0 = width + stripWidth(width);
  const keep = new Set([grayLevel(0, 3), grayLevel(2, 3)]);
  for (let p = 0; p < width * height; p++) {
    const y = Math.floor(p / width);
    const l = (y * comp.width + (p % width)) * 3;
    const o = (y * comp.width + x0 + (p % width)) * 3;
    const want = keep.has(labels.data[p * 3]!) ? [...comp.data.subarray(l, l + 3)] : [0, 0, 0];
    assert.deepEqual([...comp.data.subarray(o, o + 3)], want, `pixel ${p}`);
  }

  r = run(['-i', IMAGE, ...FAST, '--mode', 'mean', '--out', 'mean.png'], dir);
  assert.equal(r.status, 0, r.stderr);
  const mean = await readPng(join(dir, 'mean.png'));
  const palette = JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8'));
  for (let p = 0; p < width * height; p += 13) {
    const rank = palette.clusters.findIndex((c: { gray: number }) => c.gray === labels.data[p * 3]);
    const o = (Math.floor(p / width) * mean.width + x0 + (p % width)) * 3;
    assert.deepEqual([...mean.data.subarray(o, o + 3)], palette.clusters[rank].meanRgb, `pixel ${p}`);
  }
});

test('--mode and --select mistakes are one-line usage errors', (t) => {
  const dir = workDir(t);
  const cases: Array<[string[], RegExp, number]> = [
    [['--mode', 'outline'], /mode "outline" unsupported: use gray, mean, mask, boundaries/, 2],
    [['--mode', 'mask'], /--mode mask needs --select/, 2],
    [['--select', '1'], /--select picks the clusters of --mode mask/, 2],
    [['--mode', 'mask', '--select', '1,x'], /select "1,x" invalid/, 2],
    [['--mode', 'mask', '--select', '7'], /--select 7: there are only 3 clusters/, 1],
  ];
  for (const [args, pattern, status] of cases) {
    const r = run(['-i', IMAGE, ...FAST, ...args, '--out', 'x.png'], dir);
    assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, pattern);
  }
  assert.ok(!existsSync(join(dir, 'x.png')));
});
