// kmeans-segment: the reference script as a command. Thin: one image is read, segmented
// (core/batch/pipeline: decode, segmentSync, composite, encode) and written here; several images
// or a folder are a batch (batch.ts) on worker threads that run this very file. Every user error
// is one line on stderr, and a stack trace appears only for real bugs with KMEANS_DEBUG=1.

import { promises as fs } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { isMainThread, workerData } from 'node:worker_threads';
import { segmentImageBytes, type ImageOutcome } from '../core/batch/pipeline';
import { BATCH_WORKER_MARK } from '../core/batch/protocol';
import { doneOutputs } from '../core/batch/skipDone';
import { serveBatchWorker } from '../core/batch/worker';
import { decodeImage } from '../core/decode';
import { pagedJpegHeap } from '../core/codecs/jpeg';
import { sniffFormat } from '../core/header';
import { SegmentationError, oneLine } from '../core/errors';
import { isOurOutput, outputName } from '../core/naming';
import type { OutputFormat } from '../shared/formats';
import { writeNewFile } from '../core/files/writeNew';
import { version } from '../../package.json';
import { HELP, UsageError, parseArgs, type CliOptions } from './args';
import { runCliBatch } from './batch';
import { hasLargeImage, hugePagesWanted, msSinceStart, runAgainWithHugePages } from './hugePages';
import { hugePageMode } from '../core/batch/mallocHugePages';
import { expandInputs } from './inputs';
import { readInput } from '../core/files/readInput';
import { failureLines, imageJson, singleSummary, type Timings } from './report';
import { runSweep, sweepJsonLines, sweepSummary } from './sweep';
import { channelsLabel } from '../shared/params';

const debug = process.env.KMEANS_DEBUG === '1';

/**
 * --out and --labels: refuse an existing file or a missing folder before any work (the write
 * itself refuses again, so a file appearing meanwhile is still not overwritten).
 */
async function checkTarget(path: string | undefined): Promise<void> {
  if (path === undefined) return;
  const taken = await fs.lstat(path).then(
    () => true,
    () => false,
  );
  if (taken) throw new SegmentationError('exists', 'already exists; not overwritten', path);
  const dir = dirname(resolve(path));
  const isDir = await fs.stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new SegmentationError('not-writable', 'folder does not exist', dir);
}

async function processImage(path: string, opts: CliOptions): Promise<{ outcome: ImageOutcome; written: string[]; timings: Timings }> {
  await checkTarget(opts.out);
  await checkTarget(opts.labels);
  await checkTarget(opts.palette);

  const t0 = performance.now();
  const bytes = await readInput(path);
  const readMs = performance.now() - t0;
  const formats: OutputFormat[] = [];
  if (opts.outputFile) formats.push(opts.outputFormat);
  if (opts.out !== undefined && opts.outFormat) formats.push(opts.outFormat);
  // one image: the other core pages the decoder's heap in while this one decodes (not held here)
  const outcome = await segmentImageBytes(bytes, path, {
    params: opts.params,
    maxPixels: opts.maxPixels,
    mode: opts.mode,
    select: opts.select,
    formats,
    labels: opts.labels !== undefined,
    palette: opts.palette !== undefined,
  }, undefined, sniffFormat(bytes) === 'jpeg' ? pagedJpegHeap(bytes) : undefined);

  const t1 = performance.now();
  const written: string[] = [];
  const effective = { ...opts.params, k: outcome.summary.k };
  if (opts.outputFile) {
    const name = outputName(basename(path), effective, opts.outputFormat);
    written.push(await writeNewFile(dirname(resolve(path)), name, outcome.composites[opts.outputFormat]!));
  }
  if (opts.out !== undefined && opts.outFormat) {
    const target = resolve(opts.out);
    written.push(await writeNewFile(dirname(target), basename(target), outcome.composites[opts.outFormat]!, { renameIfTaken: false }));
  }
  if (opts.labels !== undefined) {
    const target = resolve(opts.labels);
    written.push(await writeNewFile(dirname(target), basename(target), outcome.labelsPng!, { renameIfTaken: false }));
  }
  if (opts.palette !== undefined) {
    const target = resolve(opts.palette);
    written.push(await writeNewFile(dirname(target), basename(target), outcome.paletteJson!, { renameIfTaken: false }));
  }
  const writeMs = performance.now() - t1;

  const timings: Timings = {
    ...outcome.timings,
    // as before the batch engine: decode counts the read, encode the write
    decode: readMs + outcome.timings.decode,
    encode: outcome.timings.encode + writeMs,
    // since the process started, as the Python reference's total_s (which includes its imports)
    total: msSinceStart(),
  };
  return { outcome, written, timings };
}

