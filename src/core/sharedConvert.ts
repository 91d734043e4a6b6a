// One image converted on more than one thread: its pixels in chunks that any thread claims from a
// table in shared memory, so the worker preparing a photo converts it with whichever idle worker
// the pool lends it (half the time on two cores: 0.2-0.4 s of a 24 MP photo's 0.4-0.8 s), and
// alone when none comes. A helper that stops or dies holding a chunk cannot hold the preparing
// thread: after a while without progress it converts what is not done itself (converting is
// pure, so a late helper writing the same bytes changes nothing).
import { sharedBytes } from './bytes';
import { convertPixels } from './colorspace';
import type { ColorSpace } from '../shared/params';
import type { RgbImage } from './types';

/** The table's slots: the next chunk to claim, the chunks done, then one state per chunk. */
const NEXT = 0;
const DONE = 1;
const FIRST = 2;
const CLAIMED = 1;
const FINISHED = 2;
/** Pixels a chunk holds: small enough for a late helper to find some left, large enough that claiming costs nothing. */
export const CONVERT_CHUNK_PIXELS = 1 << 18;
/** How long the preparing thread waits without any chunk finishing before it converts the rest itself. */
export const STALLED_HELPER_MS = 1000;

/** An image's conversion shared between threads: all of it in shared memory. */
export interface SharedConversion {
  /** The converted image (3 bytes a pixel), filled chunk by chunk. */
  out: Uint8Array;
  /** See NEXT, DONE, FIRST. */
  table: Int32Array;
  chunks: number;
  colorSpace: ColorSpace;
}

export function newSharedConversion(pixels: number, colorSpace: ColorSpace): SharedConversion {
  const chunks = Math.max(1, Math.ceil(pixels / CONVERT_CHUNK_PIXELS));
  return { out: sharedBytes(pixels * 3), table: new Int32Array(new SharedArrayBuffer(4 * (FIRST + chunks))), chunks, colorSpace };
}

/** Whether chunks are left for a thread to claim. */
export function chunksLeft(job: SharedConversion): boolean {
  return Atomics.load(job.table, NEXT) < job.chunks;
}

function convertChunk(image: RgbImage, job: SharedConversion, c: number): void {
  const pixels = image.width * image.height;
  const from = c * CONVERT_CHUNK_PIXELS;
  convertPixels(image.data, job.out, job.colorSpace, from, Math.min(pixels, from + CONVERT_CHUNK_PIXELS));
}

/**
 * Claims and converts chunks until none is left or `yieldNow` says to stop (checked between
 * chunks). Returns how many this thread converted.
 */
export function convertShare(image: RgbImage, job: SharedConversion, yieldNow: () => boolean = () => false): number {
  const { table, chunks } = job;
  let mine = 0;
  while (!yieldNow()) {
    const c = Atomics.add(table, NEXT, 1);
    if (c >= chunks) break;
    Atomics.store(table, FIRST + c, CLAIMED);
    convertChunk(image, job, c);
    Atomics.store(table, FIRST + c, FINISHED);
    Atomics.add(table, DONE, 1);
    Atomics.notify(table, DONE);
    mine++;
  }
  return mine;
}

/**
 * The preparing thread's part: its share of the chunks, then a wait for the helpers' (blocking:
 * worker threads only); a chunk still not done after `stalledMs` without progress is converted
 * here. Returns the converted image.
 */
export function completeConversion(image: RgbImage, job: SharedConversion, stalledMs = STALLED_HELPER_MS): Uint8Array {
  const { table, chunks } = job;
  convertShare(image, job);
  for (;;) {
    const done = Atomics.load(table, DONE);
    if (done >= chunks) break;
    if (Atomics.wait(table, DONE, done, stalledMs) === 'timed-out' && Atomics.load(table, DONE) === done) {
      for (let c = 0; c < chunks; c++) if (Atomics.load(table, FIRST + c) !== FINISHED) convertChunk(image, job, c);
      break;
    }
  }
  return job.out;
}
