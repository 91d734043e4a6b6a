// The host's side of dist/ioWorker.js (the image worker): one worker thread, started on first
// use, restarted if it dies. A request that takes far too long (a decoder stuck on a hostile file) gets the worker
// terminated, so later requests are not stuck behind it. No `vscode` here, so unit tests drive
// the real worker.
import { Worker } from 'node:worker_threads';
import { SegmentationError } from '../core/errors';
import { toShared } from '../core/bytes';
import type { OutputFormat, RgbImage, SegmentResult } from '../core/types';
import type { RegionView } from '../core/view/region';
import type { ColorSpaceId } from '../shared/protocol';
import type { Answers, DecodeRequest, EncodeCompositeRequest, IoKind, IoRequest, IoResponse, ViewRequest, WireResult } from './ioProtocol';

/** What the worker reads of a result. */
export type ResultPixels = Pick<SegmentResult, 'image' | 'labels' | 'k'>;

/** An image in shared memory: the worker reads it where it is. */
function sharedImage(image: RgbImage): RgbImage {
  return { width: image.width, height: image.height, data: toShared(image.data) };
}

function wire(result: ResultPixels): WireResult {
  return { image: sharedImage(result.image), labels: toShared(result.labels), k: result.k };
}

type Pending = {
  resolve(answer: unknown): void;
  reject(e: Error): void;
  /** The file (decode) or what is being encoded, for error messages. */
  label: string;
  timer: ReturnType<typeof setTimeout>;
};

export interface IoClientOptions {
  /** What any request may take before the worker is restarted; larger ones get more (see limitMs). */
  timeoutMs?: number;
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

/** Distributes Omit over a union (plain Omit would merge the request kinds into one). */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export class IoClient {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private started = 0;
  /** A worker to end once it is idle (see RECYCLE_AT). */
  private recycle: Worker | undefined;
  /** The base time limit of a request (see limitMs); a change applies to later requests. */
  timeoutMs: number;

  constructor(
    private readonly workerPath: string,
    options: IoClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Worker threads started so far (restarts included). */
  get workersStarted(): number {
    return this.started;
  }

  /** Decodes file bytes (transferred: the caller's buffer is detached) into RGB pixels in shared memory. */
  async decode(bytes: Uint8Array, name: string, maxPixels: number): Promise<RgbImage> {
    return (await this.decodeWith(bytes, name, maxPixels)).image;
  }

  /** The same, and with `thumbs` the panel's pictures of the image at full size too. */
  decodeWith(bytes: Uint8Array, name: string, maxPixels: number, thumbs?: DecodeRequest['thumbs']): Promise<Answers['decode']> {
    const buf = (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
    return this.call<'decode'>({ kind: 'decode', bytes: buf, name, maxPixels, thumbs }, [buf], name, bytes.byteLength);
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

  /** The label image as a gray PNG (the seed's levels), or with `selected` the 0/255 mask of those ranks. */
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

  /** Where the clusters split and the channel strips. */
  insight(result: ResultPixels & { converted: Uint8Array }, colorSpace: ColorSpaceId, channels: number[]): Promise<Answers['insight']> {
    const converted = toShared(result.converted);
    const size = result.image.width * result.image.height;
    return this.call<'insight'>({ kind: 'insight', result: wire(result), converted, colorSpace, channels }, [], 'the result', size);
  }

  /** Ends the worker if it has nothing to do (it starts again on the next request). */
  async trimIdle(): Promise<void> {
    const w = this.worker;
    if (!w || this.pending.size > 0) return;
    this.worker = undefined;
    await w.terminate();
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
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new SegmentationError('cancelled', 'the image worker is stopped'));
    return w?.terminate();
  }

  /** The time a request of `size` bytes or pixels may take. */
  limitMs(size: number): number {
    return this.timeoutMs + Math.floor(size / 1e6) * EXTRA_MS_PER_MEGA;
  }

  private call<K extends IoKind>(req: WithoutId<Extract<IoRequest, { kind: K }>>, transfer: ArrayBuffer[], label: string, size: number): Promise<Answers[K]> {
    const id = this.nextId++;
    const worker = this.ensureWorker();
    if (size >= RECYCLE_AT && (req.kind === 'decode' || req.kind === 'encodeComposite' || req.kind === 'encodeGray')) this.recycle = worker;
    // Referenced only while it has work: an idle worker never keeps a process alive.
    worker.ref();
    const limit = this.limitMs(size);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.timedOut(worker, id, limit), limit);
      timer.unref();
      this.pending.set(id, { resolve: resolve as (a: unknown) => void, reject, label, timer });
      worker.postMessage({ ...req, id } as IoRequest, transfer);
    });
  }

  /** A request overran its time: restart the worker; that request and any queued behind it fail. */
  private timedOut(worker: Worker, id: number, limit: number): void {
    if (this.worker !== worker || !this.pending.has(id)) return;
    this.worker = undefined;
    void worker.terminate();
    const seconds = limit < 10_000 ? (limit / 1000).toFixed(1) : Math.round(limit / 1000);
    for (const [pid, p] of this.pending) {
      clearTimeout(p.timer);
      const why =
        pid === id
          ? `took longer than ${seconds} s in the image worker: stopped (the worker was restarted)`
          : 'not processed: the image worker was restarted after another image took too long';
      p.reject(new SegmentationError('timed-out', why, p.label));
    }
    this.pending.clear();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerPath);
    this.started++;
    worker.unref();
    worker.on('message', (res: IoResponse) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      clearTimeout(p.timer);
      if (this.pending.size === 0) {
        worker.unref();
        if (this.recycle === worker && this.worker === worker) {
          this.worker = undefined;
          void worker.terminate();
        }
      }
      if (res.ok) p.resolve(res.answer);
      else if (res.error.code) p.reject(new SegmentationError(res.error.code, res.error.message));
      else p.reject(Object.assign(new Error(res.error.message), { name: res.error.name }));
    });
    const died = (why: string): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(new Error(`image worker stopped: ${why}`));
    };
    worker.on('error', (e) => died(e.message));
    worker.on('exit', (code) => died(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
  }
}
