// The CLI on photos runs itself again with malloc's huge pages (src/cli/hugePages.ts), as a person
// runs it: the process started again, its environment, the status and output passed on,
// signals passed on (a terminal's Ctrl+C, which reaches both, taken once), and small images, or a
// user who declined them, left in one process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage } from '../../src/core/decode';
import { hasLargeImage, hugePagesWanted } from '../../src/cli/hugePages';
import { hugePageMode } from '../../src/core/batch/mallocHugePages';
import { flatJpeg } from './big-images';
import { FIXTURES } from './io-helpers';
import { privateBundles } from './private-bundle';

let CLI = '';
let disposeBundle = (): void => undefined;
before(async () => {
  const b = await privateBundles({ cli: 'src/cli/main.ts' });
  CLI = join(b.dir, 'cli.js');
  disposeBundle = b.dispose;
});
after(() => disposeBundle());

const MODE = hugePageMode();

function workDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kmeans-cli-huge-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The processes whose parent is `pid`, with their GLIBC_TUNABLES ('' when unset). */
function childrenOf(pid: number): { pid: number; tunables: string }[] {
  const out: { pid: number; tunables: string }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      if (Number(stat[1]) !== pid) continue;
      const env = readFileSync(`/proc/${d}/environ`, 'utf8').split('\0');
      out.push({ pid: Number(d), tunables: env.find((v) => v.startsWith('GLIBC_TUNABLES='))?.slice('GLIBC_TUNABLES='.length) ?? '' });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

interface Watched {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The CLI's child processes seen while it ran. */
  children: { pid: number; tunables: string }[];
}

/**
 * Runs the CLI, looking at its children every few ms; `onFirstLine` is called once, when its
 * first line of output has come. `group`: in a process group of its own (a terminal's job).
 */
function watchCli(args: string[], env: NodeJS.ProcessEnv, onFirstLine?: (pid: number) => void, group = false): Promise<Watched> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: group });
    let stdout = '';
    let stderr = '';
    let called = false;
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!called && stdout.includes('\n')) {
        called = true;
        onFirstLine?.(p.pid!);
      }
    });
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const seen = new Map<number, string>();
    const look = setInterval(() => {
      for (const c of childrenOf(p.pid!)) seen.set(c.pid, c.tunables);
    }, 5);
    p.on('close', (status) => {
      clearInterval(look);
      resolve({ status, stdout, stderr, children: [...seen].map(([pid, tunables]) => ({ pid, tunables })) });
    });
  });
}

const withoutTunables = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.GLIBC_TUNABLES;
  return env;
};

