// The message protocol between the extension host (src/extension/panel.ts) and the panel's
// webview (src/webview/main.ts): both directions as discriminated unions, in one module so the
// two sides cannot drift. The webview is untrusted input to the host: every message it sends
// goes through validateWebviewMessage, which rebuilds a fresh object from checked fields.
// No `vscode` and no DOM here: unit tests import this file directly.

export type ColorSpaceId = 'bgr' | 'hsv' | 'lab' | 'ycrcb';
export type OutputFormatId = 'png' | 'jpg' | 'bmp' | 'webp' | 'tiff';

export const COLOR_SPACE_IDS: readonly ColorSpaceId[] = ['bgr', 'hsv', 'lab', 'ycrcb'];
export const OUTPUT_FORMAT_IDS: readonly OutputFormatId[] = ['png', 'jpg', 'bmp', 'webp', 'tiff'];

/** Channel names per colour space, in OpenCV's order (the checkboxes' labels). */
export const CHANNEL_LABELS: Record<ColorSpaceId, readonly [string, string, string]> = {
  bgr: ['B', 'G', 'R'],
  hsv: ['H', 'S', 'V'],
  lab: ['L', 'a', 'b'],
  ycrcb: ['Y', 'Cr', 'Cb'],
};

/** Inclusive ranges of the numeric parameters; the panel's inputs and the host use the same. */
export const LIMITS = {
  k: { min: 2, max: 16 },
  width: { min: 0, max: 16384 },
  nInit: { min: 1, max: 100 },
  maxIter: { min: 1, max: 10000 },
  seed: { min: 0, max: 4294967295 },
} as const;

export type NumericParam = keyof typeof LIMITS;

/** Everything the panel controls: the engine's parameters plus the output format. */
export interface PanelParams {
  colorSpace: ColorSpaceId;
  /** Distinct channel indices 0-2, 1 to 3 of them, in the order they apply. */
  channels: number[];
  k: number;
  /** 0 = original size. */
  width: number;
  nInit: number;
  maxIter: number;
  seed: number;
  format: OutputFormatId;
}

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

export type ExportWhat = 'labels' | 'palette';
export const EXPORT_WHATS: readonly ExportWhat[] = ['labels', 'palette'];

// ---- webview -> host ----------------------------------------------------------------------

/** The webview's script has loaded and listens: the host answers with `init`. */
export interface ReadyMessage {
  type: 'ready';
}

/** Segment with these parameters. A larger requestId supersedes every smaller one. */
export interface RunMessage {
  type: 'run';
  requestId: number;
  params: PanelParams;
}

