// Explore: which colour space and channels separate an image, or which k. A sweep segments a
// reduced copy (300 px wide, as the reference script's -w 300) with every setting of one axis and scores each
// result by how spatially coherent its clusters are, so settings of different colour spaces can
// be compared (inertia cannot: each space has its own units).
import { COLOR_SPACES, type ColorSpace, type SegmentParams } from '../shared/params';

/** The width sweeps segment at (the image's own when it is narrower). */
export const SWEEP_WIDTH = 300;
/** Restarts per setting: a sweep is a quick look; the chosen setting then runs with the panel's. */
export const SWEEP_RESTARTS = 8;
export const SWEEP_K_MIN = 2;
export const SWEEP_K_MAX = 10;

export interface SweepSetting {
  colorSpace: ColorSpace;
  channels: number[];
  k: number;
}

export type SweepAxis =
  /** Every colour space x every non-empty subset of its channels (4 x 7 = 28), at one k. */
  | { kind: 'channels'; k: number }
  /** k from `from` to `to` in one colour space and channels. */
  | { kind: 'k'; from: number; to: number; colorSpace: ColorSpace; channels: number[] };

/** The 7 non-empty subsets of the channels 0-2, in the order the reference script's -c digits list them. */
export const CHANNEL_SUBSETS: readonly number[][] = [[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]];

export function sweepSettings(axis: SweepAxis): SweepSetting[] {
  if (axis.kind === 'channels') {
    return COLOR_SPACES.flatMap((colorSpace) => CHANNEL_SUBSETS.map((channels) => ({ colorSpace, channels: [...channels], k: axis.k })));
  }
  const out: SweepSetting[] = [];
  for (let k = axis.from; k <= axis.to; k++) out.push({ colorSpace: axis.colorSpace, channels: [...axis.channels], k });
  return out;
}

/** The parameters a setting runs with on the sweep's reduced copy. */
export function sweepParams(base: SegmentParams, s: SweepSetting): SegmentParams {
  return { ...base, ...s, channels: [...s.channels], width: 0, nInit: Math.min(base.nInit, SWEEP_RESTARTS) };
}

/**
 * Spatial coherence of a label image, corrected for chance (Cohen's kappa over the pairs of
 * 4-neighbours): (observed - expected) / (1 - expected), where observed is the share of
 * neighbouring pairs in the same cluster and expected the share two pixels drawn at random
 * would be (the sum of the squared cluster shares). 1: clean regions; 0: no more agreement than
 * speckle of the same cluster sizes; a one-cluster image scores 0. Without the correction a
 * split that leaves one cluster with nearly every pixel would score nearly 1.
 */
export function coherence(labels: Uint8Array, width: number, height: number): number {
  if (labels.length !== width * height) throw new RangeError(`${labels.length} labels for a ${width}x${height} image`);
  let same = 0;
  let pairs = 0;
  const counts = new Float64Array(256);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const p = row + x;
      const l = labels[p]!;
      counts[l]++;
      if (x + 1 < width) {
        pairs++;
        if (labels[p + 1] === l) same++;
      }
      if (y + 1 < height) {
        pairs++;
        if (labels[p + width] === l) same++;
      }
    }
  }
  if (pairs === 0) return 0;
  const n = labels.length;
  let expected = 0;
  for (const c of counts) expected += (c / n) * (c / n);
  if (expected >= 1) return 0;
  return (same / pairs - expected) / (1 - expected);
}

/** The reference script's flags for a setting, e.g. "-s hsv -c 02 -n 3". */
export function settingFlags(s: SweepSetting): string {
  return `-s ${s.colorSpace} -c ${s.channels.join('')} -n ${s.k}`;
}

/** A parsed --sweep-k range: "2-6" or "3". */
export function parseKRange(text: string): { from: number; to: number } | undefined {
  const m = /^\s*(\d{1,3})\s*(?:-\s*(\d{1,3}))?\s*$/.exec(text);
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from < SWEEP_K_MIN || to > 255 || to < from) return undefined;
  return { from, to };
}

