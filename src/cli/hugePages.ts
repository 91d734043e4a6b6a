// Large work in a process started again with malloc's huge pages (core/batch/mallocHugePages.ts).
// glibc reads its tunables when a process starts, so the CLI that finds a photo among its inputs,
// on a Linux that gives huge pages only to memory that asks, runs itself again with them and
// passes on its output, exit status and signals. Starting again costs 0.1 s; on this project's
// VM 20 photos of 12 MP at --jobs 2 took 12.4-12.8 s instead of 14.4-14.7 s in one hour and the
// same (18.5-19.6 s) in a slower one. Small images (the reference script's usual inputs),
// however many, are not worth the restart and run here. GLIBC_TUNABLES that already says
// anything of malloc's huge pages (glibc.malloc.hugetlb=0 declines them) is left as it is.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { saysMallocHugePages, withMallocHugePages } from '../core/batch/mallocHugePages';
import { readInputHead } from '../core/files/readInput';
import { HEADER_BYTES, readImageHeader } from '../core/header';

/**
 * An image of this many pixels makes starting again pay (its buffers are tens of megabytes; a
 * 24 MP photo gained 0.2-0.5 s, the restart costs 0.1 s). A folder of small images gains nothing.
 */
export const LARGE_PIXELS = 6e6;
/** Inputs whose headers are read to decide (a folder's first ones: folders hold one kind of image). */
const LOOKED_AT = 64;
/** Set for the process started again: when the first one started (ms since the epoch), for the reported total. */
export const STARTED_AT_ENV = 'KMEANS_STARTED_AT';

/** Whether malloc's huge pages would change anything for this process, were it started again with them. */
export function hugePagesWanted(env: NodeJS.ProcessEnv, mode: string | undefined): boolean {
  return process.platform === 'linux' && mode === 'madvise' && !saysMallocHugePages(env.GLIBC_TUNABLES);
}

/** Whether one of the first inputs is, by its header, an image of `pixels` or more (unreadable files are not). */
export async function hasLargeImage(paths: readonly string[], pixels = LARGE_PIXELS): Promise<boolean> {
  for (const path of paths.slice(0, LOOKED_AT)) {
    const header = await readInputHead(path, HEADER_BYTES).then(
      ({ head }) => readImageHeader(head),
      () => undefined,
    );
    if (header && header.width * header.height >= pixels) return true;
  }
  return false;
}

/** Milliseconds since this run of the CLI started (the first process's start, when started again). */
export function msSinceStart(): number {
  const first = Number(process.env[STARTED_AT_ENV]);
  return Number.isFinite(first) && first > 0 ? Date.now() - first : performance.now();
}

/**
 * Runs this CLI again, with the same arguments, with malloc's huge pages; resolves to the exit
 * status to end with, or undefined when it could not start (the caller goes on itself). SIGINT,
 * SIGTERM and SIGHUP sent to this process are passed on; the terminal's Ctrl+C reaches both
 * processes, so the other one takes a SIGINT that follows one within a moment as the same (see
 * batch.ts).
 */
export function runAgainWithHugePages(): Promise<number | undefined> {
  return new Promise((resolve) => {
    // no script to start again (code evaluated with -e, or loaded by another program)
    if (!process.argv[1]) {
      resolve(undefined);
      return;
    }
    const env = {
      ...process.env,
      GLIBC_TUNABLES: withMallocHugePages(process.env.GLIBC_TUNABLES),
      [STARTED_AT_ENV]: String(Date.now() - performance.now()),
    };
    // the handlers before the child exists: a signal sent once it is seen finds them (they run
    // from the event loop, after spawn has returned)
    let child: ChildProcess | undefined;
    const pass = (sig: NodeJS.Signals) => (): void => void child?.kill(sig);
    const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => [sig, pass(sig)] as const);
    for (const [sig, handler] of handlers) process.on(sig, handler);
    child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...process.argv.slice(2)], { stdio: 'inherit', env });
    const done = (status: number | undefined): void => {
      for (const [sig, handler] of handlers) process.off(sig, handler);
      resolve(status);
    };
    // not started at all (a failed kill is an 'error' too, of a child that runs or ran)
    child.once('error', () => {
      if (child.pid === undefined) done(undefined);
    });
    child.once('exit', (code, signal) => done(signal ? 128 + (constants.signals[signal] ?? 1) : (code ?? 1)));
  });
}
