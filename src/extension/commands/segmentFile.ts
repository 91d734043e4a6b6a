// One image file, start to finish, without a panel: read, decode, segment on the pool, encode,
// save beside it. Used by "Segment Current Image and Save" and by the batch.
import type * as vscode from 'vscode';
import type { SegmentResult } from '../../core/types';
import { segmentPool } from '../workers/workers';
import { readAndDecode } from '../files/readImage';
import { encodeComposite, saveBeside } from '../files/saveBeside';
import type { PanelParams } from '../../shared/params';

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
  const image = await readAndDecode(uri, maxMegapixels);
  const result = await segmentPool().segment(image, params, { signal });
  const bytes = await encodeComposite(result, params.format);
  const output = await saveBeside(uri, bytes, params, params.format);
  return { output, result, ms: performance.now() - started };
}
