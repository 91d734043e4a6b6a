// The host's side of dist/imageWorker.js (the image worker): one worker thread, started on first
// use, restarted if it dies. A request that takes far too long (a decoder stuck on a hostile file) gets the worker
// terminated, so later requests are not stuck behind it. No `vscode` here, so unit tests drive
// the real worker.
import { SegmentationError } from '../../core/errors';
import type { MessagePort, TransferListItem } from 'node:worker_threads';
import { WorkerLink, type WithoutId } from '../../core/worker/rpc';
import { ownBuffer, toShared } from '../../core/bytes';
import type { ChannelImage, RgbImage, SegmentResult } from '../../core/types';
import type { RegionView } from '../../core/view/region';
import type { Answers, EncodeCompositeRequest, ImageKind, ImageRequest, ViewRequest, WireResult } from './imageProtocol';
import type { OutputFormat } from '../../shared/formats';
import type { ColorSpace, SegmentParams } from '../../shared/params';

/** What the worker reads of a result. */
export type ResultPixels = Pick<SegmentResult, 'image' | 'labels' | 'k'> & Partial<Pick<SegmentResult, 'clusterSizes' | 'rgbSums'>>;

/** An image in shared memory: the worker reads it where it is. */
function sharedImage(image: RgbImage): RgbImage {
  return { width: image.width, height: image.height, data: toShared(image.data) };
}

function wire(result: ResultPixels): WireResult {
  const { clusterSizes, rgbSums } = result;
  return { image: sharedImage(result.image), labels: toShared(result.labels), k: result.k, clusterSizes, rgbSums };
}

export interface ImageClientOptions {
  /** What any request may take before the worker is restarted; larger ones get more (see limitMs). */
  timeoutMs?: number;
  /**
   * The thread runs at the lowest priority (nice 19): for work a run must never wait behind,
   * which gets the cores once the runs leave them (reduced copies for the elbow curve, Explore).
   */
  background?: boolean;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/**
 * Decoding or encoding this much (bytes of file, pixels of image) leaves hundreds of megabytes
 * of codec buffers to the worker's garbage collector, which an idle worker may never run: the
 * worker is ended once it has answered, and the next request starts a fresh one (~0.1 s).
 */
const RECYCLE_AT = 4_000_000;
/** Extra time a request gets per megabyte of file (decode) or megapixel (encode). */
const EXTRA_MS_PER_MEGA = 1_000;

type Link = WorkerLink<ImageRequest, Answers>;

export class ImageClient {
  private link: Link | undefined;
  private started = 0;
  /** A worker to end once it is idle (see RECYCLE_AT). */
  private recycle: Link | undefined;
  /** Per request in flight, what it is about (the file decoded, or what is encoded), for errors. */
  private readonly labels = new Map<number, string>();
  /** The base time limit of a request (see limitMs); a change applies to later requests. */
  timeoutMs: number;
  private readonly background: boolean;

  constructor(
    private readonly workerPath: string,
    options: ImageClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.background = options.background ?? false;
  }

  /** Worker threads started so far (restarts included). */
  get workersStarted(): number {
    return this.started;
  }

  /**
   * Decodes file bytes (transferred: the caller's buffer is detached) into RGB pixels in shared
   * memory: `into` when the image has its size. With `pageAhead`, `into` (and first a JPEG
   * decoder's heap) is paged in by a pager thread the decoding thread starts.
   */
  async decode(bytes: Uint8Array, name: string, maxPixels: number, into?: SharedArrayBuffer, pageAhead = false): Promise<RgbImage> {
    return (await this.decodeWithHeap(bytes, name, maxPixels, into, pageAhead)).image;
  }

  /**
   * As decode; the JPEG decoder's heap made ahead (pageAhead) is posted to `heapTo` once the
   * pixels are out of it (heapSent), for SegmentPool.warm. `heapTo` is transferred and closed.
   */
  decodeWithHeap(bytes: Uint8Array, name: string, maxPixels: number, into?: SharedArrayBuffer, pageAhead = false, heapTo?: MessagePort): Promise<Answers['decode']> {
    const buf = ownBuffer(bytes);
    const req = { kind: 'decode' as const, bytes: buf, name, maxPixels, into, pageAhead: pageAhead || undefined, heapTo };
    return this.call<'decode'>(req, heapTo ? [buf, heapTo] : [buf], name, bytes.byteLength);
  }

