// The panel's host side, timed (issues 3 and 10): from a parameter change (the webview's raw
// `run` message) to the messages the panel draws, through the panel's own code
// (checkWebviewMessage -> PanelSession -> SegmentPool + the image worker), with the workers as
// the extension makes them; only VS Code's postMessage itself is left out (the end-to-end
// measurement in bench/panel-e2e.mjs has it). Two parts:
//  - width 300 on the shared images: change -> final result (target: median <= 150 ms);
//  - camera photos (12 and 24 MP JPEGs with real noise, test/fixtures/photo): open (read,
//    decode, original, preview, final) and parameter changes, each timed to the preview and
//    to the final result, against the CLI's whole run on the same photo in the same run; the
//    process's peak RSS (the host and its worker threads share it, as in the extension host),
//    and what closing the panel gives back.
// Bundled and called by bench/run.mjs (see its --no-host / --host-only / --photos).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SegmentPool } from '../src/core/worker/pool';
import { readImageHeader } from '../src/core/header';
import { decodeForPool } from '../src/extension/workers/decodeForPool';
import { ImageClient } from '../src/extension/workers/imageClient';
import { PanelSession, type LoadedImage, type ThumbsWanted } from '../src/extension/editor/panelSession';
import { checkWebviewMessage, type HostMessage, type ResultMessage, type ResultView } from '../src/shared/protocol';
import type { PanelParams } from '../src/shared/params';

export interface HostBenchOptions {
  imagesDir: string;
  workerPath: string;
  imageWorkerPath: string;
  cliPath: string;
  /** Image names (without .png) to use; default every PNG in imagesDir. */
  images?: string[];
  /** Camera photos (JPEG paths) for the large-photo part; none skips it. */
  photos?: string[];
  /** Skip the width-300 part. */
  noScaled?: boolean;
  /** Images (paths) for the Explore part: the 28-setting sweep in the panel and the CLI's --sweep; none skips it. */
  sweepImages?: string[];
  log(line: string): void;
}

export interface Verdict {
  what: string;
  ok?: boolean;
  detail: string;
}

export const TARGET_SCALED_MS = 150;
/** A preview within this of every change. */
export const TARGET_PREVIEW_MS = 500;
export const TARGET_RSS_MB = 1024;
/** Explore (issue 15): the 28 settings in the panel, the first of them, and the CLI's --sweep against one run. */
export const TARGET_SWEEP_MS = 1500;
export const TARGET_SWEEP_FIRST_MS = 300;
export const TARGET_SWEEP_CLI_RATIO = 5;
const SWEEP_REPEATS = 3;
const POOL_SIZE = 2;
const WARM_UP_RUNS = 4;
const GRAY: ResultView = { mode: 'gray', selected: [], white: false };

const DEFAULTS: PanelParams = { colorSpace: 'bgr', channels: [0, 1, 2], k: 3, width: 300, nInit: 40, maxIter: 500, seed: 0, format: 'png' };

/** A user's session on one image, each step one change from the one before (starting at DEFAULTS). */
const SCALED_CHANGES: Partial<PanelParams>[] = [
  { k: 2 }, { k: 4 }, { k: 5 }, { k: 6 }, { k: 7 }, { k: 8 },
  { colorSpace: 'hsv' }, { channels: [0, 2] }, { k: 5 }, { k: 3 },
  { colorSpace: 'lab' }, { channels: [1, 2] }, { k: 4 },
  { colorSpace: 'ycrcb' }, { channels: [1] }, { k: 2 },
];

/** On a camera photo at full size: k changes (the common case), then other spaces. */
const PHOTO_CHANGES: Partial<PanelParams>[] = [{ k: 4 }, { k: 5 }, { k: 3 }, { colorSpace: 'hsv', channels: [0, 2] }, { k: 4 }, { colorSpace: 'lab', channels: [1, 2], k: 3 }];

