// Speed, quality and memory against the Python reference (the seed's script: sklearn + OpenCV).
//   npm run bench [-- --quick] [-- --cases hsv/02/3,bgr/all/5] [-- --images coffee,fruits] [-- --no-full]
//                 [-- --no-host] [-- --host-only]  (skip / run only the host-latency section: bench/host-latency.ts)
//                 [-- --no-photos]  (the host section without its 12 and 24 MP camera photos)
//                 [-- --panel]  (also the panel in a real VS Code on those photos: bench/panel-e2e.mjs)
//                 [-- --ref-threads N]  (OMP_NUM_THREADS for sklearn: on a loaded machine its default
//                                        threads spin against other work and its times balloon)
//                 [-- --no-io-photos] [-- --io-photos-only]  (skip / run only the camera-photo I/O
//                                        section: 12 and 24 MP JPEGs through the whole CLI against
//                                        OpenCV reading the photo and writing the composite PNG)
//                 [-- --batch]  (only issue 13's batch section, bench/batch.mjs: 200 images against the
//                                seed's script once per image, --jobs 2 against --jobs 1, peak memory;
//                                [--batch-images N] [--batch-photos N] [--batch-ref-sample N] [--batch-runs N] [--batch-vscode-images N] [--batch-no-vscode])
// Per case, interleaved so that load from other processes hits both sides alike: the reference
// (fit_s, and the process's wall time), one cold CLI process (its timings.kmeans, wall time and
// peak RSS) and a warm SegmentPool (after a warm-up, as the extension runs it). Prints a table,
// the medians and PASS/FAIL against the targets, and writes the same to bench/out/results.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve, basename } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { codecBundleOptions, copyCodecWasm } from '../scripts/codec-wasm.mjs';
import { cameraPhoto } from '../test/fixtures/photo/make-photo.mjs';
import { runBatchSection } from './batch.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = resolve(ROOT, '../shared');
const IMAGES_DIR = join(SHARED, 'images');
const REFERENCE = join(SHARED, 'reference', 'reference.py');
const PYTHON = '/usr/bin/python3';
const TIME = '/usr/bin/time';
const OUT = join(ROOT, 'bench', 'out');
const CLI = join(ROOT, 'dist', 'cli.js');
const WORKER = join(ROOT, 'dist', 'worker.js');

const WIDTH = 300;
const N_INIT = 40;
const MAX_ITER = 500;
const DEFAULT_CASES = ['bgr/all/3', 'bgr/all/5', 'bgr/all/8', 'hsv/02/3', 'hsv/02/5', 'lab/12/3', 'lab/12/5', 'ycrcb/1/2'];
const QUICK_IMAGES = ['coffee', 'chelsea', 'fruits'];
/** Full resolution (no -w): a few cases, the reference takes seconds on each. */
const FULL_CASES = [
  ['coffee', 'hsv/02/3'],
  ['fruits', 'bgr/all/3'],
  ['astronaut', 'lab/12/5'],
];
/** Runs of each side per full-size case (the median counts). */
const FULL_RUNS = 3;
const WARM_RUNS = 3;
/** The JIT needs a few runs per worker before the code is at speed. */
const WARM_UP_RUNS = 3;

const TARGETS = {
  coldMedian: 1 / 10,
  coldMax: 1 / 3,
  warmMedian: 1 / 25,
  wallMedian: 1 / 3,
  fullSpeedup: 10,
  inertiaTight: 0.001,
  inertiaTightShare: 0.95,
  inertiaLoose: 0.01,
  memFactor: 8,
  memExtraMb: 150,
};

