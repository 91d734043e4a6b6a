// One panel's work without the `vscode` API: from a checked message to the messages posted
// back. A run posts the image at display size once, a quick preview from a reduced copy (on
// camera-size photos), then the full-size result with its palette, then the insight views;
// everything big stays here and in the workers, in shared memory, and the panel gets pictures
// at the size it shows them, plus tiles of the full-size pixels when it zooms in. Runs are
// latest-wins (LatestRun); a run started before the image changed on disk is never shown.
// The host-latency benchmark and the unit tests drive this class as the panel does.
import { SegmentationError, isSegmentationError, oneLine } from '../../core/errors';
import { SWEEP_K_MAX, SWEEP_K_MIN, SWEEP_WIDTH, sweepParams, sweepSettings, type SweepAxis } from '../../core/sweep';
import { elbowK } from '../../core/insight/elbow';
import { inspectPixel } from '../../core/insight/inspect';
import { targetSize } from '../../core/resize';
import { needsConversion } from '../../core/colorspace';
import type { RgbImage, SegmentResult } from '../../core/types';
import { COLLECT_AFTER_BYTES, collectWhenIdle, sawShared, sharedBytesIn } from '../../core/worker/idleCollect';
import type { SegmentPool } from '../../core/worker/pool';
import { displayScale, scaledSize, type Rect } from '../../shared/geometry';
import { DISPLAY_MAX, sizePercents, viewLabel, type HostMessage, type InspectMessage, type PaletteEntry, type Picture, type ResultView, type RunMessage, type ElbowRequestMessage, type Stage, type SweepMessage, type TileMessage, type ViewMessage } from '../../shared/protocol';
import type { Answers } from '../workers/imageProtocol';
import type { ImageClient } from '../workers/imageClient';
import { LatestRun } from './latestRun';
import { segmentKey, type PanelParams } from '../../shared/params';

export interface LoadedImage {
  /** In shared memory. */
  image: RgbImage;
  /** Names these pixels: it changes whenever the file does. */
  key: string;
  /** The panel's pictures of it at full size, started once it was decoded (see ThumbsWanted). */
  thumbs?: { displayMax: number; value: Promise<Answers['thumbs']> };
}

/** A first picture of a photo that is still decoding: its embedded thumbnail, turned as the photo. */
export interface QuickLook {
  /** In shared memory, a few thousand to a few hundred thousand pixels. */
  image: RgbImage;
  original: Picture;
  /** The photo's size. */
  width: number;
  height: number;
  /** The key its pixels will have (LoadedImage's). */
  key: string;
}

/** The panel's pictures a load should start as soon as the image is decoded. */
export interface ThumbsWanted {
  displayMax: number;
  previewPixels: number;
}

export interface SessionDeps {
  /** The decoded image, cached by the document; `stage` reports reading and decoding. */
  load(stage: (stage: Stage, message: string) => void, thumbs: ThumbsWanted): Promise<LoadedImage>;
  /**
   * A first picture of the image (a photo's embedded thumbnail) for the time until its own are
   * made; undefined or none when there is none.
   */
  quickLook?(): Promise<QuickLook | undefined> | undefined;
  pool(): Pick<SegmentPool, 'segment' | 'elbow'>;
  io(): Pick<ImageClient, 'thumbs' | 'resultView' | 'view' | 'insight' | 'reduce' | 'sweepThumb' | 'quickPreview'>;
  /**
   * Where the insight views are computed (io's thread if absent). They take about a second at
   * 24 MP: on a thread of their own, the next run's preview and drawing never wait behind them,
   * and a newer run ends them (the signal) instead of letting them use a core for nothing. A
   * panel's opening has no views yet: the preview of the photo's thumbnail is made there, never
   * behind the photo's own pictures on io's thread.
   */
  insights?(): Pick<ImageClient, 'insight' | 'quickPreview'>;
  /**
   * Where the reduced copies for the elbow fit and Explore are made (io's thread if absent): a
   * 24 MP photo's takes a quarter to half a second, and on io's thread a preview drawn meanwhile
   * (the first change after opening, when the panel asks for the elbow curve) would wait behind
   * it. The extension's is a thread at the lowest priority, so that the run takes the cores.
   */
  reducer?(): Pick<ImageClient, 'reduce'>;
  post(msg: HostMessage): void;
  /** A failure of a run that is still current (cancellations are not reported). */
  fail(error: unknown, requestId: number): void;
}

