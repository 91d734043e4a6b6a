// Load on the worker pool as the extension puts it there. The panel controller and the batch are
// vscode-bound (src/extension/editor/panel.ts, batch/batchCommand.ts), so this drives the same calls they make:
// - a panel: every parameter change goes through the panel's LatestRun (aborts the run in
//   flight; newer changes replace a waiting one until that run's workers let go), which calls
//   pool.segment(image, params, { signal, imageKey, onStopped }); a result is shown only if its
//   run was not aborted meanwhile (panelSession.ts: `if (stale()) return`); its pictures are
//   made in the image worker, not on the host's thread;
// - the batch (batch/batchCommand.ts + commands/segmentFile.ts): read, decode on the image worker (ImageClient, as
//   files/readImage.ts does), pool.segment, encode on the image worker, write; one file at a time.
//   The write goes through core's writeNewFile here: the extension's goes through workspace.fs.
// Measured: results delivered, live OS threads (/proc/self/task), RSS, event-loop delay.
import { readdirSync, readFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import { decodeImage } from '../../src/core/decode';
import { isSegmentationError } from '../../src/core/errors';
import type { RgbImage, SegmentResult } from '../../src/core/types';
import { SegmentPool } from '../../src/core/worker/pool';
import { writeNewFile } from '../../src/core/files/writeNew';
import type { ImageClient } from '../../src/extension/workers/imageClient';
import { LatestRun } from '../../src/extension/editor/latestRun';
import type { SegmentParams } from '../../src/shared/params';

export const BASE_PARAMS: SegmentParams = { colorSpace: 'bgr', channels: [0, 1, 2], k: 4, width: 0, nInit: 4, maxIter: 100, seed: 0 };

/** OS threads of this process right now (main, V8 and libuv helpers, and every worker's). */
export function liveThreads(): number {
  return readdirSync('/proc/self/task').length;
}

/**
 * Worker threads this process has started so far: thread ids are handed out in order, so a
 * short-lived probe's id counts every worker started before it (the probe itself included).
 */
export async function workersStarted(): Promise<number> {
  const probe = new Worker('', { eval: true });
  const id = probe.threadId;
  await probe.terminate();
  return id;
}

export const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;

/** Samples threads and RSS every few ms until stopped: peaks of both. */
export function sampler(everyMs = 5): { stop(): { peakThreads: number; peakRssMb: number } } {
  let peakThreads = liveThreads();
  let peakRssMb = rssMb();
  const timer = setInterval(() => {
    peakThreads = Math.max(peakThreads, liveThreads());
    peakRssMb = Math.max(peakRssMb, rssMb());
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return { peakThreads: Math.max(peakThreads, liveThreads()), peakRssMb: Math.max(peakRssMb, rssMb()) };
    },
  };
}

/** Nanoseconds the main thread has run on a CPU, and waited for one (Linux schedstat). */
function mainThreadSched(): { cpu: number; wait: number } {
  const [cpu, wait] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
  return { cpu: cpu!, wait: wait! };
}

export interface LoopFigures {
  /** Worst event-loop delay (perf_hooks.monitorEventLoopDelay), ms: blocking plus CPU starvation. */
  maxDelayMs: number;
  p99DelayMs: number;
  /**
   * Longest stretch between two timer ticks during which the main thread itself was running, ms:
   * what our code blocked the loop for. On a loaded machine the delay above is mostly waiting
   * for a CPU (runqueue), which this leaves out.
   */
  maxBlockedMs: number;
  /** Longest time the main thread waited for a CPU between two ticks, ms. */
  maxRunqueueMs: number;
}

/** Event-loop figures while `fn` runs. */
export async function withLoopDelay<T>(fn: () => Promise<T>): Promise<LoopFigures & { value: T }> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  let last = mainThreadSched();
  let maxBlockedMs = 0;
  let maxRunqueueMs = 0;
  const tick = setInterval(() => {
    const now = mainThreadSched();
    // The tick's own work is microseconds; anything longer ran between ticks without yielding.
    maxBlockedMs = Math.max(maxBlockedMs, (now.cpu - last.cpu) / 1e6);
    maxRunqueueMs = Math.max(maxRunqueueMs, (now.wait - last.wait) / 1e6);
    last = now;
  }, 2);
  h.enable();
  try {
    const value = await fn();
    return { value, maxDelayMs: h.max / 1e6, p99DelayMs: h.percentile(99) / 1e6, maxBlockedMs, maxRunqueueMs };
  } finally {
    h.disable();
    clearInterval(tick);
  }
}