function reportFailure(path: string, e: unknown): void {
  process.stderr.write(`${failureLines(path, e, debug).join('\n')}\n`);
}

/** --skip-done on one image: its composites already beside it. */
async function doneAlready(path: string, opts: CliOptions): Promise<string[]> {
  const names = await fs.readdir(dirname(resolve(path))).catch(() => []);
  return doneOutputs(basename(path), names, opts.params, opts.outputFormat);
}

async function main(argv: string[]): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`kmeans-segment: ${oneLine(e)} (see --help)\n`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (opts.version) {
    process.stdout.write(`${version}\n`);
    return 0;
  }

  const inputs = await expandInputs(opts.images, opts.recursive);
  const several = inputs.images.length > 1 || inputs.folders.length > 0;
  // files named like our outputs are left out of several (said below)
  const images: string[] = [];
  const ours: string[] = [];
  for (const path of inputs.images) (several && isOurOutput(path) ? ours : images).push(path);
  // before anything is printed: the process started again says it all
  if (hugePagesWanted(process.env, hugePageMode()) && (await hasLargeImage(images))) {
    const status = await runAgainWithHugePages();
    if (status !== undefined) return status;
  }

  for (const w of opts.warnings) process.stderr.write(`Warning: ${w}\n`);
  for (const f of inputs.folders) {
    if (f.images === 0) process.stderr.write(`Warning: ${f.path}: no images in this folder${opts.recursive ? '' : ' (--recursive takes its subfolders)'}\n`);
  }
  if (inputs.images.length === 0) {
    process.stderr.write('kmeans-segment: no images to segment\n');
    return 1;
  }
  if (inputs.folders.length > 0 && (opts.out !== undefined || opts.labels !== undefined || opts.palette !== undefined)) {
    process.stderr.write('kmeans-segment: --out, --labels and --palette name one file: give one image, not a folder (use -o for a batch) (see --help)\n');
    return 2;
  }
  for (const path of ours) process.stderr.write(`skipped ${path}: named like an output of this tool\n`);

  // a folder is always a batch; files are when more than one is left to segment
  const batch = images.length > 1 || inputs.folders.length > 0;

  if (opts.sweep) {
    let failed = 0;
    for (const path of images) {
      try {
        await checkTarget(opts.out);
        const image = await decodeImage(await readInput(path), path, { maxPixels: opts.maxPixels });
        const sweep = await runSweep(path, image, opts.params, { axis: opts.sweep, out: opts.out, mode: opts.mode === 'mean' ? 'mean' : 'gray' });
        process.stdout.write(`${opts.json ? sweepJsonLines(path, sweep.rows).join('\n') : sweepSummary(path, sweep)}\n`);
      } catch (e) {
        failed++;
        reportFailure(path, e);
      }
    }
    return failed > 0 ? 1 : 0;
  }

  if (batch) return runCliBatch({ images, opts, workerPath: __filename, debug });

  const path = images[0]!;
  try {
    if (opts.skipDone) {
      const existing = await doneAlready(path, opts);
      if (existing.length > 0) {
        process.stdout.write(opts.json ? `${JSON.stringify({ image: path, skipped: true, existing })}\n` : `${path}: skipped, done already: ${existing.join(', ')}\n`);
        return 0;
      }
    }
    const { outcome, written, timings } = await processImage(path, opts);
    for (const w of outcome.summary.warnings) process.stderr.write(`Warning: ${path}: ${w}\n`);
    const warnings = [...opts.warnings, ...outcome.summary.warnings];
    process.stdout.write(`${opts.json ? imageJson(path, opts.params, outcome.summary, written, timings, warnings) : singleSummary(path, opts.params, outcome.summary, written, timings.total)}\n`);
    return 0;
  } catch (e) {
    reportFailure(path, e);
    return 1;
  }
}

if (!isMainThread && (workerData as Record<string, unknown> | undefined)?.[BATCH_WORKER_MARK]) {
  serveBatchWorker();
} else {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`kmeans-segment: internal error: ${oneLine(e)}${debug ? '' : ' (KMEANS_DEBUG=1 shows the stack)'}\n`);
      if (debug) process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