/** The long side the panel's pictures are made at until it says what its screen wants (a screen of density 1's). */
export const DEFAULT_DISPLAY_MAX = 1024;
/** A preview clusters a copy of about this many pixels (0.16 MP: about 490 x 330 of a 3:2 photo)... */
export const PREVIEW_PIXELS = 160_000;
/** ...with at most this many restarts (its pixels are few; what matters is that it is quick). */
export const PREVIEW_RESTARTS = 3;
/** Settings of a sweep in the pool at once. */
const SWEEP_LANES = 3;
/** Longest a newer run waits for an aborted one's workers (they finish preparing: see the pool). */
export const STOP_WAIT_LIMIT_MS = 30_000;

/**
 * Final results kept for a return to their parameters (k 3 -> 4 -> 3 shows the first again at
 * once): at most this many, the current one included...
 */
export const RECENT_RESULTS = 3;
/**
 * ...and what they hold beyond the newest at most this much: their labels (a byte a pixel: 24 MB
 * at 24 MP) and their converted images (three bytes a pixel in HSV, Lab or YCrCb; none in BGR,
 * which reads the image itself), each buffer counted once. At 24 MP older results of the newest's
 * colour space or of BGR stay (their labels), one with a converted image of its own does not.
 */
export const RECENT_BYTES = 64 * 2 ** 20;

/**
 * The extension host's thread is collected (see idleCollect.ts) this long after a final result
 * once results have brought it this much shared memory since the last collection: at 24 MP every
 * run or second run. A collection of its heap takes 0.1-0.3 s, during which the host answers
 * nothing, so it waits for a quiet panel and is not made for small images.
 */
export const HOST_COLLECT_QUIET_MS = 1000;
export const HOST_COLLECT_AFTER_BYTES = 128 * 2 ** 20;

/** A result the panel has been shown. */
interface Shown {
  id: number;
  preview: boolean;
  params: PanelParams;
  key: string;
  result: SegmentResult;
  palette: PaletteEntry[];
  /** The size of the image the panel's coordinates refer to (the final result's). */
  full: { width: number; height: number };
  /** A final result's original at display size (renders of its right half reuse it). */
  display?: RgbImage;
}

type Thumbs = Answers['thumbs'];

/** A thumbnail's preview: its result and what the panel is shown of it. */
interface QuickPreview {
  result: SegmentResult;
  rv: Answers['resultView'];
  view: ResultView;
}

/**
 * The elbow curve runs ~27 K-means fits: on a large image it is computed on a copy at most this
 * wide (its shape, and so the elbow, hardly depends on the size), which keeps it under ~2 s.
 */
export const ELBOW_MAX_WIDTH = 300;

/** The resize width for the elbow of an image `imageWidth` wide segmented at `width` (0 = original). */
export function elbowWidth(width: number, imageWidth: number): number {
  const effective = width > 0 ? width : imageWidth;
  return effective <= ELBOW_MAX_WIDTH ? width : ELBOW_MAX_WIDTH;
}

/** Runs `task`, and while it runs keeps only the newest of the requests that come in. */
class Newest<T> {
  private busy = false;
  private next: T | undefined;
  constructor(private readonly task: (req: T) => Promise<void>) {}

  push(req: T): void {
    this.next = req;
    if (!this.busy) void this.drain();
  }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.next !== undefined) {
      const req = this.next;
      this.next = undefined;
      await this.task(req).catch(() => undefined);
    }
    this.busy = false;
  }
}

/** The first run's segmentation, started before the panel asks for it (PanelSession.prefetch). */
interface EarlyRun {
  params: PanelParams;
  abort: AbortController;
  result: Promise<SegmentResult>;
  /** Settles when the pool's workers have let go of it (onStopped). */
  stopped: Promise<void>;
  clustering: boolean;
  onClustering?: () => void;
}

