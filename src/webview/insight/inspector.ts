// The pixel inspector: under the pointer, the pixel's position, its colour, its values in the
// colour space and its cluster, all from the result already in the panel (no message, no wait).
import { inspectPixel } from '../../core/insight/inspect';
import { CHANNEL_LABELS } from '../../shared/protocol';
import { imagePixelAt, type ShownResult } from './shownResult';
import { htmlEl, rgbCss } from './svg';

export class Inspector {
  private readonly root = document.getElementById('inspector')!;
  private shown: ShownResult | undefined;
  private frame = 0;
  private lastEvent: PointerEvent | undefined;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onCluster: (rank: number | undefined) => void,
  ) {
    canvas.addEventListener('pointermove', (e) => {
      this.lastEvent = e;
      // One lookup per frame however fast the pointer moves.
      if (!this.frame) this.frame = requestAnimationFrame(() => this.update());
    });
    canvas.addEventListener('pointerleave', () => {
      this.lastEvent = undefined;
      this.idle();
    });
    this.idle();
  }

  setResult(shown: ShownResult | undefined): void {
    this.shown = shown;
    this.idle();
  }

  private idle(): void {
    this.root.dataset.state = 'idle';
    this.root.replaceChildren(htmlEl('span', { className: 'hint', text: 'Point at the picture to inspect a pixel.' }));
    this.onCluster(undefined);
  }

  private update(): void {
    this.frame = 0;
    const e = this.lastEvent;
    const shown = this.shown;
    if (!e || !shown) return;
    const rect = this.canvas.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) return;
    const cx = Math.floor(((e.clientX - rect.left) * this.canvas.width) / rect.width);
    const cy = Math.floor(((e.clientY - rect.top) * this.canvas.height) / rect.height);
    const at = imagePixelAt(shown, cx, cy);
    if (!at) return this.idle();
    const info = inspectPixel(shown.result, at.x, at.y);
    const names = CHANNEL_LABELS[shown.colorSpace];
    this.root.dataset.state = 'pixel';
    const dl = htmlEl('dl', { className: 'inspector-grid' });
    const row = (term: string, value: string | HTMLElement): void => {
      htmlEl('dt', { text: term }, dl);
      const dd = htmlEl('dd', {}, dl);
      if (typeof value === 'string') dd.textContent = value;
      else dd.append(value);
    };
    row('x, y', `${info.x}, ${info.y}`);
    const rgb = htmlEl('span');
    const chip = htmlEl('span', { className: 'mini-chip' }, rgb);
    chip.style.background = rgbCss(info.rgb);
    rgb.append(info.rgb.join(' '));
    row('RGB', rgb);
    row(shown.colorSpace.toUpperCase(), names.map((n, i) => `${n} ${info.channels[i]}`).join('  '));
    const cluster = htmlEl('span');
    const mean = shown.palette[info.rank]?.meanRgb ?? info.rgb;
    htmlEl('span', { className: 'mini-chip' }, cluster).style.background = rgbCss(mean);
    cluster.append(`${info.rank + 1} of ${shown.result.k} (gray ${info.gray})`);
    row('Cluster', cluster);
    this.root.replaceChildren(dl);
    this.root.dataset.rank = String(info.rank);
    this.onCluster(info.rank);
  }
}
