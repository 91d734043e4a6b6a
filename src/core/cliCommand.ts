// The `kmeans-segment` command line that reproduces a result: the reference script's flags for what it
// has (-i -w -s -c -n -o -f), ours for the rest, and only where they differ from the defaults.
// The panel's "Copy command" uses it; the CLI reads it back (a unit test runs it).
import type { ResultMode } from './insight/render';
import { channelsLabel, DEFAULT_PARAMS, type SegmentParams } from '../shared/params';
import type { OutputFormat } from '../shared/formats';

/** A word the shell passes as it is: quoted when it has anything but safe characters. */
export function shellWord(s: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface CommandView {
  mode: ResultMode;
  selected: readonly number[];
}

export function cliCommand(imagePath: string, params: SegmentParams, format: OutputFormat, view?: CommandView): string {
  const words = ['kmeans-segment', '-i', shellWord(imagePath)];
  if (params.width > 0) words.push('-w', String(params.width));
  words.push('-s', params.colorSpace, '-c', channelsLabel(params.channels), '-n', String(params.k));
  if (params.seed !== DEFAULT_PARAMS.seed) words.push('--seed', String(params.seed));
  if (params.nInit !== DEFAULT_PARAMS.nInit) words.push('--n-init', String(params.nInit));
  if (params.maxIter !== DEFAULT_PARAMS.maxIter) words.push('--max-iter', String(params.maxIter));
  if (view && view.mode !== 'gray' && !(view.mode === 'mask' && view.selected.length === 0)) {
    words.push('--mode', view.mode);
    if (view.mode === 'mask') words.push('--select', view.selected.join(','));
  }
  words.push('-o', '-f', format);
  return words.join(' ');
}
