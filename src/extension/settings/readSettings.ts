// The pure half of settings.ts: raw values as `workspace.getConfiguration` returns them (anything
// a user can type into settings.json) -> checked panel parameters, with one warning per value that
// had to be replaced by its default. No `vscode` import so unit tests can run it.
import { imageGlob, isOutputFormat } from '../../shared/formats';
import {
  DEFAULT_PARAMS,
  PANEL_LIMITS,
  channelsLabel,
  inRange,
  rangeText,
  readChannels,
  readColorSpace,
  readWhole,
  type NumericParam,
  type PanelParams,
} from '../../shared/params';

export const SECTION = 'kmeansSegmentation';

/** Must equal the defaults in package.json's `contributes.configuration` (a unit test checks). */
export const SETTING_DEFAULTS = {
  colorSpace: DEFAULT_PARAMS.colorSpace,
  channels: channelsLabel(DEFAULT_PARAMS.channels),
  clusters: DEFAULT_PARAMS.k,
  width: DEFAULT_PARAMS.width,
  nInit: DEFAULT_PARAMS.nInit,
  maxIter: DEFAULT_PARAMS.maxIter,
  seed: DEFAULT_PARAMS.seed,
  outputFormat: DEFAULT_PARAMS.format,
  batchGlob: imageGlob(),
  maxMegapixels: 100,
} as const;

export type SettingKey = keyof typeof SETTING_DEFAULTS;
export const SETTING_KEYS = Object.keys(SETTING_DEFAULTS) as SettingKey[];

/** The settings' names of the numeric parameters (the cluster count is `clusters`, as in the panel). */
const NUMERIC_SETTINGS: ReadonlyArray<[NumericParam, SettingKey]> = [
  ['k', 'clusters'],
  ['width', 'width'],
  ['nInit', 'nInit'],
  ['maxIter', 'maxIter'],
  ['seed', 'seed'],
];

export interface Settings {
  params: PanelParams;
  batchGlob: string;
  maxMegapixels: number;
  /** One line per setting that was invalid and replaced by its default. */
  warnings: string[];
}

const MEGAPIXELS = { min: 1, max: 500 };

export function readSettings(raw: Partial<Record<SettingKey, unknown>>): Settings {
  const warnings: string[] = [];
  /** The value read, or the default (with a warning when a value was given but not acceptable). */
  const pick = <T>(key: SettingKey, read: (v: unknown) => T | undefined, why: string): T => {
    const v = raw[key];
    const got = v === undefined || v === null ? undefined : read(v);
    if (got !== undefined) return got;
    if (v !== undefined && v !== null) warnings.push(`${SECTION}.${key}: ${why}; using ${JSON.stringify(SETTING_DEFAULTS[key])}`);
    return read(SETTING_DEFAULTS[key]) as T;
  };

  const colorSpace = pick('colorSpace', readColorSpace, 'must be one of bgr, hsv, lab, ycrcb');
  const channels = pick('channels', (v) => (typeof v === 'string' ? readChannels(v) : undefined), 'must be "all" or distinct digits 0-2 such as "02"');
  const format = pick('outputFormat', (v) => (isOutputFormat(v) ? v : undefined), 'must be one of png, jpg, bmp, webp, tiff');
  const batchGlob = pick('batchGlob', (v) => (typeof v === 'string' && v.trim() ? v.trim() : undefined), 'must be a non-empty glob pattern');
  const maxMegapixels = pick(
    'maxMegapixels',
    (v) => (typeof v === 'number' && Number.isFinite(v) && inRange(v, MEGAPIXELS) ? v : undefined),
    `must be a number from ${MEGAPIXELS.min} to ${MEGAPIXELS.max}`,
  );

  const params: PanelParams = { ...DEFAULT_PARAMS, colorSpace, channels, format };
  for (const [param, key] of NUMERIC_SETTINGS) {
    const range = PANEL_LIMITS[param];
    params[param] = pick(key, (v) => {
      const n = readWhole(v);
      return n !== undefined && inRange(n, range) ? n : undefined;
    }, `must be ${rangeText(range).replace('a whole number', 'an integer')}`);
  }
  return { params, batchGlob, maxMegapixels, warnings };
}
