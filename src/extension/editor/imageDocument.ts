// The custom editor's document: an image Uri and its decoded pixels (decoded once, on first use,
// and again only after the file changes).
import * as vscode from 'vscode';
import type { Stage } from '../../shared/protocol';
import { ImageCache, type LoadedImage } from './imageCache';
import { Disposable } from '../dispose';
import type { QuickLook, ThumbsWanted } from './panelSession';

export class ImageDocument extends Disposable implements vscode.CustomDocument {
  private readonly cache: ImageCache;
  private readonly disposed = this._register(new vscode.EventEmitter<void>());
  /** Fires when VS Code closes the document (no editor shows it any more). */
  readonly onDidDispose = this.disposed.event;

  constructor(readonly uri: vscode.Uri) {
    super();
    this.cache = new ImageCache(uri);
  }

  load(maxMegapixels: number, stage?: (stage: Stage, message: string) => void, thumbs?: ThumbsWanted): Promise<LoadedImage> {
    return this.cache.load(maxMegapixels, stage, thumbs);
  }

  /** A first picture from the image's embedded thumbnail, from the start of its load on (see ImageCache). */
  quickLook(): Promise<QuickLook | undefined> | undefined {
    return this.cache.quickLook();
  }

  /** The key of the newest pixels loaded, if any (the workers keep what they prepared under it). */
  get key(): string | undefined {
    return this.cache.lastKey;
  }

  invalidate(): void {
    this.cache.invalidate();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.cache.invalidate();
    this.disposed.fire();
    super.dispose();
  }
}
