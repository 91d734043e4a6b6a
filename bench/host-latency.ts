// Host-side latency of the panel (issue 3): from a parameter change (the webview's raw `run`
// message arriving) to the result message with its pixel buffers ready for postMessage. Drives
// the panel's own code (checkWebviewMessage, LatestRun, panelRun: pool -> LastResult ->
// compositeRgba -> resultMessage) on a warm SegmentPool of 2 workers (dist/worker.js), as the
// extension creates it; only the vscode postMessage call itself is left out. Bundled and called
// by bench/run.mjs (see its --no-host / --host-only).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { decodeImage } from '../src/core/decode';
import { resizeArea } from '../src/core/resize';
import type { RgbImage, SegmentResult } from '../src/core/types';
import { SegmentPool } from '../src/core/worker/pool';
import { LastResult } from '../src/extension/lastResult';
import { LatestRun } from '../src/extension/latestRun';
import { panelRun, type PanelRunContext } from '../src/extension/panelRun';
import { checkWebviewMessage, type PanelParams, type ResultMessage } from '../src/shared/protocol';

export interface HostBenchOptions {
  imagesDir: string;
  workerPath: string;
  /** Image names (without .png) to use; default every PNG in imagesDir. */
  images?: string[];
  /** Skip the 4-megapixel part. */
  noLarge?: boolean;
  log(line: string): void;
}

export interface Verdict {
  what: string;
  ok?: boolean;
  detail: string;
}

export const TARGET_SCALED_MS = 150;
export const TARGET_LARGE_MS = 1500;
const POOL_SIZE = 2;
const LARGE_SOURCE = 'astronaut';
const LARGE_SIDE = 2048;
const WARM_UP_RUNS = 4;

const DEFAULTS: PanelParams = { colorSpace: 'bgr', channels: [0, 1, 2], k: 3, width: 300, nInit: 40, maxIter: 500, seed: 0, format: 'png' };

/** A user's session on one image, each step one change from the one before (starting at DEFAULTS). */
const SCALED_CHANGES: Partial<PanelParams>[] = [
  { k: 2 }, { k: 4 }, { k: 5 }, { k: 6 }, { k: 7 }, { k: 8 },
  { colorSpace: 'hsv' }, { channels: [0, 2] }, { k: 5 }, { k: 3 },
  { colorSpace: 'lab' }, { channels: [1, 2] }, { k: 4 },
  { colorSpace: 'ycrcb' }, { channels: [1] }, { k: 2 },
];

/** At full size (width 0): the defaults, then a few variants. */
const LARGE_CHANGES: Partial<PanelParams>[] = [
  { k: 4 }, { k: 5 }, { colorSpace: 'hsv', channels: [0, 2], k: 3 }, { colorSpace: 'lab', channels: [1, 2] },
  { colorSpace: 'bgr', channels: [0, 1, 2], k: 3 }, { k: 8 },
];

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
const label = (p: PanelParams): string => `${p.colorSpace}/${p.channels.join('')}/k${p.k}${p.width ? '' : '/full'}`;
const loadText = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

/** One panel as the extension host runs it, minus vscode: raw message in, result message out. */
class HeadlessPanel {
  private readonly runs = new LatestRun();
  private readonly last = new LastResult<PanelParams, SegmentResult>();
  private nextId = 1;
  private waiter: { resolve(m: ResultMessage): void; reject(e: unknown): void } | undefined;
  private readonly ctx: PanelRunContext;

  constructor(pool: SegmentPool, image: RgbImage, private readonly key: string) {
    const loaded = Promise.resolve({ image, key });
    this.ctx = {
      load: () => loaded,
      pool: () => pool,
      last: this.last,
      post: (m) => this.waiter?.resolve(m),
      fail: (e) => this.waiter?.reject(e),
    };
  }

