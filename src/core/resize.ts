// Resizing exactly as the reference script does: Python's `int(width / W * H)` for the height and
// OpenCV 4.6's cv2.resize(..., interpolation=INTER_AREA) for the pixels, so the K-means input is
// the same. OpenCV has three code paths for INTER_AREA on 8-bit images and each rounds in its own
// way; all three are reproduced:
//  - shrinking by whole factors: a box average (rounded sum for 2x2, float scale otherwise);
//  - other shrinking: area-weighted sums in single precision with fractional edge weights;
//  - enlarging: bilinear interpolation in 11-bit fixed point with INTER_AREA's own weights, whose
//    vertical pass OpenCV runs in SIMD with a shorter intermediate precision.

import { SegmentationError } from './errors';
import { plainBytes, type Alloc } from './bytes';
import type { RgbImage } from './types';

const CN = 3;
const f32 = Math.fround;
const DBL_EPSILON = 2.220446049250313e-16;

/** OpenCV's cvRound / saturate_cast<int>: round half to even (the FPU's default mode). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function toByte(x: number): number {
  const r = roundHalfEven(x);
  return r < 0 ? 0 : r > 255 ? 255 : r;
}

/**
 * The output size for `--width`: 0 keeps the image's size; otherwise the height is Python's
 * `int((width / W) * H)` (float64, truncated), which can be 0 for a tiny width on a wide image.
 */
export function targetSize(srcW: number, srcH: number, width: number): { width: number; height: number } {
  if (!Number.isInteger(width) || width < 0) {
    throw new SegmentationError('bad-parameter', `width must be a whole number >= 0, got ${width}`);
  }
  if (!(srcW > 0 && srcH > 0)) throw new SegmentationError('bad-parameter', `image has no pixels (${srcW}x${srcH})`);
  if (width === 0) return { width: srcW, height: srcH };
  const height = Math.trunc((width / srcW) * srcH);
  if (height < 1) {
    throw new SegmentationError(
      'bad-parameter',
      `width ${width} is too small for a ${srcW}x${srcH} image: the height would be 0 (use a width of at least ${Math.ceil(srcW / srcH)})`,
    );
  }
  return { width, height };
}

/** cv2.resize(img, (width, height), interpolation=cv2.INTER_AREA) on an 8-bit RGB image. */
export function resizeArea(img: RgbImage, width: number, height: number, alloc: Alloc = plainBytes): RgbImage {
  const { width: sw, height: sh } = img;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new SegmentationError('bad-parameter', `cannot resize to ${width}x${height}`);
  }
  if (!(sw > 0 && sh > 0) || img.data.length < sw * sh * CN) {
    throw new SegmentationError('bad-parameter', `cannot resize a ${sw}x${sh} image of ${img.data.length} bytes`);
  }
  if (width === sw && height === sh) {
    const copy = alloc(sw * sh * CN);
    copy.set(img.data.subarray(0, sw * sh * CN));
    return { width, height, data: copy };
  }

  // OpenCV derives the scales this way round (reciprocal of dst/src), which matters in the last bit.
  const invScaleX = width / sw;
  const invScaleY = height / sh;
  const scaleX = 1 / invScaleX;
  const scaleY = 1 / invScaleY;
  const dst = alloc(width * height * CN);
  const out: RgbImage = { width, height, data: dst };

  if (scaleX >= 1 && scaleY >= 1) {
    const ix = roundHalfEven(scaleX);
    const iy = roundHalfEven(scaleY);
    if (Math.abs(scaleX - ix) < DBL_EPSILON && Math.abs(scaleY - iy) < DBL_EPSILON) {
      boxShrink(img, out, ix, iy);
    } else {
      areaShrink(img, out, scaleX, scaleY);
    }
  } else {
    areaEnlarge(img, out, scaleX, scaleY, invScaleX, invScaleY);
  }
  return out;
}

/** Whole-number factors: src is exactly fx*width by fy*height, every output is a full box. */
function boxShrink(img: RgbImage, out: RgbImage, fx: number, fy: number): void {
  const src = img.data;
  const dst = out.data;
  const rowLen = img.width * CN;
  const dw = out.width * CN;
  if (fx === 2 && fy === 2) {
    // OpenCV's dedicated 2x2 path: integer sum with round-half-up.
    for (let dy = 0; dy < out.height; dy++) {
      const s0 = 2 * dy * rowLen;
      const s1 = s0 + rowLen;
      let d = dy * dw;
      for (let dx = 0; dx < dw; dx += CN) {
        const s = 2 * dx;
        for (let c = 0; c < CN; c++) {
          dst[d++] = (src[s0 + s + c] + src[s0 + s + CN + c] + src[s1 + s + c] + src[s1 + s + CN + c] + 2) >> 2;
        }
      }
    }
    return;
  }
  const scale = f32(1 / (fx * fy));
  for (let dy = 0; dy < out.height; dy++) {
    const rowStart = dy * fy * rowLen;
    let d = dy * dw;
    for (let dx = 0; dx < out.width; dx++) {
      for (let c = 0; c < CN; c++) {
        let sum = 0;
        for (let y = 0; y < fy; y++) {
          let s = rowStart + y * rowLen + dx * fx * CN + c;
          for (let x = 0; x < fx; x++, s += CN) sum += src[s];
        }
        dst[d++] = toByte(f32(sum * scale));
      }
    }
  }
}

