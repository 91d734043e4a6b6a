// Batches on the command line (issue 13): `node dist/cli.js` on folders of real images in a
// temporary folder, as a person or a script runs it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage } from '../../src/core/decode';
import { BAD, FIXTURES } from './io-helpers';
import { privateBundles } from './private-bundle';

// A bundle of the CLI of its own, with its codecs (building dist/ here would disturb other test files' workers).
let CLI = '';
let disposeBundle = (): void => undefined;
const FAST = ['--n-init', '3'];
const OUTPUT = /_\d{14}(bgr|hsv|lab|ycrcb)_c\w+n\d+(-\d+)?\.\w+$/;

before(async () => {
  const b = await privateBundles({ cli: 'src/cli/main.ts' });
  CLI = join(b.dir, 'cli.js');
  disposeBundle = b.dispose;
});
after(() => disposeBundle());

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd: string): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

function workDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kmeans-cli-batch-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Photos and the small fixtures in every format the decoder reads. */
const MIXED = ['astronaut.png', 'chelsea.png', 'coffee.png', 'fruits.png', 'linuxlogo.png', 'rocket.png', 'smarties.png', 'small.png', 'small.jpg', 'small.gif', 'small.bmp', 'small-le.tif'];

function folderOf(dir: string, names: readonly string[]): string {
  mkdirSync(dir, { recursive: true });
  for (const n of names) copyFileSync(join(FIXTURES, n), join(dir, n));
  return dir;
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l.length > 0);
const objects = (r: Run): Record<string, unknown>[] => lines(r.stdout).map((l) => JSON.parse(l));
const outputsIn = (dir: string): string[] => readdirSync(dir).filter((n) => OUTPUT.test(n)).sort();
test('--jobs 2 gives byte-identical files and the same results per image as --jobs 1', (t) => {
  const base = workDir(t);
  const one = folderOf(join(base, 'one'), MIXED);
  const two = folderOf(join(base, 'two'), MIXED);
  const r1 = run(['-i', one, '-o', '--json', '--jobs', '1', '-w', '80', ...FAST], base);
  const r2 = run(['-i', two, '-o', '--json', '--jobs', '2', '-w', '80', ...FAST], base);
  assert.equal(r1.status, 0, r1.stderr);
  assert.equal(r2.status, 0, r2.stderr);

  const perImage = (r: Run, dir: string): Map<string, unknown> => {
    const m = new Map<string, unknown>();
    for (const o of objects(r).filter((o) => !o.summary)) {
      const { timings, written, image, ...rest } = o;
      assert.ok(typeof image === 'string' && image.startsWith(dir));
      assert.equal((written as string[]).length, 1);
      m.set((image as string).slice(dir.length), rest);
    }
    return m;
  };
  const a = perImage(r1, one);
  const b = perImage(r2, two);
  assert.equal(a.size, MIXED.length);
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
  for (const [k, v] of a) assert.deepEqual(b.get(k), v, k);

  // the composites, by the input each was made from (several inputs share the stem "small")
  const composites = (r: Run, dir: string): Map<string, Buffer> =>
    new Map(objects(r).filter((o) => !o.summary).map((o) => [(o.image as string).slice(dir.length), readFileSync((o.written as string[])[0]!)]));
  const filesA = composites(r1, one);
  const filesB = composites(r2, two);
  assert.equal(filesA.size, MIXED.length);
  assert.equal(outputsIn(one).length, MIXED.length);
  for (const [input, bytes] of filesA) assert.ok(bytes.equals(filesB.get(input)!), `${input}: composites differ`);

  const s1 = objects(r1).at(-1)!;
  const s2 = objects(r2).at(-1)!;
  assert.equal(s1.jobs, 1);
  assert.equal(s2.jobs, 2);
});

test('a folder takes its images in name order; --recursive its subfolders; outputs, other files and hidden ones are left out', (t) => {
  const dir = workDir(t);
  const photos = join(dir, 'photos');
  folderOf(photos, ['small.png', 'small.jpg']);
  folderOf(join(photos, 'sub'), ['small.bmp']);
  folderOf(join(photos, '.hidden'), ['small.gif']);
  copyFileSync(join(FIXTURES, 'small.png'), join(photos, 'b_20260101000000bgr_calln3.png'));
  writeFileSync(join(photos, 'notes.txt'), 'not an image');
  writeFileSync(join(photos, '.small.png.123-abcd.tmp'), 'a temporary file');

  const flat = run(['-i', 'photos', '--json', ...FAST], dir);
  assert.equal(flat.status, 0, flat.stderr);
  const flatImages = objects(flat).filter((o) => !o.summary).map((o) => o.image).sort();
  assert.deepEqual(flatImages, ['photos/small.jpg', 'photos/small.png']);

  const deep = run(['-i', 'photos/', '--recursive', ...FAST], dir).stdout; // human lines, in input order
  const deepLines = lines(deep);
  assert.equal(deepLines.length, 4, deep); // three images and the summary
  assert.match(deepLines[0]!, /^\[1\/3\] photos\/small\.jpg: /);
  assert.match(deepLines[1]!, /^\[2\/3\] photos\/small\.png: /);
  assert.match(deepLines[2]!, /^\[3\/3\] photos\/sub\/small\.bmp: /);
  assert.match(deepLines[3]!, /^3 images: 3 done in [\d.]+ s, [\d.]+ images\/s$/);
  assert.equal(readdirSync(photos).filter((n) => OUTPUT.test(n)).length, 1, 'nothing written without -o');

  // a folder named like an image stays an input that is not a file, as before folders were inputs
  mkdirSync(join(dir, 'x.png'));
  const slip = run(['-i', 'x.png', ...FAST], dir);
  assert.equal(slip.status, 1);
  assert.match(slip.stderr, /x\.png: is a folder, not an image file/);

  mkdirSync(join(dir, 'empty'));
  const none = run(['-i', 'empty'], dir);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /empty: no images in this folder/);
});

