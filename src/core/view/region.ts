// Any region of a result at any size up to its own: what the panel shows at display size, and
// the tiles it asks for when zoomed in. The original is averaged over each output pixel's box of
// source pixels (the exact pixels at full size); the labels are those at the centre of each box,
// so every output pixel of the right half is one true cluster, never a blend of two.
import type { Rect } from '../../shared/geometry';
import { highlight, renderResult, type ResultMode } from '../insight/render';
import type { RgbImage, SegmentResult } from '../types';
import { Heap, newKernel, threadMemory } from '../kmeans/kernel';

/** What a region is cut from: a result's image and labels. */
export type ViewSource = Pick<SegmentResult, 'image' | 'labels' | 'k'>;

export interface RegionView {
  mode: ResultMode;
  selected: readonly number[];
  white: boolean;
}

function checkRect(image: RgbImage, rect: Rect, outW: number, outH: number): void {
  const inside =
    Number.isInteger(rect.x) && Number.isInteger(rect.y) && rect.x >= 0 && rect.y >= 0 &&
    rect.width >= 1 && rect.height >= 1 && rect.x + rect.width <= image.width && rect.y + rect.height <= image.height;
  if (!inside) throw new RangeError(`region ${rect.x},${rect.y} ${rect.width}x${rect.height} is not inside the ${image.width}x${image.height} image`);
  if (!(Number.isInteger(outW) && Number.isInteger(outH) && outW >= 1 && outH >= 1 && outW <= rect.width && outH <= rect.height)) {
    throw new RangeError(`a ${rect.width}x${rect.height} region cannot be shown at ${outW}x${outH}`);
  }
}

/** Box bounds: output index i covers source [start + b[i], start + b[i + 1]). */
function bounds(start: number, span: number, out: number): Int32Array {
  const b = new Int32Array(out + 1);
  for (let i = 0; i <= out; i++) b[i] = start + Math.floor((i * span) / out);
  return b;
}

/** The region's RGB pixels averaged into outW x outH (rounded); at its own size, an exact copy. */
export function boxRegion(image: RgbImage, rect: Rect, outW: number, outH: number): Uint8Array {
  checkRect(image, rect, outW, outH);
  const src = image.data;
  const W = image.width;
  const out = new Uint8Array(outW * outH * 3);
  const xb = bounds(rect.x, rect.width, outW);
  const yb = bounds(rect.y, rect.height, outH);
  if (outW === rect.width && outH === rect.height) {
    for (let y = 0; y < outH; y++) {
      const s = ((rect.y + y) * W + rect.x) * 3;
      out.set(src.subarray(s, s + outW * 3), y * outW * 3);
    }
    return out;
  }
  if (rect.width * rect.height >= KERNEL_BOX_PIXELS && maxSpan(xb) * maxSpan(yb) <= KERNEL_BOX_MAX_AREA) return kernelBox(image, rect, outW, outH, xb, yb, out);
  const sums = new Float64Array(outW * 3);
  for (let oy = 0; oy < outH; oy++) {
    sums.fill(0);
    for (let sy = yb[oy]!; sy < yb[oy + 1]!; sy++) {
      const row = sy * W;
      for (let ox = 0, t = 0; ox < outW; ox++, t += 3) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let sx = xb[ox]!, s = (row + sx) * 3; sx < xb[ox + 1]!; sx++, s += 3) {
          r += src[s]!;
          g += src[s + 1]!;
          b += src[s + 2]!;
        }
        sums[t] += r;
        sums[t + 1] += g;
        sums[t + 2] += b;
      }
    }
    const h = yb[oy + 1]! - yb[oy]!;
    for (let ox = 0, t = 0, o = oy * outW * 3; ox < outW; ox++, t += 3, o += 3) {
      const area = h * (xb[ox + 1]! - xb[ox]!);
      out[o] = Math.round(sums[t]! / area);
      out[o + 1] = Math.round(sums[t + 1]! / area);
      out[o + 2] = Math.round(sums[t + 2]! / area);
    }
  }
  return out;
}

/** From this many source pixels the boxes are summed in the WebAssembly kernel (one instance a call). */
const KERNEL_BOX_PIXELS = 1 << 18;
/** Boxes of at most this many pixels: their sums (255 each at most) and twice them fit the kernel's u32. */
const KERNEL_BOX_MAX_AREA = 1 << 23;

function maxSpan(b: Int32Array): number {
  let m = 0;
  for (let i = 1; i < b.length; i++) m = Math.max(m, b[i]! - b[i - 1]!);
  return m;
}

