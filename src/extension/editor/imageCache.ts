// Decoded pixels of one image, decoded once and kept while its editor is open. The key names the
// pixels for the worker pool (it keeps what it prepared from them by key); it changes whenever
// the file changes so no stale pixels are ever used.
import type * as vscode from 'vscode';
import type { Stage } from '../../shared/protocol';
import { readAndDecode, type EmbeddedThumbnail } from '../files/readImage';
import { imageWorker, insightWorker } from '../workers/workers';
import type { LoadedImage, QuickLook, ThumbsWanted } from './panelSession';

export type { LoadedImage };

export class ImageCache {
  private loading: Promise<LoadedImage> | undefined;
  private version = 0;
  /** The key of the newest pixels loaded or loading. */
  lastKey: string | undefined;
  /** A first picture from the photo's embedded thumbnail, if it has one (kept with the pixels: a panel may ask after the decode, before its own pictures are made). */
  private quick: Promise<QuickLook | undefined> | undefined;
  /** While loading: what it is doing, and who wants to hear of it. */
  private stage: [Stage, string] | undefined;
  private readonly listeners = new Set<(stage: Stage, message: string) => void>();

  constructor(readonly uri: vscode.Uri) {}

  /**
   * The decoded pixels, read and decoded once. `stage` hears what the load is doing (reading,
   * decoding), also when an earlier call started it (the panel starts decoding while its
   * webview loads). With `thumbs`, the panel's pictures of it are started on the views' thread
   * as soon as it is decoded, off the way of the segmentation that waits for the pixels.
   */
  load(maxMegapixels: number, stage?: (stage: Stage, message: string) => void, thumbs?: ThumbsWanted): Promise<LoadedImage> {
    if (!this.loading) {
      const key = `${this.uri.toString()}#${++this.version}`;
      this.lastKey = key;
      const tell = (s: Stage, message: string): void => {
        this.stage = [s, message];
        for (const l of this.listeners) l(s, message);
      };
      let heard!: (look: Promise<QuickLook | undefined>) => void;
      const quick = new Promise<QuickLook | undefined>((resolve) => (heard = (look) => resolve(look)));
      this.quick = quick;
      const onRead = (t: EmbeddedThumbnail | undefined): void => {
        if (!t) return heard(Promise.resolve(undefined));
        // on the views' thread, free while a panel opens (the photo's own pictures go to imageWorker's)
        const look = insightWorker().quickLook(t.bytes, t.orientation, t);
        heard(look.then((r) => (r.image && r.original ? { image: r.image, original: r.original, width: t.width, height: t.height, key } : undefined), () => undefined));
      };
      const p = readAndDecode(this.uri, maxMegapixels, tell, onRead).then((image): LoadedImage => {
        if (!thumbs) return { image, key };
        const value = imageWorker().thumbs(image, { width: image.width, height: image.height }, thumbs.displayMax, thumbs.previewPixels);
        value.catch(() => undefined);
        return { image, key, thumbs: { displayMax: thumbs.displayMax, value } };
      });
      this.loading = p;
      const settled = (): void => {
        heard(Promise.resolve(undefined)); // a failed read never heard of it
        if (this.loading !== p) return;
        this.stage = undefined;
        this.listeners.clear();
      };
      p.then(settled, () => {
        settled();
        // A failed decode is not cached: the next run tries again (the file may be fixed by then).
        if (this.loading === p) this.loading = undefined;
      });
    }
    if (stage && this.stage) {
      this.listeners.add(stage);
      stage(...this.stage);
    }
    return this.loading;
  }

  /** A first picture from the image's embedded thumbnail (none when it has none), from the start of its load on. */
  quickLook(): Promise<QuickLook | undefined> | undefined {
    return this.quick;
  }

  /** The file changed: decode again on the next load. */
  invalidate(): void {
    this.loading = undefined;
    this.quick = undefined;
    this.stage = undefined;
    this.listeners.clear();
  }
}
