// One open K-means editor: its webview, its runs and its file watcher. Every message from the
// webview is validated before use; each run cancels the previous one (latest wins); everything
// it creates is disposed with the panel.
import * as vscode from 'vscode';
import { isSegmentationError, oneLine } from '../core/errors';
import type { SegmentResult } from '../core/types';
import {
  checkPanelParams,
  checkWebviewMessage,
  sizePercents,
  type HostMessage,
  type PanelParams,
  type RunMessage,
  type SaveMessage,
} from '../shared/protocol';
import { compositeRgba } from './compositeRgba';
import { engine } from './engine';
import type { ImageDocument } from './imageDocument';
import { log } from './log';
import { announceSaved, encodeComposite, saveBeside } from './saveOutput';
import { currentSettings } from './settings';
import { SECTION, sameSegmentParams, toSegmentParams } from './settingsLogic';
import { fileName, parentOf } from './uris';
import { makeNonce, webviewHtml } from './webviewHtml';

export interface PanelHost {
  extensionUri: vscode.Uri;
  /** Parameters remembered per image across reloads. */
  workspaceState: vscode.Memento;
  /** Called when this panel becomes the active editor, and when it is disposed. */
  onActive(panel: SegmentationPanel, active: boolean): void;
}

const FILE_EVENT_DELAY_MS = 250;

export function paramsStateKey(uri: vscode.Uri): string {
  return `kmeansSegmentation.params:${uri.toString()}`;
}

