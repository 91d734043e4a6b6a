// The host's side of dist/ioWorker.js: one worker thread, started on first use, restarted if it
// dies. A request that takes far too long (a decoder stuck on a hostile file) gets the worker
// terminated, so later requests are not stuck behind it. No `vscode` here, so unit tests drive
// the real worker.
import { Worker } from 'node:worker_threads';
import { SegmentationError } from '../core/errors';
import type { OutputFormat, RgbImage, SegmentResult } from '../core/types';
import type { EncodeCompositeRequest, IoRequest, IoResponse } from './ioProtocol';

type Pending = {
  resolve(r: IoResponse & { ok: true }): void;
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
/** Extra time a request gets per megabyte of file (decode) or megapixel (encode). */
const EXTRA_MS_PER_MEGA = 1_000;

/** Distributes Omit over a union (plain Omit would merge the request kinds into one). */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export class IoClient {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private started = 0;
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

  /** Decodes file bytes (transferred: the caller's buffer is detached) into RGB pixels. */
  async decode(bytes: Uint8Array, name: string, maxPixels: number): Promise<RgbImage> {
    const buf = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
    const r = await this.call({ kind: 'decode', bytes: buf as ArrayBuffer, name, maxPixels }, [buf as ArrayBuffer], name, bytes.byteLength);
    if (r.kind !== 'decode') throw new Error('ioWorker answered a decode with ' + r.kind);
    return { width: r.width, height: r.height, data: new Uint8Array(r.rgb) };
  }

  /** The composite (original | strip | gray labels) of a result as file bytes. The result is not modified. */
  async encodeComposite(
    result: Pick<SegmentResult, 'image' | 'labels' | 'k'>,
    format: OutputFormat,
    view?: EncodeCompositeRequest['view'],
  ): Promise<Uint8Array> {
    const rgb = result.image.data.slice().buffer as ArrayBuffer;
    const labels = result.labels.slice().buffer as ArrayBuffer;
    const { width, height } = result.image;
    const r = await this.call({ kind: 'encodeComposite', width, height, rgb, labels, k: result.k, format, view }, [rgb, labels], 'the composite image', width * height);
    if (r.kind !== 'encodeComposite') throw new Error('ioWorker answered an encode with ' + r.kind);
    return new Uint8Array(r.bytes);
  }

  /** The label image as a gray PNG (the seed's levels), or with `selected` the 0/255 mask of those ranks. */
  async encodeGray(result: Pick<SegmentResult, 'image' | 'labels' | 'k'>, selected?: number[]): Promise<Uint8Array> {
    const labels = result.labels.slice().buffer as ArrayBuffer;
    const { width, height } = result.image;
    const r = await this.call({ kind: 'encodeGray', width, height, labels, k: result.k, selected }, [labels], 'the label image', width * height);
    if (r.kind !== 'encodeGray') throw new Error('ioWorker answered a gray encode with ' + r.kind);
    return new Uint8Array(r.bytes);
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

  private call(req: WithoutId<IoRequest>, transfer: ArrayBuffer[], label: string, size: number): Promise<IoResponse & { ok: true }> {
    const id = this.nextId++;
    const worker = this.ensureWorker();
    // Referenced only while it has work: an idle worker never keeps a process alive.
    worker.ref();
    const limit = this.limitMs(size);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.timedOut(worker, id, limit), limit);
      timer.unref();
      this.pending.set(id, { resolve, reject, label, timer });
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
      if (this.pending.size === 0) worker.unref();
      if (res.ok) p.resolve(res);
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
