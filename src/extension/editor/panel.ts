// One open K-means editor: its webview, its session (panelSession.ts: runs, pictures, tiles,
// the pixel inspector) and its file watcher. Every message from the webview is validated
// before use; everything it creates is disposed with the panel.
import * as vscode from 'vscode';
import { cliCommand } from '../../core/cliCommand';
import { isSegmentationError, oneLine } from '../../core/errors';
import { paletteJson } from '../../core/insight/palette';
import { exportName } from '../../core/naming';
import type { SegmentResult } from '../../core/types';
import { GRAY_VIEW, checkWebviewMessage, viewForK, type ExportMessage, type HostMessage, type ResultView, type SaveMessage } from '../../shared/protocol';
import { backgroundWorker, imageWorker, insightWorker, segmentPool } from '../workers/workers';
import type { ImageDocument } from './imageDocument';
import { log } from '../log';
import { PanelSession } from './panelSession';
import { announceSaved, encodeComposite, revealInExplorer, saveBeside, saveNamedBeside } from '../files/saveBeside';
import { currentSettings } from '../settings/settings';
import { SECTION } from '../settings/readSettings';
import { fileName, parentOf } from '../files/uris';
import { makeNonce, webviewHtml } from './webviewHtml';
import { Disposable } from '../dispose';
import { readPanelParams, type PanelParams } from '../../shared/params';

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