export class PanelSession {
  private readonly runs = new LatestRun();
  private early: EarlyRun | undefined;
  /** Bumped when the file changes: runs started before are stale. */
  private generation = 0;
  private displayMax = DEFAULT_DISPLAY_MAX;
  private readonly thumbs = new Map<string, Promise<Thumbs>>();
  /** The original (by imageId) the panel holds. */
  private sentOriginal: string | undefined;
  /** Keys of the pixels whose own original has been posted: their thumbnail is not wanted any more. */
  private readonly photoShown = new Set<string>();
  /** The preview of the image's thumbnail for some parameters and view, made or being made (one at a time). */
  private quickPreview: { key: string; value: Promise<QuickPreview | undefined> } | undefined;
  /** What the panel shows now. */
  private shown: Shown | undefined;
  /** Final results of the current pixels, oldest first (see RECENT_RESULTS). */
  private recent: Shown[] = [];
  private nextResultId = 1;
  private view: ResultView = { mode: 'gray', selected: [], white: false };
  private disposed = false;
  private readonly views = new Newest<ViewMessage>((m) => this.answerView(m));
  private sweepAbort: AbortController | undefined;
  private elbowAbort: AbortController | undefined;
  /** The elbow curve being computed, while it is. */
  private elbowRunning: ElbowRequestMessage | undefined;
  /** An elbow curve stopped for a run that clusters: asked again when that run has ended. */
  private elbowDeferred: ElbowRequestMessage | undefined;
  /** A run is clustering (not showing a kept result): elbow curves wait for it. */
  private clustering = false;
  /** The insight views of the newest final result, computed after its run has ended. */
  private insightJob: { abort: AbortController; done: Promise<void> } | undefined;
  /** Small copies of the image (sweeps and elbow curves run on them), by key and size; the newest two. */
  private readonly reduced = new Map<string, Promise<RgbImage>>();
  /** Tiles are coalesced per part: a panel may want one of each half at once. */
  private readonly tiles = new Map<TileMessage['part'], Newest<TileMessage>>();

  constructor(private readonly deps: SessionDeps) {}

  /** How the right half is shown (the panel's last view): saves use it. */
  get currentView(): ResultView {
    return this.view;
  }

  /** What to ask of the decoding thread when the image is decoded before the panel has said what it wants. */
  static readonly firstThumbs: ThumbsWanted = { displayMax: DEFAULT_DISPLAY_MAX, previewPixels: PREVIEW_PIXELS };

  /** The panel (re)loaded: it holds no picture yet; it wants them at most `displayMax` long. */
  ready(displayMax?: number): void {
    this.sentOriginal = undefined;
    if (displayMax !== undefined) this.displayMax = Math.min(DISPLAY_MAX, displayMax);
  }

  /**
   * While VS Code loads the webview (1-3 s), the segmentation the panel will ask for first (the
   * parameters its init message gives it) starts as soon as the image is decoded; the panel's
   * first run takes it over when its parameters are the same, and stops it otherwise.
   */
  prefetch(params: PanelParams): void {
    this.early?.abort.abort();
    const abort = new AbortController();
    let stoppedDone!: () => void;
    const stopped = new Promise<void>((r) => (stoppedDone = r));
    const result = this.deps.load(() => undefined, this.thumbsWanted()).then((loaded) => {
      if (abort.signal.aborted) throw new SegmentationError('cancelled', 'cancelled');
      return this.deps.pool().segment(loaded.image, params, {
        signal: abort.signal,
        imageKey: loaded.key,
        onStopped: stoppedDone,
        onClustering: () => {
          early.clustering = true;
          early.onClustering?.();
        },
      });
    });
    // a load that fails (or a stop before the pool took it) never reaches the pool's onStopped
    result.catch(() => stoppedDone());
    // and the preview of the photo's thumbnail, while the photo decodes and the views' thread is free
    void this.deps.quickLook?.()?.then((look) => look && this.quickPreviewOf(look, params, this.view)).catch(() => undefined);
    const early: EarlyRun = { params, abort, result, stopped, clustering: false };
    this.early = early;
  }

  /** The early run if it computes `params`; one that does not is stopped. Either way it is taken. */
  private takeEarly(params: PanelParams): EarlyRun | undefined {
    const e = this.early;
    this.early = undefined;
    if (!e) return undefined;
    if (segmentKey(e.params) === segmentKey(params) && !e.abort.signal.aborted) return e;
    e.abort.abort();
    return undefined;
  }

  run(msg: RunMessage): void {
    this.view = msg.view;
    this.runs.submit((signal) => this.execute(msg, signal));
  }

  /** Settles once no run is in flight or waiting, and the newest result's insight views are posted. */
  async idle(): Promise<void> {
    await this.runs.idle();
    await this.insightJob?.done;
  }

  setView(msg: ViewMessage): void {
    this.view = msg.view;
    this.views.push(msg);
  }

  tile(msg: TileMessage): void {
    let q = this.tiles.get(msg.part);
    if (!q) this.tiles.set(msg.part, (q = new Newest((m) => this.answerTile(m))));
    q.push(msg);
  }