export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}
const median = (xs: number[]): number => quantile(xs, 0.5);
const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : '-');
const sec = (x: number): string => (Number.isFinite(x) ? `${(x / 1000).toFixed(2)} s` : '-');
const label = (p: PanelParams): string => `${p.colorSpace}/${p.channels.join('')}/k${p.k}${p.width ? '' : '/full'}`;
const loadText = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** Peak resident memory of this process (host thread and workers), sampled. */
class RssPeak {
  peak = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  start(): void {
    this.peak = process.memoryUsage.rss();
    this.timer = setInterval(() => (this.peak = Math.max(this.peak, process.memoryUsage.rss())), 25);
  }
  stop(): number {
    clearInterval(this.timer);
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
    return this.peak;
  }
}

interface Timed {
  /** ms from the raw message to each message kind's first arrival (for this run). */
  original?: number;
  preview?: number;
  final: number;
  result: ResultMessage;
  /** Bytes of every message posted for the run (what would cross to the webview). */
  bytes: number;
  largest: number;
}

/** Bytes a message would carry to the webview: its ArrayBuffers. */
function payload(msg: HostMessage): number {
  let n = 0;
  const walk = (v: unknown): void => {
    if (v instanceof ArrayBuffer) n += v.byteLength;
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(msg);
  return n;
}

/** The insight views' own thread, as the extension has it (workers/workers.ts: insightWorker). */
let insights: ImageClient | undefined;
/** The reduced copies' thread: the decoding thread, as the extension has it (panel.ts). */
let reducer: ImageClient | undefined;

/** One panel as the extension host runs it, minus vscode: raw messages in, messages out. */
class HeadlessPanel {
  readonly session: PanelSession;
  private nextId = 1;
  private listener: ((m: HostMessage) => void) | undefined;

  constructor(pool: SegmentPool, io: ImageClient, load: (thumbs: ThumbsWanted) => Promise<LoadedImage>) {
    this.session = new PanelSession({
      load: (_stage, thumbs) => load(thumbs),
      pool: () => pool,
      io: () => io,
      insights: () => insights ?? io,
      reducer: () => reducer ?? io,
      post: (m) => this.listener?.(m),
      fail: (e) => this.listener?.({ type: 'error', requestId: null, message: e instanceof Error ? e.message : String(e) }),
    });
    this.session.ready(1024);
  }

  /** Sends an Explore request and times its first setting and its end. */
  async sweep(params: PanelParams): Promise<{ first: number; done: number; items: number }> {
    const raw: unknown = JSON.parse(JSON.stringify({ type: 'sweep', requestId: this.nextId++, params, axis: 'channels' }));
    const t0 = performance.now();
    const checked = checkWebviewMessage(raw);
    if (!checked.ok || checked.value.type !== 'sweep') throw new Error(`the sweep message was refused: ${checked.ok ? 'not a sweep' : checked.reason}`);
    const msg = checked.value;
    let first = NaN;
    let items = 0;
    const done = new Promise<number>((resolve, reject) => {
      this.listener = (m) => {
        if (m.type === 'sweepItem' && m.requestId === msg.requestId) {
          items++;
          if (Number.isNaN(first)) first = performance.now() - t0;
        } else if (m.type === 'sweepDone' && m.requestId === msg.requestId) {
          if (m.error) reject(new Error(m.error));
          else resolve(performance.now() - t0);
        } else if (m.type === 'error') reject(new Error(m.message));
      };
    });
    this.session.sweep(msg);
    const end = await done;
    return { first, done: end, items };
  }

  /** Sends a run and times its messages until the final result. */
  async change(params: PanelParams): Promise<Timed> {
    const raw: unknown = JSON.parse(JSON.stringify({ type: 'run', requestId: this.nextId++, params, view: GRAY }));
    const t0 = performance.now();
    const checked = checkWebviewMessage(raw);
    if (!checked.ok || checked.value.type !== 'run') throw new Error(`the run message was refused: ${checked.ok ? 'not a run' : checked.reason}`);
    const msg = checked.value;
    const timed: Partial<Timed> = { bytes: 0, largest: 0 };
    const done = new Promise<void>((resolve, reject) => {
      this.listener = (m) => {
        const size = payload(m);
        timed.bytes! += size;
        timed.largest = Math.max(timed.largest!, size);
        const t = performance.now() - t0;
        if (m.type === 'original') timed.original ??= t;
        else if (m.type === 'error') reject(new Error(m.message));
        else if (m.type === 'result' && m.requestId === msg.requestId) {
          if (m.preview) timed.preview ??= t;
          else {
            timed.final = t;
            timed.result = m;
          }
        } else if (m.type === 'insight') resolve();
      };
    });
    this.session.run(msg);
    await done;
    await this.session.idle();
    return timed as Timed;
  }
}

/** A fresh CLI process with these arguments (writing into a temporary folder), wall time in ms. */
function cliTimed(cliPath: string, args: (dir: string) => string[]): number {
  const dir = mkdtempSync(join(tmpdir(), 'host-bench-cli-'));
  try {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cliPath, ...args(dir)], { encoding: 'utf8' });
    const t = performance.now() - t0;
    if (r.status !== 0) throw new Error(`the CLI failed: ${r.stderr}`);
    return t;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Explore: per image, the panel's 28-setting sweep (colour spaces x channel subsets at k = 3, on
 * its 300-pixel copy, the image already open), and the CLI's --sweep against one ordinary CLI
 * run at width 300, interleaved; medians of SWEEP_REPEATS.
 */
