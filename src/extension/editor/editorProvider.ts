// The read-only custom editor `kmeansSegmentation.editor`: one ImageDocument per image, one
// SegmentationPanel per open editor. Knows which panel is active, for "Segment Current Image
// and Save".
import * as vscode from 'vscode';
import { forgetImage, releaseIdle } from '../workers/workers';
import { ImageDocument } from './imageDocument';
import { SegmentationPanel } from './panel';
import { PanelSession } from './panelSession';
import { currentSettings } from '../settings/settings';
import { Disposable } from '../dispose';

export const VIEW_TYPE = 'kmeansSegmentation.editor';

export class SegmentationEditorProvider extends Disposable implements vscode.CustomReadonlyEditorProvider<ImageDocument> {
  private readonly panels = new Set<SegmentationPanel>();
  private activePanel: SegmentationPanel | undefined;

  private constructor(private readonly context: vscode.ExtensionContext) {
    super();
    this._register({ dispose: () => [...this.panels].forEach((p) => p.dispose()) });
    this._register(
      vscode.window.registerCustomEditorProvider(VIEW_TYPE, this, {
        supportsMultipleEditorsPerDocument: false,
        webviewOptions: { retainContextWhenHidden: false },
      }),
    );
  }

  static register(context: vscode.ExtensionContext): SegmentationEditorProvider {
    const provider = new SegmentationEditorProvider(context);
    context.subscriptions.push(provider);
    return provider;
  }

  openCustomDocument(uri: vscode.Uri): ImageDocument {
    const document = new ImageDocument(uri);
    document.onDidDispose(() => {
      const key = document.key;
      if (key) forgetImage(key);
    });
    // VS Code opens the document before it makes the editor's webview: the image is read and
    // decoded from here, 0.07-0.3 s sooner than from the panel, which finds it on its way (a
    // failed load is not kept: the panel's own load tries again and shows the error).
    document.load(currentSettings(uri).maxMegapixels, undefined, PanelSession.firstThumbs).catch(() => undefined);
    return document;
  }

  resolveCustomEditor(document: ImageDocument, webviewPanel: vscode.WebviewPanel): void {
    const panel = new SegmentationPanel(document, webviewPanel, {
      extensionUri: this.context.extensionUri,
      workspaceState: this.context.workspaceState,
      onActive: (p, active) => {
        if (active) this.activePanel = p;
        else if (this.activePanel === p) this.activePanel = undefined;
      },
    });
    this.panels.add(panel);
    webviewPanel.onDidDispose(() => {
      this.panels.delete(panel);
      // The last panel closed: give the workers' memory back (a 24 MP photo's is hundreds of MB).
      if (this.panels.size === 0) void releaseIdle();
    });
  }

  /** Our editor when it is the active editor. */
  active(): SegmentationPanel | undefined {
    return this.activePanel?.active ? this.activePanel : undefined;
  }
}
