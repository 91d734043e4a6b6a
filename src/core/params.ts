// Parameters from people (CLI flags, settings, the panel) -> validated SegmentParams. Every
// refusal is one line naming the parameter, the value given and what is accepted. Names in
// messages are the CLI's flag names, which are also the seed's.

import { SegmentationError } from './errors';
import { CHANNEL_NAMES, COLOR_SPACES, type ColorSpace, type SegmentParams } from './types';

export const DEFAULT_PARAMS: SegmentParams = {
  colorSpace: 'bgr',
  channels: [0, 1, 2],
  k: 3,
  width: 0,
  nInit: 40,
  maxIter: 500,
  seed: 0,
  tol: 1e-4,
};

export const MAX_K = 255;
export const MAX_WIDTH = 65535;
export const MAX_N_INIT = 1000;
export const MAX_MAX_ITER = 100000;
export const MAX_SEED = 2 ** 32 - 1;

export const K_WARNING = 'num-clusters < 2 invalid. Using num-clusters = 2';

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

/** The seed's -c: "all", or a string of distinct channel digits in the order wanted ("20" is [2, 0]). */
export function parseChannels(text: string, space: ColorSpace): number[] {
  const t = text.trim();
  if (t.toLowerCase() === 'all') return [0, 1, 2];
  if (!/^[0-2]{1,3}$/.test(t) || new Set(t).size !== t.length) {
    throw bad(`channels ${show(text)} invalid: ${channelHelp(space)}`);
  }
  return [...t].map(Number);
}

function checkChannelArray(value: unknown[], space: ColorSpace): number[] {
  const ok =
    value.length >= 1 &&
    value.length <= 3 &&
    value.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 2) &&
    new Set(value).size === value.length;
  if (!ok) throw bad(`channels ${show(value)} invalid: ${channelHelp(space)}`);
  return [...(value as number[])];
}

/** The seed's -s, case-insensitive, with its `ycc` alias. Unknown names are refused (the seed fell back to BGR). */
export function parseColorSpace(text: string): ColorSpace {
  const t = text.trim().toLowerCase();
  const name = t === 'ycc' ? 'ycrcb' : t;
  if ((COLOR_SPACES as readonly string[]).includes(name)) return name as ColorSpace;
  throw bad(`color-space ${show(text)} unknown: use one of ${COLOR_SPACES.join(', ')} (ycc = ycrcb), any case`);
}

/** "all" for every channel in the natural order, else the digits in the order given. */
export function channelsLabel(channels: readonly number[]): string {
  if (channels.length === 3 && channels[0] === 0 && channels[1] === 1 && channels[2] === 2) return 'all';
  return channels.join('');
}

const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** A finite number from a number or a numeric string; undefined for anything else. */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMBER_TEXT.test(value.trim())) return Number(value.trim());
  return undefined;
}

function wholeInRange(name: string, value: unknown, min: number, max: number): number {
  const n = toNumber(value);
  if (n === undefined || !Number.isInteger(n) || n < min || n > max) {
    throw bad(`${name} ${show(value)} invalid: use a whole number from ${min} to ${max}`);
  }
  return n;
}

export interface ValidatedParams {
  params: SegmentParams;
  warnings: string[];
}

/**
 * Checks and normalises raw parameters (numbers or numeric strings). Missing keys take the
 * defaults; unknown keys are ignored. k < 2 becomes 2 with the seed's warning.
 */
export function validateParams(raw: Record<string, unknown>): ValidatedParams {
  const warnings: string[] = [];
  const given = (key: string): boolean => raw[key] !== undefined && raw[key] !== null;

  let colorSpace = DEFAULT_PARAMS.colorSpace;
  if (given('colorSpace')) {
    if (typeof raw.colorSpace !== 'string') throw bad(`color-space ${show(raw.colorSpace)} invalid: use one of ${COLOR_SPACES.join(', ')}`);
    colorSpace = parseColorSpace(raw.colorSpace);
  }

  let channels = [...DEFAULT_PARAMS.channels];
  if (given('channels')) {
    const c = raw.channels;
    if (typeof c === 'string') channels = parseChannels(c, colorSpace);
    else if (Array.isArray(c)) channels = checkChannelArray(c, colorSpace);
    // A plain number is refused: 012 would silently become 12.
    else throw bad(`channels ${show(c)} invalid: ${channelHelp(colorSpace)}`);
  }

  let k = DEFAULT_PARAMS.k;
  if (given('k')) {
    const n = toNumber(raw.k);
    if (n === undefined || !Number.isInteger(n) || n > MAX_K) {
      throw bad(`num-clusters ${show(raw.k)} invalid: use a whole number from 2 to ${MAX_K}`);
    }
    if (n < 2) {
      warnings.push(K_WARNING);
      k = 2;
    } else {
      k = n;
    }
  }

  const width = given('width') ? wholeInRange('width', raw.width, 0, MAX_WIDTH) : DEFAULT_PARAMS.width;
  const nInit = given('nInit') ? wholeInRange('n-init', raw.nInit, 1, MAX_N_INIT) : DEFAULT_PARAMS.nInit;
  const maxIter = given('maxIter') ? wholeInRange('max-iter', raw.maxIter, 1, MAX_MAX_ITER) : DEFAULT_PARAMS.maxIter;
  const seed = given('seed') ? wholeInRange('seed', raw.seed, 0, MAX_SEED) : DEFAULT_PARAMS.seed;

  let tol = DEFAULT_PARAMS.tol;
  if (given('tol')) {
    const n = toNumber(raw.tol);
    if (n === undefined || !(n > 0)) throw bad(`tol ${show(raw.tol)} invalid: use a finite number > 0 (default 1e-4)`);
    tol = n;
  }

  return { params: { colorSpace, channels, k, width, nInit, maxIter, seed, tol }, warnings };
}
