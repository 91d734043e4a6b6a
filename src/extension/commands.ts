// "Segment with K-means" and "Segment Current Image and Save". The batch command is in batch.ts.
import * as vscode from 'vscode';
import { isSegmentationError, oneLine } from '../core/errors';
import { runBatchOnFiles } from './batch';
import { VIEW_TYPE, type SegmentationEditorProvider } from './editorProvider';
import { log } from './log';
import { announceSaved } from './saveOutput';
import { segmentFileAndSave } from './segmentFile';
import { currentSettings } from './settings';
import { fileName, isImageUri } from './uris';

const NO_IMAGE = 'Open an image (PNG, JPEG, BMP, GIF or TIFF) first: no image editor is active.';

/** The image of the active editor tab: our editor, VS Code's image preview, or any tab on an image file. */
export function activeImageUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText) {
    if (isImageUri(input.uri)) return input.uri;
  }
  const doc = vscode.window.activeTextEditor?.document.uri;
  return isImageUri(doc) ? doc : undefined;
}

/** Explorer passes (clicked, allSelected); editor menus pass the editor's Uri; the palette nothing. */
export async function segmentCommand(clicked?: unknown, selected?: unknown): Promise<void> {
  const many = Array.isArray(selected) ? selected.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
  const images = many.filter((u) => isImageUri(u));
  if (images.length > 1) {
    await runBatchOnFiles(images, `${images.length} selected images`);
    return;
  }
  let uri: vscode.Uri | undefined = clicked instanceof vscode.Uri && isImageUri(clicked) ? clicked : (images[0] ?? activeImageUri());
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: 'Segment',
      title: 'Segment with K-means',
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      filters: { Images: ['png', 'jpg', 'jpeg', 'bmp', 'gif', 'tif', 'tiff'] },
    });
    uri = picked?.[0];
    if (!uri) return;
  }
  await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
}

export async function segmentAndSaveCommand(provider: SegmentationEditorProvider, clicked?: unknown): Promise<void> {
  const panel = provider.active();
  if (panel) {
    const params = panel.currentParams() ?? currentSettings(panel.document.uri).params;
    await withErrors(fileName(panel.document.uri), () =>
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Saving the segmentation of ${fileName(panel.document.uri)}…` },
        async () => {
          const out = await panel.saveComposite(params);
          void announceSaved(out);
        },
      ),
    );
    return;
  }
  const uri = clicked instanceof vscode.Uri && isImageUri(clicked) ? clicked : activeImageUri();
  if (!uri) {
    void vscode.window.showErrorMessage(NO_IMAGE);
    return;
  }
  const settings = currentSettings(uri);
  const name = fileName(uri);
  await withErrors(name, () =>
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Segmenting ${name}…`, cancellable: true },
      async (_progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        try {
          const done = await segmentFileAndSave(uri, settings.params, settings.maxMegapixels, abort.signal);
          log().info(`${name} -> ${fileName(done.output)} (${Math.round(done.ms)} ms)`);
          void announceSaved(done.output);
        } finally {
          sub.dispose();
        }
      },
    ),
  );
}

async function withErrors(name: string, fn: () => Thenable<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (isSegmentationError(e) && e.code === 'cancelled') return;
    const message = oneLine(e);
    log().error(`${name}: ${message}`);
    void vscode.window.showErrorMessage(message.includes(name) ? message : `${name}: ${message}`);
  }
}
