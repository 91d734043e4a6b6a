// The pure half of the batch command: which files a batch takes, and how it reports. No `vscode` import: unit-tested directly.
import { isOurOutput } from '../../core/naming';
import { isImageName } from '../../shared/formats';
import { CHANNEL_NAMES, PANEL_LIMITS, inRange, rangeText, readWhole, type NumericParam, type PanelParams } from '../../shared/params';

/**
 * A glob (the `batchGlob` setting's syntax, as VS Code's: `**`, `*`, `?`, `{a,b}`, `[abc]`) as
 * a regular expression over '/'-separated paths relative to the batch folder.
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more folders; a trailing or inner `**` matches anything.
        if (glob[i + 2] === '/') {
          re += '(?:[^/]*/)*';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      depth++;
      re += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      re += ')';
    } else if (c === ',' && depth > 0) re += '|';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (body.startsWith('!')) body = '^' + body.slice(1);
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^$()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * The files a batch segments, from paths relative to its folder: matching the glob, with an
 * image extension, not one of our own outputs; sorted, each once.
 */
export function selectBatchFiles(relPaths: readonly string[], glob: string): string[] {
  const re = globToRegExp(glob);
  const picked = new Set<string>();
  for (const raw of relPaths) {
    const p = raw.replace(/\\/g, '/').replace(/^\.\//, '');
    const base = p.slice(p.lastIndexOf('/') + 1);
    if (re.test(p) && isImageName(base) && !isOurOutput(base)) picked.add(p);
  }
  return [...picked].sort((a, b) => a.localeCompare(b, 'en'));
}

/** One line describing batch parameters, for the quick pick and the log. */
export function describeParams(p: PanelParams): string {
  const names = CHANNEL_NAMES[p.colorSpace];
  const channels = p.channels.length === 3 && p.channels.join('') === '012' ? 'all channels' : `channels ${p.channels.map((c) => names[c]).join(' ')}`;
  const width = p.width === 0 ? 'original size' : `width ${p.width}`;
  return `${p.colorSpace.toUpperCase()}, ${channels}, ${p.k} clusters, ${width}, ${p.format.toUpperCase()}`;
}

/** The input boxes' check: undefined when `text` is a whole number in the panel's range, else why not. */
export function wholeNumberProblem(text: string, key: NumericParam): string | undefined {
  const n = readWhole(text.trim() === '' ? undefined : text, true);
  return n !== undefined && inRange(n, PANEL_LIMITS[key]) ? undefined : `Enter ${rangeText(PANEL_LIMITS[key])}`;
}

/**
 * The log line of a failed file: `FAIL <where>: <problem>`. Errors name their file first
 * ("corrupt.png: not a supported image"); the line already shows it, so that prefix is dropped.
 */
export function failLine(where: string, name: string, message: string): string {
  const problem = message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message;
  return `FAIL ${where}: ${problem}`;
}
