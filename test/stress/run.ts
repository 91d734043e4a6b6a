// `npm run stress`: the long versions of the reliability tests, printing the figures the README
// quotes. Exits 1 if anything crashed, hung, leaked or blocked. Takes a few minutes on 2 cores.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { decodeImage } from '../../src/core/decode';
import { isSegmentationError } from '../../src/core/errors';
import { segmentSync } from '../../src/core/segment';
import { SegmentPool } from '../../src/core/worker/pool';
import { ImageClient } from '../../src/extension/workers/imageClient';
import { validateWebviewMessage } from '../../src/shared/protocol';
import { FIXTURE_IMAGES, buildCorpus, prng } from './corpus';
import { reportLine, runCorpus } from './corpusRunner';
import { flatJpeg, flatPng, flatTiff } from '../unit/big-images';
import { BASE_PARAMS, PanelDriver, burst, fixtureImages, liveThreads, rssMb, runBatch, sampler, withLoopDelay, workersStarted } from './load';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const ROOT = resolve(__dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'kmeans-stress-'));
const problems: string[] = [];
const check = (ok: boolean, what: string): void => {
  if (!ok) problems.push(what);
};
const log = (line: string): void => console.log(`# stress: ${line}`);

/** Copies a bundle of dist/ into `dir`, with the codecs' WebAssembly it reads from beside itself. */
function copyBundle(name: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(ROOT, 'dist', name), join(dir, name));
  for (const f of readdirSync(join(ROOT, 'dist')).filter((n) => n.endsWith('.wasm'))) copyFileSync(join(ROOT, 'dist', f), join(dir, f));
  return join(dir, name);
}

