// Decoded pixels of one image, decoded once and kept while its editor is open. The key names the
// pixels for the worker pool (it keeps what it prepared from them by key); it changes whenever
// the file changes so no stale pixels are ever used.
import * as vscode from 'vscode';
import { SegmentationError } from '../core/errors';
import { FORMAT_LABELS, readImageHeader, sniffFormat } from '../core/header';
import type { Stage } from '../shared/protocol';
import { imageDecoder } from './engine';
import type { Answers } from './ioProtocol';
import type { LoadedImage, ThumbsWanted } from './panelSession';
import { fileName } from './uris';

export type { LoadedImage };

/** Reads through workspace.fs (works on remote and virtual file systems) and decodes. */
export async function readAndDecode(
  uri: vscode.Uri,
  maxMegapixels: number,
  stage: (stage: Stage, message: string) => void = () => undefined,
  thumbs?: ThumbsWanted,
): Promise<Answers['decode']> {
  const name = fileName(uri);
  stage('reading', `Reading ${name}…`);
  const bytes = await readImageBytes(uri);
  const header = readImageHeader(bytes);
  const format = sniffFormat(bytes);
  const what = header && format ? `${header.width}×${header.height} ${FORMAT_LABELS[format]}` : name;
  stage('decoding', `Decoding ${what}…`);
  return imageDecoder().decodeWith(bytes, name, Math.round(maxMegapixels * 1e6), thumbs);
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
  /** While loading: what it is doing, and who wants to hear of it. */
  private stage: [Stage, string] | undefined;
  private readonly listeners = new Set<(stage: Stage, message: string) => void>();

  constructor(readonly uri: vscode.Uri) {}

  /**
   * The decoded pixels, read and decoded once. `stage` hears what the load is doing (reading,
   * decoding), also when an earlier call started it (the panel starts decoding while its
   * webview loads); `thumbs` asks the decoding thread for the panel's pictures too.
   */
  load(maxMegapixels: number, stage?: (stage: Stage, message: string) => void, thumbs?: ThumbsWanted): Promise<LoadedImage> {
    if (!this.loading) {
      const key = `${this.uri.toString()}#${++this.version}`;
      this.lastKey = key;
      const tell = (s: Stage, message: string): void => {
        this.stage = [s, message];
        for (const l of this.listeners) l(s, message);
      };
      const p = readAndDecode(this.uri, maxMegapixels, tell, thumbs).then(
        (d): LoadedImage => ({ image: d.image, key, thumbs: thumbs && d.thumbs ? { displayMax: thumbs.displayMax, value: d.thumbs } : undefined }),
      );
      this.loading = p;
      const settled = (): void => {
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

  /** The file changed: decode again on the next load. */
  invalidate(): void {
    this.loading = undefined;
    this.stage = undefined;
    this.listeners.clear();
  }
}
