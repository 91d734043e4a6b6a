// The message protocol between the extension host (src/extension/editor/panel.ts) and the panel's
// webview (src/webview/main.ts): both directions as discriminated unions, in one module so the
// two sides cannot drift. The webview is untrusted input to the host: every message it sends
// goes through checkWebviewMessage, which rebuilds a fresh object from checked fields.
// The panel gets pictures at display size only (PNG bytes: a message costs about 0.1 s a
// megabyte between code-server and the browser) and asks for the region it shows at full
// resolution when zoomed in; it computes nothing over the image itself.
// No `vscode` and no DOM here: unit tests import this file directly.
import type { Rect } from './geometry';
import type { PaletteEntry, PixelInfo } from './insight';
import { PANEL_LIMITS, ownField as field, readPanelParams, type ColorSpace, type PanelParams } from './params';

export type { PaletteEntry, PixelInfo };

/** How the right-hand image shows a result (core/insight's ResultMode). */
export type ResultModeId = 'gray' | 'mean' | 'mask' | 'boundaries';
export const RESULT_MODE_IDS: readonly ResultModeId[] = ['gray', 'mean', 'mask', 'boundaries'];

/** What the panel shows on the right: the saved composite uses the same. */
export interface ResultView {
  mode: ResultModeId;
  /** Selected cluster ranks (for 'mask'), distinct, ascending. */
  selected: number[];
  /** 'mask': selected pixels white instead of in their original colours. */
  white: boolean;
}

/** The reference script's view: gray levels, nothing selected. */
export const GRAY_VIEW: ResultView = { mode: 'gray', selected: [], white: false };

/** The view with only the ranks a result of k clusters has (a selection may predate a new k). */
export function viewForK(view: ResultView, k: number): ResultView {
  return { ...view, selected: view.selected.filter((r) => r < k) };
}

/** What the right half shows and how (`label` marks the canvas for tests and readers of the DOM). */
export function viewLabel(view: ResultView, highlight?: number): string {
  if (highlight !== undefined) return `highlight:${highlight}`;
  if (view.mode === 'mask') return `mask:${view.selected.join(',')}:${view.white ? 'white' : 'original'}`;
  return view.mode;
}

export type ExportWhat = 'labels' | 'palette';
export const EXPORT_WHATS: readonly ExportWhat[] = ['labels', 'palette'];

// ---- webview -> host ----------------------------------------------------------------------

/** The webview's script has loaded and listens: the host answers with `init`. */
export interface ReadyMessage {
  type: 'ready';
  /** The long side, in pixels, of the pictures the panel wants (its screen's): the host caps it. */
  displayMax?: number;
}

/** Segment with these parameters, the right half shown in `view`. A larger requestId supersedes every smaller one. */
export interface RunMessage {
  type: 'run';
  requestId: number;
  params: PanelParams;
  view: ResultView;
}

/** Save the composite for these parameters beside the image. */
export interface SaveMessage {
  type: 'save';
  requestId: number;
  params: PanelParams;
  /** The right-hand image as shown; absent = the reference script's gray levels. */
  view?: ResultView;
}

/** The elbow curve for these parameters' image, colour space and channels (k is not used). */
export interface ElbowRequestMessage {
  type: 'elbow';
  requestId: number;
  params: PanelParams;
}

/** Save the label image (PNG) or the palette (JSON) of these parameters' result beside the image. */
export interface ExportMessage {
  type: 'export';
  requestId: number;
  params: PanelParams;
  what: ExportWhat;
}

/**
 * The right half changed mode or selection, or a cluster is hovered (`highlight`): the host
 * answers with `right`. "Segment Current Image and Save" uses the view too.
 */
export interface ViewMessage {
  type: 'view';
  requestId: number;
  view: ResultView;
  highlight?: number;
}

/** Which halves a tile holds. */
export type TilePart = 'both' | 'original' | 'right';
export const TILE_PARTS: readonly TilePart[] = ['both', 'original', 'right'];

/**
 * The panel is zoomed in past its display-size pictures: `rect` (image pixels of the result's
 * full size) of one or both halves at `scale` (at most 1: 1 = the true pixels). Answered by
 * `tile`; the host keeps only the newest request for each part.
 */
export interface TileMessage {
  type: 'tile';
  requestId: number;
  resultId: number;
  part: TilePart;
  rect: Rect;
  scale: number;
  view: ResultView;
  highlight?: number;
}

