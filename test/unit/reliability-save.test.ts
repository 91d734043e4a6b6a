// Faults while saving, on real file systems: a full disk (a 64 KB tmpfs), a read-only mount and a
// folder deleted mid-batch; through core's writeNewFile, the CLI batch, and the extension's
// saveBeside (with a stand-in `vscode` whose workspace.fs is node:fs on the same mounts).
// Every failure is one clear error, leaves no partial or temporary file, and never touches an
// existing file. Mounting needs root (the team's machine is); without it the test says so.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isSegmentationError } from '../../src/core/errors';
import { writeNewFile } from '../../src/core/writeNew';
import type { SegmentParams } from '../../src/core/types';
import { FIXTURE_IMAGES } from '../stress/corpus';
import { Uri, installFakeVscode } from '../stress/fakeVscode';

const ROOT = resolve(__dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'reliability-save-'));
const CLI = join(scratch, 'cli.js');
const mounts: string[] = [];
const IMAGE = readFileSync(join(FIXTURE_IMAGES, 'small.png'));
const params: SegmentParams = { colorSpace: 'bgr', channels: [0, 1, 2], k: 3, width: 0, nInit: 2, maxIter: 50, seed: 0 };

function sh(cmd: string, args: string[]): { ok: boolean; err: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { ok: r.status === 0, err: r.stderr };
}

/** A fresh 64 KB tmpfs holding `files`, then filled to the last byte (or made read-only). */
function faultyFolder(name: string, mode: 'full' | 'read-only', files: Record<string, Uint8Array> = {}): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  const m = sh('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
  assert.ok(m.ok, `mount failed (this test needs root): ${m.err}`);
  mounts.push(dir);
  for (const [n, bytes] of Object.entries(files)) writeFileSync(join(dir, n), bytes);
  if (mode === 'full') {
    try {
      writeFileSync(join(dir, 'filler.bin'), new Uint8Array(128 * 1024));
    } catch (e) {
      assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
    }
  } else {
    assert.ok(sh('mount', ['-o', 'remount,ro', dir]).ok);
  }
  return dir;
}

