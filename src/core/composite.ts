// The reference script's picture: original | gray strip (value 193, 6.25 % of the width) | labels in gray,
// with the most frequent cluster black and the least frequent the lightest gray.

import { STRIP_VALUE, stripWidth } from '../shared/geometry';
import type { RgbImage } from './types';

export { STRIP_VALUE, stripWidth };

/** The reference script's int(255 / (k - 1)) * rank: rank 0 is black; the last rank is 255 only when k - 1 divides 255. */
export function grayLevel(rank: number, k: number): number {
  return Math.floor(255 / (k - 1)) * rank;
}

function levels(k: number): Uint8Array {
  const table = new Uint8Array(256);
  for (let r = 0; r < k; r++) table[r] = grayLevel(r, k);
  return table;
}

/** One byte a pixel: each label (a frequency rank) replaced by its gray level. */
export function grayLabelBytes(labels: Uint8Array, k: number): Uint8Array {
  const table = levels(k);
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = table[labels[i]!]!;
  return out;
}

/** The gray label image as RGB, for the right half of the composite. */
export function labelImage(labels: Uint8Array, k: number, width: number, height: number): RgbImage {
  if (labels.length !== width * height) {
    throw new Error(`labelImage: ${width}x${height} needs ${width * height} labels, got ${labels.length}`);
  }
  const table = levels(k);
  const data = new Uint8Array(labels.length * 3);
  for (let i = 0; i < labels.length; i++) {
    const g = table[labels[i]!]!;
    data[i * 3] = data[i * 3 + 1] = data[i * 3 + 2] = g;
  }
  return { width, height, data };
}

/** left | strip of STRIP_VALUE, stripWidth(left.width) wide | right. Both halves share one height. */
export function composite(left: RgbImage, right: RgbImage): RgbImage {
  if (left.height !== right.height) {
    throw new Error(`composite: heights differ (${left.height} and ${right.height})`);
  }
  const strip = stripWidth(left.width);
  const width = left.width + strip + right.width;
  const height = left.height;
  const data = new Uint8Array(width * height * 3);
  const leftRow = left.width * 3;
  const stripRow = strip * 3;
  const rightRow = right.width * 3;
  for (let y = 0; y < height; y++) {
    const o = y * width * 3;
    data.set(left.data.subarray(y * leftRow, (y + 1) * leftRow), o);
    data.fill(STRIP_VALUE, o + leftRow, o + leftRow + stripRow);
    data.set(right.data.subarray(y * rightRow, (y + 1) * rightRow), o + leftRow + stripRow);
  }
  return { width, height, data };
}
