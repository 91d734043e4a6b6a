// A contact sheet: pictures in a grid, each with a caption under it (the CLI's --sweep).
import { GLYPH_H, drawText, textWidth } from './font';
import type { RgbImage } from '../types';

export interface SheetCell {
  image: RgbImage;
  /** One or two lines under the picture. */
  lines: string[];
  /** Drawn with a frame (the best setting). */
  mark?: boolean;
  /** Starts a new row. */
  newRow?: boolean;
}

const PAD = 6;
const LINE = GLYPH_H + 3;
const BACKGROUND = 255;
const INK: [number, number, number] = [20, 20, 20];
const MARK: [number, number, number] = [0, 110, 220];

/** The cells in rows of at most `columns`, each in a box as wide as the widest picture; a title on top. */
export function contactSheet(title: string, cells: SheetCell[], columns: number): RgbImage {
  const cw = Math.max(1, ...cells.map((c) => c.image.width), ...cells.flatMap((c) => c.lines.map((l) => textWidth(l))));
  const lines = Math.max(1, ...cells.map((c) => c.lines.length));
  const ch = Math.max(1, ...cells.map((c) => c.image.height)) + lines * LINE;
  const cols = Math.max(1, Math.min(columns, cells.length));
  // Grid positions: a row ends after `cols` cells or before a cell that starts one.
  const at: Array<[number, number]> = [];
  let row = 0;
  let col = 0;
  for (const cell of cells) {
    if ((cell.newRow && col > 0) || col === cols) {
      row++;
      col = 0;
    }
    at.push([col++, row]);
  }
  const rows = cells.length ? row + 1 : 0;
  const top = PAD + LINE + PAD;
  const width = Math.max(PAD + cols * (cw + PAD), textWidth(title) + 2 * PAD);
  const height = top + rows * (ch + PAD);
  const sheet: RgbImage = { width, height, data: new Uint8Array(width * height * 3).fill(BACKGROUND) };
  drawText(sheet, title, PAD, PAD, INK);
  cells.forEach((cell, i) => {
    const x0 = PAD + at[i]![0] * (cw + PAD);
    const y0 = top + at[i]![1] * (ch + PAD);
    const { image } = cell;
    for (let y = 0; y < image.height; y++) {
      const o = ((y0 + y) * width + x0) * 3;
      sheet.data.set(image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3), o);
    }
    if (cell.mark) frame(sheet, x0 - 2, y0 - 2, image.width + 4, image.height + 4, MARK);
    cell.lines.forEach((line, l) => drawText(sheet, line, x0, y0 + image.height + 2 + l * LINE, cell.mark && l === 0 ? MARK : INK));
  });
  return sheet;
}

function frame(img: RgbImage, x: number, y: number, w: number, h: number, color: readonly [number, number, number]): void {
  const set = (px: number, py: number): void => {
    if (px < 0 || py < 0 || px >= img.width || py >= img.height) return;
    img.data.set(color, (py * img.width + px) * 3);
  };
  for (let i = 0; i < w; i++) {
    set(x + i, y);
    set(x + i, y + h - 1);
  }
  for (let j = 0; j < h; j++) {
    set(x, y + j);
    set(x + w - 1, y + j);
  }
}