  /** The pixel under the pointer, from the full-size data (a preview's reduced copy until the final result). */
  inspect(msg: InspectMessage): void {
    const s = this.byId(msg.resultId);
    if (!s) {
      this.deps.post({ type: 'pixel', requestId: msg.requestId, resultId: msg.resultId });
      return;
    }
    const { width, height } = s.result.image;
    const x = Math.floor((msg.x * width) / s.full.width);
    const y = Math.floor((msg.y * height) / s.full.height);
    if (x >= width || y >= height) {
      this.deps.post({ type: 'pixel', requestId: msg.requestId, resultId: msg.resultId });
      return;
    }
    const info = inspectPixel(s.result, x, y);
    this.deps.post({ type: 'pixel', requestId: msg.requestId, resultId: msg.resultId, info, approximate: s.preview || undefined });
  }

  /**
   * Explore: every setting of an axis on a copy of the image at most SWEEP_WIDTH wide, on the
   * pool's workers behind the panel's own runs, each posted with its score as it finishes; a
   * newer sweep (or axis 'none') cancels this one.
   */
  sweep(msg: SweepMessage): void {
    this.sweepAbort?.abort();
    this.sweepAbort = undefined;
    if (msg.axis === 'none') return;
    const abort = new AbortController();
    this.sweepAbort = abort;
    void this.runSweep(msg, abort.signal);
  }

  private async runSweep(msg: SweepMessage, signal: AbortSignal): Promise<void> {
    const started = performance.now();
    const gen = this.generation;
    const stale = (): boolean => signal.aborted || gen !== this.generation || this.disposed;
    const { params } = msg;
    let width = 0;
    try {
      const { image, key } = await this.deps.load(() => undefined, this.thumbsWanted());
      if (stale()) return;
      const target = targetSize(image.width, image.height, Math.min(image.width, params.width || SWEEP_WIDTH, SWEEP_WIDTH));
      width = target.width;
      const { copy: small, key: sweepKey } = await this.reducedCopy(image, key, target);
      if (stale()) return;
      const axis: SweepAxis =
        msg.axis === 'channels'
          ? { kind: 'channels', k: params.k }
          : { kind: 'k', from: SWEEP_K_MIN, to: SWEEP_K_MAX, colorSpace: params.colorSpace, channels: params.channels };
      const settings = sweepSettings(axis);
      const pool = this.deps.pool();
      // A few at a time: enough to keep every worker busy, and a newer request finds few queued.
      let next = 0;
      const lane = async (): Promise<void> => {
        for (let i = next++; i < settings.length && !stale(); i = next++) {
          const setting = settings[i]!;
          const result = await pool.segment(small, sweepParams(params, setting), { signal, imageKey: sweepKey, priority: 'sweep' });
          if (stale()) return;
          const thumb = await this.deps.io().sweepThumb(result);
          if (stale()) return;
          this.post({
            type: 'sweepItem',
            requestId: msg.requestId,
            total: settings.length,
            ...setting,
            k: result.k,
            score: thumb.score,
            inertia: result.inertia,
            sizes: sizePercents(result.clusterSizes),
            gray: thumb.gray,
            mean: thumb.mean,
          });
        }
      };
      await Promise.all(Array.from({ length: SWEEP_LANES }, lane));
      if (!stale()) this.post({ type: 'sweepDone', requestId: msg.requestId, timeMs: performance.now() - started, width });
    } catch (e) {
      if (stale() || (isSegmentationError(e) && e.code === 'cancelled')) return;
      this.post({ type: 'sweepDone', requestId: msg.requestId, timeMs: performance.now() - started, width, error: oneLine(e) });
    }
  }

  /** The image at `target` (INTER_AREA, as the engine's own resize), made once; its pool key. */
  private async reducedCopy(image: RgbImage, key: string, target: { width: number; height: number }): Promise<{ copy: RgbImage; key: string }> {
    const id = `${key}|${target.width}x${target.height}`;
    let copy = this.reduced.get(id);
    if (!copy) {
      copy = (this.deps.reducer ?? this.deps.io)().reduce(image, target);
      this.reduced.set(id, copy);
      copy.catch(() => this.reduced.delete(id));
      for (const k of this.reduced.keys()) if (this.reduced.size > 2) this.reduced.delete(k);
    }
    return { copy: await copy, key: id };
  }

  /**
   * The elbow curve for the panel's image, colour space and channels, on a copy at most
   * ELBOW_MAX_WIDTH wide (the same pixels prepare would make at that width), so each k costs
   * milliseconds and a newer run never waits long behind it. A newer request cancels this one.
   */
  elbow(msg: ElbowRequestMessage): void {
    this.elbowAbort?.abort();
    this.elbowDeferred = undefined;
    if (this.clustering) {
      this.elbowRunning = undefined;
      this.elbowDeferred = msg;
      return;
    }
    const abort = new AbortController();
    this.elbowAbort = abort;
    this.elbowRunning = msg;
    void this.runElbow(msg, abort.signal).finally(() => {
      if (this.elbowRunning === msg) this.elbowRunning = undefined;
    });
  }