async function corpus(): Promise<void> {
  const t0 = performance.now();
  const { cases, bases } = await buildCorpus();
  const report = await runCorpus(cases, bases, join(scratch, 'corpus'), { boundMs: 10_000, hangMs: 30_000 });
  console.log(reportLine(report));
  for (const c of report.crashes) problems.push(`corpus ${c.outcome}: ${c.name}: ${c.message.slice(0, 200)}`);
  for (const c of report.overBound) problems.push(`corpus over 10 s: ${c.name} ${Math.round(c.ms)} ms`);
  for (const c of report.tooLargeMissed) problems.push(`corpus: ${c.name} not refused from its header: ${c.message}`);
  const byKind = new Map<string, { n: number; errors: number; slowest: number }>();
  for (const o of report.outcomes) {
    const k = byKind.get(o.kind) ?? { n: 0, errors: 0, slowest: 0 };
    k.n++;
    if (o.outcome === 'clean-error') k.errors++;
    k.slowest = Math.max(k.slowest, o.ms);
    byKind.set(o.kind, k);
  }
  for (const [kind, k] of byKind) log(`  ${kind}: ${k.n} files, ${k.errors} clean errors, ${k.n - k.errors} results, slowest ${Math.round(k.slowest)} ms`);
  log(`  top RSS jumps: ${report.rssJumps.map((j) => `${j.name} +${Math.round(j.mb)} MB`).join(', ')}`);
  log(`corpus done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

  // A spread of the corpus through the CLI: exit 0 and one new file, or exit 1, one line, nothing written.
  const cli = copyBundle('cli.js', scratch);
  const step = Math.floor(cases.length / 80);
  let ok = 0;
  let failed = 0;
  let slowest = { ms: 0, name: '' };
  for (let i = 0; i < cases.length; i += step) {
    const c = cases[i]!;
    const dir = join(scratch, 'cli', String(i));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, c.name), c.bytes);
    const t = performance.now();
    const r = spawnSync(process.execPath, [cli, '-o', '-w', '32', '--n-init', '2', '--max-megapixels', '50', c.name], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    const ms = performance.now() - t;
    if (ms > slowest.ms) slowest = { ms, name: c.name };
    const files = readdirSync(dir);
    if (r.status === 0) {
      ok++;
      check(files.length === 2, `CLI ${c.name}: exit 0 but ${files.length - 1} files written`);
    } else {
      failed++;
      const lines = r.stderr.trimEnd().split('\n');
      check(r.status === 1 && lines.length === 1 && lines[0]!.startsWith(`error: ${c.name}: `) && !/internal error/.test(r.stderr), `CLI ${c.name}: status ${r.status}: ${r.stderr.slice(0, 300)}`);
      check(files.length === 1, `CLI ${c.name}: failed but left ${files.join(', ')}`);
    }
  }
  log(`CLI: ${ok + failed} corpus files, ${ok} segmented, ${failed} clean failures (exit 1, folder unchanged), slowest ${Math.round(slowest.ms)} ms (${slowest.name})`);

  // Header-only refusals in this process: no pixel buffer, RSS flat.
  const huge = cases.filter((c) => c.expectTooLarge);
  await decodeImage(bases[0]!.bytes, 'warm.png');
  gc();
  const rss0 = rssMb();
  let worst = 0;
  for (const c of huge) {
    const t = performance.now();
    const e = await decodeImage(c.bytes, c.name).then(
      () => undefined,
      (x: unknown) => x,
    );
    worst = Math.max(worst, performance.now() - t);
    check(isSegmentationError(e) && e.code === 'too-large', `${c.name} not refused as too-large`);
  }
  log(`huge headers: ${huge.length} (PNG, JPEG, WebP, AVIF, BMP, GIF, TIFF up to 4294967295x1) refused from the header in at most ${worst.toFixed(1)} ms, RSS ${rss0.toFixed(0)} -> ${rssMb().toFixed(0)} MB`);
}

async function load(): Promise<void> {
  const workerPath = join(scratch, 'worker.js');
  copyFileSync(join(ROOT, 'dist', 'worker.js'), workerPath);
  const ioPath = copyBundle('imageWorker.js', scratch);
  const images = await fixtureImages(FIXTURE_IMAGES, ['coffee.png', 'chelsea.png', 'astronaut.png', 'rocket.png', 'linuxlogo.png']);
  const pool = new SegmentPool({ workerPath });
  const io = new ImageClient(ioPath);
  try {
    await pool.segment(images[4]!.image, { ...BASE_PARAMS, width: 32 });
    gc();
    const started0 = await workersStarted();
    const poolStarted0 = pool.workersStarted;
    const threads0 = liveThreads();
    const rss0 = rssMb();
    const s = sampler();
    const panel = new PanelDriver(pool, images[0]!.image, 'coffee.png#1');
    const loop = await withLoopDelay(async () => {
      const last = await burst(panel, 200, (i) => ({ ...BASE_PARAMS, k: 2 + (i % 7), width: 100 + (i % 50) * 8, seed: i, colorSpace: (['bgr', 'hsv', 'lab', 'ycrcb'] as const)[i % 4] }));
      await panel.settled();
      return last;
    });
    const peak = s.stop();
    const restarts = (await workersStarted()) - started0 - 1;
    const { timings: _a, ...got } = panel.delivered[0]?.result ?? ({ timings: 0 } as never);
    const { timings: _b, ...want } = segmentSync(images[0]!.image, loop.value);
    check(panel.delivered.length === 1 && panel.delivered[0]!.requestId === 200, `burst delivered ${panel.delivered.map((d) => d.requestId).join(',')}`);
    check(JSON.stringify(got) === JSON.stringify(want), 'burst: the delivered result is not segmentSync of the last parameters');
    // Aborted runs stop cooperatively (each used to cost a new worker: ~400 for this burst).
    check(pool.workersStarted - poolStarted0 <= 20, `burst: ${pool.workersStarted - poolStarted0} workers replaced`);
    check(panel.cancelled === 199 && panel.errors.length === 0, `burst: ${panel.cancelled} cancelled, errors ${panel.errors.join('; ')}`);
    for (let i = 0; i < 100 && liveThreads() > threads0; i++) await sleep(50);
    gc();
    await sleep(200);
    const threadsAfter = liveThreads();
    const rssAfter = rssMb();
    check(threadsAfter <= threads0, `threads ${threads0} -> ${threadsAfter} after the burst`);
    check(peak.peakThreads - threads0 <= 64, `threads peaked at ${peak.peakThreads}`);
    check(rssAfter - rss0 < 100, `RSS ${rss0.toFixed(0)} -> ${rssAfter.toFixed(0)} MB after the burst`);
    check(loop.maxBlockedMs < 50, `burst: main thread blocked ${loop.maxBlockedMs.toFixed(1)} ms`);
    log(
      `200 changes, latest wins: 1 delivered (the last, equal to segmentSync), 199 cancelled; ${restarts} workers started; last change to its result ${panel.lastLatencyMs.toFixed(0)} ms; OS threads ${threads0} -> peak ${peak.peakThreads} -> ${threadsAfter} ` +
        `(pool of ${pool.size}); RSS ${rss0.toFixed(0)} -> peak ${peak.peakRssMb.toFixed(0)} -> ${rssAfter.toFixed(0)} MB; main thread blocked at most ${loop.maxBlockedMs.toFixed(1)} ms; ` +
        `event-loop delay max ${loop.maxDelayMs.toFixed(0)} ms (p99 ${loop.p99DelayMs.toFixed(0)}), CPU wait up to ${loop.maxRunqueueMs.toFixed(0)} ms`,
    );

    const dir = join(scratch, 'batch');
    mkdirSync(dir);
    const sources = ['small.png', 'small.jpg', 'small.bmp', 'small.gif', 'small-le.tif', 'linuxlogo.png', 'chelsea.png', 'coffee.png', 'astronaut.png', 'rocket.png'];
    const files = Array.from({ length: 50 }, (_, i) => {
      const f = join(dir, `img${i}-${sources[i % sources.length]}`);
      copyFileSync(join(FIXTURE_IMAGES, sources[i % sources.length]!), f);
      return f;
    });
    const panels = images.map((x) => new PanelDriver(pool, x.image, `${x.name}#2`));
    const started2 = await workersStarted();
    const s2 = sampler();
    const t0 = performance.now();
    const loop2 = await withLoopDelay(async () => {
      const batch = runBatch(pool, io, files, dir, { ...BASE_PARAMS, width: 300 });
      await Promise.all(panels.map((p) => burst(p, 20, (i) => ({ ...BASE_PARAMS, k: 2 + (i % 10), width: 120 + i * 10 }))));
      await Promise.all(panels.map((p) => p.settled()));
      return batch;
    });
    const peak2 = s2.stop();
    const restarts2 = (await workersStarted()) - started2 - 1;
    const latency2 = Math.max(...panels.map((p) => p.lastLatencyMs));
    const batch = loop2.value;
    check(batch.done === 50 && batch.failed.length === 0, `batch: ${batch.done} done, failed ${batch.failed.join('; ')}`);
    for (const p of panels) check(p.delivered.length === 1 && p.delivered[0]!.requestId === p.lastRequestId && p.errors.length === 0, `panel ${p.key}: ${p.delivered.length} delivered`);
    check(loop2.maxBlockedMs < 50, `panels + batch: main thread blocked ${loop2.maxBlockedMs.toFixed(1)} ms`);
    log(
      `5 panels x 20 changes + batch of 50 through one pool: all finished in ${((performance.now() - t0) / 1000).toFixed(1)} s; each panel got only its last result; ${restarts2} workers started; slowest last-change-to-result ${latency2.toFixed(0)} ms; ` +
        `main thread blocked at most ${loop2.maxBlockedMs.toFixed(1)} ms; event-loop delay max ${loop2.maxDelayMs.toFixed(0)} ms (p99 ${loop2.p99DelayMs.toFixed(0)}), ` +
        `CPU wait up to ${loop2.maxRunqueueMs.toFixed(0)} ms; peak OS threads ${peak2.peakThreads}, peak RSS ${peak2.peakRssMb.toFixed(0)} MB; ` +
        `slowest image-worker round trip ${batch.slowestMainThreadStepMs.ms.toFixed(0)} ms (${batch.slowestMainThreadStepMs.step})`,
    );
  } finally {
    await pool.dispose();
    await io.dispose();
  }
}

