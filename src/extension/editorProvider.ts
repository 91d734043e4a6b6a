// The read-only custom editor `kmeansSegmentation.editor`: one ImageDocument per image, one
// SegmentationPanel per open editor. Knows which panel is active, for "Segment Current Image
// and Save".
import * as vscode from 'vscode';
import { forgetImage, releaseIdle } from './engine';
import { ImageDocument } from './imageDocument';
import { SegmentationPanel } from './panel';

export const VIEW_TYPE = 'kmeansSegmentation.editor';

export class SegmentationEditorProvider implements vscode.CustomReadonlyEditorProvider<ImageDocument> {
  private readonly panels = new Set<SegmentationPanel>();
  private activePanel: SegmentationPanel | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {}

  static register(context: vscode.ExtensionContext): SegmentationEditorProvider {
    const provider = new SegmentationEditorProvider(context);
    context.subscriptions.push(
      vscode.window.registerCustomEditorProvider(VIEW_TYPE, provider, {
        supportsMultipleEditorsPerDocument: false,
        webviewOptions: { retainContextWhenHidden: false },
      }),
      { dispose: () => provider.panels.forEach((p) => p.dispose()) },
    );
    return provider;
  }

  openCustomDocument(uri: vscode.Uri): ImageDocument {
    const document = new ImageDocument(uri);
    document.onDidDispose(() => {
      const key = document.key;
      if (key) forgetImage(key);
    });
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
