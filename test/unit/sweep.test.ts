// Explore's sweep: its settings, its score, the contact sheet, the CLI's --sweep, the command a
// panel copies (read back by the CLI's own parser), and the panel's sweep on the real workers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from '../../src/cli/args';
import { sharedBytes } from '../../src/core/bytes';
import { cliCommand, shellWord } from '../../src/core/cliCommand';
import { decodeImage } from '../../src/core/decode';
import { resizeArea } from '../../src/core/resize';
import { segmentSync } from '../../src/core/segment';
import { CHANNEL_SUBSETS, coherence, parseKRange, sweepParams, sweepSettings } from '../../src/core/sweep';
import type { RgbImage } from '../../src/core/types';
import { contactSheet } from '../../src/core/view/contactSheet';
import { SegmentPool } from '../../src/core/worker/pool';
import { ImageClient } from '../../src/extension/workers/imageClient';
import { PanelSession } from '../../src/extension/editor/panelSession';
import type { HostMessage } from '../../src/shared/protocol';
import { FIXTURES, buildImageWorker } from './io-helpers';
import type { PanelParams, SegmentParams } from '../../src/shared/params';

const ROOT = resolve(__dirname, '..', '..');
const CLI_DIR = mkdtempSync(join(tmpdir(), 'kmeans-sweep-cli-'));
const CLI = join(CLI_DIR, 'cli.js');
const PLATE = join(ROOT, 'media', 'samples', 'ishihara-5.png');
const base: SegmentParams = { colorSpace: 'bgr', channels: [0, 1, 2], k: 3, width: 0, nInit: 40, maxIter: 500, seed: 0 };

let pool: SegmentPool;
let io: ImageClient;
let ioDir: string;
before(async () => {
  const r = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  copyFileSync(join(ROOT, 'dist', 'cli.js'), CLI);
  chmodSync(CLI_DIR, 0o755);
  pool = new SegmentPool({ workerPath: join(ROOT, 'dist', 'worker.js'), size: 2 });
  ioDir = await buildImageWorker('sweep-io-');
  io = new ImageClient(join(ioDir, 'imageWorker.js'));
});
after(async () => {
  await pool.dispose();
  await io.dispose();
  rmSync(CLI_DIR, { recursive: true, force: true });
  rmSync(ioDir, { recursive: true, force: true });
});

function labels(width: number, height: number, fn: (x: number, y: number) => number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = fn(x, y);
  return out;
}

test('the score: clean regions near 1, speckle near 0, one cluster 0, chance-corrected for lopsided splits', () => {
  assert.ok(coherence(labels(100, 80, (x) => (x < 50 ? 0 : 1)), 100, 80) > 0.97, 'two halves');
  assert.equal(coherence(labels(10, 10, () => 2), 10, 10), 0, 'one cluster');
  let s = 7;
  const rnd = (): number => ((s = (s * 1103515245 + 12345) >>> 0) >>> 24) & 1;
  assert.ok(Math.abs(coherence(labels(200, 200, rnd), 200, 200)) < 0.05, 'speckle');
  assert.ok(coherence(labels(20, 20, (x, y) => (x + y) % 2), 20, 20) < -0.9, 'a checkerboard: every neighbour differs');
  // 1 % of the pixels scattered as single dots: most pairs agree (0.98), no better than chance.
  const dots = labels(100, 100, (x, y) => (x % 10 === 3 && y % 10 === 7 ? 1 : 0));
  assert.ok(coherence(dots, 100, 100) < 0.05, `scattered dots score ${coherence(dots, 100, 100)}`);
  // The same 1 % as one block: coherent.
  const block = labels(100, 100, (x, y) => (x < 10 && y < 10 ? 1 : 0));
  assert.ok(coherence(block, 100, 100) > 0.9);
  assert.throws(() => coherence(new Uint8Array(5), 2, 2), RangeError);
});

test('the settings of each axis, the restarts a sweep uses, k ranges', () => {
  const all = sweepSettings({ kind: 'channels', k: 4 });
  assert.equal(all.length, 28);
  assert.equal(new Set(all.map((s) => `${s.colorSpace}/${s.channels.join('')}`)).size, 28);
  assert.ok(all.every((s) => s.k === 4));
  assert.equal(CHANNEL_SUBSETS.length, 7);
  const ks = sweepSettings({ kind: 'k', from: 2, to: 6, colorSpace: 'hsv', channels: [0, 2] });
  assert.deepEqual(ks.map((s) => s.k), [2, 3, 4, 5, 6]);
  assert.ok(ks.every((s) => s.colorSpace === 'hsv' && s.channels.join() === '0,2'));
  const p = sweepParams({ ...base, width: 800, nInit: 40 }, all[5]!);
  assert.deepEqual([p.width, p.nInit, p.colorSpace, p.channels, p.k], [0, 8, all[5]!.colorSpace, all[5]!.channels, 4]);
  assert.deepEqual(parseKRange('2-6'), { from: 2, to: 6 });
  assert.deepEqual(parseKRange(' 5 '), { from: 5, to: 5 });
  for (const bad of ['1-4', '6-2', 'a', '2-', '2-300']) assert.equal(parseKRange(bad), undefined, bad);
});