  /**
   * A run that clusters comes first: the elbow curve being computed (its ~27 fits take a pool
   * worker for a second or two, asked for right after the first result, just when people change
   * k) stops, and is computed again once the runs are over (resumeElbow).
   */
  private deferElbow(): void {
    const running = this.elbowRunning;
    if (!running) return;
    this.elbowAbort?.abort();
    this.elbowRunning = undefined;
    this.elbowDeferred = running;
  }

  /** After a run: the elbow curve it stopped, unless a newer run is waiting or the panel has moved on. */
  private resumeElbow(): void {
    const deferred = this.elbowDeferred;
    if (!deferred || this.disposed || this.runs.pending) return;
    this.elbow(deferred);
  }

  private async runElbow(msg: ElbowRequestMessage, signal: AbortSignal): Promise<void> {
    const gen = this.generation;
    const stale = (): boolean => signal.aborted || gen !== this.generation || this.disposed;
    try {
      const { image, key } = await this.deps.load(() => undefined, this.thumbsWanted());
      if (stale()) return;
      const width = elbowWidth(msg.params.width, image.width);
      const target = targetSize(image.width, image.height, width);
      const { copy, key: copyKey } = await this.reducedCopy(image, key, target);
      if (stale()) return;
      const points = await this.deps.pool().elbow(copy, { ...msg.params, width: 0 }, { signal, imageKey: copyKey });
      if (stale()) return;
      this.post({ type: 'elbow', requestId: msg.requestId, points, elbowK: elbowK(points), width: width || undefined });
    } catch (e) {
      if (stale() || (isSegmentationError(e) && e.code === 'cancelled')) return;
      // The run of the same parameters reports a bad file; the plot just says it has no curve.
      this.post({ type: 'elbow', requestId: msg.requestId, error: oneLine(e) });
    }
  }

  /** The newest final result (Save and Export reuse it). */
  private get final(): Shown | undefined {
    return this.recent.at(-1);
  }

  /** A final result kept (the newest or a recent one) that was computed with `params` from the pixels named `key`. */
  resultFor(params: PanelParams, key: string): SegmentResult | undefined {
    return this.recall(key, params)?.result;
  }

  private recall(key: string, params: PanelParams): Shown | undefined {
    const wanted = segmentKey(params);
    return [...this.recent].reverse().find((s) => s.key === key && segmentKey(s.params) === wanted);
  }

  /** `shown` is the newest final result: kept first, the oldest dropped past the bounds. */
  private remember(shown: Shown): void {
    const same = segmentKey(shown.params);
    this.recent = this.recent.filter((s) => s.key === shown.key && segmentKey(s.params) !== same);
    // Each result comes with its own handle on its converted image, even when the worker reused
    // the one it had (k changed): the pixels are the same for one colour space and width, so the
    // results share the first handle and are counted once below.
    const sameImage = this.recent.find((s) => s.params.colorSpace === shown.params.colorSpace && s.params.width === shown.params.width);
    if (sameImage && sameImage.result.converted.data.length === shown.result.converted.data.length) {
      shown.result = { ...shown.result, converted: sameImage.result.converted };
    }
    this.recent.push(shown);
    while (this.recent.length > RECENT_RESULTS || (this.recent.length > 1 && heldBeyond(this.recent) > RECENT_BYTES)) this.recent.shift();
  }

  /** The file changed or went: runs under way are stale, nothing shown is kept. */
  fileChanged(): void {
    this.generation++;
    this.early?.abort.abort();
    this.early = undefined;
    this.sweepAbort?.abort();
    this.elbowAbort?.abort();
    this.elbowRunning = undefined;
    this.elbowDeferred = undefined;
    this.insightJob?.abort.abort();
    this.reduced.clear();
    this.shown = undefined;
    this.recent = [];
    this.thumbs.clear();
    this.sentOriginal = undefined;
    this.runs.abortCurrent();
  }