/** Names and bytes of every file in a folder. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n)).toString('base64')]));
}

before(() => {
  const r = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  copyFileSync(join(ROOT, 'dist', 'cli.js'), CLI);
  assert.equal(process.getuid?.(), 0, 'mounting tmpfs needs root');
});
after(() => {
  for (const m of mounts.reverse()) sh('umount', [m]);
  rmSync(scratch, { recursive: true, force: true });
});

const faults: string[] = [];

test('writeNewFile on a full disk: "no space left", no partial or temporary file, existing files intact', async () => {
  const dir = faultyFolder('full-core', 'full', { 'keep.png': IMAGE });
  const before = snapshot(dir);
  await assert.rejects(writeNewFile(dir, 'out.png', new Uint8Array(32 * 1024)), (e: unknown) => {
    assert.ok(isSegmentationError(e));
    assert.equal(e.code, 'not-writable');
    assert.match(e.message, /no space left/);
    assert.ok(e.message.startsWith(dir));
    faults.push(`full disk: "${e.message}"`);
    return true;
  });
  // The name is taken and the disk is full: neither overwrites keep.png.
  await assert.rejects(writeNewFile(dir, 'keep.png', new Uint8Array(32 * 1024), { renameIfTaken: false }));
  assert.deepEqual(snapshot(dir), before);
});

test('writeNewFile into a read-only folder: "not writable", nothing created', async () => {
  const dir = faultyFolder('ro-core', 'read-only', { 'keep.png': IMAGE });
  const before = snapshot(dir);
  await assert.rejects(writeNewFile(dir, 'out.png', IMAGE), (e: unknown) => {
    assert.ok(isSegmentationError(e) && e.code === 'not-writable', String(e));
    assert.match(e.message, /not writable/);
    faults.push(`read-only: "${e.message}"`);
    return true;
  });
  assert.deepEqual(snapshot(dir), before);
});

test('folder deleted mid-batch: the writes after it fail one by one with "folder does not exist", the loop goes on', async () => {
  const dir = join(scratch, 'vanishing');
  mkdirSync(dir);
  const outcomes: string[] = [];
  for (let i = 0; i < 10; i++) {
    if (i === 5) rmSync(dir, { recursive: true });
    try {
      await writeNewFile(dir, `out${i}.png`, IMAGE);
      outcomes.push('ok');
    } catch (e) {
      assert.ok(isSegmentationError(e), String(e));
      assert.equal(e.code, 'not-writable');
      assert.match(e.message, /folder does not exist/);
      outcomes.push('missing');
    }
  }
  assert.deepEqual(outcomes, [...Array(5).fill('ok'), ...Array(5).fill('missing')]);
  assert.equal(existsSync(dir), false, 'nothing recreated the folder');
});

test('CLI batch over a full disk, a read-only folder, a missing file and a good folder: failures at the end, exit 1', () => {
  const full = faultyFolder('full-cli', 'full', { 'a.png': IMAGE });
  const ro = faultyFolder('ro-cli', 'read-only', { 'b.png': IMAGE });
  const good = join(scratch, 'good-cli');
  mkdirSync(good);
  writeFileSync(join(good, 'c.png'), IMAGE);
  const before = { full: snapshot(full), ro: snapshot(ro) };
  const inputs = [join(full, 'a.png'), join(ro, 'b.png'), join(good, 'missing.png'), join(good, 'c.png')];
  const r = spawnSync(process.execPath, [CLI, '-o', '--n-init', '2', ...inputs], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 1, r.stderr);
  const errors = r.stderr.trimEnd().split('\n');
  assert.equal(errors.length, 3, r.stderr);
  assert.match(errors[0]!, /^error: .*full-cli: no space left on the device$/);
  assert.match(errors[1]!, /^error: .*ro-cli: folder is not writable$/);
  assert.match(errors[2]!, /^error: .*missing\.png: no such file$/);
  assert.match(r.stdout, /c\.png: 64x48/);
  assert.deepEqual(snapshot(full), before.full, 'no partial file on the full disk');
  assert.deepEqual(snapshot(ro), before.ro);
  assert.equal(readdirSync(good).length, 2, readdirSync(good).join(', '));
  faults.push(`CLI batch: exit ${r.status}, ${errors.length} one-line errors, the good image still saved`);
});

test("the extension's saveBeside: -2 beside a taken name; full disk and read-only fail cleanly, leaving no .partial file", async () => {
  installFakeVscode();
  // Loaded only now, so its `import * as vscode` gets the stand-in.
  const { saveBeside } = require('../../src/extension/saveOutput') as typeof import('../../src/extension/saveOutput');
  const { outputName } = require('../../src/core/naming') as typeof import('../../src/core/naming');
  const date = new Date(2026, 10, 26, 12, 0, 0);
  const wanted = outputName('pic.png', params, 'png', date);

  const ok = join(scratch, 'ext-ok');
  mkdirSync(ok);
  writeFileSync(join(ok, 'pic.png'), IMAGE);
  writeFileSync(join(ok, wanted), 'already here');
  const saved = await saveBeside(Uri.file(join(ok, 'pic.png')) as never, IMAGE, params, 'png', date);
  assert.equal((saved as unknown as Uri).path, join(ok, wanted.replace(/\.png$/, '-2.png')));
  assert.equal(readFileSync(join(ok, wanted), 'utf8'), 'already here');
  assert.deepEqual(readdirSync(ok).filter((n) => n.startsWith('.')), []);

  for (const mode of ['full', 'read-only'] as const) {
    const dir = faultyFolder(`ext-${mode}`, mode, { 'pic.png': IMAGE });
    const before = snapshot(dir);
    await assert.rejects(saveBeside(Uri.file(join(dir, 'pic.png')) as never, new Uint8Array(32 * 1024), params, 'png', date), (e: unknown) => {
      assert.ok(isSegmentationError(e), String(e));
      assert.equal(e.code, 'not-writable');
      assert.ok(!e.message.includes('\n'));
      faults.push(`saveBeside ${mode}: "${e.message}"`);
      return true;
    });
    assert.deepEqual(Object.keys(snapshot(dir)), Object.keys(before), `${mode}: left ${readdirSync(dir).join(', ')}`);
    assert.deepEqual(snapshot(dir), before);
  }
  console.log(`# reliability: save faults: ${faults.join('; ')}`);
});
