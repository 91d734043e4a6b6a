// Corrupt and hostile images through the engine (decodeImage + segmentSync, in a watched child
// process) and a sample through the CLI: every file gives a one-line SegmentationError or a sound
// result, within a time bound, with bounded memory, and a failing CLI run writes nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeImage } from '../../src/core/decode';
import { isSegmentationError } from '../../src/core/errors';
import { PARTIAL_SUFFIX } from '../../src/core/files/writeNew';
import { buildCorpus, type CorpusCase } from '../stress/corpus';
import { reportLine, runCorpus, type CorpusReport } from '../stress/corpusRunner';

const ROOT = resolve(__dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'reliability-corpus-'));
const CLI = join(scratch, 'bundle', 'cli.js');
/** Per file; generous because two cores are shared with the rest of the team. */
const BOUND_MS = 15_000;

let corpus: { cases: CorpusCase[]; bases: { name: string; bytes: Uint8Array }[] };
let report: CorpusReport;

before(async () => {
  const r = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  mkdirSync(join(scratch, 'bundle'));
  copyFileSync(join(ROOT, 'dist', 'cli.js'), CLI);
  for (const f of readdirSync(join(ROOT, 'dist')).filter((n) => n.endsWith('.wasm'))) copyFileSync(join(ROOT, 'dist', f), join(scratch, 'bundle', f));
  corpus = await buildCorpus();
});
after(() => rmSync(scratch, { recursive: true, force: true }));

test('corpus of >= 500 broken files: clean one-line errors or sound results, no crash, no hang', { timeout: 300_000 }, async () => {
  assert.ok(corpus.cases.length >= 500, `only ${corpus.cases.length} cases`);
  report = await runCorpus(corpus.cases, corpus.bases, join(scratch, 'corpus'), { boundMs: BOUND_MS, hangMs: 30_000 });
  console.log(reportLine(report));
  const show = (list: { name: string; outcome: string; message: string }[]): string =>
    list.map((c) => `${c.outcome} ${c.name}: ${c.message.slice(0, 160)}`).join('\n');
  assert.equal(report.tried, corpus.cases.length);
  assert.equal(report.crashes.length, 0, show(report.crashes));
  assert.deepEqual(report.overBound.map((o) => `${o.name} ${Math.round(o.ms)} ms`), []);
  assert.equal(report.tooLargeMissed.length, 0, show(report.tooLargeMissed));
  assert.equal(report.sameAsBase, report.sameAsBaseOf);
  assert.ok(report.sameAsBaseOf >= 39);
  assert.equal(report.cleanErrors + report.results, report.tried);
  // Pixel buffers are bounded by the 50-megapixel limit; nothing may approach the machine's memory.
  assert.ok(report.peakRssMb < 1500, `child peak RSS ${report.peakRssMb} MB`);
});

test('structures that hung or aborted the decoders are now refused or read as their first page', { timeout: 120_000 }, async () => {
  const outcome = (name: string): string => {
    const o = report.outcomes.find((x) => x.name === name);
    assert.ok(o, name);
    return o.outcome === 'result' ? 'result' : `${o.outcome}:${o.code}`;
  };
  // The IFD chain is cut after the first page: a looping chain no longer matters.
  assert.equal(outcome('tiff-le-ifd-loop-self.tif'), 'result');
  assert.equal(outcome('tiff-be-ifd-loop-two.tif'), 'result');
  assert.equal(outcome('tiff-le-second-page-60000x60000.tif'), 'result');
  assert.equal(outcome('tiff-le-subifd-twice-self.tif'), 'result');
  assert.equal(outcome('tiff-le-value-count-huge.tif'), 'clean-error:corrupt-image');
  assert.equal(outcome('tiff-be-strip-count-huge.tif'), 'clean-error:corrupt-image');
  assert.equal(outcome('tiff-le-samples-per-pixel-65535.tif'), 'clean-error:corrupt-image');
  assert.equal(outcome('gif-65535x65535-frame.gif'), 'clean-error:too-large');
  assert.equal(outcome('gif-1x1-screen-60000x60000-frame.gif'), 'clean-error:too-large');
  const lzw = report.outcomes.filter((o) => /corrupt GIF data: code \d+ before table entry/.test(o.message));
  assert.ok(lzw.length >= 1, 'some damaged GIF is refused for its LZW codes');
});