  dispose(): void {
    this.disposed = true;
    this.generation++;
    this.early?.abort.abort();
    this.early = undefined;
    this.runs.cancel();
    this.sweepAbort?.abort();
    this.elbowAbort?.abort();
    this.elbowRunning = undefined;
    this.elbowDeferred = undefined;
    this.insightJob?.abort.abort();
    this.reduced.clear();
    // what this thread lets go of now (a 24 MP photo's: hundreds of MB) is freed at its next
    // collection: one as soon as the process is quiet
    sawShared(sharedBytesIn([this.shown?.result, this.final?.result, ...this.recent.map((s) => s.result)]));
    collectWhenIdle(() => false, HOST_COLLECT_QUIET_MS, COLLECT_AFTER_BYTES);
    this.shown = undefined;
    this.recent = [];
    this.thumbs.clear();
  }

  private thumbsWanted(): ThumbsWanted {
    return { displayMax: this.displayMax, previewPixels: PREVIEW_PIXELS };
  }

  private byId(id: number): Shown | undefined {
    return [this.shown, this.final].find((s) => s?.id === id);
  }

  private post(msg: HostMessage): void {
    if (!this.disposed) this.deps.post(msg);
  }

  /** The display-size original and preview copy of an image at a size, made once. */
  private thumbsFor(imageId: string, image: RgbImage, target: { width: number; height: number }): Promise<Thumbs> {
    let t = this.thumbs.get(imageId);
    if (!t) {
      t = this.deps.io().thumbs(image, target, this.displayMax, PREVIEW_PIXELS);
      this.thumbs.set(imageId, t);
      t.catch(() => this.thumbs.delete(imageId));
      // Only the newest few stay (each holds a small preview copy).
      for (const key of this.thumbs.keys()) if (this.thumbs.size > 3) this.thumbs.delete(key);
    }
    return t;
  }

  private async execute(msg: RunMessage, signal: AbortSignal): Promise<void> {
    const started = performance.now();
    const gen = this.generation;
    const stale = (): boolean => signal.aborted || gen !== this.generation || this.disposed;
    const progress = (stage: Stage, message: string): void => {
      if (!stale()) this.post({ type: 'progress', requestId: msg.requestId, stage, message });
    };
    const stops: Promise<void>[] = [];
    const onStopped = (): (() => void) => {
      let done!: () => void;
      stops.push(new Promise<void>((r) => (done = r)));
      return done;
    };
    const { params, requestId } = msg;
    // the views of the result before are not wanted any more: their thread is freed for this run
    this.insightJob?.abort.abort();
    // set once a result of this run's own image is posted: a quick look after it would go back
    let posted = false;
    // the load first: after a change on disk, the new file's thumbnail is found by its read
    const loading = this.deps.load(progress, this.thumbsWanted());
    const quick = this.deps.quickLook?.();
    if (quick) void this.showQuickLook(quick, msg, started, () => stale() || posted);
    try {
      const loaded = await loading;
      if (stale()) return;
      const { image, key } = loaded;
      const target = targetSize(image.width, image.height, params.width);
      const imageId = `${key}|${target.width}x${target.height}|${this.displayMax}`;
      const full = target.width === image.width && target.height === image.height;
      if (full && loaded.thumbs?.displayMax === this.displayMax && !this.thumbs.has(imageId)) {
        this.thumbs.set(imageId, loaded.thumbs.value);
      }
      const display = scaledSize(target.width, target.height, displayScale(target.width, target.height, this.displayMax));

      const kept = this.recall(key, params);
      if (!kept) {
        this.clustering = true;
        this.deferElbow();
      }
      const pool = this.deps.pool();
      const clustering = (): void => progress('clustering', `Clustering ${megapixels(target.width * target.height)} into ${params.k} clusters…`);
      const early = kept ? undefined : this.takeEarly(params);
      if (early) {
        stops.push(early.stopped);
        if (signal.aborted) early.abort.abort();
        else signal.addEventListener('abort', () => early.abort.abort(), { once: true });
        if (early.clustering) clustering();
        else early.onClustering = clustering;
      }
      const whole = kept
        ? Promise.resolve(kept.result)
        : early
          ? early.result
          : pool.segment(image, params, { signal, imageKey: key, onStopped: onStopped(), onClustering: clustering });
      whole.catch(() => undefined);
      if (!kept) progress('preparing', !needsConversion(params.colorSpace) ? `Collecting the distinct colours of ${target.width}×${target.height}…` : `Converting ${target.width}×${target.height} to ${params.colorSpace.toUpperCase()}…`);

      const thumbs = await this.thumbsFor(imageId, image, target);
      if (stale()) return;
      if (this.sentOriginal !== imageId) {
        this.post({ type: 'original', imageId, width: target.width, height: target.height, picture: thumbs.original });
        this.sentOriginal = imageId;
        this.photoShown.add(key);
      }

      let finalPosted = false;
      if (thumbs.preview && !kept) {
        const small = thumbs.preview;
        const previewParams = { ...params, width: 0, nInit: Math.min(params.nInit, PREVIEW_RESTARTS) };
        const preview = pool
          .segment(small, previewParams, { signal, imageKey: `${imageId}|preview`, priority: 'preview', onStopped: onStopped() })
          .then(async (result) => {
            if (stale() || finalPosted) return;
            const view = this.view;
            const rv = await this.deps.io().resultView(result, small.width, small.height, view);
            if (stale() || finalPosted) return;
            posted = true;
            this.postResult(requestId, imageId, true, params, key, result, rv, target, started, view);
          });
        preview.catch(() => undefined);
      }

      const result = await whole;
      if (stale()) return;
      progress('drawing', 'Drawing…');
      // Drawn as the panel shows results now: a mode picked while the run was under way applies to it.
      const view = this.view;
      const rv = await this.deps.io().resultView(result, display.width, display.height, view, thumbs.display);
      if (stale()) return;
      finalPosted = true;
      posted = true;
      const shown = this.postResult(requestId, imageId, false, params, key, result, rv, target, started, view);
      shown.display = thumbs.display;
      this.remember(shown);
      // The handles on the results' images and labels that this thread let go of (each run's
      // come with new ones) are freed at its next collection: one once the panel is quiet.
      sawShared(sharedBytesIn(result));
      collectWhenIdle(() => this.clustering, HOST_COLLECT_QUIET_MS, HOST_COLLECT_AFTER_BYTES);
      // After the run: the next one starts at once, not when these views are done.
      if (!stale()) this.startInsight(shown, requestId, gen);
    } catch (e) {
      if (stale() || (isSegmentationError(e) && e.code === 'cancelled')) return;
      this.deps.fail(e, requestId);
    } finally {
      // The pool calls onStopped on every path; the timer only guards the panel against a bug.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.all(stops), new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_LIMIT_MS)))]);
      clearTimeout(timer);
      this.clustering = false;
      this.resumeElbow();
    }
  }

