// Other ways to look at one result than the reference script's gray composite: posterised in each cluster's
// own colour, one or more clusters cut out, or the cluster borders drawn over the photo.
import type { RgbImage, SegmentResult } from '../types';
import { clusterMeans } from './palette';
import { checkRank, rankGray, selectionTable } from './ranks';

export type ResultMode = 'gray' | 'mean' | 'mask' | 'boundaries';

export interface RenderOptions {
  /** 'mask': selected pixels white instead of their original colour. */
  white?: boolean;
  /** 'boundaries': the colour of border pixels (default yellow, seen on most photos). */
  color?: readonly [number, number, number];
}

const YELLOW: readonly [number, number, number] = [255, 255, 0];

/** 255 where the pixel's rank is selected, 0 elsewhere: a one-channel mask for a PNG. */
export function maskBytes(
  labels: Uint8Array,
  selected: ReadonlySet<number> | readonly number[],
  k = 256,
): Uint8Array {
  const table = selectionTable(selected, k);
  const out = new Uint8Array(labels.length);
  for (let p = 0; p < labels.length; p++) if (table[labels[p]!]) out[p] = 255;
  return out;
}

/**
 * 1 where a pixel has a 4-neighbour with another label. Both pixels of a differing pair are
 * marked, so a border is two pixels wide and symmetric (neither cluster "owns" it).
 */
export function boundaryBytes(labels: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const p = row + x;
      const l = labels[p]!;
      if (x + 1 < width && labels[p + 1] !== l) out[p] = out[p + 1] = 1;
      if (y + 1 < height && labels[p + width] !== l) out[p] = out[p + width] = 1;
    }
  }
  return out;
}

function checkShape(result: SegmentResult): void {
  const { width, height, data } = result.image;
  const n = width * height;
  if (result.labels.length !== n || data.length !== n * 3) {
    throw new RangeError(
      `result is inconsistent: ${width}x${height} image, ${data.length / 3} pixels, ${result.labels.length} labels`,
    );
  }
}

/** The result drawn in one of the modes; `selected` matters only to 'mask'. */
export function renderResult(
  result: SegmentResult,
  mode: ResultMode,
  selected: ReadonlySet<number> | readonly number[] = [],
  options: RenderOptions = {},
): RgbImage {
  checkShape(result);
  const { labels, k } = result;
  const { width, height, data: src } = result.image;
  const n = labels.length;
  const out = new Uint8Array(n * 3);
  switch (mode) {
    case 'gray': {
      const grays = Array.from({ length: k }, (_, r) => rankGray(r, k));
      for (let p = 0, o = 0; p < n; p++, o += 3) {
        const g = grays[labels[p]!]!;
        out[o] = out[o + 1] = out[o + 2] = g;
      }
      break;
    }
    case 'mean': {
      const means = clusterMeans(result);
      for (let p = 0, o = 0; p < n; p++, o += 3) {
        const m = labels[p]! * 3;
        out[o] = means[m]!;
        out[o + 1] = means[m + 1]!;
        out[o + 2] = means[m + 2]!;
      }
      break;
    }
    case 'mask': {
      const table = selectionTable(selected, k);
      const white = options.white === true;
      for (let p = 0, o = 0; p < n; p++, o += 3) {
        if (!table[labels[p]!]) continue;
        if (white) out[o] = out[o + 1] = out[o + 2] = 255;
        else {
          out[o] = src[o]!;
          out[o + 1] = src[o + 1]!;
          out[o + 2] = src[o + 2]!;
        }
      }
      break;
    }
    case 'boundaries': {
      const [r, g, b] = options.color ?? YELLOW;
      const edge = boundaryBytes(labels, width, height);
      out.set(src);
      for (let p = 0, o = 0; p < n; p++, o += 3) {
        if (!edge[p]) continue;
        out[o] = r;
        out[o + 1] = g;
        out[o + 2] = b;
      }
      break;
    }
    default:
      throw new RangeError(`unknown result mode '${String(mode)}': use gray, mean, mask or boundaries`);
  }
  return { width, height, data: out };
}

/**
 * One cluster in its original colours, everything else gray and darkened, for hovering a
 * palette entry. `dim` (0..1) is how much of the others' brightness is kept.
 */
export function highlight(result: SegmentResult, rank: number, dim = 0.3): RgbImage {
  checkShape(result);
  checkRank(rank, result.k);
  if (!(dim >= 0 && dim <= 1)) throw new RangeError(`dim ${dim} is not between 0 and 1`);
  const { labels } = result;
  const { width, height, data: src } = result.image;
  const out = new Uint8Array(src.length);
  for (let p = 0, o = 0; p < labels.length; p++, o += 3) {
    if (labels[p] === rank) {
      out[o] = src[o]!;
      out[o + 1] = src[o + 1]!;
      out[o + 2] = src[o + 2]!;
    } else {
      // Gray as well as dark, so a dark cluster still stands out against dimmed bright ones.
      const luma = 0.299 * src[o]! + 0.587 * src[o + 1]! + 0.114 * src[o + 2]!;
      out[o] = out[o + 1] = out[o + 2] = Math.round(luma * dim);
    }
  }
  return { width, height, data: out };
}
