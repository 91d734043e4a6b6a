// Writes a composite beside its image under core's output name, through workspace.fs (remote
// and virtual file systems too), never replacing a file (see core/files/writeNew.ts).
import * as vscode from 'vscode';
import { outputName } from '../../core/naming';
import type { ResultMode } from '../../core/insight/render';
import type { SegmentResult } from '../../core/types';
import { imageWorker } from '../workers/workers';
import { writeNewInFolder } from '../../core/files/writeNew';
import { fileName, parentOf } from './uris';
import type { OutputFormat } from '../../shared/formats';
import type { SegmentParams } from '../../shared/params';

/** The composite image file bytes of a result, in the given format (the right half in `view`'s mode). */
export function encodeComposite(
  result: SegmentResult,
  format: OutputFormat,
  view?: { mode: ResultMode; selected: number[]; white: boolean },
): Promise<Uint8Array> {
  return imageWorker().encodeComposite(result, format, view);
}

/** Saves `bytes` beside `imageUri` as outputName(...) (or -2, -3, ...); returns the new file. */
export async function saveBeside(
  imageUri: vscode.Uri,
  bytes: Uint8Array,
  params: SegmentParams,
  format: OutputFormat,
  date = new Date(),
): Promise<vscode.Uri> {
  return saveNamedBeside(imageUri, bytes, outputName(fileName(imageUri), params, format, date));
}

/** Saves `bytes` beside `imageUri` as `wanted` (or wanted-2, -3, ...), never replacing a file. */
export function saveNamedBeside(imageUri: vscode.Uri, bytes: Uint8Array, wanted: string): Promise<vscode.Uri> {
  const dir = parentOf(imageUri);
  const label = dir.scheme === 'file' ? dir.fsPath : dir.toString(true);
  return writeNewInFolder({ fs: vscode.workspace.fs, dir, join: (d, n) => vscode.Uri.joinPath(d, n), label }, wanted, bytes);
}

/** "Saved <name>" with Open and Reveal in Explorer. */
export async function announceSaved(uri: vscode.Uri): Promise<void> {
  const open = 'Open';
  const reveal = 'Reveal in Explorer';
  const choice = await vscode.window.showInformationMessage(`Saved ${fileName(uri)}`, open, reveal);
  if (choice === open) await vscode.commands.executeCommand('vscode.open', uri);
  else if (choice === reveal) await revealInExplorer(uri);
}

export async function revealInExplorer(uri: vscode.Uri): Promise<void> {
  if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
  else if (uri.scheme === 'file') await vscode.commands.executeCommand('revealFileInOS', uri);
  else await vscode.commands.executeCommand('vscode.open', uri);
}
