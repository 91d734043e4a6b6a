// Issue 13's batch benchmark (npm run bench -- --batch): the CLI's batches against the seed's
// script run once per image, --jobs 2 against --jobs 1, the batch's peak memory, and the
// extension's batch in a real VS Code against the CLI's (batch-e2e.mjs).
//
// Inputs, made the same way every time (test/fixtures/photo/make-photo.mjs, cached in the OS temp
// folder; the first run spends about 80 s and 3 min making them):
//   - 200 camera-like JPEGs of 640x480 (seeds 1-200), segmented at -w 300 (bgr, k=3, the seed's
//     40 restarts), as the seed's blog post runs its script;
//   - 20 camera-size JPEGs of 4000x3000 (12 MP, seeds 1-20), at full size.
// Every CLI run writes the composites beside the inputs (-o), as a batch does; they are removed
// between runs. Each CLI run is one process under /usr/bin/time -v: its wall time, and its peak
// RSS, which covers every worker (they are threads of that one process).
// The seed's script (reference.py) costs seconds a run, mostly Python's imports of numpy, OpenCV
// and sklearn: it is timed on a sample of the 200 images spread evenly over them (20 by default),
// run one after another as a shell loop would, and its mean per image is multiplied by 200.
// Runs of the two sides are interleaved so that load from other work hits both alike.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { cameraPhoto } from '../test/fixtures/photo/make-photo.mjs';
import { extensionBatchBench, removeOutputs } from './batch-e2e.mjs';

const TARGETS = { vsReference: 25, jobs2: 1.7, memFactor: 8, memExtraMb: 150 };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');

/**
 * A process under /usr/bin/time -v: wall seconds (measured here), peak RSS in MiB, CPU seconds
 * (user + system, with the children it waited for: the CLI's relaunch), stdout.
 */