// ---- options ----
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('--quick');
const cases = (value('--cases')?.split(',') ?? DEFAULT_CASES).map(parseCase);
const wantedImages = value('--images')?.split(',');
const withFull = !flag('--no-full');
const refThreads = value('--ref-threads');
const noHost = flag('--no-host');
const noIoPhotos = flag('--no-io-photos');
const ioPhotosOnly = flag('--io-photos-only');
const hostOnly = flag('--host-only');
const noPhotos = flag('--no-photos');
const panel = flag('--panel');
const batchOnly = flag('--batch');
if (noHost && hostOnly) throw new Error('--no-host and --host-only exclude each other');
const refEnv = refThreads ? { ...process.env, OMP_NUM_THREADS: refThreads } : process.env;

function parseCase(text) {
  const [space, channels, k] = text.split('/');
  if (!space || !channels || !/^\d+$/.test(k ?? '')) throw new Error(`bad case '${text}': use space/channels/k, e.g. hsv/02/3`);
  return { space, channels, k: Number(k), label: text };
}

// ---- helpers ----
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const ratio = (x) => (Number.isFinite(x) ? (x >= 0.1 ? x.toFixed(2) : `1/${(1 / x).toFixed(0)}`) : '-');

/** Runs a command under /usr/bin/time -v: wall ms (measured here), peak RSS (MB), stdout. */
function timed(cmd, args, env = process.env) {
  const useTime = existsSync(TIME);
  const opts = { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26, env };
  const t0 = process.hrtime.bigint();
  const r = useTime ? spawnSync(TIME, ['-v', cmd, ...args], opts) : spawnSync(cmd, args, opts);
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) {
    throw new Error(`${basename(cmd)} ${args.join(' ')} failed (${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
  }
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
  return { wall, rssMb: rss ? Number(rss[1]) / 1024 : NaN, stdout: r.stdout };
}

const lastJson = (stdout) => JSON.parse(stdout.trim().split('\n').pop());

function permutations(k) {
  if (k === 1) return [[0]];
  return permutations(k - 1).flatMap((p) => Array.from({ length: k }, (_, i) => [...p.slice(0, i), k - 1, ...p.slice(i)]));
}

/** Agreement of two rank images under the best one-to-one pairing of clusters. */
function pairedAgreement(a, b, k) {
  const overlap = Array.from({ length: k }, () => new Float64Array(k));
  for (let p = 0; p < a.length; p++) overlap[a[p]][b[p]] += 1;
  let best = 0;
  for (const perm of permutations(k)) {
    let s = 0;
    for (let i = 0; i < k; i++) s += overlap[i][perm[i]];
    if (s > best) best = s;
  }
  return best / a.length;
}

// ---- set-up ----
mkdirSync(OUT, { recursive: true });
// The bench runs the engine in-process for the warm pool and to read PNGs: bundle the core API.
await esbuild.build({
  entryPoints: { core: join(ROOT, 'bench/engine.ts') },
  outdir: OUT,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'error',
  ...codecBundleOptions(),
});
copyCodecWasm(OUT);
const core = createRequire(import.meta.url)(join(OUT, 'core.js'));

/** Issue 3's host-side latency (bench/host-latency.ts, bundled like the core): its verdict lines; sets exitCode on a FAIL. */
async function hostSection() {
  await esbuild.build({
    entryPoints: { 'host-latency': join(ROOT, 'bench/host-latency.ts') },
    outdir: OUT,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
    ...codecBundleOptions(),
  });
  const { hostLatency } = createRequire(import.meta.url)(join(OUT, 'host-latency.js'));
  const log = [];
  // Camera photos with real noise, made once from a fixed seed (test/fixtures/photo).
  const photos = noPhotos || quick ? [] : await Promise.all([[4000, 3000], [6000, 4000]].map(([w, h]) => cameraPhoto(w, h, { seed: 1 })));
  const verdicts = await hostLatency({
    imagesDir: IMAGES_DIR,
    workerPath: WORKER,
    imageWorkerPath: join(ROOT, 'dist', 'imageWorker.js'),
    cliPath: CLI,
    photos,
    images: wantedImages ?? (quick ? QUICK_IMAGES : undefined),
    // Explore on the article's plate and two photos of the shared set.
    sweepImages: [join(ROOT, 'media', 'samples', 'ishihara-5.png'), ...(quick ? [] : ['chelsea', 'coffee'].map((n) => join(IMAGES_DIR, `${n}.png`)))].filter((p) => existsSync(p)),
    log: (line) => {
      console.log(line);
      log.push(line);
    },
  });
  const lines = verdicts.map((v) => (v.ok === undefined ? v.detail : `${v.ok ? 'PASS' : 'FAIL'}  ${v.what}: ${v.detail}`));
  console.log(`\n${lines.join('\n')}`);
  writeFileSync(join(OUT, 'host-latency.md'), ['# Host latency', '', new Date().toISOString(), '', '```', ...log, '', ...lines, '```', ''].join('\n'));
  console.log(`\nwritten: ${join(OUT, 'host-latency.md')}`);
  if (verdicts.some((v) => v.ok === false)) process.exitCode = 1;
}
/** The panel in a real VS Code on the camera photos (bench/panel-e2e.mjs), in a process of its own. */
function panelSection() {
  const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'panel-e2e.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
if (hostOnly) {
  await hostSection();
  if (panel) panelSection();
  process.exit();
}

/** Camera photos (test/fixtures/photo, seed 1): the JPEG sizes people segment. */
const PHOTO_SIZES = [
  ['12 MP', 4000, 3000],
  ['24 MP', 6000, 4000],
];
const PHOTO_RUNS = 3;
/**
 * The CLI's case on the photos: hue alone, 2 clusters (as the Ishihara plate), so that the run is
 * mostly what this section measures (decode, composite, encode); bgr/all on a photo's million
 * colours is the k-means benchmark's business.
 */
const PHOTO_CASE = { space: 'hsv', channels: '0', k: 2 };
/** OpenCV alone on the same photo: read it, build the seed's composite (2 gray levels), write it as PNG. */
const OPENCV_IO = `
import sys, time, json
t0 = time.time()
import cv2, numpy as np
t1 = time.time()
img = cv2.imread(sys.argv[1], cv2.IMREAD_COLOR)
t2 = time.time()
gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
labels = np.where(gray < 128, 0, 255).astype(np.uint8)
strip = np.full((img.shape[0], int(0.0625 * img.shape[1]), 3), 193, np.uint8)
composite = np.hstack([img, strip, cv2.merge([labels, labels, labels])])
t3 = time.time()
cv2.imwrite(sys.argv[2], composite)
t4 = time.time()
print(json.dumps({'import_ms': (t1 - t0) * 1e3, 'read_ms': (t2 - t1) * 1e3, 'composite_ms': (t3 - t2) * 1e3, 'write_ms': (t4 - t3) * 1e3}))
`;
const PHOTO_TARGETS = { decode: 3, whole: 2 };

/** The photo section's verdict lines; sets exitCode on a FAIL. */
async function ioPhotoSection() {
  if (!withReference) {
    console.log('\ncamera photos: SKIPPED (no OpenCV to compare with)');
    return [];
  }
  const dir = mkdtempSync(join(tmpdir(), 'kmeans-bench-photos-'));
  const lines = [];
  const verdicts = [];
  try {
    for (const [label, w, h] of PHOTO_SIZES) {
      const photo = await cameraPhoto(w, h, { seed: 1 });
      const ref = [];
      const ours = [];
      for (let i = 0; i < PHOTO_RUNS; i++) {
        const runRef = () => {
          const out = join(dir, `cv-${i}.png`);
          const r = timed(PYTHON, ['-c', OPENCV_IO, photo, out]);
          ref.push({ wall: r.wall, rss: r.rssMb, ...lastJson(r.stdout) });
          rmSync(out, { force: true });
        };
        const runOurs = () => {
          const out = join(dir, `ours-${i}.png`);
          const c = PHOTO_CASE;
          const r = timed(process.execPath, [CLI, '-i', photo, '-s', c.space, '-c', c.channels, '-n', String(c.k), '--json', '--out', out]);
          ours.push({ wall: r.wall, rss: r.rssMb, ...lastJson(r.stdout).timings });
          rmSync(out, { force: true });
        };
        for (const step of i % 2 === 0 ? [runRef, runOurs] : [runOurs, runRef]) step();
        process.stdout.write(`camera photo ${label} run ${i + 1}/${PHOTO_RUNS}: CLI ${fmt(ours.at(-1).wall)} ms (decode ${fmt(ours.at(-1).decode)}, encode ${fmt(ours.at(-1).encode)}), OpenCV ${fmt(ref.at(-1).wall)} ms (read ${fmt(ref.at(-1).read_ms)}, write ${fmt(ref.at(-1).write_ms)})\n`);
      }
      const m = (xs, key) => median(xs.map((x) => x[key]));
      const decodeRatio = m(ours, 'decode') / m(ref, 'read_ms');
      const wholeRatio = m(ours, 'wall') / m(ref, 'wall');
      const encodeRatio = m(ours, 'encode') / m(ref, 'write_ms');
      const rgbaMb = (w * h * 4) / 2 ** 20;
      const memLimit = TARGETS.memFactor * rgbaMb + TARGETS.memExtraMb;
      lines.push(
        `${label} (${w}x${h} JPEG, ${(readFileSync(photo).length / 2 ** 20).toFixed(1)} MB), medians of ${PHOTO_RUNS}: ` +
          `CLI ${fmt(m(ours, 'wall'))} ms whole (decode ${fmt(m(ours, 'decode'))}, convert ${fmt(m(ours, 'convert'))}, k-means ${fmt(m(ours, 'kmeans'))}, composite ${fmt(m(ours, 'composite'))}, encode+write ${fmt(m(ours, 'encode'))}; peak ${fmt(m(ours, 'rss'))} MB) | ` +
          `OpenCV ${fmt(m(ref, 'wall'))} ms whole (import ${fmt(m(ref, 'import_ms'))}, read ${fmt(m(ref, 'read_ms'))}, composite ${fmt(m(ref, 'composite_ms'))}, write ${fmt(m(ref, 'write_ms'))}) | ` +
          `decode/read ${decodeRatio.toFixed(2)}, encode/write ${encodeRatio.toFixed(2)}, whole/OpenCV ${wholeRatio.toFixed(2)}`,
      );
      verdicts.push({ what: `${label} JPEG: decoding <= ${PHOTO_TARGETS.decode}x cv2.imread`, ok: decodeRatio <= PHOTO_TARGETS.decode, detail: `${decodeRatio.toFixed(2)}x (${fmt(m(ours, 'decode'))} vs ${fmt(m(ref, 'read_ms'))} ms)` });
      verdicts.push({
        what: `${label} JPEG: whole CLI run (${PHOTO_CASE.space}/${PHOTO_CASE.channels}/k=${PHOTO_CASE.k}, full size, composite PNG) <= ${PHOTO_TARGETS.whole}x OpenCV reading it and writing the composite`,
        ok: wholeRatio <= PHOTO_TARGETS.whole,
        detail: `${wholeRatio.toFixed(2)}x (${fmt(m(ours, 'wall'))} vs ${fmt(m(ref, 'wall'))} ms)`,
      });
      verdicts.push({ what: `${label} JPEG: CLI peak memory <= ${TARGETS.memFactor}x RGBA + ${TARGETS.memExtraMb} MB`, ok: m(ours, 'rss') <= memLimit, detail: `${fmt(m(ours, 'rss'))} of ${fmt(memLimit)} MB` });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const verdictLines = verdicts.map((v) => `${v.ok ? 'PASS' : 'FAIL'}  ${v.what}: ${v.detail}`);
  console.log(`\n${lines.join('\n')}\n\n${verdictLines.join('\n')}`);
  if (verdicts.some((v) => !v.ok)) process.exitCode = 1;
  return [...lines, '', ...verdictLines];
}


for (const f of [CLI, WORKER]) if (!existsSync(f)) throw new Error(`${f} is missing: run node esbuild.mjs`);

const problems = [];
let refVersions = null;
if (!existsSync(REFERENCE)) problems.push(`the reference ${REFERENCE} is missing`);
else if (!existsSync(PYTHON)) problems.push(`${PYTHON} is missing`);
else {
  const v = spawnSync(PYTHON, ['-c', 'import cv2, sklearn, numpy; print(sklearn.__version__, cv2.__version__, numpy.__version__)'], {
    encoding: 'utf8',
  });
  if (v.status !== 0) problems.push(`${PYTHON} lacks sklearn/cv2 (apt-get install -y python3-sklearn python3-opencv)`);
  else {
    const [sklearn, cv2, numpy] = v.stdout.trim().split(' ');
    refVersions = { sklearn, cv2, numpy };
  }
}
const withReference = refVersions !== null;
if (!existsSync(IMAGES_DIR)) throw new Error(`no images: ${IMAGES_DIR} is missing`);

let images = readdirSync(IMAGES_DIR)
  .filter((f) => f.endsWith('.png'))
  .map((f) => f.replace(/\.png$/, ''))
  .sort();
if (wantedImages) images = images.filter((n) => wantedImages.includes(n));
else if (quick) images = images.filter((n) => QUICK_IMAGES.includes(n));
const fullCases = !withFull ? [] : (quick ? FULL_CASES.slice(0, 1) : FULL_CASES).filter(([n]) => images.includes(n) || !wantedImages);

const machine = [
  `CPU: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores (shared with other work: numbers are noisy)`,
  `node ${process.version}`,
  withReference
    ? `reference: sklearn ${refVersions.sklearn}, OpenCV ${refVersions.cv2}, numpy ${refVersions.numpy}, OMP_NUM_THREADS=${refThreads ?? 'default'}`
    : `reference: SKIPPED (${problems.join('; ')})`,
  `load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  `settings: width ${WIDTH}, n-init ${N_INIT}, max-iter ${MAX_ITER}, seed 0; warm = SegmentPool(size ${Math.min(2, cpus().length)}), median of ${WARM_RUNS} runs after ${WARM_UP_RUNS} warm-up runs, pixels sent each run; full size: median of ${FULL_RUNS} interleaved runs of each side`,
];
console.log(machine.join('\n'));
if (!withReference) console.log(`\n*** The reference is SKIPPED: ${problems.join('; ')}. Only our numbers are shown. ***\n`);

if (batchOnly) {
  await runBatchSection({ root: ROOT, out: OUT, cli: CLI, python: PYTHON, reference: REFERENCE, refEnv, withReference, quick, value });
  process.exit();
}

if (ioPhotosOnly) {
  const lines = await ioPhotoSection();
  writeFileSync(join(OUT, 'io-photos.md'), ['# Camera photos: decode and encode', '', new Date().toISOString(), '', '```', ...lines, '```', ''].join('\n'));
  console.log(`\nwritten: ${join(OUT, 'io-photos.md')}`);
  process.exit();
}

const scratch = mkdtempSync(join(tmpdir(), 'kmeans-bench-'));
let fileNo = 0;
const scratchFile = (stem) => join(scratch, `${stem}-${fileNo++}.png`);

async function ranks(path, k) {
  const img = await core.decodeImage(readFileSync(path), path);
  // k = 1 (a one-colour image, k capped) is all black: rank 0.
  const toRank = k < 2 ? new Map([[0, 0]]) : new Map(Array.from({ length: k }, (_, i) => [core.grayLevel(i, k), i]));
  const out = new Uint8Array(img.width * img.height);
  for (let p = 0; p < out.length; p++) {
    const r = toRank.get(img.data[p * 3]);
    if (r === undefined) throw new Error(`${path}: gray ${img.data[p * 3]} is no label level for k=${k}`);
    out[p] = r;
  }
  return out;
}

const pool = new core.SegmentPool({ workerPath: WORKER });

/** One case: the reference, the cold CLI and the warm pool, in an order that alternates. */
async function runCase(name, c, width, order) {
  const imagePath = join(IMAGES_DIR, `${name}.png`);
  const common = ['-i', imagePath, ...(width > 0 ? ['-w', String(width)] : []), '-s', c.space, '-c', c.channels, '-n', String(c.k)];
  const row = { case: `${name} ${c.label}${width > 0 ? '' : ' (full)'}`, name, full: width === 0 };

  const runRef = () => {
    if (!withReference) return;
    const labels = scratchFile('ref');
    const r = timed(PYTHON, [REFERENCE, ...common, '--seed', '0', '--labels', labels], refEnv);
    const j = lastJson(r.stdout);
    Object.assign(row, { refK: j.k, refFit: j.fit_s * 1000, refTotal: j.total_s * 1000, refWall: r.wall, refRss: r.rssMb, refInertia: j.inertia, refLabels: labels });
  };
  const runCli = () => {
    const labels = scratchFile('ours');
    const r = timed(process.execPath, [CLI, ...common, '--seed', '0', '--n-init', String(N_INIT), '--max-iter', String(MAX_ITER), '--json', '--labels', labels]);
    const j = lastJson(r.stdout);
    Object.assign(row, { cold: j.timings.kmeans, cliWall: r.wall, cliRss: r.rssMb, inertia: j.inertia, k: j.k, labels, w: j.width, h: j.height });
  };
  const runWarm = async () => {
    if (row.full) return;
    const img = await decoded(imagePath);
    const { params } = core.validateParams({ colorSpace: c.space, channels: c.channels, k: c.k, width, nInit: N_INIT, maxIter: MAX_ITER, seed: 0 });
    for (let i = 0; i < WARM_UP_RUNS; i++) await pool.segment(img, params);
    const kmeans = [];
    const walls = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      const t0 = performance.now();
      const r = await pool.segment(img, params);
      walls.push(performance.now() - t0);
      kmeans.push(r.timings.kmeans);
    }
    Object.assign(row, { warm: median(kmeans), warmWall: median(walls) });
  };

  const steps = order ? [runRef, runCli, runWarm] : [runWarm, runCli, runRef];
  for (const step of steps) await step();
  if (row.full) {
    // One full-size run takes seconds on the reference's side and its time drifts by +-15 %
    // between runs here: the median of FULL_RUNS interleaved runs of each side.
    const refWalls = [row.refWall];
    const cliWalls = [row.cliWall];
    const colds = [row.cold];
    for (let i = 1; i < FULL_RUNS; i++) {
      for (const step of i % 2 === 1 ? [runCli, runRef] : [runRef, runCli]) await step();
      refWalls.push(row.refWall);
      cliWalls.push(row.cliWall);
      colds.push(row.cold);
    }
    Object.assign(row, { refWall: withReference ? median(refWalls) : undefined, cliWall: median(cliWalls), cold: median(colds) });
  }

  if (withReference) {
    row.inertiaRatio = row.refInertia === 0 ? (row.inertia === 0 ? 1 : Infinity) : row.inertia / row.refInertia;
    // The reference keeps the requested k even when there are fewer distinct colours.
    const refK = row.refK;
    row.agreement = pairedAgreement(await ranks(row.labels, row.k), await ranks(row.refLabels, refK), Math.max(row.k, refK));
  }
  const info = await imageInfo(imagePath);
  row.rgbaMb = (info.width * info.height * 4) / (1 << 20);
  return row;
}

