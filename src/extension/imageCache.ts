// Decoded pixels of one image, decoded once and kept while its editor is open. The key names the
// pixels for the worker pool (it keeps images by key, so re-runs do not resend them); it changes
// whenever the file changes so no stale pixels are ever used.
import * as vscode from 'vscode';
import { SegmentationError } from '../core/errors';
import type { RgbImage } from '../core/types';
import { imageIo } from './engine';
import { fileName } from './uris';

export interface LoadedImage {
  image: RgbImage;
  key: string;
}

/** Reads through workspace.fs (works on remote and virtual file systems) and decodes. */
export async function readAndDecode(uri: vscode.Uri, maxMegapixels: number): Promise<RgbImage> {
  const bytes = await readImageBytes(uri);
  return imageIo().decode(bytes, fileName(uri), Math.round(maxMegapixels * 1e6));
}

export async function readImageBytes(uri: vscode.Uri): Promise<Uint8Array> {
  try {
    return await vscode.workspace.fs.readFile(uri);
  } catch (e) {
    const missing = e instanceof vscode.FileSystemError && e.code === 'FileNotFound';
    const err = missing
      ? new SegmentationError('not-found', 'file not found', fileName(uri))
      : new SegmentationError('not-a-file', `cannot read the file (${e instanceof Error ? e.message : String(e)})`, fileName(uri));
    err.cause = e;
    throw err;
  }
}

export class ImageCache {
  private loading: Promise<LoadedImage> | undefined;
  private version = 0;

  constructor(readonly uri: vscode.Uri) {}

  load(maxMegapixels: number): Promise<LoadedImage> {
    if (!this.loading) {
      const key = `${this.uri.toString()}#${++this.version}`;
      const p = readAndDecode(this.uri, maxMegapixels).then((image) => ({ image, key }));
      this.loading = p;
      // A failed decode is not cached: the next run tries again (the file may be fixed by then).
      p.catch(() => {
        if (this.loading === p) this.loading = undefined;
      });
    }
    return this.loading;
  }

  /** The file changed: decode again on the next load. */
  invalidate(): void {
    this.loading = undefined;
  }
}
