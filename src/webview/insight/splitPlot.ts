// Where the clusters split (data from the host, over the full-size result): for one clustered
// channel a histogram of its values with each bar stacked by cluster; for two, a density scatter
// (brightness = how many pixels, colour = the cluster most of them belong to); for three, the
// scatter of the two widest-spread channels. Clusters are drawn in their mean colours, as in
// the palette. The histogram spans the channel's own range (hue is 0-179 in OpenCV).
import { type PaletteEntry, type SplitData } from '../../shared/protocol';
import { CHANNEL_NAMES, type ColorSpace } from '../../shared/params';

const HIST_H = 96;

export class SplitPlot {
  private readonly root = document.getElementById('split')!;
  private readonly canvas = document.getElementById('splitCanvas') as HTMLCanvasElement;
  private readonly caption = document.getElementById('splitCaption')!;

  show(split: SplitData, colorSpace: ColorSpace, palette: readonly PaletteEntry[]): void {
    const names = CHANNEL_NAMES[colorSpace];
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    this.root.dataset.state = 'ready';
    if (split.kind === 'histogram') {
      this.root.dataset.kind = 'histogram';
      this.canvas.dataset.channels = String(split.channel);
      this.canvas.dataset.max = String(split.max);
      this.drawHistogram(ctx, split.histograms.map((b) => new Uint32Array(b)), split.max, palette);
      this.caption.textContent = `${names[split.channel]} (0–${split.max} →) by cluster: each bar stacked in the clusters' colours`;
    } else {
      const { cx, cy, xRange, yRange } = split;
      this.root.dataset.kind = 'scatter';
      this.canvas.dataset.channels = `${cx},${cy}`;
      this.drawScatter(ctx, new Uint32Array(split.counts), new Uint8Array(split.dominant), split.bins, palette);
      const dropped = split.of === 3 ? ' (the two widest-spread of the three)' : '';
      this.caption.textContent =
        `${names[cx]} ${xRange[0]}–${xRange[1]} (→) against ${names[cy]} ${yRange[0]}–${yRange[1]} (↑)${dropped}: ` +
        'colour = main cluster, brightness = pixels';
    }
  }

  /** A new result: its plot is on its way (the old one stays, dimmed). */
  pending(): void {
    this.root.dataset.state = 'computing';
  }

  clear(): void {
    this.canvas.width = 0;
    this.canvas.height = 0;
    this.caption.textContent = '';
    delete this.root.dataset.kind;
  }

  private drawHistogram(ctx: CanvasRenderingContext2D, hist: Uint32Array[], max: number, palette: readonly PaletteEntry[]): void {
    const bins = max + 1;
    const c = this.canvas;
    c.width = bins;
    c.height = HIST_H;
    const img = ctx.createImageData(bins, HIST_H);
    let top = 0;
    const totals = new Float64Array(bins);
    for (let v = 0; v < bins; v++) {
      for (const h of hist) totals[v] += h[v] ?? 0;
      top = Math.max(top, totals[v]!);
    }
    // Square-root heights: a small cluster next to a huge one stays visible.
    const scale = top > 0 ? HIST_H / Math.sqrt(top) : 0;
    for (let v = 0; v < bins; v++) {
      const total = totals[v]!;
      if (total === 0) continue;
      const height = Math.sqrt(total) * scale;
      let y = HIST_H;
      for (let r = 0; r < hist.length; r++) {
        const part = ((hist[r]![v] ?? 0) / total) * height;
        const y0 = Math.max(0, Math.round(y - part));
        const [cr, cg, cb] = palette[r]?.meanRgb ?? [128, 128, 128];
        for (let yy = y0; yy < Math.round(y); yy++) {
          const o = (yy * bins + v) * 4;
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

  private drawScatter(ctx: CanvasRenderingContext2D, counts: Uint32Array, dominant: Uint8Array, bins: number, palette: readonly PaletteEntry[]): void {
    const c = this.canvas;
    c.width = bins;
    c.height = bins;
    const img = ctx.createImageData(bins, bins);
    let most = 0;
    for (const n of counts) if (n > most) most = n;
    const top = Math.log1p(most);
    for (let by = 0; by < bins; by++) {
      for (let bx = 0; bx < bins; bx++) {
        const cell = by * bins + bx;
        const n = counts[cell]!;
        if (n === 0) continue;
        // Rows run downwards on a canvas: the y channel's high values go to the top.
        const o = ((bins - 1 - by) * bins + bx) * 4;
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
