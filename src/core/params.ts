// The CLI's policy over the shared parameter model (src/shared/params.ts): raw values (flags
// as text, or numbers) -> checked SegmentParams within the engine's LIMITS, or a one-line error
// naming the parameter by its flag (the reference script's names), the value given and what is accepted.

import { SegmentationError } from './errors';
import {
  CHANNEL_NAMES,
  COLOR_SPACES,
  DEFAULT_PARAMS,
  DEFAULT_TOL,
  K_WARNING,
  LIMITS,
  inRange,
  rangeText,
  readChannels,
  readColorSpace,
  readNumber,
  readWhole,
  type ColorSpace,
  type NumericParam,
  type SegmentParams,
} from '../shared/params';

function bad(message: string): SegmentationError {
  return new SegmentationError('bad-parameter', message);
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  return String(value);
}

function channelHelp(space: ColorSpace): string {
  const names = CHANNEL_NAMES[space].map((n, i) => `${i}=${n}`).join(' ');
  return `use "all" or distinct digits 0-2 (${space}: ${names}), e.g. "02"`;
}

/** The reference script's -c: "all", or a string of distinct channel digits in the order wanted ("20" is [2, 0]). */
export function parseChannels(value: unknown, space: ColorSpace): number[] {
  const channels = readChannels(value);
  if (!channels) throw bad(`channels ${show(value)} invalid: ${channelHelp(space)}`);
  return channels;
}

/** The reference script's -s, case-insensitive, with its `ycc` alias. Unknown names are refused (the reference script fell back to BGR). */
export function parseColorSpace(value: unknown): ColorSpace {
  const space = readColorSpace(value);
  if (!space) throw bad(`color-space ${show(value)} unknown: use one of ${COLOR_SPACES.join(', ')} (ycc = ycrcb), any case`);
  return space;
}

/** How the CLI's flags name the numeric parameters. */
const FLAG: Record<NumericParam, string> = { k: 'num-clusters', width: 'width', nInit: 'n-init', maxIter: 'max-iter', seed: 'seed' };

export interface ValidatedParams {
  params: SegmentParams;
  warnings: string[];
}

/**
 * Checks and normalises raw parameters (numbers or numeric strings). Missing keys take the
 * defaults; unknown keys are ignored. k < 2 becomes 2 with the reference script's warning.
 */
export function validateParams(raw: Record<string, unknown>): ValidatedParams {
  const warnings: string[] = [];
  const given = (key: string): boolean => raw[key] !== undefined && raw[key] !== null;

  const colorSpace = given('colorSpace') ? parseColorSpace(raw.colorSpace) : DEFAULT_PARAMS.colorSpace;
  const channels = given('channels') ? parseChannels(raw.channels, colorSpace) : [...DEFAULT_PARAMS.channels];

  const whole = (key: NumericParam): number => {
    if (!given(key)) return DEFAULT_PARAMS[key];
    const n = readWhole(raw[key], true);
    const low = key === 'k' ? Number.MIN_SAFE_INTEGER : LIMITS[key].min;
    if (n === undefined || !inRange(n, { min: low, max: LIMITS[key].max })) {
      throw bad(`${FLAG[key]} ${show(raw[key])} invalid: use ${rangeText(LIMITS[key])}`);
    }
    if (key === 'k' && n < LIMITS.k.min) {
      warnings.push(K_WARNING);
      return LIMITS.k.min;
    }
    return n;
  };
  const k = whole('k');
  const width = whole('width');
  const nInit = whole('nInit');
  const maxIter = whole('maxIter');
  const seed = whole('seed');

  let tol = DEFAULT_TOL;
  if (given('tol')) {
    const n = readNumber(raw.tol, true);
    if (n === undefined || !(n > 0)) throw bad(`tol ${show(raw.tol)} invalid: use a finite number > 0 (default 1e-4)`);
    tol = n;
  }

  return { params: { colorSpace, channels, k, width, nInit, maxIter, seed, tol }, warnings };
}