test('started again only where Linux gives huge pages to memory that asks, and the user has not said otherwise', () => {
  assert.equal(hugePagesWanted({}, 'madvise'), true);
  assert.equal(hugePagesWanted({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 'madvise'), true);
  assert.equal(hugePagesWanted({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, 'madvise'), false);
  assert.equal(hugePagesWanted({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1' }, 'madvise'), false);
  assert.equal(hugePagesWanted({}, 'always'), false);
  assert.equal(hugePagesWanted({}, 'never'), false);
  assert.equal(hugePagesWanted({}, undefined), false);
});

test('the headers decide: a 12 MP photo is worth starting again, small images are not, however many', async (t) => {
  const dir = workDir(t);
  const photo = join(dir, 'photo.jpg');
  writeFileSync(photo, flatJpeg(4000, 3000));
  const small = ['chelsea.png', 'coffee.png', 'astronaut.png', 'small.jpg'].map((n) => join(FIXTURES, n));
  assert.equal(await hasLargeImage([photo]), true);
  assert.equal(await hasLargeImage([...small, photo]), true);
  assert.equal(await hasLargeImage(small), false);
  // 400 small images hold more pixels than the photo: still nothing to gain
  assert.equal(await hasLargeImage(Array.from({ length: 100 }, () => small).flat()), false);
  // an unreadable file counts nothing (the run itself reports it)
  assert.equal(await hasLargeImage([join(dir, 'missing.jpg'), ...small]), false);
  assert.equal(await hasLargeImage([photo], 12e6 + 1), false);
});

test('a 12 MP photo: segmented by the CLI started again with huge pages, its status, output and file passed on', async (t) => {
  const dir = workDir(t);
  const photo = join(dir, 'photo.jpg');
  writeFileSync(photo, flatJpeg(4000, 3000));
  const out = join(dir, 'out.png');
  const r = await watchCli(['-i', photo, '--out', out, '--json'], withoutTunables());
  assert.equal(r.status, 0, r.stderr);
  const line = JSON.parse(r.stdout.trim()) as { image: string; written: string[] };
  assert.equal(line.image, photo);
  const composite = await decodeImage(readFileSync(out), out);
  // the seed's side-by-side composite of the whole photo
  assert.ok(composite.height === 3000 && composite.width > 8000, `${composite.width}x${composite.height}`);
  if (MODE === 'madvise') {
    assert.equal(r.children.length, 1, JSON.stringify(r.children));
    assert.match(r.children[0]!.tunables, /(^|:)glibc\.malloc\.hugetlb=1($|:)/);
  } else {
    assert.deepEqual(r.children, [], 'huge pages would change nothing here: one process');
  }
  // declined by the user: one process
  rmSync(out);
  const declined = await watchCli(['-i', photo, '--out', out], { ...withoutTunables(), GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' });
  assert.equal(declined.status, 0, declined.stderr);
  assert.deepEqual(declined.children, []);
  assert.ok(existsSync(out));
});

test('small images stay in one process; a failure\'s status is passed on from the process started again', async (t) => {
  const dir = workDir(t);
  const small = await watchCli(['-i', join(FIXTURES, 'chelsea.png'), '--out', join(dir, 'c.png')], withoutTunables());
  assert.equal(small.status, 0, small.stderr);
  assert.deepEqual(small.children, []);
  // a photo's header, then nothing: refused by the process started again, with the one-line error
  const cut = join(dir, 'cut.jpg');
  writeFileSync(cut, flatJpeg(4000, 3000).subarray(0, 400));
  const r = await watchCli(['-i', cut, '--out', join(dir, 'x.png')], withoutTunables());
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /cut\.jpg/);
  assert.equal(r.children.length, MODE === 'madvise' ? 1 : 0);
});

/**
 * A folder of four 12 MP camera-like photos; the batch over it, stopped by `stop` once its first
 * image is reported. Real photos: the next one is then being clustered, and a stop waits for it
 * (long enough for a signal delivered twice to come twice).
 */
async function stoppedBatch(t: { after: (fn: () => void) => void }, stop: (pid: number) => void, group = false): Promise<{ r: Watched; dir: string }> {
  const dir = workDir(t);
  const { cameraPhoto } = await import('../fixtures/photo/make-photo.mjs');
  const photo = await cameraPhoto(4000, 3000, { seed: 1 });
  for (let i = 0; i < 4; i++) copyFileSync(photo, join(dir, `p${i}.jpg`));
  const r = await watchCli(['-i', dir, '-o', '--json', '--jobs', '1'], withoutTunables(), stop, group);
  return { r, dir };
}

/** The batch stopped cleanly: its summary says so, whole files only, no process left behind. */
async function assertStoppedCleanly(r: Watched, dir: string): Promise<void> {
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { summary: boolean; cancelled: boolean; done: number; notRun: number };
  assert.equal(summary.cancelled, true, r.stdout);
  assert.ok(summary.notRun > 0, r.stdout);
  assert.match(r.stderr, /stopped: \d+ image\(s\) not run/);
  const outputs = readdirSync(dir).filter((n) => n.endsWith('.png'));
  assert.equal(outputs.length, summary.done);
  for (const n of outputs) await decodeImage(readFileSync(join(dir, n)), n);
  assert.deepEqual(readdirSync(dir).filter((n) => !n.endsWith('.png') && !n.endsWith('.jpg')), [], 'no temporary files left');
  for (const c of r.children) assert.equal(existsSync(`/proc/${c.pid}`), false, 'the process started again has ended');
  assert.equal(r.children.length, MODE === 'madvise' ? 1 : 0);
}

test('a SIGTERM to the CLI reaches the batch (in the process started again): it stops cleanly, exit 143', async (t) => {
  const { r, dir } = await stoppedBatch(t, (pid) => process.kill(pid, 'SIGTERM'));
  assert.equal(r.status, 128 + 15, r.stderr);
  await assertStoppedCleanly(r, dir);
});

test('a SIGINT to the CLI alone reaches the batch too: it stops cleanly, exit 130', async (t) => {
  const { r, dir } = await stoppedBatch(t, (pid) => process.kill(pid, 'SIGINT'));
  assert.equal(r.status, 128 + 2, r.stderr);
  await assertStoppedCleanly(r, dir);
});

test("a terminal's Ctrl+C (SIGINT to the whole job) stops it cleanly once, not as two presses", async (t) => {
  const { r, dir } = await stoppedBatch(t, (pid) => process.kill(-pid, 'SIGINT'), true);
  assert.equal(r.status, 128 + 2, r.stderr);
  await assertStoppedCleanly(r, dir);
});
