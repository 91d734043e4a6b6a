// The host's side of dist/ioWorker.js: one worker thread, started on first use, restarted if it
// dies. No `vscode` here, so unit tests drive the real worker.
import { Worker } from 'node:worker_threads';
import { SegmentationError } from '../core/errors';
import type { OutputFormat, RgbImage, SegmentResult } from '../core/types';
import type { EncodeCompositeRequest, IoRequest, IoResponse } from './ioProtocol';

type Pending = { resolve(r: IoResponse & { ok: true }): void; reject(e: Error): void };

/** Distributes Omit over a union (plain Omit would merge the request kinds into one). */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export class IoClient {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly workerPath: string) {}

  /** Decodes file bytes (transferred: the caller's buffer is detached) into RGB pixels. */
  async decode(bytes: Uint8Array, name: string, maxPixels: number): Promise<RgbImage> {
    const buf = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
    const r = await this.call({ kind: 'decode', bytes: buf as ArrayBuffer, name, maxPixels }, [buf as ArrayBuffer]);
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
    const r = await this.call({ kind: 'encodeComposite', width, height, rgb, labels, k: result.k, format, view }, [rgb, labels]);
    if (r.kind !== 'encodeComposite') throw new Error('ioWorker answered an encode with ' + r.kind);
    return new Uint8Array(r.bytes);
  }

  /** The label image as a gray PNG (the seed's levels), or with `selected` the 0/255 mask of those ranks. */
  async encodeGray(result: Pick<SegmentResult, 'image' | 'labels' | 'k'>, selected?: number[]): Promise<Uint8Array> {
    const labels = result.labels.slice().buffer as ArrayBuffer;
    const { width, height } = result.image;
    const r = await this.call({ kind: 'encodeGray', width, height, labels, k: result.k, selected }, [labels]);
    if (r.kind !== 'encodeGray') throw new Error('ioWorker answered a gray encode with ' + r.kind);
    return new Uint8Array(r.bytes);
  }

  dispose(): Promise<number> | undefined {
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new SegmentationError('cancelled', 'the image worker is stopped'));
    return w?.terminate();
  }

  private call(req: WithoutId<IoRequest>, transfer: ArrayBuffer[]): Promise<IoResponse & { ok: true }> {
    const id = this.nextId++;
    const worker = this.ensureWorker();
    // Referenced only while it has work: an idle worker never keeps a process alive.
    worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...req, id } as IoRequest, transfer);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerPath);
    worker.unref();
    worker.on('message', (res: IoResponse) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
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
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