interface AreaTab {
  /** Output index (times channels for x). */
  di: Int32Array;
  /** Source index (times channels for x). */
  si: Int32Array;
  /** Fraction of the output cell this source cell covers, in single precision. */
  alpha: Float32Array;
  size: number;
  /** Entries of output index d are start[d] .. start[d + 1] - 1 (they come grouped, in order). */
  start: Int32Array;
}

/** For each output cell, the source cells it covers and their weights, as OpenCV lists them. */
function areaTab(ssize: number, dsize: number, cn: number, scale: number): AreaTab {
  const di = new Int32Array(ssize * 2 + 2);
  const si = new Int32Array(ssize * 2 + 2);
  const alpha = new Float32Array(ssize * 2 + 2);
  const start = new Int32Array(dsize + 1);
  let k = 0;
  for (let dx = 0; dx < dsize; dx++) {
    start[dx] = k;
    const fsx1 = dx * scale;
    const fsx2 = fsx1 + scale;
    const cellWidth = Math.min(scale, ssize - fsx1);
    let sx1 = Math.ceil(fsx1);
    let sx2 = Math.floor(fsx2);
    sx2 = Math.min(sx2, ssize - 1);
    sx1 = Math.min(sx1, sx2);
    if (sx1 - fsx1 > 1e-3) {
      di[k] = dx * cn;
      si[k] = (sx1 - 1) * cn;
      alpha[k++] = (sx1 - fsx1) / cellWidth;
    }
    for (let sx = sx1; sx < sx2; sx++) {
      di[k] = dx * cn;
      si[k] = sx * cn;
      alpha[k++] = 1 / cellWidth;
    }
    if (fsx2 - sx2 > 1e-3) {
      di[k] = dx * cn;
      si[k] = sx2 * cn;
      alpha[k++] = Math.min(Math.min(fsx2 - sx2, 1), cellWidth) / cellWidth;
    }
  }
  start[dsize] = k;
  return { di, si, alpha, size: k, start };
}

// The per-row loops below are separate small functions on purpose: V8 optimises a function
// called once per row with complete type feedback, while one big function with nested loops gets
// compiled mid-loop (OSR) and thrown away again each time a not-yet-run branch is reached.

/**
 * One source row's weighted contributions to every output column. OpenCV adds them into a float
 * buffer entry by entry; each column's entries are consecutive, so summing them per column in a
 * local float32 gives the same roundings in the same order, without re-reading the buffer.
 */
function accumulateRow(src: Uint8Array, rowStart: number, buf: Float32Array, start: Int32Array, si: Int32Array, alpha: Float32Array): void {
  const n = start.length - 1;
  for (let dx = 0, o = 0; dx < n; dx++, o += CN) {
    let s0 = 0, s1 = 0, s2 = 0;
    for (let k = start[dx], end = start[dx + 1]; k < end; k++) {
      const s = rowStart + si[k];
      const a = alpha[k];
      s0 = f32(s0 + f32(src[s] * a));
      s1 = f32(s1 + f32(src[s + 1] * a));
      s2 = f32(s2 + f32(src[s + 2] * a));
    }
    buf[o] = s0;
    buf[o + 1] = s1;
    buf[o + 2] = s2;
  }
}

function addScaledRow(sum: Float32Array, buf: Float32Array, beta: number): void {
  for (let x = 0; x < sum.length; x++) sum[x] += f32(beta * buf[x]);
}

/** Writes a finished output row and starts the next one's sum with this source row. */
function emitRow(sum: Float32Array, dst: Uint8Array, o: number, buf: Float32Array, beta: number): void {
  for (let x = 0; x < sum.length; x++) {
    dst[o + x] = toByte(sum[x]);
    sum[x] = beta * buf[x];
  }
}

/** Non-integer shrink: weighted sums in float32, accumulated in OpenCV's order. */
function areaShrink(img: RgbImage, out: RgbImage, scaleX: number, scaleY: number): void {
  const src = img.data;
  const dst = out.data;
  const rowLen = img.width * CN;
  const dw = out.width * CN;
  const xt = areaTab(img.width, out.width, CN, scaleX);
  const yt = areaTab(img.height, out.height, 1, scaleY);
  const buf = new Float32Array(dw);
  const sum = new Float32Array(dw);
  let prevDy = yt.di[0];
  let bufRow = -1;
  for (let j = 0; j < yt.size; j++) {
    const beta = yt.alpha[j];
    const dy = yt.di[j];
    // A source row on the boundary of two output rows comes twice in a row: reuse its sums.
    if (yt.si[j] !== bufRow) {
      bufRow = yt.si[j];
      accumulateRow(src, bufRow * rowLen, buf, xt.start, xt.si, xt.alpha);
    }
    if (dy !== prevDy) {
      emitRow(sum, dst, prevDy * dw, buf, beta);
      prevDy = dy;
    } else {
      addScaledRow(sum, buf, beta);
    }
  }
  emitRow(sum, dst, prevDy * dw, buf, 0);
}

