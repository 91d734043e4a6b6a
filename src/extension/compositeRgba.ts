// The composite for the panel, straight into RGBA (what the canvas's ImageData takes) in one
// pass over the pixels: no intermediate RGB composite and no label image on the host. Same
// layout and gray levels as core/composite.ts (a unit test checks them equal). Pixels are
// written 32 bits at a time: this runs on the extension host's thread, for up to tens of
// megapixels.
import { grayLevel, STRIP_VALUE, stripWidth } from '../core/composite';
import type { SegmentResult } from '../core/types';

export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The native 32-bit word whose bytes in memory are r, g, b, a (whatever the byte order). */
function word(r: number, g: number, b: number, a: number): number {
  return new Uint32Array(new Uint8Array([r, g, b, a]).buffer)[0]!;
}

const LITTLE_ENDIAN = word(1, 0, 0, 0) === 1;

export function compositeRgba(result: Pick<SegmentResult, 'image' | 'labels' | 'k'>): RgbaImage {
  const { width: w, height: h, data: src } = result.image;
  const labels = result.labels;
  const strip = stripWidth(w);
  const width = 2 * w + strip;
  const grays = new Uint32Array(256);
  for (let r = 0; r < result.k; r++) {
    const g = grayLevel(r, result.k);
    grays[r] = word(g, g, g, 255);
  }
  const stripWord = word(STRIP_VALUE, STRIP_VALUE, STRIP_VALUE, 255);
  const out = new Uint32Array(width * h);
  let o = 0;
  let s = 0;
  let l = 0;
  for (let y = 0; y < h; y++) {
    if (LITTLE_ENDIAN) {
      for (let x = 0; x < w; x++, s += 3) {
        out[o++] = (0xff000000 | (src[s + 2]! << 16) | (src[s + 1]! << 8) | src[s]!) >>> 0;
      }
    } else {
      for (let x = 0; x < w; x++, s += 3) {
        out[o++] = ((src[s]! << 24) | (src[s + 1]! << 16) | (src[s + 2]! << 8) | 0xff) >>> 0;
      }
    }
    out.fill(stripWord, o, o + strip);
    o += strip;
    for (let x = 0; x < w; x++) out[o++] = grays[labels[l++]!]!;
  }
  return { width, height: h, data: new Uint8Array(out.buffer) };
}
