// One result as the panel holds it: the composite's RGBA plus the engine-shaped result the
// insight views take (the original's pixels come out of the composite's left half, so they are
// not sent twice).
import { stripWidth } from '../../core/composite';
import { clusterPalette, type PaletteEntry } from '../../core/insight/palette';
import type { SegmentResult } from '../../core/types';
import type { ResultMessage } from '../../shared/protocol';

export interface ShownResult {
  requestId: number;
  /** The composite as drawn by default (gray levels on the right). */
  composite: Uint8ClampedArray;
  compositeWidth: number;
  /** Where the right half starts in the composite. */
  rightX: number;
  result: SegmentResult;
  palette: PaletteEntry[];
  colorSpace: ResultMessage['colorSpace'];
  channels: number[];
}

export function shownResult(msg: ResultMessage): ShownResult {
  const composite = new Uint8ClampedArray(msg.pixels);
  const labels = new Uint8Array(msg.labels);
  const height = msg.height;
  const width = height > 0 ? labels.length / height : 0;
  const strip = stripWidth(width);
  if (!Number.isInteger(width) || 2 * width + strip !== msg.width || msg.converted.byteLength !== labels.length * 3) {
    throw new Error(`result sizes disagree: composite ${msg.width}x${height}, ${labels.length} labels`);
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0, o = 0; y < height; y++) {
    let s = y * msg.width * 4;
    for (let x = 0; x < width; x++, s += 4, o += 3) {
      rgb[o] = composite[s]!;
      rgb[o + 1] = composite[s + 1]!;
      rgb[o + 2] = composite[s + 2]!;
    }
  }
  const sizes = new Array<number>(msg.k).fill(0);
  for (let p = 0; p < labels.length; p++) sizes[labels[p]!]!++;
  const result: SegmentResult = {
    image: { width, height, data: rgb },
    converted: new Uint8Array(msg.converted),
    labels,
    k: msg.k,
    centers: msg.centers,
    clusterSizes: sizes,
    inertia: msg.inertia,
    iterations: 0,
    distinctValues: 0,
    warnings: msg.warnings,
    timings: { resize: 0, convert: 0, kmeans: 0 },
  };
  return {
    requestId: msg.requestId,
    composite,
    compositeWidth: msg.width,
    rightX: width + strip,
    result,
    palette: clusterPalette(result),
    colorSpace: msg.colorSpace,
    channels: msg.channels,
  };
}

/** A copy of the composite with the right half replaced by `rgb` (the image's size, 3 bytes a pixel). */
export function withRight(shown: ShownResult, rgb: Uint8Array, out?: Uint8ClampedArray): Uint8ClampedArray {
  const target = out && out.length === shown.composite.length ? out : new Uint8ClampedArray(shown.composite.length);
  target.set(shown.composite);
  const { width, height } = shown.result.image;
  for (let y = 0, s = 0; y < height; y++) {
    let o = (y * shown.compositeWidth + shown.rightX) * 4;
    for (let x = 0; x < width; x++, s += 3, o += 4) {
      target[o] = rgb[s]!;
      target[o + 1] = rgb[s + 1]!;
      target[o + 2] = rgb[s + 2]!;
      target[o + 3] = 255;
    }
  }
  return target;
}

/** The image pixel under a composite pixel: the same position in either half; none on the strip. */
export function imagePixelAt(shown: ShownResult, cx: number, cy: number): { x: number; y: number } | undefined {
  const { width, height } = shown.result.image;
  if (cy < 0 || cy >= height) return undefined;
  if (cx >= 0 && cx < width) return { x: cx, y: cy };
  const x = cx - shown.rightX;
  if (x >= 0 && x < width) return { x, y: cy };
  return undefined;
}