async function sweepPart(
  o: HostBenchOptions,
  pool: SegmentPool,
  io: ImageClient,
  decoded: (path: string) => Promise<LoadedImage>,
  verdicts: Verdict[],
): Promise<void> {
  o.log(`\nExplore: 28 settings (4 colour spaces x 7 channel subsets, k = 3) at width 300; medians of ${SWEEP_REPEATS}`);
  o.log(`${'image'.padEnd(16)}  ${'first'.padStart(7)}  ${'all 28'.padStart(7)}  ${'CLI --sweep'.padStart(11)}  ${'CLI -w 300'.padStart(10)}  ratio`);
  const firsts: number[] = [];
  const dones: number[] = [];
  const ratios: number[] = [];
  for (const path of o.sweepImages!) {
    const loaded = await decoded(path);
    const panel = new HeadlessPanel(pool, io, async () => loaded);
    await panel.change({ ...DEFAULTS });
    const first: number[] = [];
    const done: number[] = [];
    const sweepCli: number[] = [];
    const oneCli: number[] = [];
    for (let i = 0; i < SWEEP_REPEATS; i++) {
      const r = await panel.sweep({ ...DEFAULTS });
      if (r.items !== 28) throw new Error(`the sweep of ${path} gave ${r.items} settings, not 28`);
      first.push(r.first);
      done.push(r.done);
      sweepCli.push(cliTimed(o.cliPath, (dir) => ['-i', path, '--sweep', '-n', '3', '--out', join(dir, 'sheet.png')]));
      oneCli.push(cliTimed(o.cliPath, (dir) => ['-i', path, '-w', '300', '-n', '3', '--out', join(dir, 'out.png')]));
    }
    panel.session.dispose();
    const ratio = median(sweepCli) / median(oneCli);
    firsts.push(median(first));
    dones.push(median(done));
    ratios.push(ratio);
    const name = path.split('/').pop()!;
    o.log(
      `${name.padEnd(16)}  ${ms(median(first)).padStart(7)}  ${ms(median(done)).padStart(7)}  ${ms(median(sweepCli)).padStart(11)}  ` +
        `${ms(median(oneCli)).padStart(10)}  ${ratio.toFixed(2)}x`,
    );
  }
  verdicts.push({
    what: `Explore in the panel: 28 settings at width 300 <= ${TARGET_SWEEP_MS} ms, the first <= ${TARGET_SWEEP_FIRST_MS} ms`,
    ok: Math.max(...dones) <= TARGET_SWEEP_MS && Math.max(...firsts) <= TARGET_SWEEP_FIRST_MS,
    detail: `all 28: worst median ${ms(Math.max(...dones))}; first: worst median ${ms(Math.max(...firsts))} (${o.sweepImages!.length} images)`,
  });
  verdicts.push({
    what: `CLI --sweep <= ${TARGET_SWEEP_CLI_RATIO}x one CLI run at width 300`,
    ok: Math.max(...ratios) <= TARGET_SWEEP_CLI_RATIO,
    detail: `worst ${Math.max(...ratios).toFixed(2)}x, median ${median(ratios).toFixed(2)}x`,
  });
}

