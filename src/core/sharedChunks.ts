// Work over an image's pixels shared by threads: the pixels in chunks that any thread claims from
// a table in shared memory, so the worker that owns the work does it with whichever idle worker
// the pool lends it, and alone when none comes. A helper that stops or dies holding a chunk cannot
// hold the owner: after a while without progress the owner does what is not done itself (the work
// is pure, so a late helper writing the same bytes changes nothing). Used for converting an image
// (sharedConvert.ts) and labelling its pixels (segment.ts's finish).

/** The table's slots: whether helpers may start, the next chunk to claim, the chunks done, then one state per chunk. */
const READY = 0;
const NEXT = 1;
const DONE = 2;
const FIRST = 3;
const CLAIMED = 1;
const FINISHED = 2;
/** How long the owner waits without any chunk finishing before it does the rest itself. */
export const STALLED_HELPER_MS = 1000;

/** Pixels [from, to) of the work's chunk: small enough for a late helper to find some left, large enough that claiming costs nothing. */
export const CHUNK_PIXELS = 1 << 18;

export function newChunkTable(pixels: number): Int32Array {
  const chunks = chunkCount(pixels);
  return new Int32Array(new SharedArrayBuffer(4 * (FIRST + chunks)));
}

export function chunkCount(pixels: number): number {
  return Math.max(1, Math.ceil(pixels / CHUNK_PIXELS));
}

/** Whether chunks are left for a thread to claim. */
export function chunksLeft(table: Int32Array): boolean {
  return Atomics.load(table, NEXT) < table.length - FIRST;
}

/** The owner says helpers may start (what they read is in place). */
export function openChunks(table: Int32Array): void {
  Atomics.store(table, READY, 1);
  Atomics.notify(table, READY);
}

/**
 * Waits (blocking: worker threads only) until the owner opens the table, asking `yieldNow` now and
 * then; false when it said to give way, or all chunks were taken meanwhile.
 */
export function awaitOpen(table: Int32Array, yieldNow: () => boolean): boolean {
  while (Atomics.load(table, READY) === 0) {
    if (yieldNow() || !chunksLeft(table)) return false;
    Atomics.wait(table, READY, 0, 20);
  }
  return true;
}

/**
 * Claims and does chunks (`work(from, to)`, pixel indices) until none is left or `yieldNow` says
 * to stop (asked between chunks). Returns how many this thread did.
 */
export function shareChunks(table: Int32Array, pixels: number, work: (from: number, to: number) => void, yieldNow: () => boolean = () => false): number {
  const chunks = table.length - FIRST;
  let mine = 0;
  while (!yieldNow()) {
    const c = Atomics.add(table, NEXT, 1);
    if (c >= chunks) break;
    Atomics.store(table, FIRST + c, CLAIMED);
    work(c * CHUNK_PIXELS, Math.min(pixels, (c + 1) * CHUNK_PIXELS));
    Atomics.store(table, FIRST + c, FINISHED);
    Atomics.add(table, DONE, 1);
    Atomics.notify(table, DONE);
    mine++;
  }
  return mine;
}

/**
 * The owner's part: opens the table, does its share of the chunks, then waits for the helpers'
 * (blocking); a chunk still not done after `stalledMs` without progress is done here.
 */
export function completeChunks(table: Int32Array, pixels: number, work: (from: number, to: number) => void, stalledMs = STALLED_HELPER_MS): void {
  const chunks = table.length - FIRST;
  openChunks(table);
  shareChunks(table, pixels, work);
  for (;;) {
    const done = Atomics.load(table, DONE);
    if (done >= chunks) return;
    if (Atomics.wait(table, DONE, done, stalledMs) === 'timed-out' && Atomics.load(table, DONE) === done) {
      for (let c = 0; c < chunks; c++) {
        if (Atomics.load(table, FIRST + c) !== FINISHED) work(c * CHUNK_PIXELS, Math.min(pixels, (c + 1) * CHUNK_PIXELS));
      }
      return;
    }
  }
}
