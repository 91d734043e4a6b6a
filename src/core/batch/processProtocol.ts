// Messages between a host and a batch run in a process of its own (processMain.ts, bundled as
// dist/batchProcess.js). The extension runs its batches there: the workers' hundreds of
// megabytes then live in another process than the extension host, whose every fork (VS Code
// spawns `ps`, `ls`, git...) copies the page tables of all it maps, and whose page faults would
// otherwise queue behind the workers' (low-priority) memory management.
import { oneLine } from '../errors';
import type { BatchProgress, BatchSummary, ImageReport } from './engine';
import type { ImageJob } from './pipeline';

/** An image of the batch: its path on the local disk; `existing`: the outputs it has already (it is skipped). */
export interface BatchFile {
  path: string;
  existing?: string[];
}

export type ToBatchProcess =
  | { type: 'start'; files: BatchFile[]; job: ImageJob; workerPath: string; jobs?: number }
  /** Stop: workers end at once, except one writing a file, which finishes it (then the summary). */
  | { type: 'stop' };

/** An image's end as hosts report it: names and figures, no pixels, no bytes. */
export type ImageLine =
  | { index: number; name: string; status: 'done'; written: string[]; ms: number; warnings: string[] }
  | { index: number; name: string; status: 'skipped'; existing: string[] }
  | { index: number; name: string; status: 'failed'; message: string };

export type FromBatchProcess =
  | { type: 'image'; line: ImageLine }
  | { type: 'progress'; progress: BatchProgress }
  | { type: 'summary'; summary: BatchSummary }
  /** The batch could not run at all (a bad start message, a missing worker script). */
  | { type: 'fatal'; message: string };

export function imageLine<T>(r: ImageReport<T>): ImageLine {
  const { index, name } = r;
  if (r.status === 'done') return { index, name, status: 'done', written: r.written, ms: r.ms, warnings: [...r.outcome.summary.warnings] };
  if (r.status === 'skipped') return { index, name, status: 'skipped', existing: [...r.existing] };
  return { index, name, status: 'failed', message: oneLine(r.error) };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** The message if it is one the batch process takes, else a one-line reason. */
export function checkToBatchProcess(m: unknown): ToBatchProcess | string {
  if (!isObject(m)) return 'not a message';
  if (m.type === 'stop') return { type: 'stop' };
  if (m.type !== 'start') return `unknown message type ${JSON.stringify(m.type)}`;
  const { files, job, workerPath, jobs } = m;
  if (!Array.isArray(files) || !files.every((f) => isObject(f) && typeof f.path === 'string' && (f.existing === undefined || isStrings(f.existing)))) {
    return 'files: a list of { path, existing? } expected';
  }
  if (!isObject(job) || !isObject(job.params) || typeof job.maxPixels !== 'number' || typeof job.mode !== 'string' || !Array.isArray(job.select) || !isStrings(job.formats)) {
    return 'job: { params, maxPixels, mode, select, formats } expected';
  }
  if (typeof workerPath !== 'string') return 'workerPath: a path expected';
  if (jobs !== undefined && !(Number.isInteger(jobs) && (jobs as number) >= 1)) return 'jobs: a whole number >= 1 expected';
  return { type: 'start', files: files as BatchFile[], job: job as unknown as ImageJob, workerPath, jobs: jobs as number | undefined };
}