  /**
   * A preview from the photo's embedded thumbnail, for the time until the photo's own pictures
   * are made (its decode alone takes seconds at 12-24 MP): clustered with the run's parameters
   * as any preview, and never shown once a picture of the photo itself is out.
   */
  private async showQuickLook(quick: Promise<QuickLook | undefined>, msg: RunMessage, started: number, superseded: () => boolean): Promise<void> {
    const look = await quick.catch(() => undefined);
    if (!look || superseded() || this.photoShown.has(look.key)) return;
    const { params, requestId } = msg;
    const made = await this.quickPreviewOf(look, params, this.view);
    if (!made || superseded() || this.photoShown.has(look.key)) return;
    const imageId = `${look.key}|thumbnail`;
    this.post({ type: 'original', imageId, width: look.width, height: look.height, picture: look.original });
    this.postResult(requestId, imageId, true, params, look.key, made.result, made.rv, targetSize(look.width, look.height, params.width), started, made.view, true);
  }

  /** The thumbnail's preview for `params` in `view`: the one made before (prefetch) if it is for them. */
  private quickPreviewOf(look: QuickLook, params: PanelParams, view: ResultView): Promise<QuickPreview | undefined> {
    const previewParams = { ...params, width: 0, nInit: Math.min(params.nInit, PREVIEW_RESTARTS) };
    const key = `${look.key}\u0000${segmentKey(previewParams)}\u0000${viewLabel(view)}`;
    if (this.quickPreview?.key === key) return this.quickPreview.value;
    // a few thousand pixels in one go, on the views' thread (free while a panel opens): not the
    // pool's (its workers may still be starting), nor io's (the photo's own pictures go there)
    const value = (this.deps.insights ?? this.deps.io)()
      .quickPreview(look.image, previewParams, view)
      .then(({ result, palette, right }): QuickPreview => ({ result, rv: { palette, right }, view }))
      .catch(() => undefined);
    this.quickPreview = { key, value };
    return value;
  }

  private startInsight(shown: Shown, requestId: number, gen: number): void {
    const abort = new AbortController();
    const { result, params } = shown;
    const stale = (): boolean => abort.signal.aborted || gen !== this.generation || this.disposed || this.final !== shown;
    const done = (this.deps.insights ?? this.deps.io)()
      .insight(result, params.colorSpace, params.channels, abort.signal)
      .then(
        (insight) => {
          if (!stale()) this.post({ type: 'insight', resultId: shown.id, split: insight.split, planes: insight.planes });
        },
        (e) => {
          if (stale() || (isSegmentationError(e) && e.code === 'cancelled')) return;
          this.deps.fail(e, requestId);
        },
      )
      .finally(() => {
        if (this.insightJob?.abort === abort) this.insightJob = undefined;
      });
    this.insightJob = { abort, done };
  }