/** The pixel at (x, y) of the result's full-size image: answered by `pixel`. */
export interface InspectMessage {
  type: 'inspect';
  requestId: number;
  resultId: number;
  x: number;
  y: number;
}

/**
 * Explore: segment a reduced copy with every colour space and channel subset at the params' k
 * ('channels'), or with every k in the params' space and channels ('k'), each scored; 'none'
 * stops a sweep under way. A newer sweep cancels an older one.
 */
export type SweepAxisId = 'channels' | 'k' | 'none';
export const SWEEP_AXES: readonly SweepAxisId[] = ['channels', 'k', 'none'];

export interface SweepMessage {
  type: 'sweep';
  requestId: number;
  params: PanelParams;
  axis: SweepAxisId;
}

/** Copy the CLI command that reproduces the result shown (these parameters, this view). */
export interface CopyCommandMessage {
  type: 'copyCommand';
  params: PanelParams;
  view: ResultView;
}

/** Start "Batch Segment Images..." with these parameters. */
export interface BatchMessage {
  type: 'batch';
  params: PanelParams;
}

export type WebviewMessage =
  | SweepMessage
  | CopyCommandMessage
  | BatchMessage
  | ReadyMessage
  | RunMessage
  | SaveMessage
  | ElbowRequestMessage
  | ExportMessage
  | ViewMessage
  | TileMessage
  | InspectMessage;

// ---- host -> webview ----------------------------------------------------------------------

export interface InitMessage {
  type: 'init';
  /** Shown as text only (never as markup). */
  fileName: string;
  /** Where this panel starts: remembered parameters for this image, else the settings. */
  params: PanelParams;
  /** What Reset goes back to: the settings. */
  defaults: PanelParams;
}

/** The settings changed: what Reset goes back to from now on. */
export interface DefaultsMessage {
  type: 'defaults';
  defaults: PanelParams;
}

export type Stage = 'reading' | 'decoding' | 'preparing' | 'clustering' | 'drawing';

/** What the host is doing for a run, for the panel's status line. */
export interface ProgressMessage {
  type: 'progress';
  requestId: number;
  stage: Stage;
  message: string;
}

/** A picture at some size, as PNG file bytes (the browser decodes them off its main thread). */
export interface Picture {
  width: number;
  height: number;
  png: ArrayBuffer;
}

/**
 * The left half (the image being segmented, at the run's width) at display size. Sent once per
 * image and width; results name it by `imageId`.
 */
export interface OriginalMessage {
  type: 'original';
  imageId: string;
  /** The full size of the image the halves show. */
  width: number;
  height: number;
  picture: Picture;
}


export interface ResultMessage {
  type: 'result';
  requestId: number;
  /** Names this result in `tile` and `inspect` requests. */
  resultId: number;
  /** A quick result on a reduced copy; the full-size one follows. */
  preview: boolean;
  /** The preview is of the photo's embedded thumbnail (the photo is still being decoded). */
  thumbnail?: boolean;
  /** The original (OriginalMessage) the result goes with. */
  imageId: string;
  /** The full size of each half; the saved composite is compositeSize(width, height). */
  width: number;
  height: number;
  /** The right half at display size (a preview's may be smaller), in the view the run asked for. */
  right: Picture;
  /** viewLabel of what `right` shows. */
  label: string;
  /** k after capping to the number of distinct colours. */
  k: number;
  inertia: number;
  /** Per cluster (largest first), its share of the pixels in percent. */
  sizes: number[];
  /** From the request's arrival at the host to the pictures being posted. */
  timeMs: number;
  warnings: string[];
  /** Per rank, the centre in the selected channels. */
  centers: number[][];
  colorSpace: ColorSpace;
  channels: number[];
  palette: PaletteEntry[];
}

/** Where the clusters split, from the full-size result: a histogram or a density scatter. */
export type SplitData =
  | {
      kind: 'histogram';
      channel: number;
      /** The channel's largest value (179 for hue). */
      max: number;
      /** Per rank, counts of each value 0..max (Uint32Array buffers). */
      histograms: ArrayBuffer[];
    }
  | {
      kind: 'scatter';
      cx: number;
      cy: number;
      bins: number;
      xRange: [number, number];
      yRange: [number, number];
      /** bins * bins Uint32 counts, row = y bin. */
      counts: ArrayBuffer;
      /** bins * bins: the rank with most pixels in the bin, 255 when empty. */
      dominant: ArrayBuffer;
      /** How many channels were clustered (3: these are the two widest-spread). */
      of: number;
    };