test('the contact sheet: the title, every picture in its cell, rows of at most the columns given', () => {
  const img = (v: number): RgbImage => ({ width: 10, height: 6, data: new Uint8Array(180).fill(v) });
  const sheet = contactSheet('T', [{ image: img(10), lines: ['a'] }, { image: img(20), lines: ['b'], newRow: true }, { image: img(30), lines: ['c', 'd'] }, { image: img(40), lines: ['e'] }], 2);
  // Row 1: one cell (the next starts a row); row 2: two; row 3: one.
  const px = (x: number, y: number): number => sheet.data[(y * sheet.width + x) * 3]!;
  const cellW = 10 + 6;
  const top = 6 + 10 + 6;
  const cellH = 6 + 2 * 10 + 6;
  assert.equal(px(6, top), 10);
  assert.equal(px(6, top + cellH), 20);
  assert.equal(px(6 + cellW, top + cellH), 30);
  assert.equal(px(6, top + 2 * cellH), 40);
  assert.ok(sheet.data.subarray(0, sheet.width * 3 * 14).some((v) => v < 100), 'the title is drawn');
});

test('the CLI --sweep: 28 settings best first as JSON (the CLI keys plus score), a contact sheet; --sweep-k over k', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kmeans-sweep-'));
  try {
    const r = spawnSync(process.execPath, [CLI, '-i', PLATE, '-n', '3', '--sweep', '--json', '--out', join(dir, 'sheet.png')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, 28);
    for (const row of rows) assert.deepEqual(Object.keys(row).sort(), ['channels', 'clusterSizes', 'colorSpace', 'image', 'inertia', 'k', 'score'].sort());
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].score >= rows[i].score, 'best first');
    // The scores are those of the engine on the plate at width 300 with the sweep's restarts.
    const best = rows[0];
    const sheet = readFileSync(join(dir, 'sheet.png'));
    assert.deepEqual([...sheet.subarray(1, 4)], [...Buffer.from('PNG')]);
    const k = spawnSync(process.execPath, [CLI, '-i', PLATE, '-s', 'lab', '-c', '12', '--sweep-k', '2-4', '--json'], { encoding: 'utf8' });
    assert.equal(k.status, 0, k.stderr);
    const ks = k.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(ks.map((x) => x.k).sort(), [2, 3, 4]);
    assert.ok(ks.every((x) => x.colorSpace === 'lab' && x.channels === '12'));
    assert.ok(typeof best.score === 'number' && best.score > 0.5);
    // Mistakes are usage errors.
    const bad = spawnSync(process.execPath, [CLI, '-i', PLATE, '--sweep', '-o'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /contact sheet/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Copy command: the line the CLI parses back into the same parameters; odd paths quoted', () => {
  const params: SegmentParams = { colorSpace: 'hsv', channels: [0, 2], k: 4, width: 300, nInit: 12, maxIter: 500, seed: 7, tol: 1e-4 };
  const line = cliCommand('/photos/my plate.png', params, 'jpg', { mode: 'mask', selected: [0, 2] });
  assert.equal(line, "kmeans-segment -i '/photos/my plate.png' -w 300 -s hsv -c 02 -n 4 --seed 7 --n-init 12 --mode mask --select 0,2 -o -f jpg");
  // Split as a shell would (single quotes only here) and read back.
  const words = [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(1);
  const opts = parseArgs(words);
  assert.deepEqual(opts.params, params);
  assert.deepEqual([opts.images, opts.mode, opts.select, opts.outputFormat, opts.outputFile], [['/photos/my plate.png'], 'mask', [0, 2], 'jpg', true]);
  assert.equal(cliCommand('a.png', { ...params, width: 0, seed: 0, nInit: 40 }, 'png'), 'kmeans-segment -i a.png -s hsv -c 02 -n 4 -o -f png');
  assert.equal(shellWord(`it's`), `'it'\\''s'`);
});

test('the panel sweep: one scored thumbnail per setting as it finishes, then done; a newer request cancels', async () => {
  const png = await decodeImage(readFileSync(join(FIXTURES, 'chelsea.png')), 'chelsea.png');
  const image: RgbImage = { ...png, data: sharedBytes(png.data.length) };
  image.data.set(png.data);
  const posted: HostMessage[] = [];
  const s = new PanelSession({ load: async () => ({ image, key: 'c#1' }), pool: () => pool, io: () => io, post: (m) => posted.push(m), fail: (e) => assert.fail(String(e)) });
  const params: PanelParams = { ...base, format: 'png' };
  s.sweep({ type: 'sweep', requestId: 1, params, axis: 'channels' });
  s.sweep({ type: 'sweep', requestId: 2, params: { ...params, k: 2 }, axis: 'k' });
  for (let i = 0; i < 600 && !posted.some((m) => m.type === 'sweepDone'); i++) await new Promise((r) => setTimeout(r, 50));
  const items = posted.filter((m) => m.type === 'sweepItem');
  assert.ok(items.every((m) => m.requestId === 2), 'nothing of the cancelled sweep');
  assert.deepEqual(items.map((m) => m.k).sort((a, b) => a - b), [2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const done = posted.find((m) => m.type === 'sweepDone');
  assert.ok(done && !done.error && done.width === 300);
  // Each score is the engine's on the same copy.
  const small = resizeArea(png, 300, 199);
  const four = items.find((m) => m.k === 4)!;
  const want = segmentSync(small, sweepParams(base, { colorSpace: 'bgr', channels: [0, 1, 2], k: 4 }));
  assert.equal(four.score, coherence(want.labels, 300, 199));
  assert.equal(four.inertia, want.inertia);
  s.dispose();
});
