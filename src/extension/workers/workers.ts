// The extension's worker threads, so no heavy work runs on the extension host's thread: the
// segmentation pool and the image decode/encode worker. Created on first use, ended on deactivation.
import * as vscode from 'vscode';
import { SegmentPool } from '../../core/worker/pool';
import { ImageClient } from './imageClient';

let pool: SegmentPool | undefined;
let io: ImageClient | undefined;
let decoder: ImageClient | undefined;
let insights: ImageClient | undefined;
let background: ImageClient | undefined;
let workerPath: string | undefined;
let imageWorkerPath: string | undefined;
let batchPath: string | undefined;
let batchProcess: string | undefined;

export function initEngine(context: vscode.ExtensionContext): void {
  workerPath = vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath;
  imageWorkerPath = vscode.Uri.joinPath(context.extensionUri, 'dist', 'imageWorker.js').fsPath;
  batchPath = vscode.Uri.joinPath(context.extensionUri, 'dist', 'batchWorker.js').fsPath;
  batchProcess = vscode.Uri.joinPath(context.extensionUri, 'dist', 'batchProcess.js').fsPath;
  context.subscriptions.push({ dispose: () => void disposeEngine() });
}

export function segmentPool(): SegmentPool {
  if (!workerPath) throw new Error('the K-means engine is used before activation');
  pool ??= new SegmentPool({ workerPath });
  return pool;
}

/** The script of a batch's workers (core/batch): each runs one image from its bytes to the bytes to save. */
export function batchWorkerPath(): string {
  if (!batchPath) throw new Error('the K-means engine is used before activation');
  return batchPath;
}

/** The script of the process a batch of local files runs in (core/batch/processMain.ts). */
export function batchProcessPath(): string {
  if (!batchProcess) throw new Error('the K-means engine is used before activation');
  return batchProcess;
}

/** The panel's pictures and views, and encoding, on their own worker thread (kept warm). */
export function imageWorker(): ImageClient {
  if (!imageWorkerPath) throw new Error('the image worker is used before activation');
  io ??= new ImageClient(imageWorkerPath);
  return io;
}

/**
 * Decoding, on a thread of its own: a large image's decode leaves hundreds of megabytes of
 * codec buffers, so that thread ends after it (see ImageClient's RECYCLE_AT) while the views'
 * thread, busy right after with the new image, stays warm.
 */
export function imageDecoder(): ImageClient {
  if (!imageWorkerPath) throw new Error('the image worker is used before activation');
  decoder ??= new ImageClient(imageWorkerPath);
  return decoder;
}

/**
 * The insight views of a full-size result (about a second at 24 MP), on a thread of their own:
 * the next run's pictures never wait behind them, and a newer run ends the thread instead of
 * letting stale views take a core. Before a panel's first result it makes the preview of the
 * photo's embedded thumbnail.
 */
export function insightWorker(): ImageClient {
  if (!imageWorkerPath) throw new Error('the image worker is used before activation');
  insights ??= new ImageClient(imageWorkerPath);
  return insights;
}

/**
 * Work that a run must never wait behind, on a thread at the lowest priority: the reduced copy
 * of a photo for the elbow curve and Explore (a quarter of a second at 24 MP, which took that
 * much from the first change of k after a panel opened when it ran on an ordinary thread).
 */
export function backgroundWorker(): ImageClient {
  if (!imageWorkerPath) throw new Error('the image worker is used before activation');
  background ??= new ImageClient(imageWorkerPath, { background: true });
  return background;
}

/** The image behind `key` is closed: the workers drop what they prepared from it. */
export function forgetImage(key: string): void {
  pool?.forget(key);
}

/** Nothing is open: idle worker threads end, so their memory goes back to the system. */
export async function releaseIdle(): Promise<void> {
  pool?.trim();
  await Promise.all([io?.trimIdle(), decoder?.trimIdle(), insights?.trimIdle(), background?.trimIdle()]);
}

export async function disposeEngine(): Promise<void> {
  const p = pool;
  const i = io;
  const d = decoder;
  const v = insights;
  const b = background;
  pool = undefined;
  io = undefined;
  decoder = undefined;
  insights = undefined;
  background = undefined;
  await Promise.all([p?.dispose(), i?.dispose(), d?.dispose(), v?.dispose(), b?.dispose()]);
}
