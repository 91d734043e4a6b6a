// Drives a corpus through corpusChild.ts, one file at a time, with a watchdog: a file that takes
// longer than `hangMs` is a hang (the child is killed and replaced), a child that dies is a crash
// (out of memory, native abort). Both count against the corpus; so do errors that are not the
// engine's one-line SegmentationError naming the file.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildAnswer, ChildRequest } from './corpusChild';
import type { CorpusCase } from './corpus';
import type { SegmentParams } from '../../src/shared/params';

export const CORPUS_PARAMS: SegmentParams = { colorSpace: 'bgr', channels: [0, 1, 2], k: 3, width: 32, nInit: 2, maxIter: 50, seed: 0 };
/** The extension's default limit (maxMegapixels 50). */
export const CORPUS_MAX_PIXELS = 50_000_000;

export interface CaseOutcome {
  name: string;
  kind: string;
  outcome: 'result' | 'clean-error' | 'bug' | 'hang' | 'crash';
  message: string;
  code?: string;
  ms: number;
  digest?: string;
  maxRssMb: number;
}

export interface CorpusReport {
  tried: number;
  cleanErrors: number;
  results: number;
  /** Results equal to their sound base (wrong-extension cases), out of how many such cases. */
  sameAsBase: number;
  sameAsBaseOf: number;
  crashes: CaseOutcome[];
  overBound: CaseOutcome[];
  tooLargeMissed: CaseOutcome[];
  slowest: CaseOutcome;
  peakRssMb: number;
  /** Files that raised the child's peak RSS the most (MB over the previous peak). */
  rssJumps: { name: string; mb: number }[];
  outcomes: CaseOutcome[];
}

export interface RunOptions {
  /** Per-file time bound (ms): slower files are reported in overBound. */
  boundMs: number;
  /** After this long the child is killed and the file counted as a hang. */
  hangMs: number;
  maxPixels?: number;
  params?: SegmentParams;
  /** Heap limit of the child (MB); pixel buffers live outside it. */
  heapMb?: number;
}

class Child {
  private proc: ChildProcess;
  private waiting: ((a: ChildAnswer | { died: string }) => void) | undefined;

  constructor(heapMb: number) {
    this.proc = fork(join(__dirname, 'corpusChild.ts'), [], {
      execArgv: ['--import', 'tsx', `--max-old-space-size=${heapMb}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    // Native aborts print to stderr; keep only the tail for the report.
    let err = '';
    this.proc.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    this.proc.on('message', (a: ChildAnswer) => {
      const w = this.waiting;
      this.waiting = undefined;
      w?.(a);
    });
    this.proc.on('exit', (code, signal) => {
      const w = this.waiting;
      this.waiting = undefined;
      const lastLine = err.trim().split('\n').filter((l) => /error|abort|heap/i.test(l)).pop() ?? '';
      w?.({ died: `child exited (code ${code}, signal ${signal}) ${lastLine}`.trim() });
    });
  }

  ask(req: ChildRequest, hangMs: number): Promise<ChildAnswer | { died: string } | { hang: true }> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        resolve({ hang: true });
      }, hangMs);
      this.waiting = (a) => {
        clearTimeout(timer);
        resolve(a);
      };
      this.proc.send(req);
    });
  }

  kill(): void {
    this.proc.kill('SIGKILL');
  }
}

/** Writes the cases into `dir` (the CLI sample reads them from there) and runs them all. */
export async function runCorpus(cases: CorpusCase[], bases: { name: string; bytes: Uint8Array }[], dir: string, opts: RunOptions): Promise<CorpusReport> {
  mkdirSync(dir, { recursive: true });
  const heapMb = opts.heapMb ?? 512;
  const params = opts.params ?? CORPUS_PARAMS;
  const maxPixels = opts.maxPixels ?? CORPUS_MAX_PIXELS;
  let child = new Child(heapMb);
  const outcomes: CaseOutcome[] = [];
  const baseDigest = new Map<string, string | undefined>();
  let prevPeak = 0;
  const rssJumps: { name: string; mb: number }[] = [];

  const runOne = async (name: string, kind: string, bytes: Uint8Array): Promise<CaseOutcome> => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const t0 = performance.now();
    const a = await child.ask({ path, name, maxPixels, params }, opts.hangMs);
    if ('hang' in a || 'died' in a) {
      child.kill();
      child = new Child(heapMb);
      prevPeak = 0;
      const outcome = 'hang' in a ? 'hang' : 'crash';
      return { name, kind, outcome, message: 'hang' in a ? `no answer after ${opts.hangMs} ms` : a.died, ms: performance.now() - t0, maxRssMb: 0 };
    }
    if (a.maxRssMb - prevPeak > 1) rssJumps.push({ name, mb: a.maxRssMb - prevPeak });
    prevPeak = Math.max(prevPeak, a.maxRssMb);
    return { kind, ...a };
  };

  try {
    for (const b of bases) {
      const o = await runOne(`base-${b.name}`, 'base', b.bytes);
      if (o.outcome !== 'result') throw new Error(`corpus base ${b.name} does not segment: ${o.message}`);
      baseDigest.set(b.name, o.digest);
    }
    for (const c of cases) outcomes.push(await runOne(c.name, c.kind, c.bytes));
  } finally {
    child.kill();
  }

  const byName = new Map(cases.map((c) => [c.name, c]));
  const crashes = outcomes.filter((o) => o.outcome === 'bug' || o.outcome === 'hang' || o.outcome === 'crash');
  let sameAsBase = 0;
  let sameAsBaseOf = 0;
  for (const o of outcomes) {
    const c = byName.get(o.name)!;
    if (!c.sameAs) continue;
    sameAsBaseOf++;
    if (o.outcome === 'result' && o.digest === baseDigest.get(c.sameAs)) sameAsBase++;
    else crashes.push({ ...o, outcome: 'bug', message: `differs from ${c.sameAs}: ${o.message}` });
  }
  const tooLargeMissed = outcomes.filter((o) => byName.get(o.name)!.expectTooLarge && o.code !== 'too-large');
  const slowest = outcomes.reduce((a, b) => (b.ms > a.ms ? b : a));
  rssJumps.sort((a, b) => b.mb - a.mb);
  return {
    tried: outcomes.length,
    cleanErrors: outcomes.filter((o) => o.outcome === 'clean-error').length,
    results: outcomes.filter((o) => o.outcome === 'result').length,
    sameAsBase,
    sameAsBaseOf,
    crashes,
    overBound: outcomes.filter((o) => o.ms > opts.boundMs),
    tooLargeMissed,
    slowest,
    peakRssMb: Math.max(...outcomes.map((o) => o.maxRssMb)),
    rssJumps: rssJumps.slice(0, 5),
    outcomes,
  };
}

export function reportLine(r: CorpusReport): string {
  const s = r.slowest;
  return (
    `# reliability: corpus: ${r.tried} files tried, ${r.cleanErrors} clean errors, ${r.results} correct results ` +
    `(${r.sameAsBase}/${r.sameAsBaseOf} renamed files identical to their original), ${r.crashes.length} crashes, ` +
    `slowest ${Math.round(s.ms)} ms (${s.name}), child peak RSS ${Math.round(r.peakRssMb)} MB` +
    (r.rssJumps.length ? `, largest RSS jump ${Math.round(r.rssJumps[0]!.mb)} MB (${r.rssJumps[0]!.name})` : '')
  );
}