function timed(cmd, args, { cwd, env = process.env, time = '/usr/bin/time' }) {
  const useTime = existsSync(time);
  const t0 = process.hrtime.bigint();
  const r = useTime
    ? spawnSync(time, ['-v', cmd, ...args], { cwd, env, encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
  const user = /User time \(seconds\): ([\d.]+)/.exec(r.stderr ?? '');
  const sys = /System time \(seconds\): ([\d.]+)/.exec(r.stderr ?? '');
  const cpu = user && sys ? Number(user[1]) + Number(sys[1]) : NaN;
  return { status: r.status, wall, rssMb: rss ? Number(rss[1]) / 1024 : NaN, cpu, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

async function makeSet(dir, count, width, height, log) {
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  for (let seed = 1; seed <= count; seed++) {
    const file = await cameraPhoto(width, height, { seed });
    copyFileSync(file, join(dir, basename(file)));
    if (performance.now() - t0 > 5000 && seed % 10 === 0) log(`  made ${seed} of ${count} photos of ${width}x${height}`);
  }
  return readdirSync(dir).filter((n) => n.endsWith('.jpg')).sort().map((n) => join(dir, n));
}

/**
 * One CLI batch over `dir`: wall, peak RSS and the JSON summary. Throws when an image failed:
 * a benchmark of failures measures nothing.
 */
function cliBatch(cli, dir, extra, log, label) {
  removeOutputs(dir);
  const r = timed(process.execPath, [cli, '-i', dir, '-o', '--json', ...extra], { cwd: dir });
  const lines = r.stdout.trim().split('\n');
  const summary = JSON.parse(lines.at(-1));
  if (r.status !== 0 || !summary.summary || summary.failed > 0) throw new Error(`${label}: the batch failed (${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  removeOutputs(dir);
  log(`  ${label}: ${f2(r.wall)} s, ${f1(summary.done / r.wall)} images/s, ${summary.jobs} workers, CPU ${f1(r.cpu)} s (${f2(r.cpu / r.wall)} cores), peak RSS ${f1(r.rssMb)} MiB (load ${loadavg()[0].toFixed(1)})`);
  return { wall: r.wall, cpu: r.cpu, rssMb: r.rssMb, jobs: summary.jobs, done: summary.done };
}

function referenceRun(python, reference, image, out, env) {
  const r = timed(python, [reference, '-i', image, '-w', '300', '--out', out], { cwd: tmpdir(), env });
  if (r.status !== 0) throw new Error(`reference on ${image} failed: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  rmSync(out, { force: true });
  return r.wall;
}

/**
 * How --jobs 1 and --jobs 2 used the cores, and the most --jobs 2 could gain on `cores` of them:
 * --jobs 1's CPU time spread over all of them with nothing lost to contention. --jobs 1 runs the
 * PNG compression on Node's thread pool beside its worker, so it already uses more than one core,
 * and this ceiling is below `cores`.
 */
function coreUse(runs1, runs2, cores = availableParallelism()) {
  const w1 = median(runs1.map((r) => r.wall));
  const c1 = median(runs1.map((r) => r.cpu));
  const w2 = median(runs2.map((r) => r.wall));
  const c2 = median(runs2.map((r) => r.cpu));
  return `--jobs 1 used ${f2(c1 / w1)} cores, --jobs 2 ${f2(c2 / w2)} (CPU time ${Math.round((c2 / c1) * 100)} % of --jobs 1's); ceiling on ${cores} cores ${f2((cores * w1) / c1)}x`;
}

/** The memory target of `jobs` images of w x h at once, MiB. */
const memTarget = (jobs, w, h) => jobs * (TARGETS.memFactor * ((w * h * 4) / 2 ** 20) + TARGETS.memExtraMb);

/**
 * Runs the section; returns the table's lines (also printed) and whether every target passed.
 * opts: { root, cli, python, reference, refEnv, withReference, images, photos, refSample, runs, log }
 */
export async function batchBench(opts) {
  const { cli, python, reference, refEnv, withReference, log } = opts;
  const scratch = mkdtempSync(join(tmpdir(), 'kmeans-bench-batch-'));
  const rows = [];
  const add = (what, value, target, ok) => rows.push({ what, value, target, verdict: ok === undefined ? '' : ok ? 'PASS' : 'FAIL' });
  try {
    log(`batch bench: ${opts.images} images of 640x480 at -w 300, ${opts.photos} photos of 4000x3000 at full size, ${opts.runs} run(s) of each --jobs, reference on ${opts.refSample} images; ${availableParallelism()} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const small = await makeSet(join(scratch, 'vga'), opts.images, 640, 480, log);
    const photoDir = join(scratch, 'photos');
    const photos = opts.photos > 0 ? await makeSet(photoDir, opts.photos, 4000, 3000, log) : [];

    // (a) + (b) on the small set: the reference's sample interleaved with the CLI's runs
    const sample = Array.from({ length: Math.min(opts.refSample, small.length) }, (_, i) => small[Math.floor(((i + 0.5) * small.length) / Math.min(opts.refSample, small.length))]);
    const refWalls = [];
    const refChunk = Math.ceil(sample.length / (2 * opts.runs + 1));
    let refAt = 0;
    const refSome = () => {
      if (!withReference) return;
      for (const img of sample.slice(refAt, refAt + refChunk)) refWalls.push(referenceRun(python, reference, img, join(scratch, 'ref.png'), refEnv));
      refAt += refChunk;
      log(`  reference: ${refWalls.length} of ${sample.length} runs, mean ${f2(mean(refWalls))} s`);
    };
    const vgaDir = join(scratch, 'vga');
    const smallArgs = ['-w', '300'];
    const byJobs = { 1: [], 2: [] };
    const defaults = [];
    refSome();
    defaults.push(cliBatch(cli, vgaDir, smallArgs, log, `${small.length} images, default --jobs`));
    for (let i = 0; i < opts.runs; i++) {
      refSome();
      for (const j of i % 2 ? [2, 1] : [1, 2]) byJobs[j].push(cliBatch(cli, vgaDir, [...smallArgs, '--jobs', String(j)], log, `${small.length} images, --jobs ${j}`));
    }
    while (withReference && refAt < sample.length) refSome();

    const cliWall = median(defaults.map((r) => r.wall));
    if (withReference) {
      const perImage = mean(refWalls);
      const refTotal = perImage * small.length;
      const speedup = refTotal / cliWall;
      add(
        `(a) ${small.length} images -w 300: CLI batch (default --jobs = ${defaults[0].jobs}) vs reference.py once per image`,
        `${f1(cliWall)} s vs ${f1(refTotal)} s (${small.length} x ${f2(perImage)} s, mean of ${refWalls.length} runs) = ${f1(speedup)}x`,
        `>= ${TARGETS.vsReference}x`,
        speedup >= TARGETS.vsReference,
      );
    } else add(`(a) ${small.length} images -w 300: CLI batch`, `${f1(cliWall)} s; reference SKIPPED`, `>= ${TARGETS.vsReference}x`, undefined);

    const j1 = median(byJobs[1].map((r) => r.wall));
    const j2 = median(byJobs[2].map((r) => r.wall));
    add(`(b) ${small.length} images -w 300: --jobs 2 vs --jobs 1`, `${f2(j1)} s / ${f2(j2)} s = ${f2(j1 / j2)}x (${f1(opts.images / j2)} images/s); ${coreUse(byJobs[1], byJobs[2])}`, `>= ${TARGETS.jobs2}x`, j1 / j2 >= TARGETS.jobs2);
    const smallMem = Math.max(...byJobs[2].map((r) => r.rssMb));
    const smallTarget = memTarget(Math.max(...byJobs[2].map((r) => r.jobs)), 640, 480);
    add(`(c) ${small.length} images, --jobs 2: peak RSS of the process (all workers)`, `${f1(smallMem)} MiB (--jobs 1: ${f1(Math.max(...byJobs[1].map((r) => r.rssMb)))} MiB)`, `<= 2 x ${f1(smallTarget / 2)} = ${f1(smallTarget)} MiB`, smallMem <= smallTarget);

    if (photos.length > 0) {
      const pj = { 1: [], 2: [] };
      for (let i = 0; i < opts.runs; i++) {
        for (const j of i % 2 ? [2, 1] : [1, 2]) pj[j].push(cliBatch(cli, photoDir, ['--jobs', String(j)], log, `${photos.length} photos of 12 MP, --jobs ${j}`));
      }
      const p1 = median(pj[1].map((r) => r.wall));
      const p2 = median(pj[2].map((r) => r.wall));
      add(`(b) ${photos.length} JPEGs of 12 MP, full size: --jobs 2 vs --jobs 1`, `${f1(p1)} s / ${f1(p2)} s = ${f2(p1 / p2)}x (${f2(p2 / photos.length)} s a photo); ${coreUse(pj[1], pj[2])}`, `>= ${TARGETS.jobs2}x`, p1 / p2 >= TARGETS.jobs2);
      const mem2 = Math.max(...pj[2].map((r) => r.rssMb));
      const mem1 = Math.max(...pj[1].map((r) => r.rssMb));
      const target = memTarget(Math.max(...pj[2].map((r) => r.jobs)), 4000, 3000);
      add(`(c) 12 MP photos, --jobs 2: peak RSS of the process (all workers)`, `${f1(mem2)} MiB (--jobs 1: ${f1(mem1)} MiB)`, `<= 2 x ${f1(target / 2)} = ${f1(target)} MiB`, mem2 <= target);
    }

    // (d) + (e): the extension's batch in a real VS Code on the first 50 small images and on the photos
    if (opts.extension) {
      const sets = [{ label: 'vga', files: small.slice(0, opts.extensionImages), width: 300, description: 'images of 640x480 at -w 300' }];
      if (photos.length > 0) sets.push({ label: 'photos', files: photos, width: 0, description: 'JPEGs of 12 MP at full size' });
      for (const r of await extensionBatchBench({ cli, sets, log })) add(r.what, r.value, r.target, r.ok);
    } else add('(d) the extension\'s batch in VS Code', 'SKIPPED (--batch-no-vscode)', '', undefined);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const header = ['measure', 'result', 'target', ''];
  const cells = rows.map((r) => [r.what, r.value, r.target, r.verdict]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const text = [header, ...cells].map((c) => c.map((x, i) => x.padEnd(widths[i])).join('  ').trimEnd());
  text.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const md = ['| measure | result | target | |', '| --- | --- | --- | --- |', ...cells.map((c) => `| ${c.join(' | ')} |`)];
  log(`\n${text.join('\n')}\nload average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  return { md, ok: rows.every((r) => r.verdict !== 'FAIL') };
}

/** For run.mjs: the section with its options from the command line, written to bench/out/batch.md. */
export async function runBatchSection({ root, out, cli, python, reference, refEnv, withReference, quick, value }) {
  const num = (name, fallback) => {
    const v = value(name);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v)) throw new Error(`${name} takes a whole number`);
    return Number(v);
  };
  const opts = {
    root,
    cli,
    python,
    reference,
    refEnv,
    withReference,
    images: num('--batch-images', quick ? 40 : 200),
    photos: num('--batch-photos', quick ? 4 : 20),
    refSample: num('--batch-ref-sample', quick ? 6 : 20),
    runs: num('--batch-runs', quick ? 1 : 2),
    extensionImages: num('--batch-vscode-images', quick ? 20 : 50),
    extension: !process.argv.includes('--batch-no-vscode'),
    log: (line) => console.log(line),
  };
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run node esbuild.mjs`);
  const { md, ok } = await batchBench(opts);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'batch.md'), ['# Batch benchmark', '', new Date().toISOString(), '', ...md, ''].join('\n'));
  console.log(`\nwritten: ${join(out, 'batch.md')}`);
  if (!ok) process.exitCode = 1;
}
