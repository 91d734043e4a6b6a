// Writes a composite beside its image under core's output name, through workspace.fs (remote
// and virtual file systems too), never replacing a file: the bytes go to a hidden temporary name
// and are renamed with overwrite: false; a name taken meanwhile moves on to the next suffix.
import * as vscode from 'vscode';
import { SegmentationError } from '../core/errors';
import { outputName, uniqueName } from '../core/naming';
import type { ResultMode } from '../core/insight/render';
import type { OutputFormat, SegmentParams, SegmentResult } from '../core/types';
import { imageIo } from './engine';
import { fileName, parentOf } from './uris';

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

function randomTag(): string {
  return Math.random().toString(36).slice(2, 10);
}

/** The composite image file bytes of a result, in the given format (the right half in `view`'s mode). */
export function encodeComposite(
  result: SegmentResult,
  format: OutputFormat,
  view?: { mode: ResultMode; selected: number[]; white: boolean },
): Promise<Uint8Array> {
  return imageIo().encodeComposite(result, format, view);
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
export async function saveNamedBeside(imageUri: vscode.Uri, bytes: Uint8Array, wanted: string): Promise<vscode.Uri> {
  const dir = parentOf(imageUri);
  const tmp = vscode.Uri.joinPath(dir, `.${wanted}.${randomTag()}.partial`);
  try {
    await vscode.workspace.fs.writeFile(tmp, bytes);
  } catch (e) {
    // A write that failed part way (disk full) may have left some bytes under the temporary name.
    await vscode.workspace.fs.delete(tmp, { useTrash: false }).then(undefined, () => undefined);
    const err = new SegmentationError('not-writable', `cannot write beside the image (${e instanceof Error ? e.message : String(e)})`, fileName(imageUri));
    err.cause = e;
    throw err;
  }
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      const name = await uniqueName(wanted, (n) => exists(vscode.Uri.joinPath(dir, n)));
      const target = vscode.Uri.joinPath(dir, name);
      try {
        await vscode.workspace.fs.rename(tmp, target, { overwrite: false });
        return target;
      } catch (e) {
        if (e instanceof vscode.FileSystemError && e.code === 'FileExists') continue;
        // A file system without rename: write directly, still only to a free name.
        if (await exists(target)) continue;
        await vscode.workspace.fs.writeFile(target, bytes);
        return target;
      }
    }
    throw new SegmentationError('exists', `no free output name beside the image (tried ${wanted} and more)`, fileName(imageUri));
  } finally {
    if (await exists(tmp)) await vscode.workspace.fs.delete(tmp, { useTrash: false }).then(undefined, () => undefined);
  }
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
