// Thumbnails of the three converted channels side by side, so a person can see which channel
// separates the things they care about before choosing the channels to cluster on.
import type { ChannelImage } from '../types';

export interface ChannelPlanes {
  width: number;
  height: number;
  planes: [Uint8Array, Uint8Array, Uint8Array];
}

/** Size of a thumbnail whose longer side is at most maxSide (never enlarged, never 0). */
export function thumbnailSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/**
 * Splits 3-byte pixels into three gray planes, each downscaled by area averaging: output pixel
 * (x, y) is the rounded mean of the source box [x*W/w, (x+1)*W/w) x [y*H/h, (y+1)*H/h) with the
 * bounds floored, never empty since w <= W and h <= H.
 */
export function channelPlanes(
  image: ChannelImage,
  width: number,
  height: number,
  maxSide = 96,
): ChannelPlanes {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`image size ${width}x${height} is not a positive integer size`);
  }
  const { data: converted, offsets } = image;
  if (converted.length !== width * height * 3) {
    throw new RangeError(`${converted.length} bytes do not make a ${width}x${height} image of 3-byte pixels`);
  }
  if (!(maxSide >= 1)) throw new RangeError(`maxSide ${maxSide} must be at least 1`);
  const size = thumbnailSize(width, height, maxSide);
  const w = size.width;
  const h = size.height;
  const planes: [Uint8Array, Uint8Array, Uint8Array] = [
    new Uint8Array(w * h),
    new Uint8Array(w * h),
    new Uint8Array(w * h),
  ];
  const x0 = Array.from({ length: w + 1 }, (_, x) => Math.floor((x * width) / w));
  const y0 = Array.from({ length: h + 1 }, (_, y) => Math.floor((y * height) / h));
  const sums = [0, 0, 0];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      sums[0] = sums[1] = sums[2] = 0;
      for (let sy = y0[y]!; sy < y0[y + 1]!; sy++) {
        for (let sx = x0[x]!, s = (sy * width + sx) * 3; sx < x0[x + 1]!; sx++, s += 3) {
          sums[0] += converted[s]!;
          sums[1] += converted[s + 1]!;
          sums[2] += converted[s + 2]!;
        }
      }
      const area = (y0[y + 1]! - y0[y]!) * (x0[x + 1]! - x0[x]!);
      const o = y * w + x;
      for (let c = 0; c < 3; c++) planes[c]![o] = Math.round(sums[offsets[c]]! / area);
    }
  }
  return { width: w, height: h, planes };
}
