// The insight area of the panel: palette (hover highlights, click isolates), the result modes of
// the right-hand image, the elbow plot, the split view, the channel strips and the pixel
// inspector. Everything is drawn from the result already here; only the elbow curve is asked of
// the host (it runs in the engine's workers).
import { highlight, renderResult } from '../../core/insight/render';
import {
  RESULT_MODE_IDS,
  type ElbowMessage,
  type PanelParams,
  type ResultMessage,
  type ResultModeId,
  type ResultView,
  type WebviewMessage,
} from '../../shared/protocol';
import { ElbowPlot } from './elbowPlot';
import { Inspector } from './inspector';
import { PaletteView } from './paletteView';
import { PlanesView } from './planesView';
import { SplitPlot } from './splitPlot';
import { shownResult, withRight, type ShownResult } from './shownResult';

export interface InsightHost {
  post(msg: WebviewMessage): void;
  /** Draws composite pixels without counting a new result. */
  redraw(width: number, height: number, rgba: Uint8ClampedArray): void;
  /** The user picked k on the elbow plot. */
  pickK(k: number): void;
  persist(view: { mode: ResultModeId; white: boolean }): void;
}

interface ValueControl extends HTMLElement {
  value: string;
}
interface CheckControl extends HTMLElement {
  checked: boolean;
}

/** The parameters an elbow curve depends on (not k, restarts or iterations of the segmentation). */
const elbowKey = (p: PanelParams): string => JSON.stringify([p.colorSpace, p.channels, p.width, p.seed]);
/** The parameters after which cluster ranks no longer mean the same clusters. */
const rankKey = (p: PanelParams): string => JSON.stringify({ ...p, format: undefined });

export class Insight {
  private shown: ShownResult | undefined;
  private mode: ResultModeId = 'gray';
  /** The mode before a click on a swatch switched to 'mask', to return to when nothing is selected. */
  private modeBeforeMask: ResultModeId | undefined;
  private white = false;
  private selected = new Set<number>();
  private hover: number | undefined;
  private frame = 0;
  private buffer: Uint8ClampedArray | undefined;
  private resultKey = '';
  private elbowSentKey = '';
  private elbowRequest = 0;
  private nextElbowId = 1;

  private readonly modeSelect = document.getElementById('mode') as ValueControl;
  private readonly whiteBox = document.getElementById('maskWhite') as CheckControl;
  private readonly hint = document.getElementById('paletteHint')!;
  private readonly canvas = document.getElementById('composite') as HTMLCanvasElement;
  private readonly palette: PaletteView;
  private readonly elbow: ElbowPlot;
  private readonly split = new SplitPlot();
  private readonly planes = new PlanesView();
  private readonly inspector: Inspector;

  constructor(
    private readonly host: InsightHost,
    saved: { mode?: ResultModeId; white?: boolean } = {},
  ) {
    this.palette = new PaletteView({
      onHover: (rank) => this.setHover(rank),
      onToggle: (rank) => this.toggle(rank),
    });
    this.elbow = new ElbowPlot((k) => host.pickK(k));
    this.inspector = new Inspector(this.canvas, (rank) => this.palette.setInspected(rank));
    // 'mask' needs a selection, which a reload does not keep: start from the others.
    if (saved.mode && saved.mode !== 'mask' && RESULT_MODE_IDS.includes(saved.mode)) this.mode = saved.mode;
    this.white = saved.white === true;
    this.modeSelect.value = this.mode;
    this.whiteBox.checked = this.white;
    this.modeSelect.addEventListener('change', () => {
      const v = this.modeSelect.value as ResultModeId;
      if (!RESULT_MODE_IDS.includes(v) || v === this.mode) return;
      this.mode = v;
      this.modeBeforeMask = undefined;
      this.changed();
    });
    this.whiteBox.addEventListener('change', () => {
      if (this.whiteBox.checked === this.white) return;
      this.white = this.whiteBox.checked;
      this.changed();
    });
    this.syncControls();
  }

  /** What the right-hand image shows now (sent with Save). */
  view(): ResultView {
    return { mode: this.mode, selected: [...this.selected].sort((a, b) => a - b), white: this.white };
  }

