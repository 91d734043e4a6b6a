// Reading an image through workspace.fs (remote and virtual file systems too) and decoding it on
// the decoding thread, with what it is doing said as it goes.
import * as vscode from 'vscode';
import { SegmentationError } from '../../core/errors';
import { FORMAT_LABELS, readImageHeader, sniffFormat } from '../../core/header';
import type { Stage } from '../../shared/protocol';
import type { RgbImage } from '../../core/types';
import { jpegThumbnail } from '../../core/codecs/exifThumbnail';
import { jpegOrientation, orientedSize } from '../../core/codecs/orientation';
import { imageDecoder, segmentPool } from '../workers/workers';
import { decodeForPool } from '../workers/decodeForPool';
import { fileName } from './uris';

/** A photo's embedded thumbnail (a copy), its orientation and the photo's size as shown. */
export interface EmbeddedThumbnail {
  bytes: Uint8Array;
  orientation: number;
  width: number;
  height: number;
}

/**
 * Reads through workspace.fs (works on remote and virtual file systems) and decodes. `onRead`
 * hears, once the file is read, of the JPEG thumbnail a photo of QUICK_LOOK_PIXELS or more
 * carries in its EXIF block (undefined when it has none), while the photo itself decodes.
 */
export async function readAndDecode(
  uri: vscode.Uri,
  maxMegapixels: number,
  stage: (stage: Stage, message: string) => void = () => undefined,
  onRead?: (thumbnail: EmbeddedThumbnail | undefined) => void,
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
  onRead?.(header && format === 'jpeg' && pixels >= QUICK_LOOK_PIXELS && pixels <= maxPixels ? embeddedThumbnail(bytes, header) : undefined);
  // A photo's pixels go into memory paged in at the lowest priority while the decoding thread
  // decodes (0.2-0.35 s less for it at 24 MP on the project's VM); unused when the image turns
  // out to have another size. A JPEG's decoder heap (122 MB at 24 MP, which the decoder fills
  // from its start as soon as it begins) is paged first, from its end, so the two meet: its
  // decode touches 30,000 fewer pages, and a 24 MP panel opened in 3.74 s against 4.31 s
  // (medians of four fresh openings each, alternated). The decoding thread makes that heap and
  // starts the pager, so that this thread never holds it. The pool is made ready for the image
  // meanwhile (see decodeForPool).
  if (pixels >= PREFAULT_PIXELS && pixels <= maxPixels) {
    return decodeForPool(imageDecoder(), segmentPool, bytes, name, maxPixels, new SharedArrayBuffer(pixels * 3), pixels);
  }
  return imageDecoder().decode(bytes, name, maxPixels);
}

/** Below this the first touch of the pixels' memory costs little (a 2 MP image's 6 MB: 20 ms). */
const PREFAULT_PIXELS = 2e6;
/** From this size a photo's decode takes long enough (0.2 s and more) to show its thumbnail's preview first. */
const QUICK_LOOK_PIXELS = 2e6;

function embeddedThumbnail(bytes: Uint8Array, header: { width: number; height: number }): EmbeddedThumbnail | undefined {
  const thumbnail = jpegThumbnail(bytes);
  if (!thumbnail) return undefined;
  const orientation = jpegOrientation(bytes) ?? 1;
  // a copy (not slice(): of a Node Buffer that is a view): the file's bytes go to the decoding thread
  return { bytes: new Uint8Array(thumbnail), orientation, ...orientedSize(header.width, header.height, orientation) };
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

