// The pixel inspector: under the pointer, the pixel's position, its colour, its values in the
// colour space and its cluster, read by the host from the full-size data. One request is in
// flight at a time; moves meanwhile are folded into the next one.
import { type PaletteEntry, type PixelMessage } from '../../shared/protocol';
import { htmlEl, rgbCss } from './svg';
import { CHANNEL_NAMES, type ColorSpace } from '../../shared/params';

export interface InspectorHost {
  /** Asks the host for the pixel at (x, y) of the result; returns the request's id. */
  ask(x: number, y: number): number;
  /** The cluster under the pointer, for the palette to mark. */
  onCluster(rank: number | undefined): void;
}

export class Inspector {
  private readonly root = document.getElementById('inspector')!;
  private context: { colorSpace: ColorSpace; palette: readonly PaletteEntry[]; k: number } | undefined;
  private inFlight: number | undefined;
  private wanted: { x: number; y: number } | undefined;
  private lastAsked = '';

  constructor(private readonly host: InspectorHost) {
    this.idle();
  }

  /** A new result (or none): what the answers are read against. */
  setResult(context: { colorSpace: ColorSpace; palette: readonly PaletteEntry[]; k: number } | undefined): void {
    this.context = context;
    this.inFlight = undefined;
    this.lastAsked = '';
    this.idle();
  }

  /** The pointer is over image pixel (x, y), or over nothing. */
  pointAt(at: { x: number; y: number } | undefined): void {
    this.wanted = at;
    if (!at) {
      this.idle();
      return;
    }
    if (this.inFlight === undefined) this.askNext();
  }

  onPixel(msg: PixelMessage): void {
    if (msg.requestId !== this.inFlight) return;
    this.inFlight = undefined;
    if (this.wanted && msg.info) this.render(msg);
    this.askNext();
  }

  private askNext(): void {
    const at = this.wanted;
    if (!at || !this.context) return;
    const key = `${at.x},${at.y}`;
    if (key === this.lastAsked) return;
    this.lastAsked = key;
    this.inFlight = this.host.ask(at.x, at.y);
  }

  private idle(): void {
    this.root.dataset.state = 'idle';
    delete this.root.dataset.rank;
    this.root.replaceChildren(htmlEl('span', { className: 'hint', text: 'Point at the picture to inspect a pixel.' }));
    this.host.onCluster(undefined);
  }

  private render(msg: PixelMessage): void {
    const info = msg.info!;
    const ctx = this.context;
    if (!ctx) return;
    const names = CHANNEL_NAMES[ctx.colorSpace];
    const dl = htmlEl('dl', { className: 'inspector-grid' });
    const row = (term: string, value: string | HTMLElement): void => {
      htmlEl('dt', { text: term }, dl);
      const dd = htmlEl('dd', {}, dl);
      if (typeof value === 'string') dd.textContent = value;
      else dd.append(value);
    };
    row('x, y', `${info.x}, ${info.y}${msg.approximate ? ' (preview)' : ''}`);
    const rgb = htmlEl('span');
    htmlEl('span', { className: 'mini-chip' }, rgb).style.background = rgbCss(info.rgb);
    rgb.append(info.rgb.join(' '));
    row('RGB', rgb);
    row(ctx.colorSpace.toUpperCase(), names.map((n, i) => `${n} ${info.channels[i]}`).join('  '));
    const cluster = htmlEl('span');
    const mean = ctx.palette[info.rank]?.meanRgb ?? info.rgb;
    htmlEl('span', { className: 'mini-chip' }, cluster).style.background = rgbCss(mean);
    cluster.append(`${info.rank + 1} of ${ctx.k} (gray ${info.gray})`);
    row('Cluster', cluster);
    this.root.replaceChildren(dl);
    this.root.dataset.state = 'pixel';
    this.root.dataset.rank = String(info.rank);
    this.host.onCluster(info.rank);
  }
}
