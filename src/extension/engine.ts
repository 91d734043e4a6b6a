// The extension's worker threads, so no heavy work runs on the extension host's thread: the
// segmentation pool and the image decode/encode worker. Created on first use, ended on deactivation.
import * as vscode from 'vscode';
import { SegmentPool } from '../core/worker/pool';
import { IoClient } from './ioClient';

let pool: SegmentPool | undefined;
let io: IoClient | undefined;
let workerPath: string | undefined;
let ioWorkerPath: string | undefined;

export function initEngine(context: vscode.ExtensionContext): void {
  workerPath = vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath;
  ioWorkerPath = vscode.Uri.joinPath(context.extensionUri, 'dist', 'ioWorker.js').fsPath;
  context.subscriptions.push({ dispose: () => void disposeEngine() });
}

export function engine(): SegmentPool {
  if (!workerPath) throw new Error('the K-means engine is used before activation');
  pool ??= new SegmentPool({ workerPath });
  return pool;
}

/** Decoding and encoding, on their own worker thread. */
export function imageIo(): IoClient {
  if (!ioWorkerPath) throw new Error('the image worker is used before activation');
  io ??= new IoClient(ioWorkerPath);
  return io;
}

/** The image behind `key` is closed: the workers drop what they prepared from it. */
export function forgetImage(key: string): void {
  pool?.forget(key);
}

/** Nothing is open: idle worker threads end, so their memory goes back to the system. */
export async function releaseIdle(): Promise<void> {
  pool?.trim();
  await io?.trimIdle();
}

export async function disposeEngine(): Promise<void> {
  const p = pool;
  const i = io;
  pool = undefined;
  io = undefined;
  await Promise.all([p?.dispose(), i?.dispose()]);
}