test('headers claiming 60000x60000 are refused from the header: no pixel buffer, RSS flat', async () => {
  const huge = corpus.cases.filter((c) => c.expectTooLarge);
  assert.ok(huge.length >= 8);
  const kinds = new Set(huge.map((c) => c.name.split(/[-.]/)[0]));
  for (const k of ['png', 'jpeg', 'bmp', 'gif', 'tiff', 'webp', 'avif']) assert.ok(kinds.has(k), k);
  // Warm the decoder path once so module loading is not counted.
  await decodeImage(corpus.bases[0]!.bytes, 'warm.png');
  const before = process.memoryUsage().rss;
  let worstMs = 0;
  for (const c of huge) {
    const t0 = performance.now();
    await assert.rejects(decodeImage(c.bytes, c.name, { maxPixels: 50_000_000 }), (e: unknown) => {
      assert.ok(isSegmentationError(e), c.name);
      assert.equal(e.code, 'too-large', `${c.name}: ${e.message}`);
      assert.match(e.message, /megapixels/);
      assert.ok(e.message.startsWith(c.name));
      return true;
    });
    worstMs = Math.max(worstMs, performance.now() - t0);
  }
  const grewMb = (process.memoryUsage().rss - before) / 2 ** 20;
  // A single 60000x60000 RGBA buffer would be 13 GB; 20 MB of slack covers the test itself.
  assert.ok(grewMb < 20, `RSS grew ${grewMb.toFixed(1)} MB`);
  assert.ok(worstMs < 200, `slowest refusal ${worstMs.toFixed(1)} ms`);
  console.log(`# reliability: huge headers: ${huge.length} refused before decoding, slowest ${worstMs.toFixed(1)} ms, RSS +${grewMb.toFixed(1)} MB`);
});

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(args: string[], cwd: string): CliRun {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

/** A deterministic sample: every family, and a spread of the bulk mutations. */
function cliSample(cases: CorpusCase[]): CorpusCase[] {
  const kinds = new Set<string>();
  const picked = new Set<CorpusCase>();
  for (const c of cases) if (!kinds.has(c.kind)) (kinds.add(c.kind), picked.add(c));
  const rest = cases.filter((c) => !(c.name.endsWith('no-extension') || picked.has(c)));
  const step = Math.floor(rest.length / 16);
  for (let i = 0; i < 16; i++) picked.add(rest[i * step]!);
  for (const n of ['tiff-le-ifd-loop-self.tif', 'gif-65535x65535-frame.gif', 'png-60000x60000.png', 'tiff-be-value-count-huge.tif']) {
    picked.add(cases.find((c) => c.name === n)!);
  }
  return [...picked];
}

test('CLI on a sample of the corpus: exit 0 with one new file, or exit 1 with one line and nothing written', { timeout: 300_000 }, () => {
  const sample = cliSample(corpus.cases);
  let ok = 0;
  let failed = 0;
  let slowest = { ms: 0, name: '' };
  for (const c of sample) {
    const dir = join(scratch, 'cli', c.name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, c.name), c.bytes);
    const r = cli(['-o', '-w', '32', '--n-init', '2', '--max-megapixels', '50', c.name], dir);
    if (r.ms > slowest.ms) slowest = { ms: r.ms, name: c.name };
    const after = readdirSync(dir).sort();
    if (r.status === 0) {
      ok++;
      assert.equal(after.length, 2, `${c.name}: ${after.join(', ')}`);
      assert.equal(r.stderr.replace(/^Warning: .*\n/gm, ''), '');
    } else {
      failed++;
      assert.equal(r.status, 1, `${c.name}: status ${r.status}, ${r.stderr}`);
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `${c.name}: ${r.stderr}`);
      assert.match(lines[0]!, new RegExp(`^error: ${c.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
      assert.deepEqual(after, [c.name], 'nothing written on failure');
    }
  }
  console.log(
    `# reliability: CLI sample: ${sample.length} files, ${ok} segmented, ${failed} clean failures (exit 1, folder unchanged), slowest ${Math.round(slowest.ms)} ms (${slowest.name})`,
  );
  assert.ok(ok > 0 && failed > 0);
});

test('CLI batch: bad files are reported at the end, the good ones are still written, exit 1', { timeout: 120_000 }, () => {
  const dir = join(scratch, 'cli-batch');
  mkdirSync(dir);
  const names = ['a-good.png', 'b-cut.png', 'c-good.jpg', 'd-loop.tif', 'e-huge.gif', 'f-good.tif'];
  const src: Record<string, Uint8Array> = {
    'a-good.png': corpus.bases.find((b) => b.name === 'small.png')!.bytes,
    'b-cut.png': corpus.cases.find((c) => c.name === 'small.cut100.png')!.bytes,
    'c-good.jpg': corpus.bases.find((b) => b.name === 'small.jpg')!.bytes,
    'd-loop.tif': corpus.cases.find((c) => c.name === 'tiff-le-value-count-huge.tif')!.bytes,
    'e-huge.gif': corpus.cases.find((c) => c.name === 'gif-60000x60000-screen.gif')!.bytes,
    'f-good.tif': corpus.bases.find((b) => b.name === 'small-le.tif')!.bytes,
  };
  for (const n of names) writeFileSync(join(dir, n), src[n]!);
  const r = cli(['-o', '--n-init', '2', ...names], dir);
  assert.equal(r.status, 1, r.stderr);
  const errors = r.stderr.trimEnd().split('\n');
  assert.deepEqual(
    errors.map((l) => l.match(/^error: ([^:]+):/)?.[1]),
    ['b-cut.png', 'd-loop.tif', 'e-huge.gif'],
  );
  const written = readdirSync(dir).filter((n) => !names.includes(n));
  assert.equal(written.length, 3, written.join(', '));
  for (const stem of ['a-good', 'c-good', 'f-good']) assert.ok(written.some((w) => w.startsWith(`${stem}_`)), stem);
  assert.equal(readdirSync(dir).filter((n) => n.endsWith(PARTIAL_SUFFIX)).length, 0);
});