  /**
   * A photo's embedded thumbnail decoded and turned by `orientation`, with its picture for the
   * panel; nothing when it does not decode or is not of the photo's shape (`size`, as shown).
   */
  quickLook(thumbnail: Uint8Array, orientation: number, size: { width: number; height: number }): Promise<Answers['quickLook']> {
    const bytes = new Uint8Array(thumbnail).buffer; // a copy: the thumbnail may be a view of the file's bytes
    return this.call<'quickLook'>({ kind: 'quickLook', bytes, orientation, ...size }, [bytes], 'the embedded thumbnail', bytes.byteLength);
  }

  /** A quick look's preview: `image` (a thumbnail) segmented with `params`, its palette and right half at its size. */
  quickPreview(image: RgbImage, params: SegmentParams, view: RegionView): Promise<Answers['quickPreview']> {
    return this.call<'quickPreview'>({ kind: 'quickPreview', image: sharedImage(image), params, view }, [], 'the thumbnail\'s preview', image.width * image.height);
  }

  /** Starts the worker ahead of the work, so its start-up is not on the way of the first request. */
  async warm(): Promise<void> {
    await this.call<'warm'>({ kind: 'warm' }, [], 'start-up', 0);
  }

  /** The composite (original | strip | gray labels, or the right half in `view`) as file bytes. */
  async encodeComposite(result: ResultPixels, format: OutputFormat, view?: EncodeCompositeRequest['view']): Promise<Uint8Array> {
    const { width, height } = result.image;
    const r = await this.call<'encodeComposite'>({ kind: 'encodeComposite', result: wire(result), format, view }, [], 'the composite image', width * height);
    return new Uint8Array(r.bytes);
  }

  /** The label image as a gray PNG (the reference script's levels), or with `selected` the 0/255 mask of those ranks. */
  async encodeGray(result: ResultPixels, selected?: number[]): Promise<Uint8Array> {
    const { width, height } = result.image;
    const r = await this.call<'encodeGray'>({ kind: 'encodeGray', result: wire(result), selected }, [], 'the label image', width * height);
    return new Uint8Array(r.bytes);
  }

  /** The image at display size (resized to `target` first) and a reduced copy for previews. */
  thumbs(image: RgbImage, target: { width: number; height: number }, displayMax: number, previewPixels: number): Promise<Answers['thumbs']> {
    return this.call<'thumbs'>({ kind: 'thumbs', image: sharedImage(image), target, displayMax, previewPixels }, [], 'the picture', image.width * image.height);
  }

  /** A result's palette and its right half at width x height, as `view` shows it (`shown`: the original at that size). */
  resultView(result: ResultPixels & { centers: number[][] }, width: number, height: number, view: RegionView, shown?: RgbImage): Promise<Answers['resultView']> {
    const size = result.image.width * result.image.height;
    const req = { kind: 'resultView' as const, result: wire(result), centers: result.centers, width, height, view, shown: shown && sharedImage(shown) };
    return this.call<'resultView'>(req, [], 'the result', size);
  }

  /** A region of a result at width x height: the right half (as `view`, or `hovered` highlighted), and with `both` the original. */
  view(req: Omit<ViewRequest, 'id' | 'kind' | 'result'> & { result: ResultPixels }): Promise<Answers['view']> {
    const shown = req.shown && sharedImage(req.shown);
    return this.call<'view'>({ ...req, shown, kind: 'view', result: wire(req.result) }, [], 'the picture', req.rect.width * req.rect.height);
  }

  /** Where the clusters split and the channel strips; `signal` stops them (see call). */
  insight(result: ResultPixels & { converted: ChannelImage }, colorSpace: ColorSpace, channels: number[], signal?: AbortSignal): Promise<Answers['insight']> {
    // (for BGR the image's own shared memory: nothing copied)
    const converted = { data: toShared(result.converted.data), offsets: result.converted.offsets };
    const size = result.image.width * result.image.height;
    return this.call<'insight'>({ kind: 'insight', result: wire(result), converted, colorSpace, channels }, [], 'the result', size, signal);
  }