  private postResult(
    requestId: number,
    imageId: string,
    preview: boolean,
    params: PanelParams,
    key: string,
    result: SegmentResult,
    rv: Answers['resultView'],
    full: { width: number; height: number },
    started: number,
    view: ResultView,
    thumbnail = false,
  ): Shown {
    const shown: Shown = { id: this.nextResultId++, preview, params, key, result, palette: rv.palette, full };
    this.shown = shown;
    this.post({
      type: 'result',
      requestId,
      resultId: shown.id,
      preview,
      thumbnail: thumbnail || undefined,
      imageId,
      width: full.width,
      height: full.height,
      right: rv.right,
      label: viewLabel(view),
      k: result.k,
      inertia: result.inertia,
      sizes: sizePercents(result.clusterSizes),
      timeMs: performance.now() - started,
      warnings: result.warnings,
      centers: result.centers.map((c) => [...c]),
      colorSpace: params.colorSpace,
      channels: [...params.channels],
      palette: rv.palette,
    });
    return shown;
  }

  private async answerView(msg: ViewMessage): Promise<void> {
    const s = this.shown;
    if (!s) return;
    const { width, height } = s.result.image;
    const size = s.preview ? { width, height } : scaledSize(width, height, displayScale(width, height, this.displayMax));
    const shown = s.display && s.display.width === size.width && s.display.height === size.height ? s.display : undefined;
    const r = await this.deps.io().view({
      shown,
      result: s.result,
      means: s.palette.flatMap((e) => e.meanRgb),
      rect: { x: 0, y: 0, width, height },
      width: size.width,
      height: size.height,
      view: msg.view,
      hovered: msg.highlight,
      parts: 'right',
    });
    if (s !== this.shown || !r.right) return;
    this.post({ type: 'right', requestId: msg.requestId, resultId: s.id, label: viewLabel(msg.view, msg.highlight), picture: r.right });
  }

  private async answerTile(msg: TileMessage): Promise<void> {
    const s = this.byId(msg.resultId);
    if (!s || s.preview) return;
    const { width, height } = s.result.image;
    const rect = clampRect(msg.rect, width, height);
    if (!rect) return;
    const out = scaledSize(rect.width, rect.height, msg.scale);
    const r = await this.deps.io().view({
      result: s.result,
      means: s.palette.flatMap((e) => e.meanRgb),
      rect,
      width: Math.min(rect.width, out.width),
      height: Math.min(rect.height, out.height),
      view: msg.view,
      hovered: msg.highlight,
      parts: msg.part,
    });
    if (this.byId(msg.resultId) !== s) return;
    this.post({
      type: 'tile',
      requestId: msg.requestId,
      resultId: s.id,
      part: msg.part,
      rect,
      scale: msg.scale,
      label: viewLabel(msg.view, msg.highlight),
      original: r.original,
      right: r.right,
    });
  }
}

/** The part of `rect` inside a width x height image, or undefined when none is. */
export function clampRect(rect: Rect, width: number, height: number): Rect | undefined {
  const x = Math.min(rect.x, width);
  const y = Math.min(rect.y, height);
  const w = Math.min(rect.width, width - x);
  const h = Math.min(rect.height, height - y);
  return w >= 1 && h >= 1 ? { x, y, width: w, height: h } : undefined;
}

function megapixels(pixels: number): string {
  return pixels >= 1e6 ? `${(pixels / 1e6).toFixed(1)} MP` : `${pixels.toLocaleString('en')} pixels`;
}

/** Bytes the results before the newest hold that the newest does not: labels, and converted images other than the image (each buffer once). */
export function heldBeyond(results: readonly { result: SegmentResult }[]): number {
  const newest = results[results.length - 1]?.result;
  const seen = new Set<ArrayBufferLike>(newest ? [newest.image.data.buffer, newest.converted.data.buffer, newest.labels.buffer] : []);
  let bytes = 0;
  for (const { result } of results.slice(0, -1)) {
    for (const view of [result.labels, result.converted.data]) {
      if (seen.has(view.buffer) || view.buffer === result.image.data.buffer) continue;
      seen.add(view.buffer);
      bytes += view.byteLength;
    }
  }
  return bytes;
}
