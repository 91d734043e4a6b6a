// The parameters of a segmentation: one model for every face (the CLI's flags, the settings, the
// panel's controls and messages, the engine). Each face reads raw values with the readers here
// against one table of limits and only decides what a bad value costs: the CLI refuses it with a
// one-line error, a setting falls back to its default with a warning, a message from the webview
// is refused, a field typed in the panel is marked invalid. No `vscode`, no DOM, no Node.
import { isOutputFormat, type OutputFormat } from './formats';

export type ColorSpace = 'bgr' | 'hsv' | 'lab' | 'ycrcb';
export const COLOR_SPACES: readonly ColorSpace[] = ['bgr', 'hsv', 'lab', 'ycrcb'];

/** Channel names by index, in OpenCV's order for each space (the reference script's `-c` digits index these). */
export const CHANNEL_NAMES: Readonly<Record<ColorSpace, readonly [string, string, string]>> = {
  bgr: ['B', 'G', 'R'],
  hsv: ['H', 'S', 'V'],
  lab: ['L', 'a', 'b'],
  ycrcb: ['Y', 'Cr', 'Cb'],
};

/**
 * The largest value of each channel in OpenCV's 8-bit conversions: hue is 0-179 (degrees / 2),
 * every other channel 0-255.
 */
export const CHANNEL_MAX: Readonly<Record<ColorSpace, readonly [number, number, number]>> = {
  bgr: [255, 255, 255],
  hsv: [179, 255, 255],
  lab: [255, 255, 255],
  ycrcb: [255, 255, 255],
};

/** Checked, normalised parameters of one segmentation. */
export interface SegmentParams {
  colorSpace: ColorSpace;
  /** Selected channel indices, distinct, 1 to 3 of them, in the order given (`-c 20` is [2, 0]). */
  channels: number[];
  /** The number of clusters (the reference script's --num-clusters, the setting `clusters`), >= 2. */
  k: number;
  /** Resize to this width (height = floor(width / W * H)); 0 keeps the original size. */
  width: number;
  /** K-means restarts with k-means++ initialisation; the run with the lowest inertia is kept. */
  nInit: number;
  maxIter: number;
  /** Seed of the random generator: the same parameters always give the same picture. */
  seed: number;
  /** sklearn's relative tolerance (scaled by the mean per-channel variance); default 1e-4. */
  tol?: number;
}

/** What the panel, the settings and the commands hold: the engine's parameters and the output format. */
export interface PanelParams extends SegmentParams {
  format: OutputFormat;
}

export const DEFAULT_PARAMS: Readonly<PanelParams> = {
  colorSpace: 'bgr',
  channels: [0, 1, 2],
  k: 3,
  width: 0,
  nInit: 40,
  maxIter: 500,
  seed: 0,
  format: 'png',
};

export const DEFAULT_TOL = 1e-4;

export type NumericParam = 'k' | 'width' | 'nInit' | 'maxIter' | 'seed';
export const NUMERIC_PARAMS: readonly NumericParam[] = ['k', 'width', 'nInit', 'maxIter', 'seed'];

export interface Range {
  min: number;
  max: number;
}

/**
 * What the engine accepts (and the CLI). k: labels are bytes. width: PNG's and the resizer's
 * limit of 65535. nInit, maxIter: past these a run takes hours, not a better optimum.
 */
export const LIMITS: Readonly<Record<NumericParam, Range>> = {
  k: { min: 2, max: 255 },
  width: { min: 0, max: 65535 },
  nInit: { min: 1, max: 1000 },
  maxIter: { min: 1, max: 100000 },
  seed: { min: 0, max: 2 ** 32 - 1 },
};

/**
 * The panel's and the settings' narrowing of LIMITS. k <= 16: the composite's gray levels stay
 * at least 17 apart and the palette, masks and plots stay readable. width <= 16384: a composite
 * of two halves stays within what a browser's canvas and a PNG viewer take. nInit <= 100 and
 * maxIter <= 10000: a change in the panel answers in seconds (40 restarts already reach
 * sklearn's optimum on the test images). The CLI keeps the engine's limits for batch work.
 */
export const PANEL_LIMITS: Readonly<Record<NumericParam, Range>> = {
  k: { min: 2, max: 16 },
  width: { min: 0, max: 16384 },
  nInit: { min: 1, max: 100 },
  maxIter: { min: 1, max: 10000 },
  seed: LIMITS.seed,
};

/** The reference script's warning when asked for fewer than 2 clusters (it then uses 2). */
export const K_WARNING = 'num-clusters < 2 invalid. Using num-clusters = 2';

// ---- readers: undefined for anything not acceptable --------------------------------------

/** An own data property of an object or array: nothing inherited and no getter run (untrusted input). */
export function ownField(o: object, key: string): unknown {
  const d = Object.getOwnPropertyDescriptor(o, key);
  return d && 'value' in d ? d.value : undefined;
}

