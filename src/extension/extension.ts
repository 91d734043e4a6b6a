// Activation: the output channel, the worker pool (started lazily), the custom editor and the
// three commands. Everything is registered in context.subscriptions and released on deactivate.
import * as vscode from 'vscode';
import { batchCommand } from './batch/batchCommand';
import { segmentAndSaveCommand, segmentCommand } from './commands/segmentCommands';
import { SegmentationEditorProvider } from './editor/editorProvider';
import { disposeEngine, initEngine } from './workers/workers';
import { initLog } from './log';

export function activate(context: vscode.ExtensionContext): void {
  initLog(context);
  initEngine(context);
  const provider = SegmentationEditorProvider.register(context);
  context.subscriptions.push(
    vscode.commands.registerCommand('kmeansSegmentation.segment', segmentCommand),
    vscode.commands.registerCommand('kmeansSegmentation.segmentAndSave', (uri?: unknown) =>
      segmentAndSaveCommand(provider, uri),
    ),
    vscode.commands.registerCommand('kmeansSegmentation.batch', batchCommand),
  );
}

export async function deactivate(): Promise<void> {
  await disposeEngine();
}