const COEF_BITS = 11;
const COEF_SCALE = 1 << COEF_BITS;

/** INTER_AREA's interpolation weight for output index d (OpenCV's "area mode" formula). */
function areaModeOffset(d: number, scale: number, invScale: number): { s: number; f: number } {
  const s = Math.floor(d * scale);
  let f = f32(d + 1 - (s + 1) * invScale);
  f = f <= 0 ? 0 : f32(f - Math.floor(f));
  return { s, f };
}

/** Enlarging: fixed-point bilinear with INTER_AREA's weights (horizontal, then vertical pass). */
function areaEnlarge(img: RgbImage, out: RgbImage, scaleX: number, scaleY: number, invScaleX: number, invScaleY: number): void {
  const { width: sw, height: sh, data: src } = img;
  const { width: dwPx, height: dh, data: dst } = out;
  const dw = dwPx * CN;

  // Per output column: left source pixel, right neighbour and their 11-bit weights. Past the
  // last source column OpenCV takes that pixel at full weight, so the neighbour is itself.
  const xofs0 = new Int32Array(dwPx);
  const xofs1 = new Int32Array(dwPx);
  const xa0 = new Int32Array(dwPx);
  const xa1 = new Int32Array(dwPx);
  for (let dx = 0; dx < dwPx; dx++) {
    const { s, f } = areaModeOffset(dx, scaleX, invScaleX);
    if (s >= sw - 1) {
      xofs0[dx] = xofs1[dx] = (sw - 1) * CN;
      xa0[dx] = COEF_SCALE;
      xa1[dx] = 0;
    } else {
      xofs0[dx] = s * CN;
      xofs1[dx] = (s + 1) * CN;
      xa0[dx] = roundHalfEven(f32(f32(1 - f) * COEF_SCALE));
      xa1[dx] = roundHalfEven(f32(f * COEF_SCALE));
    }
  }

  // Horizontally resized source rows, computed once: consecutive output rows share them.
  const rows: (Int32Array | undefined)[] = new Array(sh).fill(undefined);
  const hRow = (sy: number): Int32Array => {
    let row = rows[sy];
    if (!row) {
      row = new Int32Array(dw);
      hResizeRow(src, sy * sw * CN, row, xofs0, xofs1, xa0, xa1);
      rows[sy] = row;
    }
    return row;
  };

  const clipRow = (y: number) => (y < 0 ? 0 : y >= sh ? sh - 1 : y);
  for (let dy = 0; dy < dh; dy++) {
    const { s, f } = areaModeOffset(dy, scaleY, invScaleY);
    const b0 = roundHalfEven(f32(f32(1 - f) * COEF_SCALE));
    const b1 = roundHalfEven(f32(f * COEF_SCALE));
    const y0 = clipRow(s);
    const r0 = hRow(y0);
    const r1 = hRow(clipRow(s + 1));
    if (y0 > 0) rows[y0 - 1] = undefined; // source rows are visited in order: free the passed ones
    vResizeRow(r0, r1, b0, b1, dst, dy * dw);
  }
}

function hResizeRow(src: Uint8Array, base: number, row: Int32Array, xofs0: Int32Array, xofs1: Int32Array, xa0: Int32Array, xa1: Int32Array): void {
  for (let dx = 0; dx < xofs0.length; dx++) {
    const s0 = base + xofs0[dx], s1 = base + xofs1[dx];
    const a0 = xa0[dx], a1 = xa1[dx];
    const o = dx * CN;
    row[o] = src[s0] * a0 + src[s1] * a1;
    row[o + 1] = src[s0 + 1] * a0 + src[s1 + 1] * a1;
    row[o + 2] = src[s0 + 2] * a0 + src[s1 + 2] * a1;
  }
}

/**
 * OpenCV's SIMD vertical pass, which gives every pixel of the row (row tails included, as checked
 * against OpenCV down to 1-pixel rows): each term is shifted right by 4 and multiplied keeping the
 * high 16 bits, then rounded by 2 bits. This differs by 1 on some pixels from rounding the full
 * 22-bit sum, which is what OpenCV's scalar code would do.
 */
function vResizeRow(r0: Int32Array, r1: Int32Array, b0: number, b1: number, dst: Uint8Array, o: number): void {
  for (let x = 0; x < r0.length; x++) {
    const v = ((((r0[x] >> 4) * b0) >> 16) + (((r1[x] >> 4) * b1) >> 16) + 2) >> 2;
    dst[o + x] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}
