// dist/cli.js starts with V8's code cache made at build time (scripts/cli-code-cache.mjs): the
// cache must change nothing but the start-up, and a missing or damaged one must not matter.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FIXTURES } from './io-helpers';

const ROOT = resolve(__dirname, '..', '..');
const DIR = mkdtempSync(join(tmpdir(), 'kmeans-cli-cache-'));
let cacheName = '';

before(() => {
  const r = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const text = readFileSync(join(ROOT, 'dist', 'cli.js'), 'utf8').slice(0, 2000);
  cacheName = /cli-[0-9a-f]{16}\.v8cache/.exec(text)?.[0] ?? '';
  assert.ok(cacheName, 'dist/cli.js names its cache');
  for (const sub of ['cached', 'alone', 'damaged']) {
    mkdirSync(join(DIR, sub));
    copyFileSync(join(ROOT, 'dist', 'cli.js'), join(DIR, sub, 'cli.js'));
  }
  assert.ok(existsSync(join(ROOT, 'dist', cacheName)), `the build made dist/${cacheName}`);
  copyFileSync(join(ROOT, 'dist', cacheName), join(DIR, 'cached', cacheName));
  writeFileSync(join(DIR, 'damaged', cacheName), Buffer.alloc(4096, 0x5a));
});
after(() => rmSync(DIR, { recursive: true, force: true }));

function segment(sub: string): Record<string, unknown> {
  const out = join(DIR, `${sub}.png`);
  const args = [join(DIR, sub, 'cli.js'), '-i', join(FIXTURES, 'chelsea.png'), '-w', '60', '-s', 'lab', '-c', '12', '-n', '4', '--out', out, '--json'];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `${sub}: ${r.stderr}`);
  const line = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  delete line.timings;
  delete line.written;
  return line;
}

test('with its code cache, without one, or with a damaged one, the CLI gives the same result and writes nothing beside itself', () => {
  const cached = segment('cached');
  assert.deepEqual(segment('alone'), cached);
  assert.deepEqual(segment('damaged'), cached);
  assert.deepEqual(readdirSync(join(DIR, 'alone')), ['cli.js'], 'no cache written at run time');
});
