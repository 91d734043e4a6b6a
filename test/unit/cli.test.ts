// The CLI as a person runs it: `node dist/cli.js` in a temporary folder, real files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { STRIP_VALUE, stripWidth } from '../../src/core/composite';
import { decodeImage } from '../../src/core/decode';
import { readImageHeader } from '../../src/core/header';
import { timestamp } from '../../src/core/naming';
import { BAD, FIXTURES } from './io-helpers';

const ROOT = resolve(__dirname, '..', '..');
// A private copy of the fresh bundle: other builds rewriting dist/ meanwhile cannot disturb it.
const CLI_DIR = mkdtempSync(join(tmpdir(), 'kmeans-cli-bundle-'));
const CLI = join(CLI_DIR, 'cli.js');
// Small and quick: the 64x48 crop, few restarts. The CLI's defaults are the seed's (40 restarts).
const FAST = ['--n-init', '3'];

before(() => {
  const r = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  copyFileSync(join(ROOT, 'dist', 'cli.js'), CLI);
  // the codecs' WebAssembly sits beside cli.js in dist/ (the lone-copy test below goes without)
  for (const f of readdirSync(join(ROOT, 'dist')).filter((n) => n.endsWith('.wasm'))) copyFileSync(join(ROOT, 'dist', f), join(CLI_DIR, f));
  chmodSync(CLI_DIR, 0o755);
});
after(() => rmSync(CLI_DIR, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd: string, extra: SpawnSyncOptions = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000, ...extra });
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

function workDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kmeans-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function copyIn(dir: string, from: string, name = from.split('/').pop()!): string {
  const to = join(dir, name);
  copyFileSync(from, to);
  return to;
}

/** One line on stderr, naming what it must, with no stack trace. */
function oneLineError(r: Run, ...patterns: RegExp[]): void {
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one stderr line, got:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
  for (const p of patterns) assert.match(lines[0]!, p);
}

const TIMING_KEYS = ['composite', 'convert', 'decode', 'encode', 'kmeans', 'resize', 'total'];

