// Calls to a worker thread, both sides: the host's WorkerLink sends requests with an id and a
// kind and matches each answer to its call; the worker's serve() runs a handler per kind and
// answers every request exactly once. Errors cross as WireError, so a user's error (a
// SegmentationError with its code) stays one on the other side. The segmentation pool and the
// image worker's client both use it; each keeps its own policy (which worker, time limits).
import { collectWhenIdle, sawShared, sharedBytesIn } from './idleCollect';
import { Worker, parentPort, type TransferListItem } from 'node:worker_threads';
import { SegmentationError, isSegmentationError, type ErrorCode } from '../errors';

export interface WireError {
  name: string;
  message: string;
  /** Set for SegmentationError (user errors), with the file it is about when there is one. */
  code?: ErrorCode;
  file?: string;
  /** The thread's stack, for KMEANS_DEBUG=1. */
  stack?: string;
}

export function toWire(e: unknown): WireError {
  if (isSegmentationError(e)) {
    // the message without the "file: " the constructor added, which fromWire adds again
    const prefix = e.file ? `${e.file}: ` : '';
    const message = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
    return { name: e.name, message, code: e.code, file: e.file, stack: e.stack };
  }
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

export function fromWire(e: WireError): Error {
  const err = e.code ? new SegmentationError(e.code, e.message, e.file) : Object.assign(new Error(e.message), { name: e.name });
  if (e.stack) err.stack = e.stack;
  return err;
}

export interface WireRequest {
  id: number;
  kind: string;
}

/** `extra`: what the worker adds to every answer (the pool's workers: the inputs they hold). */
export type WireResponse<A = unknown, X = object> = ({ id: number; ok: true; answer: A } | { id: number; ok: false; error: WireError }) & X;

/** Distributes Omit over a union (plain Omit would merge the request kinds into one). */
export type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

type Answered<Answers, K> = K extends keyof Answers ? Answers[K] : never;

interface Pending {
  resolve(answer: unknown): void;
  reject(e: Error): void;
}

export interface WorkerLinkOptions<X> {
  /** How errors name the thread: "segmentation worker crashed: ...". */
  name: string;
  workerData?: unknown;
  /** Every response, before its call settles (the pool reads `extra` here). */
  onResponse?(response: WireResponse<unknown, X>): void;
  /** The worker died (error or exit) or was terminated: every call in flight has failed. */
  onExit?(why: string): void;
}

/**
 * One worker thread and the calls in flight to it. The thread keeps the process alive only
 * while a call is pending or someone holds it (hold()): an idle worker never does.
 */
export class WorkerLink<Req extends WireRequest, Answers, X = object> {
  readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private holds = 0;
  private ended = false;
  /** The thread has started running (a crash before that is not worth a replacement). */
  online = false;

  constructor(path: string, private readonly options: WorkerLinkOptions<X>) {
    this.worker = new Worker(path, { workerData: options.workerData });
    this.worker.unref();
    this.worker.on('online', () => (this.online = true));
    this.worker.on('message', (res: WireResponse<unknown, X>) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      this.refresh();
      options.onResponse?.(res);
      if (res.ok) p.resolve(res.answer);
      else p.reject(fromWire(res.error));
    });
    this.worker.on('error', (e) => this.end(new Error(`${options.name} crashed: ${e.message}`), e.message));
    this.worker.on('exit', (code) => this.end(new Error(`${options.name} crashed: exited with code ${code}`), `exited with code ${code}`));
  }

  get busy(): number {
    return this.pending.size;
  }

  get alive(): boolean {
    return !this.ended;
  }

  call<K extends Req['kind']>(req: WithoutId<Extract<Req, { kind: K }>>, transfer: readonly TransferListItem[] = []): { id: number; answer: Promise<Answered<Answers, K>> } {
    const id = this.nextId++;
    if (this.ended) return { id, answer: Promise.reject(this.stoppedError()) };
    const answer = new Promise<Answered<Answers, K>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (a: unknown) => void, reject });
    });
    this.refresh();
    this.worker.postMessage({ ...req, id }, transfer);
    return { id, answer };
  }

  /** Keeps the process alive until the returned function is called (a run between its calls). */
  hold(): () => void {
    this.holds++;
    this.refresh();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.refresh();
    };
  }

  /** Ends the thread; each call in flight fails with `errorFor(its id)`. */
  terminate(errorFor: (id: number) => Error = () => this.stoppedError()): Promise<number> {
    this.fail(errorFor);
    this.end(undefined, 'terminated');
    return this.worker.terminate();
  }

  private stoppedError(): Error {
    return new SegmentationError('cancelled', `the ${this.options.name} is stopped`);
  }

  private fail(errorFor: (id: number) => Error): void {
    const calls = [...this.pending];
    this.pending.clear();
    for (const [id, p] of calls) p.reject(errorFor(id));
  }

  private end(error: Error | undefined, why: string): void {
    if (this.ended) return;
    this.ended = true;
    if (error) this.fail(() => error);
    this.holds = 0;
    this.refresh();
    this.options.onExit?.(why);
  }

  private refresh(): void {
    if (!this.ended && (this.pending.size > 0 || this.holds > 0)) this.worker.ref();
    else this.worker.unref();
  }
}

export type Handlers<Req extends WireRequest, Answers> = {
  [K in Req['kind']]: (req: Extract<Req, { kind: K }>) => Answered<Answers, K> | Promise<Answered<Answers, K>>;
};

export interface ServeOptions<X> {
  /** Buffers of an answer to transfer instead of copying (fresh ones the worker does not keep). */
  transfer?(answer: unknown): ArrayBuffer[];
  /** Added to every response, after the handler ran. */
  extra?(): X;
}

/**
 * The worker's side: answers each request with its kind's handler, errors included. Once no
 * request is left, after requests and answers that carried a lot of shared memory, the thread's
 * garbage is collected (see idleCollect.ts: the images and labels its tasks saw are freed).
 */
export function serve<Req extends WireRequest, Answers, X extends object = object>(handlers: Handlers<Req, Answers>, options: ServeOptions<X> = {}): void {
  const port = parentPort;
  if (!port) throw new Error('serve() must run in a worker thread');
  let inFlight = 0;
  const answered = (): void => {
    if (--inFlight === 0) collectWhenIdle(() => inFlight > 0);
  };
  port.on('message', (req: Req) => {
    inFlight++;
    sawShared(sharedBytesIn(req));
    const handler = handlers[req.kind as Req['kind']] as (r: Req) => unknown;
    Promise.resolve()
      .then(() => handler(req))
      .then(
        (answer) => {
          sawShared(sharedBytesIn(answer));
          port.postMessage({ id: req.id, ok: true, answer, ...options.extra?.() }, options.transfer?.(answer) ?? []);
        },
        (e: unknown) => port.postMessage({ id: req.id, ok: false, error: toWire(e), ...options.extra?.() }),
      )
      .finally(answered);
  });
}
