// How many images may be in flight at once. The project's memory target for one image is 8x its
// decoded RGBA size plus 150 MB (decoder heap, the RGB copy, resized and converted copies,
// labels, the composite and its encoder, plus a worker's own V8 heap); the bench checks the CLI
// against it. A batch admits another image only while the targets of the images in flight fit
// in the budget, so N 12 MP photos run side by side where N 100 MP ones would not. The first
// image in flight is always admitted: a lone image too large for memory fails on its own (the
// decoders report out-of-memory), it does not stall the batch.
import { availableParallelism, freemem, totalmem } from 'node:os';
import type { ImageHeader } from '../header';

export const MEMORY_FACTOR = 8;
export const MEMORY_EXTRA_BYTES = 150 * 2 ** 20;
/** Of the memory free when a batch starts, what its images may take: the rest is left to the system and other programs. */
export const BUDGET_SHARE = 0.8;

/** The memory target of one image in flight, from its header. */
export function imageMemoryTarget(size: Pick<ImageHeader, 'width' | 'height'>): number {
  return MEMORY_FACTOR * size.width * size.height * 4 + MEMORY_EXTRA_BYTES;
}

/**
 * For a file whose header says nothing (the decoder will refuse it quickly): as if each byte of
 * the file were a pixel, which overestimates every compressed format.
 */
export function unknownMemoryTarget(fileBytes: number): number {
  return imageMemoryTarget({ width: fileBytes, height: 1 });
}

/**
 * The memory a batch may fill: a share of what is free now (on Linux, MemAvailable, which counts
 * reclaimable caches), within the process's cgroup limit when it has one.
 */
export function memoryBudget(): number {
  let free = freemem();
  const limit = process.constrainedMemory?.();
  if (limit && limit > 0 && limit < totalmem()) free = Math.min(free, limit - process.memoryUsage.rss());
  return Math.max(0, Math.floor(free * BUDGET_SHARE));
}

/** --jobs' default: one image per core. */
export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** How many images of this size fit side by side in the budget (at least 1, at most `jobs`). */
export function jobsThatFit(jobs: number, size: Pick<ImageHeader, 'width' | 'height'>, budget: number): number {
  return Math.max(1, Math.min(jobs, Math.floor(budget / imageMemoryTarget(size))));
}
