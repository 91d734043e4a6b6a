// What the panel shows under the cursor: the pixel's colour, its values in the colour space and
// the cluster it fell in.
import type { SegmentResult } from '../types';
import { rankGray } from './ranks';
import type { PixelInfo } from '../../shared/insight';

export type { PixelInfo };


/** Throws RangeError for a position off the (resized) image or not on the pixel grid. */
export function inspectPixel(result: SegmentResult, x: number, y: number): PixelInfo {
  const { width, height, data } = result.image;
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= width || y >= height) {
    throw new RangeError(`pixel (${x}, ${y}) is off the ${width}x${height} image`);
  }
  const p = y * width + x;
  const s = p * 3;
  const { data: c, offsets } = result.converted;
  const rank = result.labels[p]!;
  return {
    x,
    y,
    rgb: [data[s]!, data[s + 1]!, data[s + 2]!],
    channels: [c[s + offsets[0]]!, c[s + offsets[1]]!, c[s + offsets[2]]!],
    rank,
    gray: rankGray(rank, result.k),
  };
}