  /** Takes a new result; returns the composite pixels to draw for it in the current mode. */
  setResult(msg: ResultMessage, params: PanelParams): Uint8ClampedArray {
    const shown = shownResult(msg);
    this.shown = shown;
    const key = rankKey(params);
    if (key !== this.resultKey) {
      this.resultKey = key;
      this.selected.clear();
      if (this.mode === 'mask' && this.modeBeforeMask) this.mode = this.modeBeforeMask;
      this.modeBeforeMask = undefined;
    }
    for (const r of this.selected) if (r >= shown.result.k) this.selected.delete(r);
    this.hover = undefined;
    this.palette.show(shown.palette, this.selected);
    this.split.show(shown);
    this.planes.show(shown);
    this.inspector.setResult(shown);
    this.elbow.setCurrent(params.k);
    this.syncControls();
    this.requestElbow(params);
    this.host.post({ type: 'view', view: this.view() });
    return this.pixels();
  }

  /** The run failed or the file went away: nothing to explain. */
  clear(): void {
    this.shown = undefined;
    this.palette.clear();
    this.inspector.setResult(undefined);
  }

  onElbow(msg: ElbowMessage): void {
    if (msg.requestId !== this.elbowRequest) return;
    if (msg.points && msg.elbowK !== undefined) {
      this.elbow.show(msg.points, msg.elbowK, msg.width, this.shown?.result.image.width ?? 0);
    } else {
      this.elbow.failed(msg.error ?? 'unknown error');
      // Let the same parameters try again later (e.g. after the file is fixed).
      this.elbowSentKey = '';
    }
  }

  /** The file changed on disk: the next result needs a new curve even with the same parameters. */
  invalidateElbow(): void {
    this.elbowSentKey = '';
  }

  private requestElbow(params: PanelParams): void {
    const key = elbowKey(params);
    if (key === this.elbowSentKey) return;
    this.elbowSentKey = key;
    this.elbowRequest = this.nextElbowId++;
    this.elbow.pending();
    this.host.post({ type: 'elbow', requestId: this.elbowRequest, params });
  }

  private toggle(rank: number): void {
    if (!this.shown || rank >= this.shown.result.k) return;
    if (this.selected.has(rank)) this.selected.delete(rank);
    else this.selected.add(rank);
    if (this.selected.size > 0 && this.mode !== 'mask') {
      this.modeBeforeMask = this.mode;
      this.mode = 'mask';
    } else if (this.selected.size === 0 && this.mode === 'mask' && this.modeBeforeMask) {
      this.mode = this.modeBeforeMask;
      this.modeBeforeMask = undefined;
    }
    // The click is what the user wants to see, not the hover highlight under the pointer.
    this.hover = undefined;
    this.changed();
  }

  private setHover(rank: number | undefined): void {
    if (rank === this.hover) return;
    this.hover = rank;
    this.schedule();
  }

  private changed(): void {
    this.palette.setSelected(this.selected);
    this.syncControls();
    this.host.persist({ mode: this.mode === 'mask' ? (this.modeBeforeMask ?? 'gray') : this.mode, white: this.white });
    this.host.post({ type: 'view', view: this.view() });
    this.schedule();
  }

  private syncControls(): void {
    if (this.modeSelect.value !== this.mode) this.modeSelect.value = this.mode;
    this.whiteBox.checked = this.white;
    this.whiteBox.hidden = this.mode !== 'mask';
    this.hint.textContent =
      this.mode === 'mask' && this.selected.size === 0
        ? 'Click swatches to choose the clusters the mask shows.'
        : this.selected.size > 0
          ? `${this.selected.size} selected: the result shows them only. Click again to deselect.`
          : 'Hover a swatch to highlight its cluster; click to isolate it.';
  }

  /** Repaints at the next frame, once however many changes came in between. */
  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const shown = this.shown;
      if (!shown) return;
      this.host.redraw(shown.compositeWidth, shown.result.image.height, this.pixels());
    });
  }

  /** The composite with the right half as the mode (or the hovered swatch) says. */
  private pixels(): Uint8ClampedArray {
    const shown = this.shown!;
    const r = shown.result;
    let label: string;
    let out: Uint8ClampedArray;
    if (this.hover !== undefined && this.hover < r.k) {
      out = this.buffer = withRight(shown, highlight(r, this.hover).data, this.buffer);
      label = `highlight:${this.hover}`;
    } else if (this.mode === 'gray') {
      out = shown.composite;
      label = 'gray';
    } else {
      const view = this.view();
      out = this.buffer = withRight(shown, renderResult(r, this.mode, view.selected, { white: view.white }).data, this.buffer);
      label = this.mode === 'mask' ? `mask:${view.selected.join(',')}:${view.white ? 'white' : 'original'}` : this.mode;
    }
    // What the canvas shows, for tests and for anyone reading the DOM.
    this.canvas.dataset.view = label;
    return out;
  }
}