/** A panel: latest wins. */
export class PanelDriver {
  private readonly runs = new LatestRun();
  delivered: { requestId: number; params: SegmentParams; result: SegmentResult; at: number }[] = [];
  /** Runs aborted, or replaced while waiting (never started). */
  cancelled = 0;
  errors: string[] = [];
  private nextId = 1;
  /** performance.now() of the latest change. */
  lastChangeAt = 0;

  constructor(
    private readonly pool: SegmentPool,
    readonly image: RgbImage,
    readonly key: string,
  ) {}

  change(params: SegmentParams): void {
    const requestId = this.nextId++;
    this.lastChangeAt = performance.now();
    this.runs.submit(
      async (signal) => {
        let onStopped!: () => void;
        const stopped = new Promise<void>((resolve) => (onStopped = resolve));
        try {
          const result = await this.pool.segment(this.image, params, { signal, imageKey: this.key, onStopped });
          if (signal.aborted) {
            this.cancelled++;
            return;
          }
          this.delivered.push({ requestId, params, result, at: performance.now() });
        } catch (e) {
          if (isSegmentationError(e) && e.code === 'cancelled') this.cancelled++;
          else this.errors.push(String(e));
        } finally {
          await stopped;
        }
      },
      () => this.cancelled++,
    );
  }

  /** Waits for every run this panel started to settle. */
  async settled(): Promise<void> {
    await this.runs.idle();
  }

  /** From the latest change to its result, ms (NaN before it is delivered). */
  get lastLatencyMs(): number {
    const d = this.delivered.at(-1);
    return d && d.requestId === this.lastRequestId ? d.at - this.lastChangeAt : NaN;
  }

  get lastRequestId(): number {
    return this.nextId - 1;
  }
}

/** `n` parameter changes, each on the next turn of the event loop, as typing in a field gives. */
export async function burst(panel: PanelDriver, n: number, vary: (i: number) => SegmentParams): Promise<SegmentParams> {
  let last = vary(0);
  for (let i = 0; i < n; i++) {
    last = vary(i);
    panel.change(last);
    await yieldLoop();
  }
  return last;
}

export interface BatchOutcome {
  done: number;
  failed: string[];
  /** Slowest decode or encode round trip to the image worker, wall time, ms. */
  slowestMainThreadStepMs: { ms: number; step: string };
}

/** The batch loop of src/extension/batch/batchCommand.ts + commands/segmentFile.ts, on plain files. */
export async function runBatch(pool: SegmentPool, io: ImageClient, files: string[], outDir: string, params: SegmentParams): Promise<BatchOutcome> {
  const out: BatchOutcome = { done: 0, failed: [], slowestMainThreadStepMs: { ms: 0, step: '' } };
  const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const v = await fn();
    const ms = performance.now() - t0;
    if (ms > out.slowestMainThreadStepMs.ms) out.slowestMainThreadStepMs = { ms, step };
    return v;
  };
  for (const file of files) {
    try {
      const bytes = new Uint8Array(await fs.readFile(file));
      const name = file.slice(file.lastIndexOf('/') + 1);
      const image = await timed(`decode ${name}`, () => io.decode(bytes, name, 50_000_000));
      const result = await pool.segment(image, params);
      const png = await timed(`encode ${name}`, () => io.encodeComposite(result, 'png'));
      await writeNewFile(outDir, `${name}.seg.png`, png);
      out.done++;
    } catch (e) {
      out.failed.push(`${file}: ${String(e)}`);
    }
  }
  return out;
}

/** Decoded fixture images for the panels (largest first). */
export async function fixtureImages(dir: string, names: string[]): Promise<{ name: string; image: RgbImage }[]> {
  return Promise.all(names.map(async (name) => ({ name, image: await decodeImage(new Uint8Array(readFileSync(join(dir, name))), name) })));
}
