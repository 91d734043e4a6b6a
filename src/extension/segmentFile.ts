// One image file, start to finish, without a panel: read, decode, segment on the pool, encode,
// save beside it. Used by "Segment Current Image and Save" and by the batch.
import type * as vscode from 'vscode';
import type { SegmentResult } from '../core/types';
import { engine } from './engine';
import { readAndDecode } from './imageCache';
import { encodeComposite, saveBeside } from './saveOutput';
import type { PanelParams } from '../shared/params';

export interface SegmentedFile {
  output: vscode.Uri;
  result: SegmentResult;
  ms: number;
}

export async function segmentFileAndSave(
  uri: vscode.Uri,
  params: PanelParams,
  maxMegapixels: number,
  signal?: AbortSignal,
): Promise<SegmentedFile> {
  const started = performance.now();
  const { image } = await readAndDecode(uri, maxMegapixels);
  const result = await engine().segment(image, params, { signal });
  const bytes = await encodeComposite(result, params.format);
  const output = await saveBeside(uri, bytes, params, params.format);
  return { output, result, ms: performance.now() - started };
}