  /** ms from the raw message to the result message ready to post; the worker's K-means ms of that run. */
  async change(params: PanelParams): Promise<{ ms: number; kmeansMs: number; msg: ResultMessage }> {
    const raw: unknown = JSON.parse(JSON.stringify({ type: 'run', requestId: this.nextId++, params }));
    const t0 = performance.now();
    const done = new Promise<ResultMessage>((resolve, reject) => (this.waiter = { resolve, reject }));
    const checked = checkWebviewMessage(raw);
    if (!checked.ok || checked.value.type !== 'run') throw new Error(`the run message was refused: ${checked.ok ? 'not a run' : checked.reason}`);
    const msg = checked.value;
    this.runs.submit((signal) => panelRun(this.ctx, msg, signal));
    const result = await done;
    const t1 = performance.now();
    await this.runs.idle();
    if (result.requestId !== msg.requestId) throw new Error(`result for request ${result.requestId}, expected ${msg.requestId}`);
    const kept = this.last.reuse(msg.params, this.key, () => true);
    return { ms: t1 - t0, kmeansMs: kept?.timings.kmeans ?? NaN, msg: result };
  }
}

async function decodePng(path: string): Promise<RgbImage> {
  return decodeImage(readFileSync(path), path);
}

export async function hostLatency(o: HostBenchOptions): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  const startLoad = loadavg()[0]!;
  o.log(`\n## Host latency (issue 3): parameter change -> result message ready to post`);
  o.log(
    `panel code path: checkWebviewMessage -> LatestRun -> panelRun (SegmentPool size ${POOL_SIZE}, ${o.workerPath}; ` +
      `LastResult; compositeRgba; resultMessage); postMessage itself not included`,
  );
  o.log(`load average at start: ${loadText()}${startLoad > 1 ? '  (> 1: the machine is busy, numbers are noisy and pessimistic)' : ''}`);
  if (!existsSync(o.workerPath)) throw new Error(`${o.workerPath} is missing: run node esbuild.mjs`);
  if (!existsSync(o.imagesDir)) {
    o.log(`SKIPPED: the shared images are absent (${o.imagesDir} does not exist)`);
    verdicts.push({ what: 'host latency', detail: `SKIPPED: ${o.imagesDir} does not exist` });
    return verdicts;
  }
  let names = readdirSync(o.imagesDir)
    .filter((f) => f.endsWith('.png'))
    .map((f) => f.slice(0, -4))
    .sort();
  if (o.images) names = names.filter((n) => o.images!.includes(n));
  if (names.length === 0) {
    o.log(`SKIPPED: no PNG images in ${o.imagesDir}`);
    verdicts.push({ what: 'host latency', detail: `SKIPPED: no PNG images in ${o.imagesDir}` });
    return verdicts;
  }

  const pool = new SegmentPool({ workerPath: o.workerPath, size: POOL_SIZE });
  try {
    // Warm pool: workers started and JIT-compiled on one image before anything is timed.
    const first = new HeadlessPanel(pool, await decodePng(join(o.imagesDir, `${names[0]}.png`)), 'warm-up#1');
    for (let i = 0; i < WARM_UP_RUNS; i++) await first.change({ ...DEFAULTS, k: 3 + i });

    o.log(
      `\nwidth ${DEFAULTS.width}, nInit ${DEFAULTS.nInit}, maxIter ${DEFAULTS.maxIter}, seed 0; per image: open at ` +
        `${label(DEFAULTS)} (pixels sent to the workers, not counted), then ${SCALED_CHANGES.length} changes: ` +
        SCALED_CHANGES.map((c) => Object.entries(c).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('') : v}`).join(',')).join(' '),
    );
    o.log(`${'image'.padEnd(10)}  ${'open'.padStart(7)}  ${'median'.padStart(7)}  ${'p90'.padStart(7)}  ${'max'.padStart(7)}  slowest change`);
    const all: number[] = [];
    const allKmeans: number[] = [];
    for (const name of names) {
      const image = await decodePng(join(o.imagesDir, `${name}.png`));
      const panel = new HeadlessPanel(pool, image, `${name}#1`);
      let params = { ...DEFAULTS };
      const open = (await panel.change(params)).ms;
      const times: number[] = [];
      const kmeans: number[] = [];
      let slowest = { ms: -1, what: '' };
      for (const change of SCALED_CHANGES) {
        params = { ...params, ...change };
        const r = await panel.change(params);
        const t = r.ms;
        times.push(t);
        kmeans.push(r.kmeansMs);
        if (t > slowest.ms) slowest = { ms: t, what: label(params) };
      }
      all.push(...times);
      allKmeans.push(...kmeans);
      o.log(
        `${name.padEnd(10)}  ${ms(open).padStart(7)}  ${ms(median(times)).padStart(7)}  ${ms(quantile(times, 0.9)).padStart(7)}  ` +
          `${ms(Math.max(...times)).padStart(7)}  ${slowest.what}`,
      );
    }
    const overall = median(all);
    o.log(`(of which the workers' K-means: median ${ms(median(allKmeans))}, p90 ${ms(quantile(allKmeans, 0.9))})`);
    o.log(`${'overall'.padEnd(10)}  ${''.padStart(7)}  ${ms(overall).padStart(7)}  ${ms(quantile(all, 0.9)).padStart(7)}  ${ms(Math.max(...all)).padStart(7)}  (${all.length} changes)`);
    verdicts.push({
      what: `host: change -> result message at width ${DEFAULTS.width} <= ${TARGET_SCALED_MS} ms (median)`,
      ok: overall <= TARGET_SCALED_MS,
      detail: `median ${ms(overall)}, p90 ${ms(quantile(all, 0.9))} over ${all.length} changes on ${names.length} images`,
    });

    if (o.noLarge) return verdicts;
    if (!names.includes(LARGE_SOURCE) && !existsSync(join(o.imagesDir, `${LARGE_SOURCE}.png`))) {
      o.log(`\n4-megapixel case SKIPPED: ${LARGE_SOURCE}.png is absent`);
      verdicts.push({ what: '4-megapixel', detail: `SKIPPED: ${LARGE_SOURCE}.png is absent` });
      return verdicts;
    }
    const src = await decodePng(join(o.imagesDir, `${LARGE_SOURCE}.png`));
    const large = resizeArea(src, LARGE_SIDE, LARGE_SIDE);
    const mp = (large.width * large.height) / 1e6;
    const panel = new HeadlessPanel(pool, large, `${LARGE_SOURCE}-${LARGE_SIDE}#1`);
    let params: PanelParams = { ...DEFAULTS, width: 0 };
    o.log(
      `\n4-megapixel photo: ${LARGE_SOURCE}.png ${src.width}x${src.height} enlarged to ${large.width}x${large.height} ` +
        `(${mp.toFixed(2)} MP) with core's resizeArea (bilinear when enlarging), full size (width 0), decoded once`,
    );
    const openRun = await panel.change(params);
    o.log(`open ${label(params)}: ${ms(openRun.ms)} (includes sending the ${((large.data.length) / 2 ** 20).toFixed(0)} MB of pixels to the workers; not counted)`);
    const times: number[] = [];
    for (const change of LARGE_CHANGES) {
      params = { ...params, ...change };
      const r = await panel.change(params);
      times.push(r.ms);
      o.log(`  -> ${label(params).padEnd(16)} ${ms(r.ms).padStart(8)}  (K-means ${ms(r.kmeansMs)}; k ${r.msg.k}, composite ${r.msg.width}x${r.msg.height})`);
    }
    const med = median(times);
    o.log(`4 MP median ${ms(med)}, max ${ms(Math.max(...times))} over ${times.length} changes`);
    verdicts.push({
      what: `host: change -> result message, ${mp.toFixed(1)} MP at full size <= ${TARGET_LARGE_MS} ms (median)`,
      ok: med <= TARGET_LARGE_MS,
      detail: `median ${ms(med)}, max ${ms(Math.max(...times))} over ${times.length} changes`,
    });
    return verdicts;
  } finally {
    await pool.dispose();
    const endLoad = loadavg()[0]!;
    const noisy = Math.max(startLoad, endLoad) > 1;
    verdicts.push({
      what: 'host load',
      detail: `load average at the end of the host bench: ${loadText()}${noisy ? ' (> 1 during the run: other work shared the 2 cores, so these times are noisy and pessimistic)' : ''}`,
    });
  }
}