export class SegmentationPanel extends Disposable {
  private readonly name: string;
  private readonly session: PanelSession;
  /** The parameters the panel shows (the last valid ones it sent). */
  private params: PanelParams | undefined;
  private fileEventTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly document: ImageDocument,
    private readonly webviewPanel: vscode.WebviewPanel,
    private readonly host: PanelHost,
  ) {
    super();
    this.name = fileName(document.uri);
    this._register({ dispose: () => host.onActive(this, false) });
    this._register({ dispose: () => clearTimeout(this.fileEventTimer) });
    this.session = this._register(new PanelSession({
      load: (stage, thumbs) => this.document.load(currentSettings(this.document.uri).maxMegapixels, stage, thumbs),
      quickLook: () => this.document.quickLook(),
      pool: segmentPool,
      io: imageWorker,
      insights: insightWorker,
      // at the lowest priority: the elbow curve's and Explore's copies yield to the runs
      reducer: backgroundWorker,
      post: (msg) => this.post(msg),
      fail: (e, requestId) => this.reportError(e, requestId),
    }));
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

    this._register(webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)));
    this._register(webviewPanel.onDidChangeViewState((e) => host.onActive(this, e.webviewPanel.active)));
    this._register(webviewPanel.onDidDispose(() => this.dispose()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SECTION, document.uri)) {
          this.post({ type: 'defaults', defaults: currentSettings(document.uri).params });
        }
      }),
    );
    this._register(this.watchFile());
    if (webviewPanel.active) host.onActive(this, true);
    // While VS Code loads the webview (a second or two), the image is read and decoded and the
    // threads start: the panel's first run finds the pixels there, or on their way.
    // The decoding thread starts first (with the read, see readAndDecode): the others are not
    // needed before the pixels are there, and starting them all at once delays the decode.
    let warmed = false;
    const warmOthers = (): void => {
      if (warmed || this.isDisposed) return;
      warmed = true;
      segmentPool().warm();
      void imageWorker().warm().catch(() => undefined);
    };
    const loading = this.document.load(currentSettings(document.uri).maxMegapixels, (stage) => stage === 'decoding' && warmOthers(), PanelSession.firstThumbs);
    void loading.then(warmOthers, warmOthers);
    this.session.prefetch(this.initialParams());
  }

  get active(): boolean {
    return !this.isDisposed && this.webviewPanel.active;
  }

  /** The parameters the panel shows now, if it has sent any. */
  currentParams(): PanelParams | undefined {
    return this.params;
  }

  private post(msg: HostMessage): void {
    if (this.isDisposed) return;
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
        this.session.ready(msg.displayMax);
        this.sendInit();
        return;
      case 'run':
        this.params = msg.params;
        void this.host.workspaceState.update(paramsStateKey(this.document.uri), msg.params);
        this.session.run(msg);
        return;
      case 'save':
        void this.saveFromPanel(msg);
        return;
      case 'view':
        this.session.setView(msg);
        return;
      case 'tile':
        this.session.tile(msg);
        return;
      case 'inspect':
        this.session.inspect(msg);
        return;
      case 'sweep':
        this.session.sweep(msg);
        return;
      case 'copyCommand':
        void this.copyCommand(msg.params, msg.view);
        return;
      case 'batch':
        void vscode.commands.executeCommand('kmeansSegmentation.batch', parentOf(this.document.uri), msg.params);
        return;
      case 'elbow':
        this.session.elbow(msg);
        return;
      case 'export':
        void this.exportFromPanel(msg);
        return;
    }
  }

  /** What the panel starts with: the parameters it last ran on this image, else the settings'. */
  private initialParams(): PanelParams {
    const stored = readPanelParams(this.host.workspaceState.get(paramsStateKey(this.document.uri)));
    return stored.ok ? stored.value : currentSettings(this.document.uri).params;
  }

  private sendInit(): void {
    this.post({ type: 'init', fileName: this.name, params: this.initialParams(), defaults: currentSettings(this.document.uri).params });
  }

  private reportError(e: unknown, requestId: number | null): void {
    const message = oneLine(e);
    // User errors (bad file, too large) are expected; anything else is logged as a bug.
    if (isSegmentationError(e)) log().warn(message);
    else log().error(`${this.name}: ${e instanceof Error ? (e.stack ?? e.message) : message}`);
    this.post({ type: 'error', requestId, message: message.startsWith(this.name) ? message : `${this.name}: ${message}` });
  }

  /** The kmeans-segment command line that reproduces what the panel shows, to the clipboard. */
  private async copyCommand(params: PanelParams, view: ResultView): Promise<void> {
    const uri = this.document.uri;
    const path = uri.scheme === 'file' ? uri.fsPath : this.name;
    const command = cliCommand(path, params, params.format, view);
    await vscode.env.clipboard.writeText(command);
    void vscode.window.showInformationMessage(`Copied: ${command}`);
  }

  /** The newest run's result if it was for `params`, else a new segmentation. */
  private async resultFor(params: PanelParams): Promise<SegmentResult> {
    const loaded = await this.document.load(currentSettings(this.document.uri).maxMegapixels);
    const kept = this.session.resultFor(params, loaded.key);
    if (kept) return kept;
    return segmentPool().segment(loaded.image, params, { imageKey: loaded.key });
  }

  /**
   * Segments (or reuses the newest run) with `params` and saves the composite beside the image,
   * its right half as the panel shows it (gray levels, mean colours, mask or boundaries).
   */
  async saveComposite(params: PanelParams, view: ResultView = this.session.currentView): Promise<vscode.Uri> {
    const result = await this.resultFor(params);
    const shown = viewForK(view, result.k);
    const bytes = await encodeComposite(result, params.format, shown.mode === 'gray' ? undefined : shown);
    const uri = await saveBeside(this.document.uri, bytes, params, params.format);
    log().info(`Saved ${uri.toString(true)}`);
    return uri;
  }

  /** The labels PNG, the palette JSON or the mask PNG of the selected clusters, beside the image. */
  async saveExport(params: PanelParams, what: ExportMessage['what'] | 'mask', selected: number[] = []): Promise<vscode.Uri> {
    const result = await this.resultFor(params);
    const segParams = { ...params, k: result.k };
    let bytes: Uint8Array;
    if (what === 'palette') {
      bytes = new TextEncoder().encode(`${JSON.stringify(paletteJson(result, params), null, 2)}\n`);
    } else {
      bytes = await imageWorker().encodeGray(result, what === 'mask' ? selected.filter((r) => r < result.k) : undefined);
    }
    const uri = await saveNamedBeside(this.document.uri, bytes, exportName(this.name, segParams, what));
    log().info(`Saved ${uri.toString(true)}`);
    return uri;
  }

  private async exportFromPanel(msg: ExportMessage): Promise<void> {
    try {
      const uri = await this.saveExport(msg.params, msg.what);
      this.post({ type: 'exported', requestId: msg.requestId, what: msg.what, name: fileName(uri) });
      void announceSaved(uri);
    } catch (e) {
      const message = oneLine(e);
      this.post({ type: 'exported', requestId: msg.requestId, what: msg.what, error: message });
      this.reportError(e, null);
      void vscode.window.showErrorMessage(`Could not save the ${msg.what} of ${this.name}: ${message}`);
    }
  }

  private async saveFromPanel(msg: SaveMessage): Promise<void> {
    try {
      const view = msg.view ?? GRAY_VIEW;
      const uri = await this.saveComposite(msg.params, view);
      this.post({ type: 'saved', requestId: msg.requestId, name: fileName(uri) });
      void this.announceWithMask(uri, msg.params, view);
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
        this.session.fileChanged();
        this.document.invalidate();
        this.post({ type: 'fileChanged', message: `${this.name} changed on disk: updated` });
      });
    };
    const deleted = (u: vscode.Uri): void => {
      if (!same(u)) return;
      later(() => {
        this.session.fileChanged();
        this.document.invalidate();
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

  /** "Saved <name>" with Open and Reveal; with clusters selected, also the offer to save their mask. */
  private async announceWithMask(uri: vscode.Uri, params: PanelParams, view: ResultView): Promise<void> {
    if (view.selected.length === 0) return announceSaved(uri);
    const open = 'Open';
    const reveal = 'Reveal in Explorer';
    const mask = 'Save Mask';
    const choice = await vscode.window.showInformationMessage(`Saved ${fileName(uri)}`, open, reveal, mask);
    if (choice === open) await vscode.commands.executeCommand('vscode.open', uri);
    else if (choice === reveal) await revealInExplorer(uri);
    else if (choice === mask) {
      try {
        const saved = await this.saveExport(params, 'mask', view.selected);
        await announceSaved(saved);
      } catch (e) {
        this.reportError(e, null);
        void vscode.window.showErrorMessage(`Could not save the mask of ${this.name}: ${oneLine(e)}`);
      }
    }
  }
}
