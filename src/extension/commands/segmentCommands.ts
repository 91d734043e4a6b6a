// "Segment with K-means" and "Segment Current Image and Save". The batch command is in batch.ts.
import * as vscode from 'vscode';
import { isSegmentationError, oneLine } from '../../core/errors';
import { runBatchOnFiles } from '../batch/batchCommand';
import { VIEW_TYPE, type SegmentationEditorProvider } from '../editor/editorProvider';
import { log } from '../log';
import { announceSaved } from '../files/saveBeside';
import { segmentFileAndSave } from './segmentFile';
import { currentSettings } from '../settings/settings';
import { fileName, isImageUri } from '../files/uris';
import { IMAGE_EXTENSIONS, imageFormatsText, unreadableImageMessage } from '../../shared/formats';

const NO_IMAGE = `Open an image (${imageFormatsText('or')}) first: no image editor is active.`;

/** The file of the active editor tab: our editor, VS Code's image preview, any text tab. */
function activeTabUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText) return input.uri;
  return vscode.window.activeTextEditor?.document.uri;
}

/** The image of the active editor tab: our editor, VS Code's image preview, or any tab on an image file. */
export function activeImageUri(): vscode.Uri | undefined {
  const uri = activeTabUri();
  if (isImageUri(uri)) return uri;
  const doc = vscode.window.activeTextEditor?.document.uri;
  return isImageUri(doc) ? doc : undefined;
}

/**
 * Says so when the active tab shows an image in a format we cannot read (VS Code's preview
 * shows ICO and SVG, for one); true when it did.
 */
function refusedUnreadableTab(): boolean {
  const uri = activeTabUri();
  const message = uri && unreadableImageMessage(fileName(uri));
  if (message) void vscode.window.showErrorMessage(message);
  return Boolean(message);
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
  if (!uri && refusedUnreadableTab()) return;
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: 'Segment',
      title: 'Segment with K-means',
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      filters: { Images: [...IMAGE_EXTENSIONS] },
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
    if (!refusedUnreadableTab()) void vscode.window.showErrorMessage(NO_IMAGE);
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