test('--help lists the seed\'s flags and ours; --version prints the package version', (t) => {
  const dir = workDir(t);
  const help = run(['--help'], dir);
  assert.equal(help.status, 0);
  for (const flag of ['-i, --image', '-w, --width', '-s, --color-space', '-c, --channels', '-n, --num-clusters', '-o, --output-file', '-f, --output-format', '--out', '--labels', '--seed', '--n-init', '--max-iter', '--max-megapixels', '--json']) {
    assert.ok(help.stdout.includes(flag), flag);
  }
  const v = run(['--version'], dir);
  assert.equal(v.status, 0);
  assert.equal(v.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
});

test('--json: the last stdout line is one object with the results and timings', (t) => {
  const dir = workDir(t);
  const img = copyIn(dir, join(FIXTURES, 'small.png'));
  const r = run(['-i', img, '-s', 'hsv', '-c', '02', '-n', '4', '-w', '40', '--json', ...FAST], dir);
  assert.equal(r.status, 0, r.stderr);
  const last = r.stdout.trimEnd().split('\n').pop()!;
  const j = JSON.parse(last);
  for (const key of ['inertia', 'k', 'iterations', 'clusterSizes', 'centers', 'colorSpace', 'channels', 'width', 'height', 'warnings', 'timings']) {
    assert.ok(key in j, key);
  }
  assert.deepEqual(Object.keys(j.timings).sort(), TIMING_KEYS);
  for (const k of TIMING_KEYS) assert.ok(typeof j.timings[k] === 'number' && j.timings[k] >= 0, k);
  assert.equal(j.k, 4);
  assert.equal(j.colorSpace, 'hsv');
  assert.equal(j.channels, '02');
  assert.equal(j.width, 40);
  assert.equal(j.height, 30); // int(40 / 64 * 48)
  assert.equal(j.clusterSizes.length, 4);
  assert.equal(j.clusterSizes.reduce((a: number, b: number) => a + b, 0), 40 * 30);
  for (let i = 1; i < 4; i++) assert.ok(j.clusterSizes[i - 1] >= j.clusterSizes[i]);
  assert.equal(j.centers.length, 4);
  assert.equal(j.centers[0].length, 2);
  assert.ok(j.inertia > 0);
  assert.deepEqual(j.warnings, []);
  assert.equal(readdirSync(dir).length, 1, 'nothing written without an output flag');
});

test('same seed, same result; the human summary without --json', (t) => {
  const dir = workDir(t);
  const img = copyIn(dir, join(FIXTURES, 'small.png'));
  const a = JSON.parse(run([img, '--json', '--seed', '7', ...FAST], dir).stdout.trim().split('\n').pop()!);
  const b = JSON.parse(run([img, '--json', '--seed', '7', ...FAST], dir).stdout.trim().split('\n').pop()!);
  assert.equal(a.inertia, b.inertia);
  assert.deepEqual(a.clusterSizes, b.clusterSizes);
  const human = run([img, ...FAST], dir);
  assert.equal(human.status, 0);
  assert.match(human.stdout, /64x48, bgr channels all, k=3/);
  assert.match(human.stdout, /nothing saved/);
});

test('--out and --labels: the seed\'s composite and the gray labels, exact layout', async (t) => {
  const dir = workDir(t);
  const img = copyIn(dir, join(FIXTURES, 'small.png'));
  const r = run([img, '--out', 'comp.png', '--labels', 'labels.png', '-n', '3', '--json', ...FAST], dir);
  assert.equal(r.status, 0, r.stderr);
  const input = await decodeImage(readFileSync(img), img);
  const comp = await decodeImage(readFileSync(join(dir, 'comp.png')), 'comp.png');
  const labelsPng = readFileSync(join(dir, 'labels.png'));
  assert.equal(labelsPng[25], 0, 'label PNG is grayscale');
  const labels = await decodeImage(labelsPng, 'labels.png');
  const W = 64;
  const S = stripWidth(W);
  assert.equal(comp.width, W + S + W);
  assert.equal(comp.height, 48);
  const levels = new Set<number>();
  for (let y = 0; y < 48; y++) {
    for (let x = 0; x < comp.width; x++) {
      const o = (y * comp.width + x) * 3;
      const px = [comp.data[o], comp.data[o + 1], comp.data[o + 2]];
      if (x < W) {
        const i = (y * W + x) * 3;
        assert.deepEqual(px, [input.data[i], input.data[i + 1], input.data[i + 2]]);
      } else if (x < W + S) {
        assert.deepEqual(px, [STRIP_VALUE, STRIP_VALUE, STRIP_VALUE]);
      } else {
        const g = labels.data[(y * W + (x - W - S)) * 3];
        assert.deepEqual(px, [g, g, g]);
        levels.add(g!);
      }
    }
  }
  assert.deepEqual([...levels].sort((a, b) => a - b), [0, 127, 254]);
  // the most frequent cluster is black
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
  let black = 0;
  for (let i = 0; i < labels.data.length; i += 3) if (labels.data[i] === 0) black++;
  assert.equal(black, j.clusterSizes[0]);
});

test('--out refuses an existing file and leaves it untouched', (t) => {
  const dir = workDir(t);
  const img = copyIn(dir, join(FIXTURES, 'small.png'));
  writeFileSync(join(dir, 'taken.png'), 'mine');
  const r = run([img, '--out', 'taken.png', ...FAST], dir);
  assert.equal(r.status, 1);
  oneLineError(r, /taken\.png: already exists; not overwritten/);
  assert.equal(readFileSync(join(dir, 'taken.png'), 'utf8'), 'mine');
});

test('-o saves beside the input, named by the seed\'s pattern, in the -f format', (t) => {
  const dir = workDir(t);
  const inputs = join(dir, 'in');
  mkdirSync(inputs);
  const img = copyIn(inputs, join(FIXTURES, 'small.png'), 'plate.v2.png');
  const formats = [['png', 'png', 'png'], ['JPG', 'jpg', 'jpeg'], ['jpeg', 'jpg', 'jpeg'], ['bmp', 'bmp', 'bmp'], ['webp', 'webp', 'webp'], ['tif', 'tiff', 'tiff'], ['TIFF', 'tiff', 'tiff']] as const;
  for (const [f, ext, format] of formats) {
    const before = new Set(readdirSync(inputs));
    const r = run(['-i', img, '-s', 'Lab', '-c', '20', '-n', '2', '-o', '-f', f, ...FAST], dir); // cwd is not the input's folder
    assert.equal(r.status, 0, r.stderr);
    const made = readdirSync(inputs).filter((n) => !before.has(n));
    assert.equal(made.length, 1, made.join());
    assert.match(made[0]!, new RegExp(`^plate\\.v2_\\d{14}lab_c20n2(-\\d+)?\\.${ext}$`));
    assert.ok(r.stdout.includes(join(inputs, made[0]!)));
    const h = readImageHeader(readFileSync(join(inputs, made[0]!)));
    assert.deepEqual(h, { format, width: 64 + 4 + 64, height: 48 });
  }
  assert.deepEqual(readdirSync(dir), ['in'], 'nothing written to the working folder');
});

test('a lone copy of cli.js reads JPEG and WebP (their decoders travel inside it) and names a missing AVIF decoder', (t) => {
  const dir = workDir(t);
  const codecs = join(__dirname, '..', 'fixtures', 'codecs');
  const jpg = copyIn(dir, join(codecs, 'jpeg-exif-6-pil.jpg'));
  const webp = copyIn(dir, join(codecs, 'webp-lossy-cv2.webp'));
  const avif = copyIn(dir, join(codecs, 'avif-lossless-avifenc.avif'));
  const lone = join(dir, 'lone');
  mkdirSync(lone);
  copyFileSync(join(ROOT, 'dist', 'cli.js'), join(lone, 'cli.js'));
  const runLone = (args: string[]): Run => {
    const r = spawnSync(process.execPath, [join(lone, 'cli.js'), ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
  };
  for (const img of [jpg, webp]) {
    const r = runLone([img, '--json', ...FAST]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.deepEqual([out.width, out.height], img === jpg ? [43, 61] : [61, 43]);
  }
  const r = runLone([avif, ...FAST]);
  assert.equal(r.status, 1);
  oneLineError(r, /avif-lossless-avifenc\.avif: the AVIF decoder \(avif_dec\.wasm\) is missing beside .*lone\/cli\.js: keep the \.wasm files of dist\/ next to it/);
  // with the .wasm files beside it, as in dist/, AVIF reads
  const beside = run([avif, '--json', ...FAST], dir);
  assert.equal(beside.status, 0, beside.stderr);
  assert.equal(JSON.parse(beside.stdout.trim().split('\n').pop()!).width, 61);
});

test('-o never overwrites: a taken name gets -2', (t) => {
  const dir = workDir(t);
  const img = copyIn(dir, join(FIXTURES, 'small.png'), 'p.png');
  // Take the names of the next few seconds, so the run must pick a suffix.
  const now = Date.now();
  const taken: string[] = [];
  for (let s = 0; s < 30; s++) {
    const name = `p_${timestamp(new Date(now + s * 1000))}hsv_c1n2.png`;
    writeFileSync(join(dir, name), 'taken');
    taken.push(name);
  }
  const r = run([img, '-s', 'hsv', '-c', '1', '-n', '2', '-o', ...FAST], dir);
  assert.equal(r.status, 0, r.stderr);
  const made = readdirSync(dir).filter((n) => !taken.includes(n) && n !== 'p.png');
  assert.equal(made.length, 1);
  assert.match(made[0]!, /^p_\d{14}hsv_c1n2-2\.png$/);
  for (const n of taken) assert.equal(readFileSync(join(dir, n), 'utf8'), 'taken');
});

test('a batch with one bad file: the bad one reported in one line, the rest done, exit 1', (t) => {
  const dir = workDir(t);
  const a = copyIn(dir, join(FIXTURES, 'small.png'), 'a.png');
  const bad = copyIn(dir, join(BAD, 'text.png'), 'bad.png');
  const c = copyIn(dir, join(FIXTURES, 'small.bmp'), 'c.bmp');
  const r = run([a, '-i', bad, c, '-o', ...FAST], dir);
  assert.equal(r.status, 1);
  oneLineError(r, /bad\.png/, /not a supported image/);
  const made = readdirSync(dir).filter((n) => /_\d{14}/.test(n)).sort();
  assert.equal(made.length, 2, made.join());
  assert.match(made[0]!, /^a_/);
  assert.match(made[1]!, /^c_/);
  assert.equal(r.stdout.match(/saved /g)?.length, 2);
});

test('a batch skips files named like our outputs', (t) => {
  const dir = workDir(t);
  const a = copyIn(dir, join(FIXTURES, 'small.png'), 'a.png');
  const ours = copyIn(dir, join(FIXTURES, 'small.png'), 'a_20260101000000bgr_calln3.png');
  const r = run([a, ours, '--json', ...FAST], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /skipped .*a_20260101000000bgr_calln3\.png/);
  assert.equal(r.stdout.trim().split('\n').length, 1);
});

test('bad files: one line naming the file and the problem, exit 1', (t) => {
  const dir = workDir(t);
  mkdirSync(join(dir, 'folder.png'));
  const cases: [string, RegExp][] = [
    [join(dir, 'missing.png'), /missing\.png: no such file/],
    [join(dir, 'folder.png'), /folder\.png: is a folder/],
    [copyIn(dir, join(BAD, 'text.png')), /text\.png: not a supported image/],
    [copyIn(dir, join(BAD, 'empty.png')), /empty\.png: empty file/],
    [copyIn(dir, join(BAD, 'truncated-half.png')), /truncated-half\.png: corrupt or truncated PNG/],
    [copyIn(dir, join(BAD, 'truncated-header.png')), /truncated-header\.png: truncated or corrupt PNG header/],
    [copyIn(dir, join(BAD, 'truncated-half.jpg')), /truncated-half\.jpg: truncated JPEG/],
  ];
  for (const [path, pattern] of cases) {
    const r = run([path, ...FAST], dir);
    assert.equal(r.status, 1, path);
    oneLineError(r, pattern, /^error: /);
    assert.equal(r.stdout, '');
  }
});

test('too large: refused from the header, naming size and limit; the limit is a flag', (t) => {
  const dir = workDir(t);
  const huge = copyIn(dir, join(BAD, 'huge-60000x60000.png'));
  const r = run([huge], dir);
  assert.equal(r.status, 1);
  oneLineError(r, /huge-60000x60000\.png: 60000x60000 PNG is 3600 megapixels, over the limit of 100 megapixels/);
  const img = copyIn(dir, join(FIXTURES, 'small.png'));
  const small = run([img, '--max-megapixels', '0.003', ...FAST], dir);
  assert.equal(small.status, 1);
  oneLineError(small, /64x48 PNG is 0\.0031 megapixels, over the limit of 0\.0030 megapixels/);
  assert.equal(run([img, '--max-megapixels', '0.0031', ...FAST], dir).status, 0);
});

test('usage errors: one line ending in "see --help", exit 2, nothing run', (t) => {
  const dir = workDir(t);
  const img = copyIn(dir, join(FIXTURES, 'small.png'));
  const cases: [string[], RegExp][] = [
    [[img, '--bogus'], /unknown option --bogus/],
    [[img, '-n', '2.5'], /num-clusters "2\.5" invalid: use a whole number from 2 to 255/],
    [[img, '-n', '300'], /num-clusters "300"/],
    [[img, '-s', 'rgb'], /color-space "rgb" unknown: use one of bgr, hsv, lab, ycrcb/],
    [[img, '-c', '03', '-s', 'ycc'], /channels "03" invalid: .*0=Y 1=Cr 2=Cb/],
    [[img, '-w', '-5'], /width "-5" invalid/],
    [[img, '--seed', 'x'], /seed "x" invalid/],
    [[img, '-f', 'gif', '-o'], /output-format "gif" unsupported/],
    [[img, '--out', 'x.gif'], /--out x\.gif: name the file \.png, \.jpg, \.jpeg, \.bmp, \.webp, \.tif or \.tiff/],
    [[img, '--labels', 'l.jpg'], /--labels l\.jpg/],
    [[img, img, '--out', 'x.png'], /--out and --labels name one file/],
    [[img, img, '--labels', 'x.png'], /--out and --labels name one file/],
    [[], /no image given/],
    [['-i'], /-i needs a value/],
    [[img, '--max-megapixels', '0'], /max-megapixels "0" invalid/],
  ];
  for (const [args, pattern] of cases) {
    const r = run(args, dir);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    oneLineError(r, pattern, /\(see --help\)$/);
  }
  assert.deepEqual(readdirSync(dir), ['small.png']);
});

test('num-clusters below 2: the seed\'s warning, k = 2', (t) => {
  const dir = workDir(t);
  const img = copyIn(dir, join(FIXTURES, 'small.png'));
  const r = run([img, '-n', '1', '--json', ...FAST], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /num-clusters < 2 invalid\. Using num-clusters = 2/);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(j.k, 2);
  assert.deepEqual(j.warnings, ['num-clusters < 2 invalid. Using num-clusters = 2']);
  // as argparse, a negative number is a value, not an option
  assert.equal(run([img, '-n', '-1', ...FAST], dir).status, 0);
});

test('an unwritable output folder: one line naming the folder, exit 1, nothing left behind', (t) => {
  const dir = workDir(t);
  const ro = join(dir, 'ro');
  mkdirSync(ro);
  const img = copyIn(ro, join(FIXTURES, 'small.png'));
  chmodSync(ro, 0o555);
  chmodSync(dir, 0o755);
  // root ignores permissions: run the CLI as nobody then
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const r = run([img, '-o', ...FAST], dir, asUser);
  assert.equal(r.status, 1, r.stderr);
  oneLineError(r, new RegExp(`${ro.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: folder is not writable`));
  assert.deepEqual(readdirSync(ro), ['small.png']);
  chmodSync(ro, 0o755);
  assert.ok(statSync(ro).isDirectory());
});
