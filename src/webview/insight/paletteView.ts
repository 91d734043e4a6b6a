// The cluster palette: one swatch per cluster in gray-level order (its mean colour in the
// original, its share, its gray level). Hovering a swatch asks for that cluster to be
// highlighted; clicking toggles it in the selection (aria-pressed).
import type { PaletteEntry } from '../../shared/protocol';
import { htmlEl, rgbCss } from './svg';

export interface PaletteEvents {
  onHover(rank: number | undefined): void;
  onToggle(rank: number): void;
}

export class PaletteView {
  private readonly root: HTMLElement;
  private swatches: HTMLButtonElement[] = [];

  constructor(private readonly events: PaletteEvents) {
    this.root = document.getElementById('palette')!;
    this.root.addEventListener('pointerleave', () => events.onHover(undefined));
  }

  show(palette: readonly PaletteEntry[], selected: ReadonlySet<number>): void {
    this.swatches = palette.map((e) => this.swatch(e));
    this.root.replaceChildren(...this.swatches);
    this.setSelected(selected);
  }

  clear(): void {
    this.swatches = [];
    this.root.replaceChildren();
  }

  setSelected(selected: ReadonlySet<number>): void {
    this.swatches.forEach((b, rank) => b.setAttribute('aria-pressed', String(selected.has(rank))));
  }

  /** Marks the cluster under the pixel inspector's pointer. */
  setInspected(rank: number | undefined): void {
    this.swatches.forEach((b, r) => b.classList.toggle('inspected', r === rank));
  }

  private swatch(e: PaletteEntry): HTMLButtonElement {
    const b = htmlEl('button', { className: 'swatch' });
    b.type = 'button';
    b.dataset.rank = String(e.rank);
    const percent = `${(e.share * 100).toFixed(1)}%`;
    b.title =
      `Cluster ${e.rank + 1}: ${percent} of the pixels (${e.size}), mean colour ${rgbCss(e.meanRgb)}, ` +
      `gray ${e.gray} in the result. Click to select, hover to highlight.`;
    b.setAttribute('aria-label', `Cluster ${e.rank + 1}, ${percent}, gray ${e.gray}`);
    const chip = htmlEl('span', { className: 'chip' }, b);
    chip.style.background = rgbCss(e.meanRgb);
    htmlEl('span', { className: 'share', text: percent }, b);
    const gray = htmlEl('span', { className: 'gray' }, b);
    const grayChip = htmlEl('span', { className: 'gray-chip' }, gray);
    grayChip.style.background = rgbCss([e.gray, e.gray, e.gray]);
    htmlEl('span', { text: String(e.gray) }, gray);
    b.addEventListener('pointerenter', () => this.events.onHover(e.rank));
    b.addEventListener('focus', () => this.events.onHover(e.rank));
    b.addEventListener('blur', () => this.events.onHover(undefined));
    b.addEventListener('click', () => this.events.onToggle(e.rank));
    return b;
  }
}