test('--skip-done: a second run skips every image, deletes and overwrites nothing; -2 names count', (t) => {
  const dir = workDir(t);
  const photos = folderOf(join(dir, 'photos'), ['small.png', 'small.jpg', 'small.bmp', 'small.gif']);
  const first = run(['-i', photos, '-o', '-s', 'hsv', '-c', '02', '-n', '2', '--skip-done', '--json', ...FAST], dir);
  assert.equal(first.status, 0, first.stderr);
  const summary1 = objects(first).at(-1)!;
  assert.equal(summary1.done, 4);
  assert.equal(summary1.skipped, 0);
  // small.png, small.jpg, ... share the stem "small": each writes small_<stamp>hsv_c02n2.png or -2, -3, -4
  const before = new Map(readdirSync(photos).map((n) => [n, { bytes: readFileSync(join(photos, n)), mtime: statSync(join(photos, n)).mtimeMs }]));
  assert.equal(outputsIn(photos).length, 4);

  const second = run(['-i', photos, '-o', '-s', 'hsv', '-c', '02', '-n', '2', '--skip-done', '--json', ...FAST], dir);
  assert.equal(second.status, 0, second.stderr);
  const objs = objects(second);
  const summary2 = objs.at(-1)!;
  assert.equal(summary2.summary, true);
  assert.equal(summary2.done, 0);
  assert.equal(summary2.skipped, 4);
  for (const o of objs.slice(0, -1)) {
    assert.equal(o.skipped, true);
    assert.ok(Array.isArray(o.existing) && (o.existing as string[]).length > 0);
  }
  const afterRun = readdirSync(photos);
  assert.deepEqual(afterRun.sort(), [...before.keys()].sort(), 'no file added or removed');
  for (const n of afterRun) {
    assert.ok(readFileSync(join(photos, n)).equals(before.get(n)!.bytes), n);
    assert.equal(statSync(join(photos, n)).mtimeMs, before.get(n)!.mtime, n);
  }

  // other parameters (k) are not done yet; a name with a -2 suffix counts as done
  const other = join(dir, 'other');
  folderOf(other, ['small.png', 'small.bmp']);
  writeFileSync(join(other, 'small_20260101000000bgr_calln3-2.png'), 'an earlier result');
  const third = run(['-i', other, '-o', '--skip-done', ...FAST], dir);
  assert.equal(third.status, 0, third.stderr);
  assert.match(third.stdout, /\[1\/2\] .*small\.bmp: skipped, done already: small_20260101000000bgr_calln3-2\.png/);
  assert.match(third.stdout, /\[2\/2\] .*small\.png: skipped/);
  const k4 = run(['-i', other, '-o', '--skip-done', '-n', '4', ...FAST], dir);
  assert.equal(k4.status, 0, k4.stderr);
  assert.match(k4.stdout, /2 images: 2 done/);

  // one image alone is skipped the same way
  const alone = run(['-i', join(other, 'small.png'), '-o', '--skip-done', ...FAST], dir);
  assert.equal(alone.status, 0, alone.stderr);
  assert.match(alone.stdout, /small\.png: skipped, done already/);

  const usage = run(['-i', other, '--skip-done'], dir);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--skip-done looks for the composites -o saves.*see --help/);
});

