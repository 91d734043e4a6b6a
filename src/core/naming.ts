// Output file names. The reference script named its output <date><space>_c<channels>n<k>.<ext> in the current
// folder, with an unpadded date (2018329194036 is ambiguous) and no input name. We keep its parts,
// prefix the input's stem, zero-pad the date, and never overwrite: a taken name gets -2, -3, ...
import { COLOR_SPACES, channelsLabel, type SegmentParams } from '../shared/params';
import { OUTPUT_FORMATS, type OutputFormat } from '../shared/formats';

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Local time as YYYYmmddHHMMSS. */
export function timestamp(date: Date): string {
  return (
    String(date.getFullYear()).padStart(4, '0') +
    pad2(date.getMonth() + 1) +
    pad2(date.getDate()) +
    pad2(date.getHours()) +
    pad2(date.getMinutes()) +
    pad2(date.getSeconds())
  );
}

/** The last path component, for either separator: names may come from any platform. */
function baseName(name: string): string {
  const parts = name.split(/[\\/]/);
  return parts[parts.length - 1] ?? name;
}

/** Name without its last extension; a leading-dot name (".png") is all stem, as Python's Path.stem. */
function splitExt(name: string): [stem: string, ext: string] {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return [name, ''];
  return [name.slice(0, dot), name.slice(dot)];
}

export function outputName(inputName: string, params: SegmentParams, format: OutputFormat, date = new Date()): string {
  const [stem] = splitExt(baseName(inputName));
  return `${stem}_${timestamp(date)}${params.colorSpace}_c${channelsLabel(params.channels)}n${params.k}.${format}`;
}

/** What else the panel and the CLI save beside an image, named after the composite they go with. */
export type ExportKind = 'labels' | 'mask' | 'palette';

/** outputName with `_labels.png`, `_mask.png` or `_palette.json` in place of the extension. */
export function exportName(inputName: string, params: SegmentParams, kind: ExportKind, date = new Date()): string {
  const [stem] = splitExt(outputName(inputName, params, 'png', date));
  return `${stem}_${kind}.${kind === 'palette' ? 'json' : 'png'}`;
}

/** The i-th candidate for a name: i <= 1 is the name itself, then stem-2.ext, stem-3.ext, ... */
export function withSuffix(name: string, i: number): string {
  if (i <= 1) return name;
  const [stem, ext] = splitExt(name);
  return `${stem}-${i}${ext}`;
}

export const MAX_SUFFIX = 10000;

/** The first of name, name-2, name-3, ... for which `exists` is false. */
export async function uniqueName(name: string, exists: (name: string) => Promise<boolean>): Promise<string> {
  for (let i = 1; i <= MAX_SUFFIX; i++) {
    const candidate = withSuffix(name, i);
    if (!(await exists(candidate))) return candidate;
  }
  throw new Error(`no free name after ${MAX_SUFFIX} tries: ${name}`);
}

const OUR_OUTPUT = new RegExp(
  `_\\d{14}(${COLOR_SPACES.join('|')})_c(all|[0-2]{1,3})n\\d{1,3}(_labels|_mask)?(-\\d+)?\\.(${OUTPUT_FORMATS.join('|')})$`,
);

/** True for names outputName (and withSuffix) make, so a batch over a folder skips our own results. */
export function isOurOutput(fileName: string): boolean {
  return OUR_OUTPUT.test(baseName(fileName));
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * True when `fileName` is a composite outputName gives `inputName` for these parameters and
 * format, at any time, with or without a -2, -3, ... suffix: what a resumed batch counts as done.
 * The name records colour space, channels, k and format only (not width, restarts, seed, mode).
 */
export function isOutputOf(fileName: string, inputName: string, params: Pick<SegmentParams, 'colorSpace' | 'channels' | 'k'>, format: OutputFormat): boolean {
  const [stem] = splitExt(baseName(inputName));
  const tail = `${params.colorSpace}_c${channelsLabel(params.channels)}n${params.k}`;
  return new RegExp(`^${escapeRegExp(stem)}_\\d{14}${tail}(-\\d+)?\\.${format}$`).test(baseName(fileName));
}
