// The custom editor's document: an image Uri and its decoded pixels (decoded once, on first use,
// and again only after the file changes).
import * as vscode from 'vscode';
import { ImageCache, type LoadedImage } from './imageCache';

export class ImageDocument implements vscode.CustomDocument {
  private readonly cache: ImageCache;

  constructor(readonly uri: vscode.Uri) {
    this.cache = new ImageCache(uri);
  }

  load(maxMegapixels: number): Promise<LoadedImage> {
    return this.cache.load(maxMegapixels);
  }

  invalidate(): void {
    this.cache.invalidate();
  }

  dispose(): void {
    this.cache.invalidate();
  }
}