const decodedCache = new Map();
async function decoded(path) {
  if (!decodedCache.has(path)) decodedCache.set(path, await core.decodeImage(readFileSync(path), path));
  return decodedCache.get(path);
}
async function imageInfo(path) {
  const img = await decoded(path);
  return { width: img.width, height: img.height };
}

const rows = [];
const failedCases = [];
/** A case that throws is reported and counted as a failure; the others still run. */
async function guarded(label, run) {
  try {
    return await run();
  } catch (e) {
    failedCases.push(`${label}: ${e instanceof Error ? e.message : String(e)}`);
    process.stdout.write(`[${n + 1}/${total}] ${label}: ERROR ${failedCases.at(-1)}\n`);
    return undefined;
  }
}
let n = 0;
const total = images.length * cases.length + fullCases.length;
try {
  for (const name of images) {
    for (const c of cases) {
      const row = await guarded(`${name} ${c.label}`, () => runCase(name, c, WIDTH, n % 2 === 0));
      n++;
      if (!row) continue;
      rows.push(row);
      process.stdout.write(`[${n}/${total}] ${row.case}: ours ${fmt(row.cold)} ms cold, ${fmt(row.warm)} ms warm; reference fit ${fmt(row.refFit)} ms\n`);
    }
  }
  for (const [name, label] of fullCases) {
    const row = await guarded(`${name} ${label} (full)`, () => runCase(name, parseCase(label), 0, n % 2 === 0));
    n++;
    if (!row) continue;
    rows.push(row);
    process.stdout.write(`[${n}/${total}] ${row.case}: CLI ${fmt(row.cliWall)} ms, reference ${fmt(row.refWall)} ms\n`);
  }
} finally {
  await pool.dispose();
  rmSync(scratch, { recursive: true, force: true });
}