/** boxRegion's averages, a row of boxes at a time: its source rows copied into the kernel's memory, summed and rounded there (assembly/box.ts). */
function kernelBox(image: RgbImage, rect: Rect, outW: number, outH: number, xb: Int32Array, yb: Int32Array, out: Uint8Array): Uint8Array {
  const x = newKernel(threadMemory());
  const heap = new Heap(x.memory);
  const rowBytes = rect.width * 3;
  const to = heap.take(4 * rect.width);
  const widths = heap.take(4 * outW);
  const sums = heap.take(12 * outW);
  const row = heap.take(3 * outW);
  const rows = heap.take(rowBytes * maxSpan(yb));
  const mem = new Uint8Array(x.memory.buffer);
  const toView = new Int32Array(x.memory.buffer, to, rect.width);
  const widthView = new Int32Array(x.memory.buffer, widths, outW);
  for (let ox = 0; ox < outW; ox++) {
    widthView[ox] = xb[ox + 1]! - xb[ox]!;
    for (let sx = xb[ox]!; sx < xb[ox + 1]!; sx++) toView[sx - rect.x] = ox * 3;
  }
  const src = image.data;
  for (let oy = 0; oy < outH; oy++) {
    const h = yb[oy + 1]! - yb[oy]!;
    for (let r = 0; r < h; r++) {
      const s = ((yb[oy]! + r) * image.width + rect.x) * 3;
      mem.set(src.subarray(s, s + rowBytes), rows + r * rowBytes);
    }
    x.boxAdd(rows, h, rect.width, to, sums);
    x.boxOut(sums, outW, widths, h, row);
    out.set(mem.subarray(row, row + 3 * outW), oy * outW * 3);
  }
  return out;
}

/** The label at the centre of each output pixel's box. */
export function sampleRegion(labels: Uint8Array, width: number, rect: Rect, outW: number, outH: number): Uint8Array {
  const out = new Uint8Array(outW * outH);
  const xs = new Int32Array(outW);
  for (let x = 0; x < outW; x++) xs[x] = rect.x + Math.floor(((x + 0.5) * rect.width) / outW);
  for (let y = 0; y < outH; y++) {
    const row = (rect.y + Math.floor(((y + 0.5) * rect.height) / outH)) * width;
    for (let x = 0, o = y * outW; x < outW; x++, o++) out[o] = labels[row + xs[x]!]!;
  }
  return out;
}

export interface Region {
  width: number;
  height: number;
  /** RGB, 3 bytes a pixel. */
  original: Uint8Array;
  right: Uint8Array;
}

/**
 * Both halves of `rect` at outW x outH, the right half as `view` shows it, or with `hovered`
 * that cluster highlighted. `means` (k * 3 bytes: the clusters' mean colours over the whole
 * image) paints the 'mean' mode, so every region shows the same colours. `shown`: the region's
 * original already at that size (the display-size image), else it is averaged here, and only
 * when the right half needs it (gray levels and mean colours do not).
 */
export function renderRegion(
  source: ViewSource,
  rect: Rect,
  outW: number,
  outH: number,
  view: RegionView,
  means: Uint8Array,
  hovered?: number,
  shown?: Uint8Array,
): Region {
  checkRect(source.image, rect, outW, outH);
  if (shown && shown.length !== outW * outH * 3) throw new RangeError(`the shown original has ${shown.length} bytes, not ${outW}x${outH}x3`);
  let original = shown;
  const originalOf = (): Uint8Array => (original ??= boxRegion(source.image, rect, outW, outH));
  const labels = sampleRegion(source.labels, source.image.width, rect, outW, outH);
  const needs = hovered !== undefined || view.mode === 'boundaries' || (view.mode === 'mask' && !view.white);
  const part = { image: { width: outW, height: outH, data: needs ? originalOf() : new Uint8Array(outW * outH * 3) }, labels, k: source.k } as SegmentResult;
  let right: Uint8Array;
  if (hovered !== undefined && hovered < source.k) right = highlight(part, hovered).data;
  else if (view.mode === 'mean') {
    right = new Uint8Array(outW * outH * 3);
    for (let p = 0, o = 0; p < labels.length; p++, o += 3) {
      const m = labels[p]! * 3;
      right[o] = means[m]!;
      right[o + 1] = means[m + 1]!;
      right[o + 2] = means[m + 2]!;
    }
  } else {
    right = renderResult(part, view.mode, view.selected.filter((r) => r < source.k), { white: view.white }).data;
  }
  return {
    width: outW,
    height: outH,
    get original() {
      return originalOf();
    },
    right,
  };
}
