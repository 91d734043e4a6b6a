// The build's writer (scripts/write-if-changed.mjs): an unchanged output is left as it is (same
// file, same time), a changed one replaced whole by a rename, with its mode; no temporary file stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('writeIfChanged skips equal bytes and replaces changed ones whole', async (t) => {
  const { writeIfChanged } = await import('../../scripts/write-if-changed.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'write-if-changed-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'out.js');
  assert.equal(writeIfChanged(path, 'one', 0o755), true);
  const first = statSync(path);
  assert.equal(first.mode & 0o777, 0o755);
  assert.equal(writeIfChanged(path, new TextEncoder().encode('one')), false, 'equal bytes are not written');
  const same = statSync(path);
  assert.deepEqual([same.ino, same.mtimeMs], [first.ino, first.mtimeMs]);
  assert.equal(writeIfChanged(path, 'two'), true);
  assert.equal(readFileSync(path, 'utf8'), 'two');
  assert.notEqual(statSync(path).ino, first.ino, 'replaced by a rename, not rewritten in place');
  assert.deepEqual(readdirSync(dir), ['out.js']);
});