// ---- table ----
const header = [
  'case', 'ours kmeans ms (cold)', 'warm ms', 'warm wall ms', 'ref fit ms', 'cold/fit', 'warm/fit',
  'CLI wall ms', 'ref wall ms', 'CLI/ref wall', 'inertia ratio', 'labels agree', 'CLI maxRSS MB',
];
const lines = rows.map((r) => [
  r.case, fmt(r.cold, 1), fmt(r.warm, 1), fmt(r.warmWall, 1), fmt(r.refFit), ratio(r.cold / r.refFit), ratio(r.warm / r.refFit),
  fmt(r.cliWall), fmt(r.refWall), ratio(r.cliWall / r.refWall), Number.isFinite(r.inertiaRatio) ? r.inertiaRatio.toFixed(6) : '-',
  Number.isFinite(r.agreement) ? `${(r.agreement * 100).toFixed(2)} %` : '-', fmt(r.cliRss),
]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
const textRow = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
const mdRow = (cells) => `| ${cells.join(' | ')} |`;

// ---- verdicts ----
const scaled = rows.filter((r) => !r.full);
const full = rows.filter((r) => r.full);
const verdicts = [];
const check = (what, ok, detail) => verdicts.push({ what, ok, detail });
const memOk = rows.every((r) => !Number.isFinite(r.cliRss) || r.cliRss <= TARGETS.memFactor * r.rgbaMb + TARGETS.memExtraMb);
const worstMem = rows.reduce((w, r) => Math.max(w, r.cliRss - TARGETS.memFactor * r.rgbaMb - TARGETS.memExtraMb), -Infinity);

if (withReference) {
  const cold = scaled.map((r) => r.cold / r.refFit);
  const warm = scaled.map((r) => r.warm / r.refFit);
  const wall = scaled.map((r) => r.cliWall / r.refWall);
  const inertia = rows.map((r) => r.inertiaRatio - 1);
  const agree = rows.map((r) => r.agreement);
  check('cold kmeans <= 1/10 of sklearn fit (median)', median(cold) <= TARGETS.coldMedian, `median ${ratio(median(cold))}`);
  check('cold kmeans never > 1/3 of sklearn fit', Math.max(...cold) <= TARGETS.coldMax, `worst ${ratio(Math.max(...cold))}`);
  check('warm kmeans <= 1/25 of sklearn fit (median)', median(warm) <= TARGETS.warmMedian, `median ${ratio(median(warm))}`);
  check('CLI process <= 1/3 of the reference run (median)', median(wall) <= TARGETS.wallMedian, `median ${ratio(median(wall))}`);
  if (full.length) {
    const speedups = full.map((r) => r.refWall / r.cliWall);
    check('full resolution: CLI process >= 10x faster', Math.min(...speedups) >= TARGETS.fullSpeedup, speedups.map((s) => `${s.toFixed(1)}x`).join(', '));
  }
  const tightShare = inertia.filter((d) => d <= TARGETS.inertiaTight).length / inertia.length;
  check('inertia <= 0.1 % above sklearn in >= 95 % of cases', tightShare >= TARGETS.inertiaTightShare, `${(tightShare * 100).toFixed(1)} % of ${inertia.length}`);
  check('inertia <= 1 % above sklearn in all cases', Math.max(...inertia) <= TARGETS.inertiaLoose, `worst ${(Math.max(...inertia) * 100).toFixed(4)} %`);
  verdicts.push({
    what: 'summary',
    detail:
      `cold/fit median ${ratio(median(cold))} (min ${ratio(Math.min(...cold))}, max ${ratio(Math.max(...cold))}); ` +
      `warm/fit median ${ratio(median(warm))} (min ${ratio(Math.min(...warm))}); CLI/ref wall median ${ratio(median(wall))} (min ${ratio(Math.min(...wall))}); ` +
      `inertia ratio median ${median(inertia.map((d) => d + 1)).toFixed(6)} (max ${(Math.max(...inertia) + 1).toFixed(6)}); ` +
      `label agreement median ${(median(agree) * 100).toFixed(2)} % (min ${(Math.min(...agree) * 100).toFixed(2)} %)`,
  });
} else {
  verdicts.push({ what: 'summary', detail: `cold kmeans median ${fmt(median(scaled.map((r) => r.cold)), 1)} ms, warm median ${fmt(median(scaled.map((r) => r.warm)), 1)} ms (no reference to compare)` });
}
check(`CLI peak memory <= ${TARGETS.memFactor}x decoded RGBA + ${TARGETS.memExtraMb} MB`, memOk, `worst margin ${fmt(-worstMem)} MB to spare`);

check('every case ran', failedCases.length === 0, failedCases.length ? failedCases.join('; ') : `${rows.length} cases`);
verdicts.push({ what: 'load', detail: `load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}` });
const verdictLines = verdicts.map((v) => (v.ok === undefined ? `${v.detail}` : `${v.ok ? 'PASS' : 'FAIL'}  ${v.what}: ${v.detail}`));
console.log(`\n${textRow(header)}\n${lines.map(textRow).join('\n')}\n\n${verdictLines.join('\n')}`);

const md = [
  '# Benchmark results',
  '',
  `${new Date().toISOString()}`,
  '',
  ...machine.map((m) => `- ${m}`),
  '',
  mdRow(header),
  mdRow(header.map(() => '---')),
  ...lines.map(mdRow),
  '',
  ...verdictLines.map((l) => `- ${l}`),
  '',
].join('\n');
process.exitCode = verdicts.some((v) => v.ok === false) ? 1 : 0;
const photoLines = noIoPhotos ? [] : await ioPhotoSection();
writeFileSync(join(OUT, 'results.md'), photoLines.length ? `${md}\n## Camera photos (JPEG)\n\n${photoLines.map((l) => (l ? `- ${l}` : '')).join('\n')}\n` : md);
console.log(`\nwritten: ${join(OUT, 'results.md')}`);
if (!noHost) await hostSection();
if (panel) panelSection();
