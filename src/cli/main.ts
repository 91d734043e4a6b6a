// kmeans-segment: the reference script as a command. Thin: read the file, decode, segmentSync,
// composite, encode, write; every user error is one line on stderr, and a stack trace appears
// only for real bugs with KMEANS_DEBUG=1.

import { promises as fs } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { composite, grayLabelBytes, labelImage } from '../core/composite';
import { paletteJson } from '../core/insight/palette';
import { renderResult } from '../core/insight/render';
import { decodeImage } from '../core/decode';
import { encodeGrayPng, encodeImage } from '../core/encode';
import { segmentSync } from '../core/segment';
import { SegmentationError, isSegmentationError, oneLine } from '../core/errors';
import { isOurOutput, outputName } from '../core/naming';
import { writeNewFile } from '../core/files/writeNew';
import type { SegmentResult } from '../core/types';
import { version } from '../../package.json';
import { HELP, UsageError, parseArgs, type CliOptions } from './args';
import { runSweep, sweepJsonLines, sweepSummary } from './sweep';
import { channelsLabel } from '../shared/params';

const debug = process.env.KMEANS_DEBUG === '1';

interface Timings {
  decode: number;
  resize: number;
  convert: number;
  kmeans: number;
  composite: number;
  encode: number;
  total: number;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

async function readInput(path: string): Promise<Uint8Array> {
  let stat;
  try {
    stat = await fs.stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new SegmentationError('not-found', 'no such file', path);
    if (code === 'EACCES' || code === 'EPERM') throw new SegmentationError('not-found', 'cannot read the file: permission denied', path);
    throw e;
  }
  if (stat.isDirectory()) throw new SegmentationError('not-a-file', 'is a folder, not an image file', path);
  if (!stat.isFile()) throw new SegmentationError('not-a-file', 'not a regular file', path);
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') throw new SegmentationError('not-found', 'cannot read the file: permission denied', path);
    throw e;
  }
}

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

async function processImage(path: string, opts: CliOptions): Promise<{ result: SegmentResult; written: string[]; timings: Timings }> {
  await checkTarget(opts.out);
  await checkTarget(opts.labels);
  await checkTarget(opts.palette);

  const t0 = performance.now();
  const bytes = await readInput(path);
  const image = await decodeImage(bytes, path, { maxPixels: opts.maxPixels });
  const t1 = performance.now();

  const result = segmentSync(image, opts.params);
  const missing = opts.select.filter((r) => r >= result.k);
  if (missing.length > 0) {
    throw new SegmentationError('bad-parameter', `--select ${missing.join(',')}: there are only ${result.k} clusters (ranks 0-${result.k - 1})`, path);
  }

  const t2 = performance.now();
  const { width, height } = result.image;
  const right =
    opts.mode === 'gray'
      ? labelImage(result.labels, result.k, width, height)
      : renderResult(result, opts.mode, opts.select);
  const picture = composite(result.image, right);
  const t3 = performance.now();

  const written: string[] = [];
  const effective = { ...opts.params, k: result.k };
  if (opts.outputFile) {
    const name = outputName(basename(path), effective, opts.outputFormat);
    written.push(await writeNewFile(dirname(resolve(path)), name, await encodeImage(picture, opts.outputFormat)));
  }
  if (opts.out !== undefined && opts.outFormat) {
    const target = resolve(opts.out);
    written.push(await writeNewFile(dirname(target), basename(target), await encodeImage(picture, opts.outFormat), { renameIfTaken: false }));
  }
  if (opts.labels !== undefined) {
    const target = resolve(opts.labels);
    const png = await encodeGrayPng(grayLabelBytes(result.labels, result.k), width, height);
    written.push(await writeNewFile(dirname(target), basename(target), png, { renameIfTaken: false }));
  }
  if (opts.palette !== undefined) {
    const target = resolve(opts.palette);
    const json = new TextEncoder().encode(`${JSON.stringify(paletteJson(result, opts.params), null, 2)}\n`);
    written.push(await writeNewFile(dirname(target), basename(target), json, { renameIfTaken: false }));
  }
  const t4 = performance.now();

  const timings: Timings = {
    decode: round(t1 - t0),
    resize: round(result.timings.resize),
    convert: round(result.timings.convert),
    kmeans: round(result.timings.kmeans),
    composite: round(t3 - t2),
    encode: round(t4 - t3),
    // since the process started, as the Python reference's total_s (which includes its imports)
    total: round(performance.now()),
  };
  return { result, written, timings };
}

