// kmeans-segment on several images or a folder: the batch engine (core/batch), whose workers
// read the files and save the composites with the no-overwrite writer; the CLI's own file is
// their script, so a lone copy of cli.js runs batches too. Human output is one line per image in
// input order (a line waits for those before it), --json one object per image as it ends and a
// summary object.
// Ctrl+C (or SIGTERM) stops the batch cleanly; a second Ctrl+C (a quarter second later or more)
// quits at once.
import { promises as fs } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { runBatch, type ImageReport } from '../core/batch/engine';
import type { ImageJob } from '../core/batch/pipeline';
import { summaryText } from '../core/batch/progress';
import { localFiles } from '../core/batch/localFiles';
import { doneCheck } from '../core/batch/skipDone';
import { oneLine } from '../core/errors';
import type { CliOptions } from './args';
import { ProgressLine } from './progressLine';
import { batchLine, failureJson, failureLines, imageJson } from './report';

/** A second signal this soon after the first is the same one delivered twice, not a second Ctrl+C. */
const SAME_SIGNAL_MS = 250;

export interface CliBatchRun {
  images: string[];
  opts: CliOptions;
  /** The script workers run: the CLI's own file. */
  workerPath: string;
  debug: boolean;
}

/** The exit status: 0 all done (or skipped), 1 an image failed, 130 / 143 stopped by a signal. */
export async function runCliBatch({ images, opts, workerPath, debug }: CliBatchRun): Promise<number> {
  const out = process.stdout;
  const err = process.stderr;
  const job: ImageJob = {
    params: opts.params,
    maxPixels: opts.maxPixels,
    mode: opts.mode,
    select: opts.select,
    formats: opts.outputFile ? [opts.outputFormat] : [],
  };
  const progress = err.isTTY ? new ProgressLine(err, images.length) : undefined;
  const print = (stream: NodeJS.WriteStream, text: string): void => {
    if (progress) progress.print(stream, text);
    else stream.write(text);
  };

  // Human lines in input order: a finished image's line waits for those before it.
  const pending = new Map<number, () => void>();
  let nextToPrint = 0;
  const inOrder = (index: number, show: () => void): void => {
    pending.set(index, show);
    for (let f = pending.get(nextToPrint); f; f = pending.get(nextToPrint)) {
      pending.delete(nextToPrint);
      nextToPrint++;
      f();
    }
  };
  const position = (index: number): string => `[${index + 1}/${images.length}]`;

  const onImage = (r: ImageReport<string>): void => {
    if (r.status === 'done') {
      const warnings = [...opts.warnings, ...r.outcome.summary.warnings];
      const timings = { ...r.outcome.timings, total: r.ms };
      if (opts.json) {
        for (const w of r.outcome.summary.warnings) print(err, `Warning: ${r.name}: ${w}\n`);
        print(out, `${imageJson(r.name, opts.params, r.outcome.summary, r.written, timings, warnings)}\n`);
        return;
      }
      inOrder(r.index, () => {
        for (const w of r.outcome.summary.warnings) print(err, `Warning: ${r.name}: ${w}\n`);
        print(out, `${batchLine(position(r.index), r.name, opts.params, r.outcome.summary, r.written, r.ms)}\n`);
      });
    } else if (r.status === 'skipped') {
      if (opts.json) print(out, `${JSON.stringify({ image: r.name, skipped: true, existing: r.existing })}\n`);
      else inOrder(r.index, () => print(out, `${position(r.index)} ${r.name}: skipped, done already: ${r.existing.join(', ')}\n`));
    } else {
      const lines = `${failureLines(r.name, r.error, debug).join('\n')}\n`;
      if (opts.json) {
        print(err, lines);
        print(out, `${failureJson(r.name, r.error)}\n`);
      } else inOrder(r.index, () => print(err, lines));
    }
  };

  const abort = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  let signalledAt = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    // the same Ctrl+C twice: from the terminal and from the CLI that started this one again (hugePages.ts)
    if (signalled && performance.now() - signalledAt < SAME_SIGNAL_MS) return;
    if (signalled) process.exit(128 + (sig === 'SIGTERM' ? 15 : 2));
    signalled = sig;
    signalledAt = performance.now();
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let summary;
  try {
    summary = await runBatch<string>(images, {
      job,
      workerPath,
      jobs: opts.jobs,
      signal: abort.signal,
      name: (path) => path,
      // the workers read the files and save the composites themselves: this thread never holds
      // their bytes, and without -o there is nothing to save
      ...localFiles((path: string) => path, opts.outputFile),
      done: opts.skipDone ? doneCheck<string>({ folderOf: (p) => dirname(resolve(p)), nameOf: (p) => basename(p), list: listFolder }, opts.params, opts.outputFormat) : undefined,
      onImage,
      onProgress: (p) => progress?.update(p),
    });
  } finally {
    progress?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  // a stopped batch: the lines of images that ended after a gap
  for (const i of [...pending.keys()].sort((a, b) => a - b)) pending.get(i)!();

  if (opts.json) {
    const { total, done, skipped, failed, notRun, cancelled, seconds, imagesPerSecond, jobs } = summary;
    out.write(`${JSON.stringify({ summary: true, total, done, skipped, failed, notRun, cancelled, seconds: round3(seconds), imagesPerSecond: round3(imagesPerSecond), jobs })}\n`);
  } else {
    out.write(`${summaryText(summary)}\n`);
  }
  if (summary.cancelled) {
    err.write(`stopped: ${summary.notRun} image(s) not run${opts.skipDone || opts.outputFile ? '; run the same command with --skip-done to resume' : ''}\n`);
    return 128 + (signalled === 'SIGTERM' ? 15 : 2);
  }
  return summary.failed > 0 ? 1 : 0;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

async function listFolder(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (e) {
    // the image's own read reports a missing folder
    if (process.env.KMEANS_DEBUG === '1') process.stderr.write(`(listing ${dir}: ${oneLine(e)})\n`);
    return [];
  }
}