/**
 * Valid images at 64 and 100 megapixels through the CLI at full size (decode, K-means, the
 * composite, a PNG written): each must work, within the memory target of 8x the decoded RGBA
 * image + 150 MB. One flat colour each, made here: small files, every pixel still decoded.
 */
function largeImages(): void {
  const cli = join(scratch, 'cli.js');
  const preload = join(scratch, 'maxrss.cjs');
  writeFileSync(preload, "process.on('exit', () => process.stderr.write('MAXRSS_KB ' + process.resourceUsage().maxRSS + '\\n'));\n");
  const cases: [string, number, number, () => Uint8Array][] = [
    ['photo64-progressive.jpg', 10000, 6400, () => flatJpeg(10000, 6400, true)],
    ['photo100.jpg', 10000, 10000, () => flatJpeg(10000, 10000)],
    ['scan100.png', 10000, 10000, () => flatPng(10000, 10000, [40, 90, 160])],
    ['scan100.tif', 10000, 10000, () => flatTiff(10000, 10000, 77)],
  ];
  for (const [name, w, h, make] of cases) {
    const dir = join(scratch, 'large', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), make());
    const t = performance.now();
    const r = spawnSync(process.execPath, ['--require', preload, cli, name, '-n', '2', '--n-init', '2', '--json', '--out', 'out.png'], { cwd: dir, encoding: 'utf8', timeout: 600_000 });
    const s = (performance.now() - t) / 1000;
    const peakMb = Number(/MAXRSS_KB (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024;
    const targetMb = (8 * w * h * 4) / 2 ** 20 + 150;
    const ok = r.status === 0 && readdirSync(dir).includes('out.png');
    check(ok, `${name}: exit ${r.status}: ${r.stderr.split('\n')[0]}`);
    check(peakMb <= targetMb, `${name}: peak ${peakMb.toFixed(0)} MB over the target ${targetMb.toFixed(0)} MB`);
    log(`${name} (${w}x${h}, ${((w * h) / 1e6).toFixed(0)} MP): ${ok ? 'segmented' : 'FAILED'} in ${s.toFixed(1)} s at full size, peak RSS ${peakMb.toFixed(0)} MB (target ${targetMb.toFixed(0)} MB)`);
    rmSync(dir, { recursive: true, force: true });
  }
}

function messages(): void {
  const rnd = prng(99);
  const values: unknown[] = [NaN, Infinity, -1, 1e308, 2 ** 53, '3', null, undefined, [], {}, Object.create(null), 'x'.repeat(1e5), 5];
  const pick = (): unknown => values[Math.floor(rnd() * values.length)];
  let accepted = 0;
  let threw = 0;
  const t0 = performance.now();
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    const params: Record<string, unknown> = { colorSpace: 'hsv', channels: [0], k: 3, width: 0, nInit: 1, maxIter: 1, seed: 0, format: 'png' };
    for (const key of Object.keys(params)) if (rnd() < 0.2) params[key] = pick();
    const view = rnd() < 0.7 ? { mode: ['gray', 'mean', 'mask', 'boundaries'][i % 4], selected: rnd() < 0.8 ? [0, 2] : pick(), white: rnd() < 0.9 ? true : pick() } : pick();
    const raw = {
      type: ['run', 'save', 'ready', 'elbow', 'export', 'view', 'x', pick()][i % 8],
      requestId: rnd() < 0.8 ? i : pick(),
      params: rnd() < 0.95 ? params : pick(),
      what: rnd() < 0.8 ? 'labels' : pick(),
      view,
    };
    try {
      if (validateWebviewMessage(raw)) accepted++;
    } catch {
      threw++;
    }
  }
  check(threw === 0, `${threw} messages made the validator throw`);
  log(`webview messages: ${n} fuzzed, ${accepted} accepted, ${n - accepted} rejected, ${threw} thrown, ${((performance.now() - t0) / n * 1000).toFixed(1)} µs each`);
}

async function main(): Promise<void> {
  try {
    await corpus();
    largeImages();
    await load();
    messages();
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (problems.length) {
    console.log(`# stress: FAILED (${problems.length}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exitCode = 1;
  } else log('all passed');
}

void main();