/** The CLI's whole run on a photo (a fresh process, PNG written), wall time in ms. */
function cliRun(cliPath: string, photo: string, params: PanelParams): number {
  const dir = mkdtempSync(join(tmpdir(), 'host-bench-cli-'));
  try {
    const args = [cliPath, '-i', photo, '-s', params.colorSpace, '-c', params.channels.join(''), '-n', String(params.k), '--out', join(dir, 'out.png')];
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const t = performance.now() - t0;
    if (r.status !== 0) throw new Error(`the CLI failed on ${photo}: ${r.stderr}`);
    return t;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function hostLatency(o: HostBenchOptions): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  const startLoad = loadavg()[0]!;
  o.log(`\n## Host latency (issues 3 and 10): parameter change -> messages ready to post`);
  o.log(`panel code path: checkWebviewMessage -> PanelSession -> SegmentPool (${POOL_SIZE} workers) + image worker; postMessage itself not included`);
  o.log(`load average at start: ${loadText()}${startLoad > 1 ? '  (> 1: the machine is busy, numbers are noisy and pessimistic)' : ''}`);
  for (const f of [o.workerPath, o.imageWorkerPath]) if (!existsSync(f)) throw new Error(`${f} is missing: run node esbuild.mjs`);

  const pool = new SegmentPool({ workerPath: o.workerPath, size: POOL_SIZE });
  const io = new ImageClient(o.imageWorkerPath);
  insights = new ImageClient(o.imageWorkerPath);
  // Decoding on a thread of its own, as the extension does (workers/workers.ts: imageDecoder).
  const decoder = new ImageClient(o.imageWorkerPath);
  reducer = decoder;
  const decoded = async (path: string): Promise<LoadedImage> => ({ image: await decoder.decode(new Uint8Array(readFileSync(path)), path, 500e6), key: `${path}#1` });
  try {
    if (!o.noScaled) await scaledPart(o, pool, io, decoded, verdicts);
    if (o.sweepImages?.length) await sweepPart(o, pool, io, decoded, verdicts);
    for (const photo of o.photos ?? []) await photoPart(o, pool, io, decoder, photo, verdicts);
    return verdicts;
  } finally {
    await pool.dispose();
    await io.dispose();
    await insights.dispose();
    insights = undefined;
    await decoder.dispose();
    const endLoad = loadavg()[0]!;
    const noisy = Math.max(startLoad, endLoad) > 1;
    verdicts.push({
      what: 'host load',
      detail: `load average at the end of the host bench: ${loadText()}${noisy ? ' (> 1 during the run: other work shared the 2 cores, so these times are noisy and pessimistic)' : ''}`,
    });
  }
}

async function scaledPart(
  o: HostBenchOptions,
  pool: SegmentPool,
  io: ImageClient,
  decoded: (path: string) => Promise<LoadedImage>,
  verdicts: Verdict[],
): Promise<void> {
  if (!existsSync(o.imagesDir)) {
    o.log(`SKIPPED: the shared images are absent (${o.imagesDir} does not exist)`);
    verdicts.push({ what: 'host latency', detail: `SKIPPED: ${o.imagesDir} does not exist` });
    return;
  }
  let names = readdirSync(o.imagesDir)
    .filter((f) => f.endsWith('.png'))
    .map((f) => f.slice(0, -4))
    .sort();
  if (o.images) names = names.filter((n) => o.images!.includes(n));
  if (names.length === 0) return;
  // Warm pool: workers started and JIT-compiled on one image before anything is timed.
  const warm = await decoded(join(o.imagesDir, `${names[0]}.png`));
  const first = new HeadlessPanel(pool, io, async () => warm);
  for (let i = 0; i < WARM_UP_RUNS; i++) await first.change({ ...DEFAULTS, k: 3 + i });
  first.session.dispose();

  o.log(
    `\nwidth ${DEFAULTS.width}, nInit ${DEFAULTS.nInit}, maxIter ${DEFAULTS.maxIter}, seed 0; per image: open at ` +
      `${label(DEFAULTS)} (not counted), then ${SCALED_CHANGES.length} changes, each timed to its final result message`,
  );
  o.log(`${'image'.padEnd(10)}  ${'open'.padStart(7)}  ${'median'.padStart(7)}  ${'p90'.padStart(7)}  ${'max'.padStart(7)}  slowest change`);
  const all: number[] = [];
  for (const name of names) {
    const loaded = await decoded(join(o.imagesDir, `${name}.png`));
    const panel = new HeadlessPanel(pool, io, async () => loaded);
    let params = { ...DEFAULTS };
    const open = (await panel.change(params)).final;
    const times: number[] = [];
    let slowest = { ms: -1, what: '' };
    for (const change of SCALED_CHANGES) {
      params = { ...params, ...change };
      const t = (await panel.change(params)).final;
      times.push(t);
      if (t > slowest.ms) slowest = { ms: t, what: label(params) };
    }
    panel.session.dispose();
    all.push(...times);
    o.log(
      `${name.padEnd(10)}  ${ms(open).padStart(7)}  ${ms(median(times)).padStart(7)}  ${ms(quantile(times, 0.9)).padStart(7)}  ` +
        `${ms(Math.max(...times)).padStart(7)}  ${slowest.what}`,
    );
  }
  const overall = median(all);
  o.log(`${'overall'.padEnd(10)}  ${''.padStart(7)}  ${ms(overall).padStart(7)}  ${ms(quantile(all, 0.9)).padStart(7)}  ${ms(Math.max(...all)).padStart(7)}  (${all.length} changes)`);
  verdicts.push({
    what: `host: change -> result message at width ${DEFAULTS.width} <= ${TARGET_SCALED_MS} ms (median)`,
    ok: overall <= TARGET_SCALED_MS,
    detail: `median ${ms(overall)}, p90 ${ms(quantile(all, 0.9))} over ${all.length} changes on ${names.length} images`,
  });
}

async function photoPart(o: HostBenchOptions, pool: SegmentPool, io: ImageClient, decoder: ImageClient, photo: string, verdicts: Verdict[]): Promise<void> {
  const name = photo.split('/').pop()!;
  const params0: PanelParams = { ...DEFAULTS, width: 0 };
  // Cold: no worker holds anything of this photo; the pool's threads are already up.
  pool.trim();
  await Promise.all([io.trimIdle(), decoder.trimIdle()]);
  const cli = cliRun(o.cliPath, photo, params0);
  const rss = new RssPeak();
  const before = process.memoryUsage.rss();
  rss.start();
  let loaded: Promise<LoadedImage> | undefined;
  // As the panel opens: threads started while the file is read, the pictures started on the
  // views' thread once it is decoded (editor/imageCache.ts).
  void io.warm();
  // and decoded as readImage.ts does: memory paged in meanwhile, the pool made ready for the image
  const bytes = new Uint8Array(readFileSync(photo));
  const header = readImageHeader(bytes);
  if (!header) throw new Error(`${photo}: no image header`);
  const pixels = header.width * header.height;
  const panel = new HeadlessPanel(pool, io, (thumbs) =>
    (loaded ??= decodeForPool(decoder, () => pool, bytes, name, 500e6, new SharedArrayBuffer(pixels * 3), pixels).then((image) => {
      const value = io.thumbs(image, { width: image.width, height: image.height }, thumbs.displayMax, thumbs.previewPixels);
      value.catch(() => undefined);
      return { image, key: `${photo}#1`, thumbs: { displayMax: thumbs.displayMax, value } };
    })),
  );
  const open = await panel.change(params0);
  const { width, height } = open.result;
  o.log(
    `\n${name}: ${width}x${height} (${((width * height) / 1e6).toFixed(1)} MP), full size; the CLI's whole run on it (read, decode, segment, ` +
      `composite, encode, write): ${sec(cli)}`,
  );
  o.log(
    `open ${label(params0)}: original ${sec(open.original ?? NaN)}, preview ${sec(open.preview ?? NaN)}, final ${sec(open.final)}  ` +
      `(${mb(open.bytes)} posted, largest message ${mb(open.largest)})`,
  );
  let params = params0;
  const kTimes: number[] = [];
  const previews: number[] = [];
  const kept: number[] = [];
  let largest = open.largest;
  for (const change of PHOTO_CHANGES) {
    params = { ...params, ...change };
    const r = await panel.change(params);
    largest = Math.max(largest, r.largest);
    // a return to parameters shown a moment ago shows their kept result at once, with no preview
    if (r.preview !== undefined) previews.push(r.preview);
    else if (r.final <= TARGET_PREVIEW_MS) kept.push(r.final);
    if (Object.keys(change).length === 1 && 'k' in change) kTimes.push(r.final);
    o.log(`  -> ${label(params).padEnd(16)} preview ${sec(r.preview ?? NaN).padStart(7)}  final ${sec(r.final).padStart(7)}  (${mb(r.bytes)} posted)`);
  }
  const peak = rss.stop();
  panel.session.dispose();
  pool.trim();
  await Promise.all([io.trimIdle(), decoder.trimIdle()]);
  // What closing gives back: the threads end; the host's garbage goes at its next collection.
  await new Promise((r) => setTimeout(r, 500));
  (globalThis as { gc?: () => void }).gc?.();
  const after = process.memoryUsage.rss();
  o.log(`peak RSS ${mb(peak)} (this process: host thread and workers; ${mb(before)} before opening); after closing ${mb(after)}`);
  const mp = `${((width * height) / 1e6).toFixed(0)} MP`;
  verdicts.push({
    what: `host, ${mp} JPEG: open -> final result <= the CLI's whole run`,
    ok: open.final <= cli,
    detail: `${sec(open.final)} vs CLI ${sec(cli)} (${(open.final / cli).toFixed(2)}x)`,
  });
  const kMed = median(kTimes);
  verdicts.push({
    what: `host, ${mp} JPEG: change of k -> final <= half the CLI's run`,
    ok: kMed <= cli / 2,
    detail: `median ${sec(kMed)} over ${kTimes.length} changes vs ${sec(cli / 2)} (${(kMed / cli).toFixed(2)}x the CLI)`,
  });
  const worstPreview = Math.max(...previews);
  verdicts.push({
    what: `host, ${mp} JPEG: a preview within ${TARGET_PREVIEW_MS} ms of every change`,
    ok: previews.length + kept.length === PHOTO_CHANGES.length && worstPreview <= TARGET_PREVIEW_MS,
    detail:
      `${previews.length}/${PHOTO_CHANGES.length} changes had a preview; slowest ${ms(worstPreview)}, median ${ms(median(previews))}` +
      (kept.length ? `; ${kept.length} showed a kept result in ${kept.map((s) => ms(s)).join(', ')}` : ''),
  });
  verdicts.push({
    what: `host, ${mp} JPEG: peak RSS (host + workers) <= ${TARGET_RSS_MB} MB; largest message <= 32 MB`,
    ok: peak <= TARGET_RSS_MB * 2 ** 20 && largest <= 32 * 2 ** 20,
    detail: `peak ${mb(peak)}, after closing ${mb(after)}; largest message ${mb(largest)}`,
  });
}