/** The views that explain a final result; they follow its `result` message. */
export interface InsightMessage {
  type: 'insight';
  resultId: number;
  split: SplitData;
  /** The three channels of the colour space as small gray pictures: width * height bytes each. */
  planes: { width: number; height: number; data: ArrayBuffer };
}

/** The right half again, in another view (ViewMessage). */
export interface RightMessage {
  type: 'right';
  requestId: number;
  resultId: number;
  label: string;
  picture: Picture;
}

/** The answer to a TileMessage: the region of the halves it asked for. */
export interface TileResultMessage {
  type: 'tile';
  requestId: number;
  resultId: number;
  part: TilePart;
  rect: Rect;
  scale: number;
  label: string;
  original?: Picture;
  right?: Picture;
}


/** The answer to an InspectMessage (no info: off the image, or the result is gone). */
export interface PixelMessage {
  type: 'pixel';
  requestId: number;
  resultId: number;
  info?: PixelInfo;
  /** The values come from a preview's reduced copy. */
  approximate?: boolean;
}

/** The answer to an `elbow` request: the curve, or why there is none. */
export interface ElbowMessage {
  type: 'elbow';
  requestId: number;
  points?: Array<{ k: number; inertia: number }>;
  /** The k where the curve bends most. */
  elbowK?: number;
  /** The width the curve was computed at (capped, so it stays quick on large images). */
  width?: number;
  error?: string;
}

export interface ExportedMessage {
  type: 'exported';
  requestId: number;
  what: ExportWhat;
  name?: string;
  error?: string;
}

export interface ErrorMessage {
  type: 'error';
  /** The run this error ends, or null when it is not about a run (e.g. the file was deleted). */
  requestId: number | null;
  message: string;
}

export interface SavedMessage {
  type: 'saved';
  requestId: number;
  /** The written file's name, or undefined when saving failed (then `error` says why). */
  name?: string;
  error?: string;
}

/** The image changed on disk (re-run with the current parameters) or was deleted. */
export interface FileEventMessage {
  type: 'fileChanged' | 'fileDeleted';
  message: string;
}

/** One setting of a sweep, as it finishes (in any order). */
export interface SweepItemMessage {
  type: 'sweepItem';
  requestId: number;
  /** How many settings the sweep has. */
  total: number;
  colorSpace: ColorSpace;
  channels: number[];
  k: number;
  /** Spatial coherence corrected for chance: 1 clean regions, 0 speckle (see core/sweep.ts). */
  score: number;
  inertia: number;
  sizes: number[];
  gray: Picture;
  mean: Picture;
}

export interface SweepDoneMessage {
  type: 'sweepDone';
  requestId: number;
  /** From the request to the last setting's picture. */
  timeMs: number;
  /** The width the settings were segmented at. */
  width: number;
  error?: string;
}

export type HostMessage =
  | SweepItemMessage
  | SweepDoneMessage
  | InitMessage
  | DefaultsMessage
  | ProgressMessage
  | OriginalMessage
  | ResultMessage
  | InsightMessage
  | RightMessage
  | TileResultMessage
  | PixelMessage
  | ErrorMessage
  | SavedMessage
  | FileEventMessage
  | ElbowMessage
  | ExportedMessage;

// ---- validation of what the webview sends -------------------------------------------------

export type Rejection = { ok: false; reason: string };
type Checked<T> = { ok: true; value: T } | Rejection;

const reject = (reason: string): Rejection => ({ ok: false, reason });

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The largest number of clusters, so the largest rank a selection may name is this - 1. */
const MAX_RANKS = PANEL_LIMITS.k.max;

