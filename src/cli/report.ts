// What the CLI prints about an image: the --json object (the same keys for one image and in a
// batch), the human summary of one image, a batch's one line per image, and error lines.
import { isSegmentationError, oneLine } from '../core/errors';
import type { ImageSummary, ImageTimings } from '../core/batch/pipeline';
import { channelsLabel, type SegmentParams } from '../shared/params';

/** The stages' milliseconds and the whole image's. */
export interface Timings extends ImageTimings {
  total: number;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

export function roundTimings(t: Timings): Timings {
  return {
    decode: round(t.decode),
    resize: round(t.resize),
    convert: round(t.convert),
    kmeans: round(t.kmeans),
    composite: round(t.composite),
    encode: round(t.encode),
    total: round(t.total),
  };
}

export function imageJson(path: string, params: SegmentParams, s: ImageSummary, written: string[], timings: Timings, warnings: string[]): string {
  return JSON.stringify({
    image: path,
    inertia: s.inertia,
    k: s.k,
    iterations: s.iterations,
    clusterSizes: s.clusterSizes,
    centers: s.centers,
    colorSpace: params.colorSpace,
    channels: channelsLabel(params.channels),
    width: s.width,
    height: s.height,
    distinctValues: s.distinctValues,
    written,
    warnings,
    timings: roundTimings(timings),
  });
}

function describe(path: string, params: SegmentParams, s: ImageSummary): string {
  return `${path}: ${s.width}x${s.height}, ${params.colorSpace} channels ${channelsLabel(params.channels)}, k=${s.k}: clusters of ${s.clusterSizes.join(', ')} pixels`;
}

/** One image run alone: a line, then one per file saved. */
export function singleSummary(path: string, params: SegmentParams, s: ImageSummary, written: string[], totalMs: number): string {
  const lines = [`${describe(path, params, s)} (most first: black), inertia ${s.inertia.toFixed(1)}, ${s.iterations} iterations, ${Math.round(totalMs)} ms`];
  for (const w of written) lines.push(`  saved ${w}`);
  if (written.length === 0) lines.push('  (nothing saved: use -o, --out, --labels or --palette)');
  return lines.join('\n');
}

/** An image of a batch, in one line: "[3/200] a.png: ..., 85 ms; saved /x/a_...png". */
export function batchLine(position: string, path: string, params: SegmentParams, s: ImageSummary, written: string[], ms: number): string {
  const saved = written.length > 0 ? `saved ${written.join(', ')}` : 'nothing saved (use -o)';
  return `${position} ${describe(path, params, s)}, inertia ${s.inertia.toFixed(1)}, ${s.iterations} iterations, ${Math.round(ms)} ms; ${saved}`;
}

/** The error line of a failing image, and with `debug` what helps find a bug. */
export function failureLines(path: string, e: unknown, debug: boolean): string[] {
  if (isSegmentationError(e)) {
    // the message names the file already when the error is about one
    const lines = [`error: ${e.file ? oneLine(e) : `${path}: ${oneLine(e)}`}`];
    if (debug && e.cause) lines.push(String((e.cause as Error).stack ?? e.cause));
    return lines;
  }
  const lines = [`error: ${path}: internal error: ${oneLine(e)}${debug ? '' : ' (KMEANS_DEBUG=1 shows the stack)'}`];
  if (debug) lines.push((e as Error).stack ?? String(e));
  return lines;
}

/** The failure as --json reports it in a batch. */
export function failureJson(path: string, e: unknown): string {
  const message = isSegmentationError(e) && e.file ? oneLine(e).slice(e.file.length + 2) : oneLine(e);
  return JSON.stringify({ image: path, error: message, code: isSegmentationError(e) ? e.code : 'internal' });
}
