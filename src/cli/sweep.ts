// kmeans-segment --sweep: every colour space and channel subset at -n k (or, with --sweep-k, every
// k in a range at -s and -c) on the image resized to -w (300 when not given), scored by spatial
// coherence (core/sweep.ts); a contact sheet (--out) and one line per setting, or with --json one
// object per setting, best first.
import { basename, dirname, resolve } from 'node:path';
import { renderResult } from '../core/insight/render';
import { resizeArea, targetSize } from '../core/resize';
import { segmentSync } from '../core/segment';
import { SWEEP_WIDTH, coherence, settingFlags, sweepParams, sweepSettings, type SweepAxis, type SweepSetting } from '../core/sweep';
import type { RgbImage } from '../core/types';
import { contactSheet, type SheetCell } from '../core/view/contactSheet';
import { encodeImage } from '../core/encode';
import { writeNewFile } from '../core/files/writeNew';
import { channelsLabel, type SegmentParams } from '../shared/params';

export interface SweepOptions {
  axis: { kind: 'channels' } | { kind: 'k'; from: number; to: number };
  /** The contact sheet's path (PNG), if any. */
  out?: string;
  /** The thumbnails in gray levels (the reference script's) or mean colours. */
  mode: 'gray' | 'mean';
}

export interface SweepRow extends SweepSetting {
  score: number;
  inertia: number;
  clusterSizes: number[];
  image: RgbImage;
}

/** Runs a sweep on a decoded image; the rows best first, and the sheet's path when written. */
export async function runSweep(
  path: string,
  image: RgbImage,
  params: SegmentParams,
  opts: SweepOptions,
): Promise<{ rows: SweepRow[]; width: number; height: number; written: string[] }> {
  const width = Math.min(image.width, params.width || SWEEP_WIDTH);
  const size = targetSize(image.width, image.height, width);
  const small = size.width === image.width && size.height === image.height ? image : resizeArea(image, size.width, size.height);
  const axis: SweepAxis =
    opts.axis.kind === 'channels'
      ? { kind: 'channels', k: params.k }
      : { kind: 'k', from: opts.axis.from, to: opts.axis.to, colorSpace: params.colorSpace, channels: params.channels };
  const rows: SweepRow[] = sweepSettings(axis).map((setting) => {
    const r = segmentSync(small, sweepParams(params, setting));
    return {
      ...setting,
      k: r.k,
      score: coherence(r.labels, r.image.width, r.image.height),
      inertia: r.inertia,
      clusterSizes: r.clusterSizes,
      image: renderResult(r, opts.mode),
    };
  });
  const written: string[] = [];
  if (opts.out !== undefined) {
    const best = rows.reduce((b, r) => (r.score > b.score ? r : b), rows[0]!);
    const cells: SheetCell[] = [
      { image: small, lines: [`${basename(path)}`, `${small.width}x${small.height}`] },
      ...rows.map((r, i) => ({
        image: r.image,
        lines: [settingFlags(r), `score ${r.score.toFixed(3)}`],
        mark: r === best,
        newRow: i === 0 || (opts.axis.kind === 'channels' && i % 7 === 0),
      })),
    ];
    const what = opts.axis.kind === 'channels' ? `k ${params.k}, every colour space and channels` : `-s ${params.colorSpace} -c ${channelsLabel(params.channels)}, k ${opts.axis.from}-${opts.axis.to}`;
    const sheet = contactSheet(`kmeans-segment --sweep: ${what}; score = spatial coherence (kappa), best framed`, cells, 7);
    const target = resolve(opts.out);
    written.push(await writeNewFile(dirname(target), basename(target), await encodeImage(sheet, 'png'), { renameIfTaken: false }));
  }
  rows.sort((a, b) => b.score - a.score);
  return { rows, width: small.width, height: small.height, written };
}

/** The human summary: one line per setting, best first. */
export function sweepSummary(path: string, result: { rows: SweepRow[]; width: number; height: number; written: string[] }): string {
  const lines = [`${path}: ${result.rows.length} settings at ${result.width}x${result.height}, best first (score = spatial coherence, 1 = clean regions, 0 = speckle)`];
  result.rows.forEach((r, i) => {
    lines.push(`  ${String(i + 1).padStart(2)}. ${settingFlags(r).padEnd(20)} score ${r.score.toFixed(3)}  inertia ${r.inertia.toExponential(3)}`);
  });
  for (const w of result.written) lines.push(`  wrote ${w}`);
  return lines.join('\n');
}

/** --json: one object per setting (the keys of the CLI's --json, plus score), best first. */
export function sweepJsonLines(path: string, rows: SweepRow[]): string[] {
  return rows.map((r) =>
    JSON.stringify({ image: path, colorSpace: r.colorSpace, channels: channelsLabel(r.channels), k: r.k, inertia: r.inertia, clusterSizes: r.clusterSizes, score: r.score }),
  );
}