export class SegmentationPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly name: string;
  private runAbort: AbortController | undefined;
  /** The newest finished run: Save reuses it when the parameters match. */
  private last: { params: PanelParams; result: SegmentResult } | undefined;
  /** The parameters the panel shows (the last valid ones it sent). */
  private params: PanelParams | undefined;
  private disposed = false;
  private fileEventTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly document: ImageDocument,
    private readonly webviewPanel: vscode.WebviewPanel,
    private readonly host: PanelHost,
  ) {
    this.name = fileName(document.uri);
    const webview = webviewPanel.webview;
    const dist = vscode.Uri.joinPath(host.extensionUri, 'dist');
    const media = vscode.Uri.joinPath(host.extensionUri, 'media');
    webview.options = { enableScripts: true, localResourceRoots: [dist, media] };
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce((n) => crypto.getRandomValues(new Uint8Array(n))),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.css')).toString(),
      fileName: this.name,
    });

    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      webviewPanel.onDidChangeViewState((e) => host.onActive(this, e.webviewPanel.active)),
      webviewPanel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SECTION, document.uri)) {
          this.post({ type: 'defaults', defaults: currentSettings(document.uri).params });
        }
      }),
      this.watchFile(),
    );
    if (webviewPanel.active) host.onActive(this, true);
  }

  get active(): boolean {
    return !this.disposed && this.webviewPanel.active;
  }

  /** The parameters the panel shows now, if it has sent any. */
  currentParams(): PanelParams | undefined {
    return this.params;
  }

  private post(msg: HostMessage): void {
    if (this.disposed) return;
    void this.webviewPanel.webview.postMessage(msg).then(undefined, () => undefined);
  }

  private onMessage(raw: unknown): void {
    const checked = checkWebviewMessage(raw);
    if (!checked.ok) {
      log().warn(`Rejected a message from the panel of ${this.name}: ${checked.reason}`);
      return;
    }
    const msg = checked.value;
    switch (msg.type) {
      case 'ready':
        this.sendInit();
        return;
      case 'run':
        this.params = msg.params;
        void this.host.workspaceState.update(paramsStateKey(this.document.uri), msg.params);
        void this.run(msg);
        return;
      case 'save':
        void this.saveFromPanel(msg);
        return;
    }
  }

  private sendInit(): void {
    const defaults = currentSettings(this.document.uri).params;
    const stored = checkPanelParams(this.host.workspaceState.get(paramsStateKey(this.document.uri)));
    this.post({ type: 'init', fileName: this.name, params: stored.ok ? stored.value : defaults, defaults });
  }

  private async run(msg: RunMessage): Promise<void> {
    const started = performance.now();
    this.runAbort?.abort();
    const abort = new AbortController();
    this.runAbort = abort;
    try {
      const loaded = await this.document.load(currentSettings(this.document.uri).maxMegapixels);
      if (abort.signal.aborted) return;
      const result = await engine().segment(loaded.image, toSegmentParams(msg.params), {
        signal: abort.signal,
        imageKey: loaded.key,
      });
      if (abort.signal.aborted) return;
      this.last = { params: msg.params, result };
      const rgba = compositeRgba(result);
      this.post({
        type: 'result',
        requestId: msg.requestId,
        width: rgba.width,
        height: rgba.height,
        pixels: rgba.data.buffer as ArrayBuffer,
        k: result.k,
        inertia: result.inertia,
        sizes: sizePercents(result.clusterSizes),
        timeMs: performance.now() - started,
        warnings: result.warnings,
      });
    } catch (e) {
      if (isSegmentationError(e) && e.code === 'cancelled') return;
      if (abort.signal.aborted) return;
      this.reportError(e, msg.requestId);
    } finally {
      if (this.runAbort === abort) this.runAbort = undefined;
    }
  }

  private reportError(e: unknown, requestId: number | null): void {
    const message = oneLine(e);
    // User errors (bad file, too large) are expected; anything else is logged as a bug.
    if (isSegmentationError(e)) log().warn(message);
    else log().error(`${this.name}: ${e instanceof Error ? (e.stack ?? e.message) : message}`);
    this.post({ type: 'error', requestId, message: message.startsWith(this.name) ? message : `${this.name}: ${message}` });
  }

  /** Segments (or reuses the newest run) with `params` and saves the composite beside the image. */
  async saveComposite(params: PanelParams): Promise<vscode.Uri> {
    let result: SegmentResult;
    if (this.last && sameSegmentParams(this.last.params, params)) {
      result = this.last.result;
    } else {
      const loaded = await this.document.load(currentSettings(this.document.uri).maxMegapixels);
      result = await engine().segment(loaded.image, toSegmentParams(params), { imageKey: loaded.key });
    }
    const bytes = await encodeComposite(result, params.format);
    const uri = await saveBeside(this.document.uri, bytes, toSegmentParams(params), params.format);
    log().info(`Saved ${uri.toString(true)}`);
    return uri;
  }

  private async saveFromPanel(msg: SaveMessage): Promise<void> {
    try {
      const uri = await this.saveComposite(msg.params);
      this.post({ type: 'saved', requestId: msg.requestId, name: fileName(uri) });
      void announceSaved(uri);
    } catch (e) {
      const message = oneLine(e);
      this.post({ type: 'saved', requestId: msg.requestId, error: message });
      this.reportError(e, null);
      void vscode.window.showErrorMessage(`Could not save the segmentation of ${this.name}: ${message}`);
    }
  }

  /** Re-renders when the image changes on disk; says so when it is deleted. */
  private watchFile(): vscode.Disposable {
    const uri = this.document.uri;
    // The folder with '*' rather than the file's name as a glob: names may hold glob characters.
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(parentOf(uri), '*'));
    const same = (u: vscode.Uri): boolean => u.toString() === uri.toString();
    const later = (fn: () => void): void => {
      clearTimeout(this.fileEventTimer);
      this.fileEventTimer = setTimeout(fn, FILE_EVENT_DELAY_MS);
    };
    const changed = (u: vscode.Uri): void => {
      if (!same(u)) return;
      later(() => {
        this.document.invalidate();
        this.last = undefined;
        this.post({ type: 'fileChanged', message: `${this.name} changed on disk: updated` });
      });
    };
    const deleted = (u: vscode.Uri): void => {
      if (!same(u)) return;
      later(() => {
        this.document.invalidate();
        this.last = undefined;
        this.post({ type: 'fileDeleted', message: `${this.name} was deleted` });
      });
    };
    return vscode.Disposable.from(
      watcher,
      watcher.onDidChange(changed),
      watcher.onDidCreate(changed),
      watcher.onDidDelete(deleted),
    );
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.runAbort?.abort();
    clearTimeout(this.fileEventTimer);
    this.host.onActive(this, false);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.last = undefined;
  }
}
