// One image converted on more than one thread (see sharedChunks.ts): the worker preparing a photo
// converts it with whichever idle worker the pool lends it (a 24 MP photo's conversion takes
// 0.4-0.8 s on one thread), and alone when none comes.
import { sharedBytes } from './bytes';
import { convertPixels } from './colorspace';
import { completeChunks, newChunkTable, openChunks, shareChunks } from './sharedChunks';
import type { ColorSpace } from '../shared/params';
import type { RgbImage } from './types';

/** An image's conversion shared between threads: all of it in shared memory. */
export interface SharedConversion {
  /** The converted image (3 bytes a pixel), filled chunk by chunk. */
  out: Uint8Array;
  /** See sharedChunks.ts. */
  table: Int32Array;
  colorSpace: ColorSpace;
}

export function newSharedConversion(pixels: number, colorSpace: ColorSpace): SharedConversion {
  const table = newChunkTable(pixels);
  // the image is there from the start: helpers need not wait for the owner
  openChunks(table);
  return { out: sharedBytes(pixels * 3), table, colorSpace };
}

function worker(image: RgbImage, job: SharedConversion): (from: number, to: number) => void {
  return (from, to) => convertPixels(image.data, job.out, job.colorSpace, from, to);
}

/** A helper's part: converts chunks until none is left or `yieldNow` says to stop. Returns how many it converted. */
export function convertShare(image: RgbImage, job: SharedConversion, yieldNow: () => boolean = () => false): number {
  return shareChunks(job.table, image.width * image.height, worker(image, job), yieldNow);
}

/** The preparing thread's part: its share, then the helpers' (see completeChunks). Returns the converted image. */
export function completeConversion(image: RgbImage, job: SharedConversion, stalledMs?: number): Uint8Array {
  completeChunks(job.table, image.width * image.height, worker(image, job), stalledMs);
  return job.out;
}
