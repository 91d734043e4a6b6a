// The extension's one worker pool (segmentation runs off the extension host's thread), created on
// first use and ended on deactivation.
import * as vscode from 'vscode';
import { SegmentPool } from '../core/worker/pool';

let pool: SegmentPool | undefined;
let workerPath: string | undefined;

export function initEngine(context: vscode.ExtensionContext): void {
  workerPath = vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath;
  context.subscriptions.push({ dispose: () => void disposeEngine() });
}

export function engine(): SegmentPool {
  if (!workerPath) throw new Error('the K-means engine is used before activation');
  pool ??= new SegmentPool({ workerPath });
  return pool;
}

export async function disposeEngine(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.dispose();
}
