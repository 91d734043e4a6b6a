import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSegmentationError } from '../../src/core/errors';
import { writeNewFile } from '../../src/core/files/writeNew';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kmeans-writenew-'));
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('writes a new file and leaves no temporary file', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = await writeNewFile(dir, 'out.png', bytes('one'));
  assert.equal(path, join(dir, 'out.png'));
  assert.equal(readFileSync(path, 'utf8'), 'one');
  assert.deepEqual(readdirSync(dir), ['out.png']);
});

test('never overwrites: a taken name gets -2, -3', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'out.png'), 'original');
  assert.equal(await writeNewFile(dir, 'out.png', bytes('two')), join(dir, 'out-2.png'));
  assert.equal(await writeNewFile(dir, 'out.png', bytes('three')), join(dir, 'out-3.png'));
  assert.equal(readFileSync(join(dir, 'out.png'), 'utf8'), 'original');
  assert.equal(readFileSync(join(dir, 'out-2.png'), 'utf8'), 'two');
  assert.deepEqual(readdirSync(dir).sort(), ['out-2.png', 'out-3.png', 'out.png']);
});

test('concurrent writers of one name each get their own file', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const paths = await Promise.all([1, 2, 3, 4, 5].map((i) => writeNewFile(dir, 'same.png', bytes(`w${i}`))));
  assert.equal(new Set(paths).size, 5);
  const contents = paths.map((p) => readFileSync(p, 'utf8')).sort();
  assert.deepEqual(contents, ['w1', 'w2', 'w3', 'w4', 'w5']);
  assert.equal(readdirSync(dir).length, 5);
});

test('renameIfTaken false: refuses an existing file with code exists, and leaves it', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'keep.png'), 'original');
  await assert.rejects(writeNewFile(dir, 'keep.png', bytes('new'), { renameIfTaken: false }), (e) => {
    assert.ok(isSegmentationError(e));
    assert.equal(e.code, 'exists');
    assert.equal(e.message, `${join(dir, 'keep.png')}: already exists; not overwritten`);
    return true;
  });
  assert.equal(readFileSync(join(dir, 'keep.png'), 'utf8'), 'original');
  assert.deepEqual(readdirSync(dir), ['keep.png']);
});

test('a missing folder or a file used as a folder: not-writable naming the folder', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const missing = join(dir, 'no', 'such');
  await assert.rejects(writeNewFile(missing, 'x.png', bytes('x')), (e) => {
    assert.ok(isSegmentationError(e));
    assert.equal(e.code, 'not-writable');
    assert.equal(e.message, `${missing}: folder does not exist`);
    return true;
  });
  const file = join(dir, 'plain');
  writeFileSync(file, '');
  await assert.rejects(writeNewFile(file, 'x.png', bytes('x')), (e) => isSegmentationError(e) && e.code === 'not-writable' && e.message.startsWith(file));
  assert.deepEqual(readdirSync(dir), ['plain']);
});
