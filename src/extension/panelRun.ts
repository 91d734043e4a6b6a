// One panel run without the `vscode` API: decoded pixels -> pool -> kept result -> RGBA
// composite -> the result message with its pixel buffers, handed to `post`. The panel supplies
// the loading, the pool and the posting; the host-latency benchmark (bench/host-latency.ts)
// drives this same function, so what it times is the code the panel runs.
import { isSegmentationError } from '../core/errors';
import type { SegmentPool } from '../core/worker/pool';
import { STOP_GRACE_MS } from '../core/worker/pool';
import type { SegmentResult } from '../core/types';
import type { PanelParams, ResultMessage, RunMessage } from '../shared/protocol';
import { compositeRgba } from './compositeRgba';
import type { LoadedImage } from './imageCache';
import { resultMessage } from './insightLogic';
import type { LastResult } from './lastResult';
import { toSegmentParams } from './settingsLogic';

/** Longest a newer run waits for an aborted one's worker (the pool's own limit is STOP_GRACE_MS). */
export const STOP_WAIT_LIMIT_MS = 4 * STOP_GRACE_MS;

export interface PanelRunContext {
  /** The decoded pixels and their key (cached by the panel's document). */
  load(): Promise<LoadedImage>;
  pool(): Pick<SegmentPool, 'segment'>;
  last: LastResult<PanelParams, SegmentResult>;
  post(msg: ResultMessage): void;
  /** A failure of a run that is still current (cancellations are not reported). */
  fail(error: unknown, requestId: number): void;
}

/** One run (LatestRun's task); its promise settles once the pool's workers have let go of it. */
export async function panelRun(ctx: PanelRunContext, msg: RunMessage, signal: AbortSignal): Promise<void> {
  const started = performance.now();
  const stamp = ctx.last.stamp;
  let stopped: Promise<void> = Promise.resolve();
  try {
    const loaded = await ctx.load();
    if (signal.aborted || !ctx.last.isCurrent(stamp)) return;
    const pool = ctx.pool();
    let onStopped!: () => void;
    stopped = new Promise((resolve) => (onStopped = resolve));
    const result = await pool.segment(loaded.image, toSegmentParams(msg.params), {
      signal,
      imageKey: loaded.key,
      onStopped,
    });
    // The file changed meanwhile: these are the old pixels (the webview re-runs on the change).
    if (signal.aborted || !ctx.last.keep(stamp, msg.params, result, loaded.key)) return;
    const rgba = compositeRgba(result);
    ctx.post(resultMessage(msg.requestId, result, msg.params, rgba, performance.now() - started));
  } catch (e) {
    if (isSegmentationError(e) && e.code === 'cancelled') return;
    if (signal.aborted || !ctx.last.isCurrent(stamp)) return;
    ctx.fail(e, msg.requestId);
  } finally {
    // The pool calls onStopped on every path; the timer only guards the panel against a bug.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([stopped, new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_LIMIT_MS)))]);
    clearTimeout(timer);
  }
}