const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** A finite number from a number, or with `fromText` also from its text ("12", "+3", "1e-3"). */
export function readNumber(value: unknown, fromText = false): number | undefined {
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (fromText && typeof value === 'string' && NUMBER_TEXT.test(value.trim())) n = Number(value.trim());
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

/** A whole number (a safe integer) as readNumber reads it; undefined for 1.5, 1e300, "3 clusters". */
export function readWhole(value: unknown, fromText = false): number | undefined {
  const n = readNumber(value, fromText);
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

export function inRange(n: number, r: Range): boolean {
  return n >= r.min && n <= r.max;
}

export function clampTo(n: number, r: Range): number {
  return Math.min(r.max, Math.max(r.min, n));
}

/**
 * Whether one more digit typed after `text` could still give a value in `r`. While it could
 * ("1" for k may become 12) the panel waits for a pause in typing before it runs; when it cannot
 * ("4" for k, typed or stepped with the arrows) the value is final and it runs at once. Anything
 * but plain digits ("", "-", "4.") waits.
 */
export function mayTakeMoreDigits(text: string, r: Range): boolean {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return true;
  const n = Number(t) * 10;
  return n <= r.max && n + 9 >= r.min;
}

/** "a whole number from 2 to 16", for messages. */
export function rangeText(r: Range): string {
  return `a whole number from ${r.min} to ${r.max}`;
}

/** A colour space by name, any case, with the reference script's `ycc` alias for ycrcb. */
export function readColorSpace(value: unknown): ColorSpace | undefined {
  if (typeof value !== 'string') return undefined;
  const t = value.trim().toLowerCase();
  const name = t === 'ycc' ? 'ycrcb' : t;
  return (COLOR_SPACES as readonly string[]).includes(name) ? (name as ColorSpace) : undefined;
}

/**
 * Channels as the reference script's `-c` and the settings write them ("all", or distinct digits 0-2 in the
 * order wanted: "20" is [2, 0]) or as a list of indices; undefined when not 1-3 distinct of 0-2.
 * A plain number is refused: 012 would silently become 12.
 */
export function readChannels(value: unknown): number[] | undefined {
  if (typeof value === 'string') {
    const t = value.trim().toLowerCase();
    if (t === 'all') return [0, 1, 2];
    if (!/^[0-2]{1,3}$/.test(t) || new Set(t).size !== t.length) return undefined;
    return [...t].map(Number);
  }
  if (!Array.isArray(value) || value.length < 1 || value.length > 3) return undefined;
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = ownField(value, String(i));
    if ((c !== 0 && c !== 1 && c !== 2) || out.includes(c)) return undefined;
    out.push(c);
  }
  return out;
}

/** "all" for every channel in the natural order, else the digits in the order given. */
export function channelsLabel(channels: readonly number[]): string {
  return channels.length === 3 && channels[0] === 0 && channels[1] === 1 && channels[2] === 2 ? 'all' : channels.join('');
}

/** "channels all" / "channels H V": how messages and summaries name a selection. */
export function channelNames(space: ColorSpace, channels: readonly number[]): string {
  return channels.map((c) => CHANNEL_NAMES[space][c]).join(' ');
}

/**
 * Panel parameters from an untrusted object (a message, a stored panel state): a fresh copy with
 * numbers clamped into PANEL_LIMITS, or the first problem found.
 */
export function readPanelParams(v: unknown): { ok: true; value: PanelParams } | { ok: false; reason: string } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, reason: 'params must be an object' };
  const colorSpace = ownField(v, 'colorSpace');
  if (typeof colorSpace !== 'string' || !(COLOR_SPACES as readonly string[]).includes(colorSpace)) {
    return { ok: false, reason: `colorSpace must be one of ${COLOR_SPACES.join(', ')}` };
  }
  const format = ownField(v, 'format');
  if (!isOutputFormat(format)) return { ok: false, reason: 'format must be an output format (png, jpg, bmp, webp, tiff)' };
  const channels = ownField(v, 'channels');
  const list = Array.isArray(channels) ? readChannels(channels) : undefined;
  if (!list) return { ok: false, reason: 'channels must be a list of 1 to 3 distinct channel indices 0-2' };
  const nums = {} as Record<NumericParam, number>;
  for (const key of NUMERIC_PARAMS) {
    const n = readWhole(ownField(v, key));
    if (n === undefined) return { ok: false, reason: `${key} must be an integer` };
    nums[key] = clampTo(n, PANEL_LIMITS[key]);
  }
  return { ok: true, value: { colorSpace: colorSpace as ColorSpace, channels: list, ...nums, format } };
}

/** The engine's fields only, in a fixed order: equal keys, equal results (the format aside). */
export function segmentKey(p: SegmentParams): string {
  return `${p.colorSpace}/${p.channels.join('')}/k${p.k}/w${p.width}/n${p.nInit}/i${p.maxIter}/s${p.seed}/t${p.tol ?? DEFAULT_TOL}`;
}

/** The engine's parameters alone, e.g. to post to a worker or print as JSON. */
export function segmentParams(p: SegmentParams): SegmentParams {
  const out: SegmentParams = { colorSpace: p.colorSpace, channels: [...p.channels], k: p.k, width: p.width, nInit: p.nInit, maxIter: p.maxIter, seed: p.seed };
  if (p.tol !== undefined) out.tol = p.tol;
  return out;
}
