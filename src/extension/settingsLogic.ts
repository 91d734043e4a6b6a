// The pure half of settings.ts: raw values as `workspace.getConfiguration` returns them (anything
// a user can type into settings.json) -> validated panel parameters, with one warning per value
// that had to be replaced. No `vscode` import so unit tests can run it.
import {
  COLOR_SPACE_IDS,
  LIMITS,
  OUTPUT_FORMAT_IDS,
  type ColorSpaceId,
  type NumericParam,
  type OutputFormatId,
  type PanelParams,
} from '../shared/protocol';
import type { SegmentParams } from '../core/types';

export const SECTION = 'kmeansSegmentation';

/** Must equal the defaults in package.json's `contributes.configuration` (a unit test checks). */
export const SETTING_DEFAULTS = {
  colorSpace: 'bgr',
  channels: 'all',
  clusters: 3,
  width: 0,
  nInit: 40,
  maxIter: 500,
  seed: 0,
  outputFormat: 'png',
  batchGlob: '**/*.{png,jpg,jpeg,jpe,webp,avif,bmp,gif,tif,tiff,PNG,JPG,JPEG,JPE,WEBP,AVIF,BMP,GIF,TIF,TIFF}',
  maxMegapixels: 100,
} as const;

export type SettingKey = keyof typeof SETTING_DEFAULTS;
export const SETTING_KEYS = Object.keys(SETTING_DEFAULTS) as SettingKey[];

export interface Settings {
  params: PanelParams;
  batchGlob: string;
  maxMegapixels: number;
  /** One line per setting that was invalid and replaced by its default. */
  warnings: string[];
}

/** "all" or distinct digits 0-2 ("02" = first and third channel) -> indices; undefined if invalid. */
export function parseChannelSetting(v: unknown): number[] | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim().toLowerCase();
  if (s === 'all') return [0, 1, 2];
  if (!/^[0-2]{1,3}$/.test(s)) return undefined;
  const out = [...s].map(Number);
  return new Set(out).size === out.length ? out : undefined;
}

/** The settings string for channel indices: "all" for 0,1,2 in order, else the digits. */
export function channelSetting(channels: readonly number[]): string {
  return channels.join('') === '012' ? 'all' : channels.join('');
}

const MIN_MEGAPIXELS = 1;
const MAX_MEGAPIXELS = 500;

export function readSettings(raw: Partial<Record<SettingKey, unknown>>): Settings {
  const warnings: string[] = [];
  const bad = (key: SettingKey, why: string): void => {
    warnings.push(`${SECTION}.${key}: ${why}; using ${JSON.stringify(SETTING_DEFAULTS[key])}`);
  };
  const pick = <T>(key: SettingKey, ok: (v: unknown) => v is T, why: string): T => {
    const v = raw[key];
    if (v === undefined || v === null) return SETTING_DEFAULTS[key] as T;
    if (ok(v)) return v;
    bad(key, why);
    return SETTING_DEFAULTS[key] as T;
  };
  const intIn =
    (p: NumericParam) =>
    (v: unknown): v is number =>
      typeof v === 'number' && Number.isSafeInteger(v) && v >= LIMITS[p].min && v <= LIMITS[p].max;
  const range = (p: NumericParam): string => `must be an integer from ${LIMITS[p].min} to ${LIMITS[p].max}`;

  const colorSpace = pick<ColorSpaceId>(
    'colorSpace',
    (v): v is ColorSpaceId => typeof v === 'string' && (COLOR_SPACE_IDS as readonly string[]).includes(v.toLowerCase()),
    `must be one of ${COLOR_SPACE_IDS.join(', ')}`,
  ).toLowerCase() as ColorSpaceId;

  let channels = parseChannelSetting(raw.channels ?? SETTING_DEFAULTS.channels);
  if (!channels) {
    bad('channels', 'must be "all" or distinct digits 0-2 such as "02"');
    channels = [0, 1, 2];
  }

  const format = pick<OutputFormatId>(
    'outputFormat',
    (v): v is OutputFormatId => typeof v === 'string' && (OUTPUT_FORMAT_IDS as readonly string[]).includes(v),
    `must be one of ${OUTPUT_FORMAT_IDS.join(', ')}`,
  );

  const batchGlob = pick<string>(
    'batchGlob',
    (v): v is string => typeof v === 'string' && v.trim().length > 0,
    'must be a non-empty glob pattern',
  ).trim();

  const maxMegapixels = pick<number>(
    'maxMegapixels',
    (v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= MIN_MEGAPIXELS && v <= MAX_MEGAPIXELS,
    `must be a number from ${MIN_MEGAPIXELS} to ${MAX_MEGAPIXELS}`,
  );

  return {
    params: {
      colorSpace,
      channels,
      k: pick<number>('clusters', intIn('k'), range('k')),
      width: pick<number>('width', intIn('width'), range('width')),
      nInit: pick<number>('nInit', intIn('nInit'), range('nInit')),
      maxIter: pick<number>('maxIter', intIn('maxIter'), range('maxIter')),
      seed: pick<number>('seed', intIn('seed'), range('seed')),
      format,
    },
    batchGlob,
    maxMegapixels,
    warnings,
  };
}

/** The engine's parameters from the panel's (the output format is not the engine's business). */
export function toSegmentParams(p: PanelParams): SegmentParams {
  return {
    colorSpace: p.colorSpace,
    channels: [...p.channels],
    k: p.k,
    width: p.width,
    nInit: p.nInit,
    maxIter: p.maxIter,
    seed: p.seed,
  };
}

/** Same engine parameters (the format aside): a finished result for one serves the other. */
export function sameSegmentParams(a: PanelParams, b: PanelParams): boolean {
  return JSON.stringify(toSegmentParams(a)) === JSON.stringify(toSegmentParams(b));
}
