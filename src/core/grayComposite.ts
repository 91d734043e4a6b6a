// The seed's composite (original | strip | gray clusters) without a right half of its own: the
// gray levels go straight into the composite (36 MB less at 12 MP). Saved as PNG (a batch's
// images, the panel's Save, the CLI) it is not even made whole: its rows are drawn band by band
// as the encoder asks for them (no 72 MB composite at 12 MP, 148 MB at 24 MP, and no fresh memory
// to page in: 18,000 page faults of a 12 MP photo's 36,000 in a batch).
import { STRIP_VALUE, grayLevel, stripWidth } from './composite';
import type { RowSource } from './codecs/png';
import { encodeRgbPngRows } from './encode';
import type { RgbImage } from './types';

/** The composite's size and a source of its rows. */
function grayRows(left: RgbImage, labels: Uint8Array, k: number): { width: number; height: number; rows: RowSource } {
  const { width: w, height } = left;
  if (labels.length !== w * height) throw new Error(`grayComposite: ${w}x${height} needs ${w * height} labels, got ${labels.length}`);
  const strip = stripWidth(w);
  const width = 2 * w + strip;
  const levels = new Uint8Array(256);
  for (let r = 0; r < k; r++) levels[r] = grayLevel(r, k);
  const leftRow = w * 3;
  const rows: RowSource = (y0, y1, into) => {
    for (let y = y0; y < y1; y++) {
      let o = (y - y0) * width * 3;
      into.set(left.data.subarray(y * leftRow, (y + 1) * leftRow), o);
      o += leftRow;
      into.fill(STRIP_VALUE, o, o + strip * 3);
      o += strip * 3;
      for (let x = 0, p = y * w; x < w; x++, p++, o += 3) {
        const g = levels[labels[p]!]!;
        into[o] = g;
        into[o + 1] = g;
        into[o + 2] = g;
      }
    }
  };
  return { width, height, rows };
}

export function grayComposite(left: RgbImage, labels: Uint8Array, k: number): RgbImage {
  const { width, height, rows } = grayRows(left, labels, k);
  const data = new Uint8Array(width * height * 3);
  rows(0, height, data);
  return { width, height, data };
}

/** The same composite as a PNG, as encodeImage(grayComposite(...), 'png') writes it. */
export function grayCompositePng(left: RgbImage, labels: Uint8Array, k: number): Promise<Uint8Array> {
  const { width, height, rows } = grayRows(left, labels, k);
  return encodeRgbPngRows(rows, width, height);
}