test('--json: one object per image as it ends (the single-image keys), then a summary object', (t) => {
  const dir = workDir(t);
  const photos = folderOf(join(dir, 'photos'), ['small.png', 'small.jpg', 'small.bmp']);
  copyFileSync(join(BAD, 'text.png'), join(photos, 'bad.png'));
  const r = run(['-i', photos, '-o', '--json', '--jobs', '2', ...FAST], dir);
  assert.equal(r.status, 1);
  const objs = objects(r);
  assert.equal(objs.length, 5);
  const summary = objs.at(-1)!;
  assert.deepEqual(Object.keys(summary).sort(), ['cancelled', 'done', 'failed', 'imagesPerSecond', 'jobs', 'notRun', 'seconds', 'skipped', 'summary', 'total']);
  assert.equal(summary.total, 4);
  assert.equal(summary.done, 3);
  assert.equal(summary.failed, 1);
  assert.equal(summary.skipped, 0);
  assert.equal(summary.cancelled, false);
  assert.ok((summary.seconds as number) > 0 && (summary.imagesPerSecond as number) > 0);

  const images = objs.slice(0, -1);
  const failed = images.filter((o) => 'error' in o);
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.image, join(photos, 'bad.png'));
  assert.equal(failed[0]!.code, 'not-an-image');
  assert.match(failed[0]!.error as string, /not a supported image/);
  const keys = ['image', 'inertia', 'k', 'iterations', 'clusterSizes', 'centers', 'colorSpace', 'channels', 'width', 'height', 'distinctValues', 'written', 'warnings', 'timings'];
  for (const o of images.filter((o) => !('error' in o))) {
    assert.deepEqual(Object.keys(o), keys);
    assert.deepEqual(Object.keys(o.timings as object).sort(), ['composite', 'convert', 'decode', 'encode', 'kmeans', 'resize', 'total']);
    assert.equal((o.written as string[]).length, 1);
    assert.equal(o.width, 64);
  }
});

test('a failing image among good ones: one error line naming it, the others done, exit 1', (t) => {
  const dir = workDir(t);
  const photos = folderOf(join(dir, 'photos'), ['small.png', 'small.bmp', 'small-le.tif']);
  copyFileSync(join(BAD, 'truncated-half.png'), join(photos, 'broken.png'));
  const r = run(['-i', 'photos', '-o', '--jobs', '2', ...FAST], dir);
  assert.equal(r.status, 1);
  const errLines = lines(r.stderr);
  assert.equal(errLines.length, 1, r.stderr);
  assert.match(errLines[0]!, /^error: photos\/broken\.png: corrupt or truncated PNG/);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
  const out = lines(r.stdout);
  assert.equal(out.length, 4); // three images in input order, then the summary
  assert.match(out[0]!, /^\[2\/4\] photos\/small-le\.tif: .*saved /);
  assert.match(out[1]!, /^\[3\/4\] photos\/small\.bmp: .*saved /);
  assert.match(out[2]!, /^\[4\/4\] photos\/small\.png: .*saved /);
  assert.match(out[3]!, /^4 images: 3 done, 1 failed \(photos\/broken\.png\) in /);
  assert.equal(outputsIn(photos).length, 3);
});

test('Ctrl+C mid-batch: the batch stops, exit 130, no partial or temporary file; --skip-done resumes', async (t) => {
  const dir = workDir(t);
  const photos = join(dir, 'photos');
  mkdirSync(photos);
  // big enough that the batch is still running when the first image ends
  for (let i = 0; i < 16; i++) copyFileSync(join(FIXTURES, i % 2 ? 'astronaut.png' : 'fruits.png'), join(photos, `p${String(i).padStart(2, '0')}.png`));
  const args = ['-i', photos, '-o', '--json', '--jobs', '2', '--n-init', '40'];
  const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (!signalled && stdout.includes('\n')) {
      signalled = true;
      child.kill('SIGINT');
    }
  });
  const code = await exit;
  assert.ok(signalled, 'no image ended before the batch did');
  assert.equal(code, 130, stderr);
  assert.match(stderr, /stopped: \d+ image\(s\) not run; run the same command with --skip-done to resume/);
  const summary = objects({ status: code, stdout, stderr }).at(-1)!;
  assert.equal(summary.cancelled, true);
  assert.ok((summary.notRun as number) > 0);
  const names = readdirSync(photos);
  assert.deepEqual(names.filter((n) => n.startsWith('.') || n.endsWith('.tmp')), [], 'temporary files left');
  const outputs = outputsIn(photos);
  assert.equal(outputs.length, summary.done);
  for (const n of outputs) {
    const img = await decodeImage(new Uint8Array(readFileSync(join(photos, n))), n);
    assert.ok(img.width > 0, n);
  }

  const resumed = run([...args.slice(0, 2), '-o', '--json', '--jobs', '2', '--n-init', '3', '--skip-done'], dir);
  assert.equal(resumed.status, 0, resumed.stderr);
  const s = objects(resumed).at(-1)!;
  assert.equal(s.skipped, summary.done);
  assert.equal((s.done as number) + (s.skipped as number), 16);
  assert.equal(outputsIn(photos).length, 16);
});

test('usage: --jobs takes 1-256; --out names one file, not a folder', (t) => {
  const dir = workDir(t);
  folderOf(join(dir, 'photos'), ['small.png']);
  for (const bad of ['0', 'x', '1.5', '999']) {
    const r = run(['-i', 'photos', '--jobs', bad], dir);
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr, /jobs ".*" invalid: use a whole number from 1 to 256.*see --help/);
  }
  const out = run(['-i', 'photos', '--out', 'x.png'], dir);
  assert.equal(out.status, 2);
  assert.match(out.stderr, /name one file: give one image, not a folder/);
  const help = run(['--help'], dir);
  for (const flag of ['--jobs N', '--recursive', '--skip-done']) assert.ok(help.stdout.includes(flag), flag);
});
