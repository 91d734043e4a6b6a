// Colour conversion that reproduces OpenCV 4.6's 8-bit cvtColor(BGR -> space) bit for bit.
// OpenCV does not compute these in floating point for 8-bit images: YCrCb and HSV use integer
// fixed point (14 and 12 fractional bits) with division tables, and Lab uses a gamma table, a
// fixed-point XYZ matrix and a cube-root table. The same integer steps are reproduced here, so
// clusters found on these values match the reference script's.

import { SegmentationError } from './errors';
import { plainBytes, type Alloc } from './bytes';
import type { ChannelImage, RgbImage } from './types';
import type { ColorSpace } from '../shared/params';

const f32 = Math.fround;

// ---- YCrCb: 14-bit coefficients (BT.601), rounded right shifts ----
const YUV_SHIFT = 14;
const YUV_ROUND = 1 << (YUV_SHIFT - 1);
const Y_R = 4899; // 0.299 * 2^14
const Y_G = 9617; // 0.587 * 2^14
const Y_B = 1868; // 0.114 * 2^14
const CR_K = 11682; // 0.713 * 2^14
const CB_K = 9241; // 0.564 * 2^14
const CHROMA_DELTA = 128 << YUV_SHIFT;

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

// ---- HSV: 12-bit fixed point with reciprocal tables ----
const HSV_SHIFT = 12;
const HSV_ROUND = 1 << (HSV_SHIFT - 1);
const SAT_DIV = new Int32Array(256);
const HUE_DIV = new Int32Array(256);
for (let i = 1; i < 256; i++) {
  // No entry lands on an exact .5, so Math.round equals OpenCV's round-half-even here.
  SAT_DIV[i] = Math.round((255 << HSV_SHIFT) / i);
  HUE_DIV[i] = Math.round((180 << HSV_SHIFT) / (6 * i));
}

// ---- Lab: OpenCV's 8-bit tables. They are built in single precision (OpenCV's softfloat),
// so every step below is rounded to float32 to land on the same table entries. ----
const XYZ_SHIFT = 12;
const GAMMA_SHIFT = 3;
const LAB_SHIFT2 = XYZ_SHIFT + GAMMA_SHIFT;
const CBRT_TAB_SIZE = (256 * 3 / 2) * (1 << GAMMA_SHIFT);

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function srgbToLinear(x: number): number {
  const threshold = f32(809 / 20000);
  const lowScale = f32(323 / 25);
  const power = f32(12 / 5);
  const xShift = f32(11 / 200);
  return x <= threshold ? f32(x / lowScale) : f32(Math.pow(f32(f32(x + xShift) / f32(1 + xShift)), power));
}

/** 8-bit value -> linear light * 255 * 2^3. */
const GAMMA_TAB = new Int32Array(256);
{
  const intScale = f32(255 * (1 << GAMMA_SHIFT));
  const f255 = f32(255);
  for (let i = 0; i < 256; i++) GAMMA_TAB[i] = roundHalfEven(f32(intScale * srgbToLinear(f32(i / f255))));
}

/** f(t) of CIE Lab (cube root with the linear toe) * 2^15, indexed by t * 255 * 2^3. */
const CBRT_TAB = new Int32Array(CBRT_TAB_SIZE);
{
  const scale = f32(1 / f32(255 * (1 << GAMMA_SHIFT)));
  const thresh = f32(216 / 24389);
  const lScale = f32(841 / 108);
  const lBias = f32(16 / 116);
  for (let i = 0; i < CBRT_TAB_SIZE; i++) {
    const x = f32(scale * i);
    const f = x < thresh ? f32(x * lScale + lBias) : f32(Math.cbrt(x));
    CBRT_TAB[i] = roundHalfEven((1 << LAB_SHIFT2) * f);
  }
  // OpenCV's own single-precision cube root is one ulp below the correctly rounded one at
  // 324/2040, where the scaled value is an exact tie (17745.5): its entry rounds down. Found by
  // comparing every 8-bit colour with OpenCV; no other entry is affected.
  CBRT_TAB[324] -= 1;
}

/** sRGB -> XYZ rows divided by the D65 white point, in 12-bit fixed point; columns R, G, B. */
const LAB_COEFFS: number[] = (() => {
  const m = [0.412453, 0.35758, 0.180423, 0.212671, 0.71516, 0.072169, 0.019334, 0.119193, 0.950227];
  const white = [0.950456, 1.0, 1.088754];
  return m.map((c, i) => roundHalfEven(((1 << XYZ_SHIFT) * c) / white[Math.floor(i / 3)]));
})();

const L_SCALE = Math.trunc((116 * 255 + 50) / 100);
const L_SHIFT = -Math.trunc((16 * 255 * (1 << LAB_SHIFT2) + 50) / 100);
const AB_DELTA = 128 * (1 << LAB_SHIFT2);

function descale(x: number, n: number): number {
  return (x + (1 << (n - 1))) >> n;
}

type Converter = (src: Uint8Array, out: Uint8Array, n: number) => void;

