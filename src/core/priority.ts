// Batches beside an editor run at the lowest priority (nice 19), so that on a machine whose cores
// they fill, the editor's own threads (the extension host, the window) are served first; they
// lose nothing when those are idle. The panel's background thread does too, for the runs. Nice 10 left the extension host's event loop up to 60-90 ms
// late at times on 2 cores, nice 19 about 40-60 ms, for the same throughput. Linux keeps a nice
// value per thread (a thread started later inherits its creator's); elsewhere it is per process.
import { readdirSync, readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';

const LOWEST = constants.priority.PRIORITY_LOW;

/** This thread at the lowest priority (Linux: /proc/thread-self names its id); elsewhere nothing changes. */
export function lowerThreadPriority(): void {
  try {
    const tid = Number(/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    if (tid > 0) setPriority(tid, LOWEST);
  } catch {
    // not Linux, or not allowed: the normal priority stays
  }
}

/**
 * The whole process at the lowest priority: on Linux each of its threads so far (Node's own, the
 * garbage collector's helpers among them, which also serve worker threads), one by one.
 */
export function lowerProcessPriority(): void {
  try {
    if (process.platform === 'linux') for (const tid of readdirSync('/proc/self/task')) setPriority(Number(tid), LOWEST);
    else setPriority(LOWEST);
  } catch {
    // not allowed here: the normal priority stays
  }
}
