// Decoded pixels of one image, decoded once and kept while its editor is open. The key names the
// pixels for the worker pool (it keeps what it prepared from them by key); it changes whenever
// the file changes so no stale pixels are ever used.
import * as vscode from 'vscode';
import { SegmentationError } from '../core/errors';
import { FORMAT_LABELS, readImageHeader, sniffFormat } from '../core/header';
import type { RgbImage } from '../core/types';
import type { Stage } from '../shared/protocol';
import { imageIo } from './engine';
import type { LoadedImage } from './panelSession';
import { fileName } from './uris';

export type { LoadedImage };

/** Reads through workspace.fs (works on remote and virtual file systems) and decodes. */
export async function readAndDecode(
  uri: vscode.Uri,
  maxMegapixels: number,
  stage: (stage: Stage, message: string) => void = () => undefined,
): Promise<RgbImage> {
  const name = fileName(uri);
  stage('reading', `Reading ${name}…`);
  const bytes = await readImageBytes(uri);
  const header = readImageHeader(bytes);
  const format = sniffFormat(bytes);
  const what = header && format ? `${header.width}×${header.height} ${FORMAT_LABELS[format]}` : name;
  stage('decoding', `Decoding ${what}…`);
  return imageIo().decode(bytes, name, Math.round(maxMegapixels * 1e6));
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
  /** The key of the newest pixels loaded or loading. */
  lastKey: string | undefined;

  constructor(readonly uri: vscode.Uri) {}

  /** `stage` hears of reading and decoding when this call starts them. */
  load(maxMegapixels: number, stage?: (stage: Stage, message: string) => void): Promise<LoadedImage> {
    if (!this.loading) {
      const key = `${this.uri.toString()}#${++this.version}`;
      this.lastKey = key;
      const p = readAndDecode(this.uri, maxMegapixels, stage).then((image) => ({ image, key }));
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
