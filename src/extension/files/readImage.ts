// Reading an image through workspace.fs (remote and virtual file systems too) and decoding it on
// the decoding thread, with what it is doing said as it goes.
import * as vscode from 'vscode';
import { SegmentationError } from '../../core/errors';
import { FORMAT_LABELS, readImageHeader, sniffFormat } from '../../core/header';
import type { Stage } from '../../shared/protocol';
import type { RgbImage } from '../../core/types';
import { pageInBackground } from '../../core/pager';
import { imageDecoder, segmentPool } from '../workers/workers';
import { fileName } from './uris';

/** Reads through workspace.fs (works on remote and virtual file systems) and decodes. */
export async function readAndDecode(
  uri: vscode.Uri,
  maxMegapixels: number,
  stage: (stage: Stage, message: string) => void = () => undefined,
): Promise<RgbImage> {
  const name = fileName(uri);
  stage('reading', `Reading ${name}…`);
  // The decoding thread starts (a fifth of a second) while the file is read, not after.
  void imageDecoder().warm().catch(() => undefined);
  const bytes = await readImageBytes(uri);
  const header = readImageHeader(bytes);
  const format = sniffFormat(bytes);
  const what = header && format ? `${header.width}×${header.height} ${FORMAT_LABELS[format]}` : name;
  stage('decoding', `Decoding ${what}…`);
  const maxPixels = Math.round(maxMegapixels * 1e6);
  const pixels = header ? header.width * header.height : 0;
  // A photo's pixels go into memory paged in at the lowest priority while the decoding thread
  // decodes (0.2-0.35 s less for it at 24 MP on the project's VM); unused when the image turns
  // out to have another size.
  const into = pixels >= PREFAULT_PIXELS && pixels <= maxPixels ? new SharedArrayBuffer(pixels * 3) : undefined;
  if (into) {
    void pageInBackground(into);
    // and the pool's workers grow their kernel memory for such an image meanwhile
    segmentPool().warm(pixels);
  }
  return imageDecoder().decode(bytes, name, maxPixels, into);
}

/** Below this the first touch of the pixels' memory costs little (a 2 MP image's 6 MB: 20 ms). */
const PREFAULT_PIXELS = 2e6;

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