export function checkResultView(v: unknown): Checked<ResultView> {
  if (!isRecord(v)) return reject('view must be an object');
  const mode = field(v, 'mode');
  if (typeof mode !== 'string' || !(RESULT_MODE_IDS as readonly string[]).includes(mode)) {
    return reject('view.mode must be one of ' + RESULT_MODE_IDS.join(', '));
  }
  const white = field(v, 'white');
  if (typeof white !== 'boolean') return reject('view.white must be true or false');
  const sel = field(v, 'selected');
  if (!Array.isArray(sel) || sel.length > MAX_RANKS) {
    return reject(`view.selected must be a list of at most ${MAX_RANKS} cluster ranks`);
  }
  const ranks: number[] = [];
  for (let i = 0; i < sel.length; i++) {
    const r = field(sel, String(i));
    if (typeof r !== 'number' || !Number.isInteger(r) || r < 0 || r >= MAX_RANKS) {
      return reject(`view.selected must hold cluster ranks 0 to ${MAX_RANKS - 1}`);
    }
    if (ranks.includes(r)) return reject('view.selected must not repeat a rank');
    ranks.push(r);
  }
  return { ok: true, value: { mode: mode as ResultModeId, selected: ranks.sort((a, b) => a - b), white } };
}

/** The largest display size the host makes (the long side of each half, in pixels). */
export const DISPLAY_MAX = 2048;
/** The smallest the panel may ask for. */
export const DISPLAY_MIN = 256;
/** A tile is at most this many pixels (about 16 MB of RGB before compression). */
export const TILE_MAX_PIXELS = 6_000_000;
/** Image coordinates are below this (the pixel limit allows 500 megapixels; no side is longer). */
const COORD_MAX = 1 << 20;

function checkCoord(v: unknown, what: string, min = 0): Checked<number> {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v >= COORD_MAX) {
    return reject(`${what} must be an integer from ${min} to ${COORD_MAX - 1}`);
  }
  return { ok: true, value: v };
}

function checkRect(v: unknown): Checked<Rect> {
  if (!isRecord(v)) return reject('rect must be an object');
  const out: Record<string, number> = {};
  for (const [key, min] of [['x', 0], ['y', 0], ['width', 1], ['height', 1]] as const) {
    const c = checkCoord(field(v, key), `rect.${key}`, min);
    if (!c.ok) return c;
    out[key] = c.value;
  }
  return { ok: true, value: { x: out.x!, y: out.y!, width: out.width!, height: out.height! } };
}

/** A hovered cluster's rank, or undefined when absent. */
function checkHighlight(v: unknown): Checked<number | undefined> {
  if (v === undefined) return { ok: true, value: undefined };
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= MAX_RANKS) {
    return reject(`highlight must be a cluster rank 0 to ${MAX_RANKS - 1}`);
  }
  return { ok: true, value: v };
}

function checkRequestId(v: unknown): Checked<number> {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    return reject('requestId must be a non-negative integer');
  }
  return { ok: true, value: v };
}

