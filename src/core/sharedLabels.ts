// A segmentation's pixels labelled on more than one thread (see sharedChunks.ts): the worker that
// finishes a run labels the photo with whichever idle worker the pool lends it (a pass over every
// pixel: 0.3-0.5 s of a 24 MP photo on one thread), and alone when none comes. Helpers wait until
// the owner has put each distinct value's rank in place.
import { sharedBytes } from './bytes';
import type { ChannelImage } from './types';
import { idReader, imageValues, type Values } from './kmeans/index';
import { awaitOpen, completeChunks, newChunkTable, shareChunks } from './sharedChunks';

/** What a thread needs to label any range of pixels: all of it in shared memory. */
export interface SharedLabelling {
  /** See sharedChunks.ts. */
  table: Int32Array;
  /** The output, a byte a pixel. */
  labels: Uint8Array;
  /** Per distinct value its cluster's rank: written by the owner before it opens the table. */
  ranks: Uint8Array;
  /** The image in its colour space and the channels clustered on (the values the ids were made from). */
  converted: ChannelImage;
  channels: number[];
  /** Value -> distinct id (Distinct.lookup). */
  lookup: Uint32Array;
}

export function newSharedLabelling(converted: ChannelImage, channels: number[], lookup: Uint32Array, distinctCount: number): SharedLabelling {
  const pixels = converted.data.length / 3;
  return { table: newChunkTable(pixels), labels: sharedBytes(pixels), ranks: sharedBytes(distinctCount), converted, channels, lookup };
}

/**
 * Labels pixels [from, to): each pixel's value -> its distinct id (`lookup`) -> that value's rank.
 * Valid until the thread's next use of the kernel (see idReader).
 */
export function pixelLabeller(labels: Uint8Array, ranks: Uint8Array, lookup: Uint32Array, values: Values): (from: number, to: number) => void {
  const read = idReader(lookup, values);
  return (from, to) =>
    read(from, to, (ids, start) => {
      for (let i = 0; i < ids.length; i++) labels[start + i] = ranks[ids[i]!]!;
    });
}

function labeller(job: SharedLabelling): (from: number, to: number) => void {
  return pixelLabeller(job.labels, job.ranks, job.lookup, imageValues(job.converted, job.channels));
}

/**
 * A helper's part: waits for the ranks, then labels chunks until none is left or `yieldNow` says
 * to stop. Returns how many chunks it labelled.
 */
export function labelShare(job: SharedLabelling, yieldNow: () => boolean = () => false): number {
  if (!awaitOpen(job.table, yieldNow)) return 0;
  return shareChunks(job.table, job.labels.length, labeller(job), yieldNow);
}

/** The owner's part, once `ranks` is filled: opens the table, its share, then the helpers' (see completeChunks). */
export function completeLabelling(job: SharedLabelling, stalledMs?: number): Uint8Array {
  completeChunks(job.table, job.labels.length, labeller(job), stalledMs);
  return job.labels;
}
