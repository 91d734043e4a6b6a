// The insight area of the panel: palette (hover highlights, click isolates), the result modes of
// the right-hand image, the elbow plot, the split view, the channel strips and the pixel
// inspector. Everything is computed by the host from the full-size result; here it is drawn,
// and what the user picks (mode, selection, the hovered cluster) is sent back as a view.
import { RESULT_MODE_IDS, type ElbowMessage, type InsightMessage, type PaletteEntry, type PixelMessage, type ResultMessage, type ResultModeId, type ResultView, type WebviewMessage } from '../../shared/protocol';
import { ElbowPlot } from './elbowPlot';
import { Inspector } from './inspector';
import { PaletteView } from './paletteView';
import { PlanesView } from './planesView';
import { SplitPlot } from './splitPlot';
import type { ColorSpace, PanelParams } from '../../shared/params';

export interface InsightHost {
  post(msg: WebviewMessage): void;
  nextId(): number;
  /** The right half should show `view` (or the hovered cluster): ask the host for it. */
  showView(view: ResultView, highlight: number | undefined): void;
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
  private result: { id: number; k: number; colorSpace: ColorSpace; channels: number[]; palette: PaletteEntry[]; width: number } | undefined;
  private mode: ResultModeId = 'gray';
  /** The mode before a click on a swatch switched to 'mask', to return to when nothing is selected. */
  private modeBeforeMask: ResultModeId | undefined;
  private white = false;
  private selected = new Set<number>();
  private hover: number | undefined;
  private resultKey = '';
  private elbowSentKey = '';
  private elbowRequest = 0;
  /** Insight that came before its result was drawn (the result's picture decodes asynchronously). */
  private early: InsightMessage | undefined;

  private readonly modeSelect = document.getElementById('mode') as ValueControl;
  private readonly whiteBox = document.getElementById('maskWhite') as CheckControl;
  private readonly hint = document.getElementById('paletteHint')!;
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
    this.inspector = new Inspector({
      ask: (x, y) => {
        const requestId = host.nextId();
        if (this.result) host.post({ type: 'inspect', requestId, resultId: this.result.id, x, y });
        return requestId;
      },
      onCluster: (rank) => this.palette.setInspected(rank),
    });
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

  /** What the right-hand image shows now (sent with runs and Save). */
  view(): ResultView {
    return { mode: this.mode, selected: [...this.selected].sort((a, b) => a - b), white: this.white };
  }

  /**
   * The view a run with `params` should be shown in: a selection belongs to the clusters of the
   * run it was made on, so other parameters clear it.
   */
  viewForRun(params: PanelParams): ResultView {
    const key = rankKey(params);
    if (key !== this.resultKey) {
      this.resultKey = key;
      this.selected.clear();
      if (this.mode === 'mask' && this.modeBeforeMask) this.mode = this.modeBeforeMask;
      this.modeBeforeMask = undefined;
      this.syncControls();
    }
    return this.view();
  }

  /** A result is shown. */
  setResult(msg: ResultMessage, params: PanelParams): void {
    this.result = { id: msg.resultId, k: msg.k, colorSpace: msg.colorSpace, channels: msg.channels, palette: msg.palette, width: msg.width };
    for (const r of this.selected) if (r >= msg.k) this.selected.delete(r);
    this.hover = undefined;
    this.palette.show(msg.palette, this.selected);
    this.planes.markChannels(msg.colorSpace, msg.channels);
    this.split.pending();
    this.inspector.setResult({ colorSpace: msg.colorSpace, palette: msg.palette, k: msg.k });
    this.elbow.setCurrent(params.k);
    this.syncControls();
    if (!msg.preview) this.requestElbow(params);
    const early = this.early;
    this.early = undefined;
    if (early?.resultId === msg.resultId) this.onInsight(early);
  }

  onInsight(msg: InsightMessage): void {
    const r = this.result;
    if (!r || msg.resultId > r.id) {
      this.early = msg;
      return;
    }
    if (msg.resultId !== r.id) return;
    this.split.show(msg.split, r.colorSpace, r.palette);
    this.planes.show(msg.planes, r.colorSpace, r.channels);
  }

  onPixel(msg: PixelMessage): void {
    this.inspector.onPixel(msg);
  }

  /** The pointer is over image pixel (x, y) of the picture, or over nothing. */
  pointAt(at: { x: number; y: number } | undefined): void {
    this.inspector.pointAt(this.result ? at : undefined);
  }

  /** The run failed or the file went away: nothing to explain. */
  clear(): void {
    this.result = undefined;
    this.palette.clear();
    this.split.clear();
    this.planes.clear();
    this.inspector.setResult(undefined);
  }

  onElbow(msg: ElbowMessage): void {
    if (msg.requestId !== this.elbowRequest) return;
    if (msg.points && msg.elbowK !== undefined) {
      this.elbow.show(msg.points, msg.elbowK, msg.width, this.result?.width ?? 0);
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
    this.elbowRequest = this.host.nextId();
    this.elbow.pending();
    this.host.post({ type: 'elbow', requestId: this.elbowRequest, params });
  }

  private toggle(rank: number): void {
    if (!this.result || rank >= this.result.k) return;
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
    if (rank === this.hover || !this.result) return;
    this.hover = rank;
    this.host.showView(this.view(), rank);
  }

  private changed(): void {
    this.palette.setSelected(this.selected);
    this.syncControls();
    this.host.persist({ mode: this.mode === 'mask' ? (this.modeBeforeMask ?? 'gray') : this.mode, white: this.white });
    if (this.result) this.host.showView(this.view(), this.hover);
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
}