function jsonLine(
  path: string,
  opts: CliOptions,
  result: SegmentResult,
  written: string[],
  timings: Timings,
  warnings: string[],
): string {
  return JSON.stringify({
    image: path,
    inertia: result.inertia,
    k: result.k,
    iterations: result.iterations,
    clusterSizes: result.clusterSizes,
    centers: result.centers,
    colorSpace: opts.params.colorSpace,
    channels: channelsLabel(opts.params.channels),
    width: result.image.width,
    height: result.image.height,
    distinctValues: result.distinctValues,
    written,
    warnings,
    timings,
  });
}

function summary(path: string, opts: CliOptions, result: SegmentResult, written: string[], timings: Timings): string {
  const p = opts.params;
  const sizes = result.clusterSizes.map((s) => String(s)).join(', ');
  const lines = [
    `${path}: ${result.image.width}x${result.image.height}, ${p.colorSpace} channels ${channelsLabel(p.channels)}, k=${result.k}: ` +
      `clusters of ${sizes} pixels (most first: black), inertia ${result.inertia.toFixed(1)}, ${result.iterations} iterations, ${Math.round(timings.total)} ms`,
  ];
  for (const w of written) lines.push(`  saved ${w}`);
  if (written.length === 0) lines.push('  (nothing saved: use -o, --out, --labels or --palette)');
  return lines.join('\n');
}

function reportFailure(path: string, e: unknown): void {
  if (isSegmentationError(e)) {
    // the message names the file already when the error is about one
    const msg = e.file ? oneLine(e) : `${path}: ${oneLine(e)}`;
    process.stderr.write(`error: ${msg}\n`);
    if (debug && e.cause) process.stderr.write(`${String((e.cause as Error).stack ?? e.cause)}\n`);
    return;
  }
  process.stderr.write(`error: ${path}: internal error: ${oneLine(e)}${debug ? '' : ' (KMEANS_DEBUG=1 shows the stack)'}\n`);
  if (debug) process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
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

  for (const w of opts.warnings) process.stderr.write(`Warning: ${w}\n`);

  const batch = opts.images.length > 1;
  let failed = 0;
  for (const path of opts.images) {
    if (batch && isOurOutput(path)) {
      process.stderr.write(`skipped ${path}: named like an output of this tool\n`);
      continue;
    }
    try {
      if (opts.sweep) {
        await checkTarget(opts.out);
        const image = await decodeImage(await readInput(path), path, { maxPixels: opts.maxPixels });
        const sweep = await runSweep(path, image, opts.params, { axis: opts.sweep, out: opts.out, mode: opts.mode === 'mean' ? 'mean' : 'gray' });
        process.stdout.write(`${opts.json ? sweepJsonLines(path, sweep.rows).join('\n') : sweepSummary(path, sweep)}\n`);
        continue;
      }
      const { result, written, timings } = await processImage(path, opts);
      for (const w of result.warnings) process.stderr.write(`Warning: ${path}: ${w}\n`);
      const warnings = [...opts.warnings, ...result.warnings];
      process.stdout.write(`${opts.json ? jsonLine(path, opts, result, written, timings, warnings) : summary(path, opts, result, written, timings)}\n`);
    } catch (e) {
      failed++;
      reportFailure(path, e);
    }
  }
  return failed > 0 ? 1 : 0;
}

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