// Each space converts whole buffers with its arithmetic written inside the loop: a per-pixel
// function call costs more than the arithmetic until the JIT has inlined it, and the first call
// on an image should already be fast.
const CONVERTERS: Record<ColorSpace, Converter> = {
  bgr(src, out, n) {
    for (let i = 0; i < n; i += 3) {
      out[i] = src[i + 2];
      out[i + 1] = src[i + 1];
      out[i + 2] = src[i];
    }
  },

  ycrcb(src, out, n) {
    for (let i = 0; i < n; i += 3) {
      const r = src[i], g = src[i + 1], b = src[i + 2];
      const y = (r * Y_R + g * Y_G + b * Y_B + YUV_ROUND) >> YUV_SHIFT;
      out[i] = y;
      out[i + 1] = clampByte(((r - y) * CR_K + CHROMA_DELTA + YUV_ROUND) >> YUV_SHIFT);
      out[i + 2] = clampByte(((b - y) * CB_K + CHROMA_DELTA + YUV_ROUND) >> YUV_SHIFT);
    }
  },

  hsv(src, out, n) {
    for (let i = 0; i < n; i += 3) {
      const r = src[i], g = src[i + 1], b = src[i + 2];
      const v = r > g ? (r > b ? r : b) : g > b ? g : b;
      const vmin = r < g ? (r < b ? r : b) : g < b ? g : b;
      const diff = v - vmin;
      // Ties pick the R sector first, then G, as OpenCV's masks do.
      let h = v === r ? g - b : v === g ? b - r + 2 * diff : r - g + 4 * diff;
      h = (h * HUE_DIV[diff] + HSV_ROUND) >> HSV_SHIFT;
      out[i] = h < 0 ? h + 180 : h;
      out[i + 1] = (diff * SAT_DIV[v] + HSV_ROUND) >> HSV_SHIFT;
      out[i + 2] = v;
    }
  },

  lab(src, out, n) {
    const [c0, c1, c2, c3, c4, c5, c6, c7, c8] = LAB_COEFFS;
    for (let i = 0; i < n; i += 3) {
      const r = GAMMA_TAB[src[i]], g = GAMMA_TAB[src[i + 1]], b = GAMMA_TAB[src[i + 2]];
      const fX = CBRT_TAB[descale(r * c0 + g * c1 + b * c2, XYZ_SHIFT)];
      const fY = CBRT_TAB[descale(r * c3 + g * c4 + b * c5, XYZ_SHIFT)];
      const fZ = CBRT_TAB[descale(r * c6 + g * c7 + b * c8, XYZ_SHIFT)];
      out[i] = clampByte(descale(L_SCALE * fY + L_SHIFT, LAB_SHIFT2));
      out[i + 1] = clampByte(descale(500 * (fX - fY) + AB_DELTA, LAB_SHIFT2));
      out[i + 2] = clampByte(descale(200 * (fY - fZ) + AB_DELTA, LAB_SHIFT2));
    }
  },
};

function converterFor(space: ColorSpace): Converter {
  const fn = Object.hasOwn(CONVERTERS, space) ? CONVERTERS[space] : undefined;
  if (!fn) {
    throw new SegmentationError('bad-parameter', `unknown colour space '${String(space)}' (expected bgr, hsv, lab or ycrcb)`);
  }
  return fn;
}

/** Pixels [from, to) of `src` in `space`, written to the same pixels of `out`. */
export function convertPixels(src: Uint8Array, out: Uint8Array, space: ColorSpace, from: number, to: number): void {
  converterFor(space)(src.subarray(from * 3, to * 3), out.subarray(from * 3, to * 3), (to - from) * 3);
}

const IN_ORDER = [0, 1, 2] as const;
const REVERSED = [2, 1, 0] as const;

/** Whether an image in `space` is a converted copy: BGR is the RGB image read backwards. */
export function needsConversion(space: ColorSpace): boolean {
  return space !== 'bgr';
}

/**
 * The image in `space`: for BGR the image itself, read backwards (nothing is copied), otherwise
 * converted (see convertColor) into memory from `alloc`.
 */
export function inColorSpace(img: RgbImage, space: ColorSpace, alloc: Alloc = plainBytes): ChannelImage {
  if (!needsConversion(space)) {
    if (img.data.length < img.width * img.height * 3) throw new Error(`inColorSpace: ${img.data.length} bytes for a ${img.width}x${img.height} RGB image`);
    return { data: img.data, offsets: REVERSED };
  }
  return converted(convertColor(img, space, alloc));
}

/** Converted bytes in OpenCV's channel order. */
export function converted(data: Uint8Array): ChannelImage {
  return { data, offsets: IN_ORDER };
}

/** The whole image in `space`: 3 bytes a pixel in OpenCV's channel order. */
export function convertColor(img: RgbImage, space: ColorSpace, alloc: Alloc = plainBytes): Uint8Array {
  const n = img.width * img.height * 3;
  if (img.data.length < n) {
    throw new Error(`convertColor: ${img.data.length} bytes for a ${img.width}x${img.height} RGB image`);
  }
  const out = alloc(n);
  converterFor(space)(img.data, out, n);
  return out;
}

