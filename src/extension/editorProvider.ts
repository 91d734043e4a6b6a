// The read-only custom editor `kmeansSegmentation.editor`: one ImageDocument per image, one
// SegmentationPanel per open editor. Knows which panel is active, for "Segment Current Image
// and Save".
import * as vscode from 'vscode';
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
    return new ImageDocument(uri);
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
    webviewPanel.onDidDispose(() => this.panels.delete(panel));
  }

  /** Our editor when it is the active editor. */
  active(): SegmentationPanel | undefined {
    return this.activePanel?.active ? this.activePanel : undefined;
  }

  /** The open panel of an image, if any (its decoded pixels and parameters can be reused). */
  panelFor(uri: vscode.Uri): SegmentationPanel | undefined {
    for (const p of this.panels) if (p.document.uri.toString() === uri.toString()) return p;
    return undefined;
  }
}