  /** Ends the worker if it has nothing to do (it starts again on the next request). */
  async trimIdle(): Promise<void> {
    const link = this.link;
    if (!link || link.busy > 0) return;
    this.link = undefined;
    await link.terminate();
  }

  /** The image resized to `target` (INTER_AREA), in shared memory. */
  async reduce(image: RgbImage, target: { width: number; height: number }): Promise<RgbImage> {
    return (await this.call<'reduce'>({ kind: 'reduce', image: sharedImage(image), target }, [], 'the picture', image.width * image.height)).image;
  }

  /** A sweep result's score and pictures. */
  sweepThumb(result: ResultPixels): Promise<Answers['sweepThumb']> {
    const size = result.image.width * result.image.height;
    return this.call<'sweepThumb'>({ kind: 'sweepThumb', result: wire(result) }, [], 'the result', size);
  }

  dispose(): Promise<number> | undefined {
    const link = this.link;
    this.link = undefined;
    return link?.terminate();
  }

  /** The time a request of `size` bytes or pixels may take. */
  limitMs(size: number): number {
    return this.timeoutMs + Math.floor(size / 1e6) * EXTRA_MS_PER_MEGA;
  }

  /**
   * One request. Aborting `signal` fails it with a 'cancelled' error at once; if the worker runs
   * nothing else, the worker is ended too (a long request cannot be interrupted otherwise) and
   * the next request starts a fresh one.
   */
  private async call<K extends ImageKind>(
    req: WithoutId<Extract<ImageRequest, { kind: K }>>,
    transfer: TransferListItem[],
    label: string,
    size: number,
    signal?: AbortSignal,
  ): Promise<Answers[K]> {
    if (signal?.aborted) throw new SegmentationError('cancelled', 'cancelled');
    const link = this.ensureLink();
    if (size >= RECYCLE_AT && (req.kind === 'decode' || req.kind === 'encodeComposite' || req.kind === 'encodeGray')) this.recycle = link;
    const limit = this.limitMs(size);
    const { id, answer } = link.call<K>(req, transfer);
    this.labels.set(id, label);
    const timer = setTimeout(() => this.timedOut(link, id, limit), limit);
    timer.unref();
    let onAbort: (() => void) | undefined;
    const aborted = signal
      ? new Promise<never>((_, reject) => {
          onAbort = () => {
            reject(new SegmentationError('cancelled', 'cancelled'));
            if (link.busy === 1 && this.link === link) {
              this.link = undefined;
              void link.terminate();
            }
          };
          signal.addEventListener('abort', onAbort, { once: true });
        })
      : undefined;
    answer.catch(() => undefined);
    aborted?.catch(() => undefined);
    try {
      return await (aborted ? Promise.race([answer, aborted]) : answer);
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      clearTimeout(timer);
      this.labels.delete(id);
      // Ended once it has answered everything (see RECYCLE_AT); the next request starts a fresh one.
      if (link.busy === 0 && this.recycle === link && this.link === link) {
        this.link = undefined;
        void link.terminate();
      }
    }
  }

  /** A request overran its time: restart the worker; that request and any queued behind it fail. */
  private timedOut(link: Link, id: number, limit: number): void {
    if (this.link !== link) return;
    this.link = undefined;
    const seconds = limit < 10_000 ? (limit / 1000).toFixed(1) : Math.round(limit / 1000);
    void link.terminate(
      (other) =>
        new SegmentationError(
          'timed-out',
          other === id
            ? `took longer than ${seconds} s in the image worker: stopped (the worker was restarted)`
            : 'not processed: the image worker was restarted after another image took too long',
          this.labels.get(other),
        ),
    );
  }

  private ensureLink(): Link {
    if (this.link?.alive) return this.link;
    const link: Link = new WorkerLink(this.workerPath, {
      name: 'image worker',
      workerData: this.background ? { background: true } : undefined,
      onExit: () => {
        if (this.link === link) this.link = undefined;
      },
    });
    this.started++;
    this.link = link;
    return link;
  }
}