/** Checks a message from the webview; returns a fresh, well-typed copy or why it was refused. */
export function checkWebviewMessage(raw: unknown): Checked<WebviewMessage> {
  if (!isRecord(raw)) return reject('message must be an object');
  const type = field(raw, 'type');
  switch (type) {
    case 'ready': {
      const max = field(raw, 'displayMax');
      if (max === undefined) return { ok: true, value: { type: 'ready' } };
      if (typeof max !== 'number' || !Number.isFinite(max)) return reject('displayMax must be a number');
      return { ok: true, value: { type: 'ready', displayMax: Math.round(Math.min(DISPLAY_MAX, Math.max(DISPLAY_MIN, max))) } };
    }
    case 'elbow': {
      const id = checkRequestId(field(raw, 'requestId'));
      if (!id.ok) return id;
      const params = readPanelParams(field(raw, 'params'));
      if (!params.ok) return params;
      return { ok: true, value: { type, requestId: id.value, params: params.value } };
    }
    case 'run': {
      const id = checkRequestId(field(raw, 'requestId'));
      if (!id.ok) return id;
      const params = readPanelParams(field(raw, 'params'));
      if (!params.ok) return params;
      const view = checkResultView(field(raw, 'view'));
      if (!view.ok) return view;
      return { ok: true, value: { type, requestId: id.value, params: params.value, view: view.value } };
    }
    case 'tile': {
      const id = checkRequestId(field(raw, 'requestId'));
      if (!id.ok) return id;
      const resultId = checkRequestId(field(raw, 'resultId'));
      if (!resultId.ok) return resultId;
      const rect = checkRect(field(raw, 'rect'));
      if (!rect.ok) return rect;
      const scale = field(raw, 'scale');
      if (typeof scale !== 'number' || !(scale > 0 && scale <= 1)) return reject('scale must be a number above 0, at most 1');
      const { width, height } = rect.value;
      if (Math.ceil(width * scale) * Math.ceil(height * scale) > TILE_MAX_PIXELS) {
        return reject(`a tile is at most ${TILE_MAX_PIXELS} pixels`);
      }
      const part = field(raw, 'part');
      if (typeof part !== 'string' || !(TILE_PARTS as readonly string[]).includes(part)) {
        return reject('part must be one of ' + TILE_PARTS.join(', '));
      }
      const view = checkResultView(field(raw, 'view'));
      if (!view.ok) return view;
      const highlight = checkHighlight(field(raw, 'highlight'));
      if (!highlight.ok) return highlight;
      const value: TileMessage = { type, requestId: id.value, resultId: resultId.value, part: part as TilePart, rect: rect.value, scale, view: view.value };
      if (highlight.value !== undefined) value.highlight = highlight.value;
      return { ok: true, value };
    }
    case 'sweep': {
      const id = checkRequestId(field(raw, 'requestId'));
      if (!id.ok) return id;
      const params = readPanelParams(field(raw, 'params'));
      if (!params.ok) return params;
      const axis = field(raw, 'axis');
      if (typeof axis !== 'string' || !(SWEEP_AXES as readonly string[]).includes(axis)) {
        return reject('axis must be one of ' + SWEEP_AXES.join(', '));
      }
      return { ok: true, value: { type, requestId: id.value, params: params.value, axis: axis as SweepAxisId } };
    }
    case 'copyCommand': {
      const params = readPanelParams(field(raw, 'params'));
      if (!params.ok) return params;
      const view = checkResultView(field(raw, 'view'));
      if (!view.ok) return view;
      return { ok: true, value: { type, params: params.value, view: view.value } };
    }
    case 'batch': {
      const params = readPanelParams(field(raw, 'params'));
      if (!params.ok) return params;
      return { ok: true, value: { type, params: params.value } };
    }
    case 'inspect': {
      const id = checkRequestId(field(raw, 'requestId'));
      if (!id.ok) return id;
      const resultId = checkRequestId(field(raw, 'resultId'));
      if (!resultId.ok) return resultId;
      const x = checkCoord(field(raw, 'x'), 'x');
      if (!x.ok) return x;
      const y = checkCoord(field(raw, 'y'), 'y');
      if (!y.ok) return y;
      return { ok: true, value: { type, requestId: id.value, resultId: resultId.value, x: x.value, y: y.value } };
    }
    case 'save': {
      const id = checkRequestId(field(raw, 'requestId'));
      if (!id.ok) return id;
      const params = readPanelParams(field(raw, 'params'));
      if (!params.ok) return params;
      if (field(raw, 'view') === undefined) return { ok: true, value: { type: 'save', requestId: id.value, params: params.value } };
      const view = checkResultView(field(raw, 'view'));
      if (!view.ok) return view;
      return { ok: true, value: { type: 'save', requestId: id.value, params: params.value, view: view.value } };
    }
    case 'view': {
      const id = checkRequestId(field(raw, 'requestId'));
      if (!id.ok) return id;
      const view = checkResultView(field(raw, 'view'));
      if (!view.ok) return view;
      const highlight = checkHighlight(field(raw, 'highlight'));
      if (!highlight.ok) return highlight;
      const value: ViewMessage = { type: 'view', requestId: id.value, view: view.value };
      if (highlight.value !== undefined) value.highlight = highlight.value;
      return { ok: true, value };
    }
    case 'export': {
      const id = checkRequestId(field(raw, 'requestId'));
      if (!id.ok) return id;
      const params = readPanelParams(field(raw, 'params'));
      if (!params.ok) return params;
      const what = field(raw, 'what');
      if (typeof what !== 'string' || !(EXPORT_WHATS as readonly string[]).includes(what)) {
        return reject('what must be one of ' + EXPORT_WHATS.join(', '));
      }
      return { ok: true, value: { type: 'export', requestId: id.value, params: params.value, what: what as ExportWhat } };
    }
    default:
      // String() would throw on a null-prototype object: describe non-strings by their type.
      return reject(`unknown message type ${typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : typeof type}`);
  }
}

/** Percentages of each cluster size, rounded to 0.1 (what the panel shows). */
export function sizePercents(sizes: readonly number[]): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  return sizes.map((s) => (total > 0 ? Math.round((s / total) * 1000) / 10 : 0));
}
