// A full garbage collection of this thread's heap once it has been idle for a moment, after it
// has seen a lot of shared memory.
//
// Why: the memory of a SharedArrayBuffer is freed only when every thread that ever held it has
// collected its handle to it. V8 collects a heap when that heap fills with JavaScript objects,
// and does not count shared memory a thread was sent (process.memoryUsage().arrayBuffers stays
// 0 in a worker sent 64 MB), so the handles of a photo's images and labels, which the panel's
// threads pass to each other on every run (96 MB and more at 24 MP), wait for the next
// collection V8 has another reason for. A pool taken through six colour spaces and channel sets
// of a 24 MP photo grew from 590 MB to 1.2 GB; with a collection when idle, 830-930 MB.
// Node has no call for a collection without a V8 flag for the whole process; its inspector
// protocol has one (HeapProfiler.collectGarbage), on a session of this thread's own. Where Node
// is built without the inspector nothing is done.
import type { Session } from 'node:inspector';

/**
 * Quiet time before collecting: not between the tasks of a run (its restarts, its pictures, the
 * views after it), where a collection (0.1 s under load) took CPU from a panel's opening.
 */
export const IDLE_COLLECT_MS = 1500;
/** The process's CPU over the quiet time (cores) above which the collection waits again. */
const PROCESS_BUSY_SHARE = 0.5;
/** Shared memory seen since the last collection that makes one worth its time (10-100 ms). */
export const COLLECT_AFTER_BYTES = 32 * 2 ** 20;
/**
 * The process's resident memory above which garbage is collected without waiting for the
 * process to be quiet (a panel on a 24 MP photo opens at 560-600 MB; taken through colour spaces
 * with a change every 1.5 s, whose views keep the process busy in between, it went past 1.1 GB
 * while the pool's workers waited to collect, each holding up to 300 MB of garbage).
 */
export const HIGH_RSS_BYTES = 700 * 2 ** 20;

function memoryHigh(): boolean {
  return process.memoryUsage.rss() > HIGH_RSS_BYTES;
}

let session: Session | null | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
let seen = 0;

function openSession(): Session | null {
  try {
    const { Session: InspectorSession } = require('node:inspector') as typeof import('node:inspector');
    const s = new InspectorSession();
    s.connect();
    return s;
  } catch {
    return null;
  }
}

/** This thread was sent or made `bytes` of shared memory (counted towards the next collection). */
export function sawShared(bytes: number): void {
  seen += bytes;
}

/**
 * Collects this thread's garbage `quietMs` after the last call, if it has seen at least
 * `afterBytes` of shared memory since the last collection and `busy()` does not say that work
 * came in meanwhile; while the whole process stays busy, `quietMs` later again. The timer keeps
 * neither the thread nor the process alive.
 */
export function collectWhenIdle(busy: () => boolean = () => false, quietMs = IDLE_COLLECT_MS, afterBytes = COLLECT_AFTER_BYTES): void {
  if (seen < afterBytes) return;
  if (timer) clearTimeout(timer);
  const arm = (since: NodeJS.CpuUsage, at: number): void => {
    timer = setTimeout(() => {
      timer = undefined;
      if (busy()) return;
      // Housekeeping yields to work: while the process's other threads keep a core busy (a run
      // under way, a panel opening), the collection waits for them, unless memory runs high.
      const used = process.cpuUsage(since);
      const now = performance.now();
      if ((used.user + used.system) / 1000 > PROCESS_BUSY_SHARE * (now - at) && !memoryHigh()) {
        arm(process.cpuUsage(), now);
        return;
      }
      void collect();
    }, quietMs);
    timer.unref?.();
  };
  arm(process.cpuUsage(), performance.now());
}

/** Collects this thread's garbage now; resolves when it is done (at once where Node has no inspector). */
function collect(): Promise<void> {
  session ??= openSession();
  const s = session;
  if (!s) return Promise.resolve();
  if (timer) clearTimeout(timer);
  timer = undefined;
  seen = 0;
  return new Promise((resolve) => s.post('HeapProfiler.collectGarbage', () => resolve()));
}

/**
 * Collects now, before the caller allocates a lot, when memory runs high (HIGH_RSS_BYTES) and
 * this thread has seen enough shared memory since its last collection to hold some garbage.
 */
export function collectIfHigh(): Promise<void> {
  return seen >= COLLECT_AFTER_BYTES && memoryHigh() ? collect() : Promise.resolve();
}

/**
 * Bytes of shared memory in a message: SharedArrayBuffers and views of them, each buffer once,
 * looked for a few levels deep (requests and answers are small objects around their buffers).
 */
export function sharedBytesIn(value: unknown): number {
  const buffers = new Set<SharedArrayBuffer>();
  const walk = (v: unknown, depth: number): void => {
    if (typeof v !== 'object' || v === null) return;
    if (v instanceof SharedArrayBuffer) {
      buffers.add(v);
      return;
    }
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof SharedArrayBuffer) buffers.add(v.buffer);
      return;
    }
    if (depth === 0 || v instanceof ArrayBuffer) return;
    for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x, depth - 1);
  };
  walk(value, 4);
  let bytes = 0;
  for (const b of buffers) bytes += b.byteLength;
  return bytes;
}