/** Save the composite for these parameters beside the image. */
export interface SaveMessage {
  type: 'save';
  requestId: number;
  params: PanelParams;
  /** The right-hand image as shown; absent = the seed's gray levels. */
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

/** The right-hand image changed mode or selection: "Segment Current Image and Save" uses it too. */
export interface ViewMessage {
  type: 'view';
  view: ResultView;
}

export type WebviewMessage = ReadyMessage | RunMessage | SaveMessage | ElbowRequestMessage | ExportMessage | ViewMessage;

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

export interface ResultMessage {
  type: 'result';
  requestId: number;
  width: number;
  height: number;
  /** The composite, RGBA, width * height * 4 bytes (ready for ImageData). */
  pixels: ArrayBuffer;
  /** k after capping to the number of distinct colours. */
  k: number;
  inertia: number;
  /** Per cluster (largest first), its share of the pixels in percent. */
  sizes: number[];
  /** From the request's arrival at the host to the pixels being posted. */
  timeMs: number;
  warnings: string[];
  /** Per pixel of the (resized) image, its cluster's rank: width of the left half * height bytes. */
  labels: ArrayBuffer;
  /** The (resized) image in the colour space, 3 bytes a pixel in OpenCV's channel order. */
  converted: ArrayBuffer;
  /** Per rank, the centre in the selected channels. */
  centers: number[][];
  colorSpace: ColorSpaceId;
  channels: number[];
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

export type HostMessage =
  | InitMessage
  | DefaultsMessage
  | ResultMessage
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

/**
 * An own data property, or undefined: nothing inherited from a prototype (an object made with
 * Object.create({ type: 'run' }) has no type) and no getter is run.
 */
function field(o: object, key: string): unknown {
  const d = Object.getOwnPropertyDescriptor(o, key);
  return d && 'value' in d ? d.value : undefined;
}

/** A safe integer, clamped into the parameter's range; anything else (NaN, 1.5, "3", 1e300) is rejected. */
function checkInt(raw: Record<string, unknown>, key: NumericParam): Checked<number> {
  const v = field(raw, key);
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) return reject(`${key} must be an integer`);
  const { min, max } = LIMITS[key];
  return { ok: true, value: Math.min(max, Math.max(min, v)) };
}

export function checkChannels(v: unknown): Checked<number[]> {
  if (!Array.isArray(v) || v.length < 1 || v.length > 3) {
    return reject('channels must be a list of 1 to 3 channel indices');
  }
  const out: number[] = [];
  for (let i = 0; i < v.length; i++) {
    const c = field(v, String(i));
    if (c !== 0 && c !== 1 && c !== 2) return reject('channels must be 0, 1 or 2');
    if (out.includes(c)) return reject('channels must not repeat');
    out.push(c);
  }
  return { ok: true, value: out };
}

export function checkPanelParams(v: unknown): Checked<PanelParams> {
  if (!isRecord(v)) return reject('params must be an object');
  const colorSpace = field(v, 'colorSpace');
  if (typeof colorSpace !== 'string' || !(COLOR_SPACE_IDS as readonly string[]).includes(colorSpace)) {
    return reject('colorSpace must be one of ' + COLOR_SPACE_IDS.join(', '));
  }
  const format = field(v, 'format');
  if (typeof format !== 'string' || !(OUTPUT_FORMAT_IDS as readonly string[]).includes(format)) {
    return reject('format must be one of ' + OUTPUT_FORMAT_IDS.join(', '));
  }
  const channels = checkChannels(field(v, 'channels'));
  if (!channels.ok) return channels;
  const nums = {} as Record<NumericParam, number>;
  for (const key of Object.keys(LIMITS) as NumericParam[]) {
    const r = checkInt(v, key);
    if (!r.ok) return r;
    nums[key] = r.value;
  }
  return {
    ok: true,
    value: {
      colorSpace: colorSpace as ColorSpaceId,
      channels: channels.value,
      k: nums.k,
      width: nums.width,
      nInit: nums.nInit,
      maxIter: nums.maxIter,
      seed: nums.seed,
      format: format as OutputFormatId,
    },
  };
}

/** The largest number of clusters, so the largest rank a selection may name is this - 1. */
const MAX_RANKS = LIMITS.k.max;

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
    case 'ready':
      return { ok: true, value: { type: 'ready' } };
    case 'run':
    case 'elbow': {
      const id = checkRequestId(field(raw, 'requestId'));
      if (!id.ok) return id;
      const params = checkPanelParams(field(raw, 'params'));
      if (!params.ok) return params;
      return { ok: true, value: { type, requestId: id.value, params: params.value } };
    }
    case 'save': {
      const id = checkRequestId(field(raw, 'requestId'));
      if (!id.ok) return id;
      const params = checkPanelParams(field(raw, 'params'));
      if (!params.ok) return params;
      if (field(raw, 'view') === undefined) return { ok: true, value: { type: 'save', requestId: id.value, params: params.value } };
      const view = checkResultView(field(raw, 'view'));
      if (!view.ok) return view;
      return { ok: true, value: { type: 'save', requestId: id.value, params: params.value, view: view.value } };
    }
    case 'view': {
      const view = checkResultView(field(raw, 'view'));
      if (!view.ok) return view;
      return { ok: true, value: { type: 'view', view: view.value } };
    }
    case 'export': {
      const id = checkRequestId(field(raw, 'requestId'));
      if (!id.ok) return id;
      const params = checkPanelParams(field(raw, 'params'));
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

/** The host's gate: a validated copy of the message, or undefined (log `checkWebviewMessage`'s reason). */
export function validateWebviewMessage(raw: unknown): WebviewMessage | undefined {
  const r = checkWebviewMessage(raw);
  return r.ok ? r.value : undefined;
}

/** Percentages of each cluster size, rounded to 0.1 (what the panel shows). */
export function sizePercents(sizes: readonly number[]): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  return sizes.map((s) => (total > 0 ? Math.round((s / total) * 1000) / 10 : 0));
}
