// Where the clusters split: for one clustered channel a histogram of its values with each bar
// stacked by cluster; for two, a density scatter (brightness = how many pixels, colour = the
// cluster most of them belong to); for three, the scatter of the two widest-spread channels.
// Clusters are drawn in their mean colours, as in the palette.
import { splitView } from '../../core/insight/split';
import type { PaletteEntry } from '../../core/insight/palette';
import { CHANNEL_LABELS } from '../../shared/protocol';
import type { ShownResult } from './shownResult';

const HIST_H = 96;
const BINS = 64;

export class SplitPlot {
  private readonly root = document.getElementById('split')!;
  private readonly canvas = document.getElementById('splitCanvas') as HTMLCanvasElement;
  private readonly caption = document.getElementById('splitCaption')!;

  show(shown: ShownResult): void {
    const names = CHANNEL_LABELS[shown.colorSpace];
    const view = splitView(shown.result, shown.channels, BINS, true);
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    if (view.kind === 'histogram') {
      this.root.dataset.kind = 'histogram';
      this.canvas.dataset.channels = String(view.channel);
      this.drawHistogram(ctx, view.histograms, shown.palette);
      this.caption.textContent = `${names[view.channel]} (0–255 →) by cluster: each bar stacked in the clusters' colours`;
    } else {
      const { cx, cy, xRange, yRange } = view.scatter;
      this.root.dataset.kind = 'scatter';
      this.canvas.dataset.channels = `${cx},${cy}`;
      this.drawScatter(ctx, view.scatter.counts, view.scatter.dominant, shown.palette);
      const dropped = shown.channels.length === 3 ? ' (the two widest-spread of the three)' : '';
      this.caption.textContent =
        `${names[cx]} ${xRange[0]}–${xRange[1]} (→) against ${names[cy]} ${yRange[0]}–${yRange[1]} (↑)${dropped}: ` +
        'colour = main cluster, brightness = pixels';
    }
  }

  private drawHistogram(ctx: CanvasRenderingContext2D, hist: Uint32Array[], palette: readonly PaletteEntry[]): void {
    const c = this.canvas;
    c.width = 256;
    c.height = HIST_H;
    const img = ctx.createImageData(256, HIST_H);
    let top = 0;
    const totals = new Float64Array(256);
    for (let v = 0; v < 256; v++) {
      for (const h of hist) totals[v] += h[v]!;
      top = Math.max(top, totals[v]!);
    }
    // Square-root heights: a small cluster next to a huge one stays visible.
    const scale = top > 0 ? HIST_H / Math.sqrt(top) : 0;
    for (let v = 0; v < 256; v++) {
      const total = totals[v]!;
      if (total === 0) continue;
      const height = Math.sqrt(total) * scale;
      let y = HIST_H;
      for (let r = 0; r < hist.length; r++) {
        const part = (hist[r]![v]! / total) * height;
        const y0 = Math.max(0, Math.round(y - part));
        const [cr, cg, cb] = palette[r]?.meanRgb ?? [128, 128, 128];
        for (let yy = y0; yy < Math.round(y); yy++) {
          const o = (yy * 256 + v) * 4;
          img.data[o] = cr;
          img.data[o + 1] = cg;
          img.data[o + 2] = cb;
          img.data[o + 3] = 255;
        }
        y -= part;
      }
    }
    ctx.putImageData(img, 0, 0);
  }

  private drawScatter(ctx: CanvasRenderingContext2D, counts: Uint32Array, dominant: Uint8Array, palette: readonly PaletteEntry[]): void {
    const c = this.canvas;
    c.width = BINS;
    c.height = BINS;
    const img = ctx.createImageData(BINS, BINS);
    const top = Math.log1p(Math.max(...counts));
    for (let by = 0; by < BINS; by++) {
      for (let bx = 0; bx < BINS; bx++) {
        const cell = by * BINS + bx;
        const n = counts[cell]!;
        if (n === 0) continue;
        // Rows run downwards on a canvas: the y channel's high values go to the top.
        const o = ((BINS - 1 - by) * BINS + bx) * 4;
        const [r, g, b] = palette[dominant[cell]!]?.meanRgb ?? [128, 128, 128];
        img.data[o] = r;
        img.data[o + 1] = g;
        img.data[o + 2] = b;
        img.data[o + 3] = Math.round(70 + 185 * (top > 0 ? Math.log1p(n) / top : 1));
      }
    }
    ctx.putImageData(img, 0, 0);
  }
}
