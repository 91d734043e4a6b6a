// The composite for the panel, straight into RGBA (what the canvas's ImageData takes) in one
// pass over the pixels: no intermediate RGB composite and no label image on the host. Same
// layout and gray levels as core/composite.ts (a unit test checks them equal).
import { grayLevel, STRIP_VALUE, stripWidth } from '../core/composite';
import type { SegmentResult } from '../core/types';

export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export function compositeRgba(result: Pick<SegmentResult, 'image' | 'labels' | 'k'>): RgbaImage {
  const { width: w, height: h, data: src } = result.image;
  const labels = result.labels;
  const strip = stripWidth(w);
  const width = 2 * w + strip;
  const table = new Uint8Array(256);
  for (let r = 0; r < result.k; r++) table[r] = grayLevel(r, result.k);
  const out = new Uint8Array(width * h * 4);
  // Fill with opaque strip gray, built by doubling one pixel (byte order independent); the halves overwrite the rest.
  out.set([STRIP_VALUE, STRIP_VALUE, STRIP_VALUE, 255]);
  for (let n = 4; n < out.length; n *= 2) out.copyWithin(n, 0, Math.min(n, out.length - n));
  let o = 0;
  let s = 0;
  let l = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++, o += 4, s += 3) {
      out[o] = src[s]!;
      out[o + 1] = src[s + 1]!;
      out[o + 2] = src[s + 2]!;
    }
    o += strip * 4;
    for (let x = 0; x < w; x++, o += 4) {
      const g = table[labels[l++]!]!;
      out[o] = g;
      out[o + 1] = g;
      out[o + 2] = g;
    }
  }
  return { width, height: h, data: out };
}
