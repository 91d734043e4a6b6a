// Faults while saving, on real file systems: a full disk (a 64 KB tmpfs), a read-only mount and a
// folder deleted mid-batch; through core's writeNewFile (the CLI's), the CLI batch, and
// writeNewInFolder as the extension calls it (over node:fs on the same mounts; the extension runs
// it over vscode.workspace.fs, which the e2e suite's "Save beside image" covers).
// Every failure is one clear error, leaves no partial or temporary file, and never touches an
// existing file. Mounting needs root (the team's machine is); without it the test says so.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isSegmentationError } from '../../src/core/errors';
import { writeNewFile } from '../../src/core/files/writeNew';
import { FIXTURE_IMAGES } from '../stress/corpus';
import { outputName } from '../../src/core/naming';
import { writeNewInFolder } from '../../src/core/files/writeNew';
import { nodeFileSystem } from '../../src/core/files/nodeFileSystem';
import type { SegmentParams } from '../../src/shared/params';

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
function faultyFolder(name: string, mode: 'full' | 'read-only' | 'one-inode-left', files: Record<string, Uint8Array> = {}): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  // one-inode-left: room for the files, the folder itself and one more (the temporary file).
  const opts = mode === 'one-inode-left' ? `size=1m,nr_inodes=${Object.keys(files).length + 2}` : 'size=64k';
  const m = sh('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir]);
  assert.ok(m.ok, `mount failed (this test needs root): ${m.err}`);
  mounts.push(dir);
  for (const [n, bytes] of Object.entries(files)) writeFileSync(join(dir, n), bytes);
  if (mode === 'full') {
    try {
      writeFileSync(join(dir, 'filler.bin'), new Uint8Array(128 * 1024));
    } catch (e) {
      assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
    }
  } else if (mode === 'read-only') {
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

/** The folder as the extension hands it to the save logic, on node:fs. */
const folder = (dir: string) => ({ fs: nodeFileSystem, dir, join, label: dir });

test("the extension's save logic: -2 beside a taken name; full disk, read-only and a failing rename fail cleanly, leaving no .partial file", async () => {
  const date = new Date(2026, 10, 26, 12, 0, 0);
  const wanted = outputName('pic.png', params, 'png', date);

  const ok = join(scratch, 'ext-ok');
  mkdirSync(ok);
  writeFileSync(join(ok, 'pic.png'), IMAGE);
  writeFileSync(join(ok, wanted), 'already here');
  const saved = await writeNewInFolder(folder(ok), wanted, IMAGE);
  assert.equal(saved, join(ok, wanted.replace(/\.png$/, '-2.png')));
  assert.deepEqual(readFileSync(saved), IMAGE);
  assert.equal(readFileSync(join(ok, wanted), 'utf8'), 'already here');
  assert.deepEqual(readdirSync(ok).filter((n) => n.startsWith('.')), []);

  // one-inode-left: the temporary file is written, then giving it its final name fails (no
  // inode for the new name). Not FileExists: the save stops, it does not write the target itself.
  const expected = { full: /no space left on the device$/, 'read-only': /folder is not writable$/, 'one-inode-left': /no space left on the device$/ };
  for (const mode of ['full', 'read-only', 'one-inode-left'] as const) {
    const dir = faultyFolder(`ext-${mode}`, mode, { 'pic.png': IMAGE });
    const before = snapshot(dir);
    const bytes = mode === 'full' ? new Uint8Array(32 * 1024) : IMAGE;
    await assert.rejects(writeNewInFolder(folder(dir), wanted, bytes), (e: unknown) => {
      assert.ok(isSegmentationError(e), String(e));
      assert.equal(e.code, 'not-writable');
      assert.equal(e.message, `${dir}: ${e.message.slice(dir.length + 2)}`, 'names the folder first');
      assert.match(e.message, expected[mode]);
      assert.ok(!e.message.includes('\n'));
      assert.ok(!e.message.includes('.partial'), `names the temporary file: ${e.message}`);
      faults.push(`save logic ${mode}: "${e.message.slice(scratch.length + 1)}"`);
      return true;
    });
    assert.deepEqual(snapshot(dir), before, `${mode}: left ${readdirSync(dir).join(', ')}`);
    if (mode === 'one-inode-left') {
      // The temporary file's inode is free again: it was removed (and so it could be written).
      writeFileSync(join(dir, 'probe'), 'x');
      rmSync(join(dir, 'probe'));
    }
  }
  console.log(`# reliability: save faults: ${faults.join('; ')}`);
});
