// Command-line parsing: the reference script's flags exactly (-i -w -s -c -n -o -f), plus ours. A usage
// mistake is a UsageError (exit 2) with one line; parameter values are checked by core/params so
// the CLI, the settings and the panel refuse the same things with the same words.

import { DEFAULT_MAX_PIXELS } from '../core/decode';
import { isSegmentationError } from '../core/errors';
import { validateParams } from '../core/params';
import { parseKRange } from '../core/sweep';
import type { ResultMode } from '../core/insight/render';
import { formatFromName, OUTPUT_EXTENSIONS_TEXT, type OutputFormat } from '../shared/formats';
import type { SegmentParams } from '../shared/params';

const MODES: readonly ResultMode[] = ['gray', 'mean', 'mask', 'boundaries'];
const MAX_JOBS = 256;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliOptions {
  images: string[];
  params: SegmentParams;
  /** Warnings from the parameters (the reference script's k < 2 one). */
  warnings: string[];
  /** -o: save the composite beside each input, named by outputName. */
  outputFile: boolean;
  /** -f: format of the -o file. */
  outputFormat: OutputFormat;
  /** --out: the composite at this path (refuses an existing file). */
  out?: string;
  outFormat?: OutputFormat;
  /** --labels: the gray label PNG at this path. */
  labels?: string;
  /** --palette: the clusters as JSON (centres, mean RGB, sizes) at this path. */
  palette?: string;
  /** --mode: how the composite's right half shows the clusters. */
  mode: ResultMode;
  /** --select: the cluster ranks --mode mask keeps. */
  select: number[];
  json: boolean;
  /** --sweep / --sweep-k: Explore's sweep instead of one segmentation (see sweep.ts). */
  sweep?: { kind: 'channels' } | { kind: 'k'; from: number; to: number };
  maxPixels: number;
  /** --jobs: images segmented at once in a batch; undefined: one per core, fewer when memory says so. */
  jobs?: number;
  /** --recursive: a folder given as input takes its subfolders' images too. */
  recursive: boolean;
  /** --skip-done: inputs with a composite for these parameters beside them are skipped. */
  skipDone: boolean;
  help: boolean;
  version: boolean;
}

type Kind = 'value' | 'flag';

interface Spec {
  key: string;
  kind: Kind;
  /** Repeatable flags collect every value. */
  many?: boolean;
}

const LONG: Record<string, Spec> = {
  '--image': { key: 'image', kind: 'value', many: true },
  '--width': { key: 'width', kind: 'value' },
  '--color-space': { key: 'colorSpace', kind: 'value' },
  '--channels': { key: 'channels', kind: 'value' },
  '--num-clusters': { key: 'k', kind: 'value' },
  '--output-file': { key: 'outputFile', kind: 'flag' },
  '--output-format': { key: 'outputFormat', kind: 'value' },
  '--out': { key: 'out', kind: 'value' },
  '--labels': { key: 'labels', kind: 'value' },
  '--palette': { key: 'palette', kind: 'value' },
  '--mode': { key: 'mode', kind: 'value' },
  '--select': { key: 'select', kind: 'value' },
  '--seed': { key: 'seed', kind: 'value' },
  '--n-init': { key: 'nInit', kind: 'value' },
  '--max-iter': { key: 'maxIter', kind: 'value' },
  '--max-megapixels': { key: 'maxMegapixels', kind: 'value' },
  '--json': { key: 'json', kind: 'flag' },
  '--jobs': { key: 'jobs', kind: 'value' },
  '--recursive': { key: 'recursive', kind: 'flag' },
  '--skip-done': { key: 'skipDone', kind: 'flag' },
  '--sweep': { key: 'sweep', kind: 'flag' },
  '--sweep-k': { key: 'sweepK', kind: 'value' },
  '--help': { key: 'help', kind: 'flag' },
  '--version': { key: 'version', kind: 'flag' },
};

const SHORT: Record<string, string> = {
  '-i': '--image',
  '-w': '--width',
  '-s': '--color-space',
  '-c': '--channels',
  '-n': '--num-clusters',
  '-o': '--output-file',
  '-f': '--output-format',
  '-j': '--jobs',
  '-r': '--recursive',
  '-h': '--help',
  '-V': '--version',
};

/** As argparse: a following "-1" is a value (a negative number), "-w" is not. */
function looksLikeOption(arg: string): boolean {
  return arg.startsWith('-') && arg !== '-' && !/^-\d|^-\.\d/.test(arg);
}

function extension(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1) : '';
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const values: Record<string, string> = {};
  const images: string[] = [];
  const flags = new Set<string>();

  let i = 0;
  let onlyPositional = false;
  while (i < argv.length) {
    const arg = argv[i++]!;
    if (onlyPositional || !arg.startsWith('-') || arg === '-') {
      images.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositional = true;
      continue;
    }
    let name = arg;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq > 0) {
        name = arg.slice(0, eq);
        inline = arg.slice(eq + 1);
      }
    } else if (arg.length > 2) {
      // -w300, as argparse accepts
      name = arg.slice(0, 2);
      inline = arg.slice(2);
    }
    const long = name.startsWith('--') ? name : SHORT[name];
    const spec = long ? LONG[long] : undefined;
    if (!long || !spec) throw new UsageError(`unknown option ${arg}`);
    if (spec.kind === 'flag') {
      if (inline !== undefined) throw new UsageError(`${name} takes no value`);
      flags.add(spec.key);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i];
      if (next === undefined || looksLikeOption(next)) throw new UsageError(`${name} needs a value`);
      value = next;
      i++;
    }
    if (spec.many) images.push(value);
    else values[spec.key] = value;
  }

  const help = flags.has('help');
  const version = flags.has('version');

  let params: SegmentParams;
  let warnings: string[];
  try {
    ({ params, warnings } = validateParams({
      colorSpace: values.colorSpace,
      channels: values.channels,
      k: values.k,
      width: values.width,
      nInit: values.nInit,
      maxIter: values.maxIter,
      seed: values.seed,
    }));
  } catch (e) {
    if (isSegmentationError(e)) throw new UsageError(e.message);
    throw e;
  }

  const formatText = values.outputFormat ?? 'png';
  const outputFormat = formatFromName(formatText);
  if (!outputFormat) throw new UsageError(`output-format "${formatText}" unsupported: use ${OUTPUT_EXTENSIONS_TEXT}`);

  let outFormat: OutputFormat | undefined;
  if (values.out !== undefined) {
    if (values.out === '') throw new UsageError('--out needs a file path');
    outFormat = formatFromName(extension(values.out));
    if (!outFormat) throw new UsageError(`--out ${values.out}: name the file .png, .jpg, .jpeg, .bmp, .webp, .tif or .tiff`);
  }
  if (values.labels !== undefined) {
    if (values.labels === '') throw new UsageError('--labels needs a file path');
    if (extension(values.labels).toLowerCase() !== 'png') throw new UsageError(`--labels ${values.labels}: the label image is a PNG; name it .png`);
  }

  if (values.palette !== undefined) {
    if (values.palette === '') throw new UsageError('--palette needs a file path');
    if (extension(values.palette).toLowerCase() !== 'json') throw new UsageError(`--palette ${values.palette}: the palette is JSON; name it .json`);
  }
  const mode = (values.mode ?? 'gray').toLowerCase() as ResultMode;
  if (!MODES.includes(mode)) throw new UsageError(`mode "${values.mode}" unsupported: use ${MODES.join(', ')}`);
  let select: number[] = [];
  if (values.select !== undefined) {
    if (mode !== 'mask') throw new UsageError('--select picks the clusters of --mode mask; add --mode mask');
    const parts = values.select.split(',').map((t) => t.trim());
    if (parts.some((t) => !/^\d{1,3}$/.test(t) || Number(t) > 254)) {
      throw new UsageError(`select "${values.select}" invalid: use cluster ranks 0-254 separated by commas, e.g. 0,2`);
    }
    select = [...new Set(parts.map(Number))].sort((a, b) => a - b);
  } else if (mode === 'mask') {
    throw new UsageError('--mode mask needs --select RANKS (e.g. --select 2; rank 0 is the largest cluster)');
  }

  let sweep: CliOptions['sweep'];
  if (flags.has('sweep') || values.sweepK !== undefined) {
    if (values.sweepK !== undefined) {
      const range = parseKRange(values.sweepK);
      if (!range) throw new UsageError(`sweep-k "${values.sweepK}" invalid: use a range of k like 2-6 (2-255)`);
      sweep = { kind: 'k', ...range };
    } else sweep = { kind: 'channels' };
    if (flags.has('outputFile')) throw new UsageError('--sweep writes a contact sheet, not a composite: name it with --out PATH.png');
    if (values.labels !== undefined || values.palette !== undefined) throw new UsageError('--labels and --palette describe one segmentation, not a sweep');
    if (mode !== 'gray' && mode !== 'mean') throw new UsageError('--sweep shows its settings in --mode gray or mean');
    if (outFormat !== undefined && outFormat !== 'png') throw new UsageError(`--out ${values.out}: the contact sheet is a PNG; name it .png`);
  }

  let maxPixels = DEFAULT_MAX_PIXELS;
  if (values.maxMegapixels !== undefined) {
    const mp = Number(values.maxMegapixels);
    if (!/^\s*\d*\.?\d+(e[+-]?\d+)?\s*$/i.test(values.maxMegapixels) || !Number.isFinite(mp) || mp <= 0) {
      throw new UsageError(`max-megapixels "${values.maxMegapixels}" invalid: use a number > 0 (default ${DEFAULT_MAX_PIXELS / 1e6})`);
    }
    maxPixels = Math.floor(mp * 1e6);
  }

  let jobs: number | undefined;
  if (values.jobs !== undefined) {
    if (!/^\s*\d+\s*$/.test(values.jobs) || Number(values.jobs) < 1 || Number(values.jobs) > MAX_JOBS) {
      throw new UsageError(`jobs "${values.jobs}" invalid: use a whole number from 1 to ${MAX_JOBS} (default: the number of cores)`);
    }
    jobs = Number(values.jobs);
  }
  const skipDone = flags.has('skipDone');
  if (skipDone && !flags.has('outputFile')) throw new UsageError('--skip-done looks for the composites -o saves beside the inputs: add -o');
  if (sweep && (jobs !== undefined || skipDone)) throw new UsageError('--jobs and --skip-done are for segmentations; --sweep runs one image at a time');

  if (!help && !version) {
    if (images.length === 0) throw new UsageError('no image given: kmeans-segment -i IMAGE [options]');
    if (images.length > 1 && (values.out !== undefined || values.labels !== undefined)) {
      throw new UsageError(`--out and --labels name one file: give one image, not ${images.length} (use -o for a batch)`);
    }
    if (images.length > 1 && values.palette !== undefined) {
      throw new UsageError(`--palette names one file: give one image, not ${images.length}`);
    }
  }

  return {
    images,
    params,
    warnings,
    outputFile: flags.has('outputFile'),
    outputFormat,
    out: values.out,
    outFormat,
    labels: values.labels,
    palette: values.palette,
    mode,
    select,
    sweep,
    json: flags.has('json'),
    maxPixels,
    jobs,
    recursive: flags.has('recursive'),
    skipDone,
    help,
    version,
  };
}

export const HELP = `Usage: kmeans-segment [options] IMAGE...
       kmeans-segment -i IMAGE [-i IMAGE ...] [options]
       kmeans-segment -i FOLDER [--recursive] -o [--skip-done] [--jobs N] [--json]

K-means colour segmentation (after Najam Syed's color_segmentation.py): the image, a gray
strip, and the clusters in gray (the most frequent cluster black).

Options of the original script:
  -i, --image PATH           image to segment (repeatable; paths may also be given bare): PNG,
                             JPEG, WebP, AVIF, BMP, GIF or TIFF; a folder takes its images
  -w, --width N              resize to this width first (INTER_AREA); 0 keeps the size (default 0)
  -s, --color-space NAME     bgr (default), hsv, lab, ycrcb (alias ycc); any case
  -c, --channels DIGITS      channels to cluster on: "all" (default) or digits 0-2, e.g. 02
  -n, --num-clusters K       number of clusters, 2-255 (default 3; below 2 becomes 2, with a warning)
  -o, --output-file          save the composite beside each input as
                             <name>_<YYYYmmddHHMMSS><space>_c<channels>n<k>.<format>
                             (never overwrites: adds -2, -3, ...)
  -f, --output-format FMT    format for -o: png (default), jpg, jpeg, bmp, webp (lossless),
                             tiff (LZW), tif

Added:
      --out PATH             write the composite to PATH (.png/.jpg/.bmp/.webp/.tif/.tiff);
                             refuses an existing file
      --labels PATH          write the gray label image to PATH (.png); refuses an existing file
      --palette PATH         write the clusters to PATH (.json): per rank its gray, size, share,
                             centre and mean RGB; refuses an existing file
      --mode MODE            the composite's right half: gray (default, the reference script's), mean (each
                             cluster in its mean colour), mask (only --select's clusters, in
                             their original colours on black), boundaries (cluster borders on
                             the image)
      --select RANKS         clusters --mode mask keeps, e.g. 2 or 0,2 (rank 0 = largest)
      --seed N               random seed, 0-4294967295 (default 0: same input, same picture)
      --n-init N             K-means restarts, 1-1000 (default 40)
      --max-iter N           iterations per restart, 1-100000 (default 500)
      --max-megapixels N     refuse larger images, read from the header (default 100)
      --json                 print one JSON object per image (the last line for one image):
                             inertia, k, iterations, clusterSizes, centers, timings (ms), ...
      --sweep                Explore: every colour space and channel subset at -n k, on the
                             image at -w (default 300), each scored by spatial coherence (1 =
                             clean regions, 0 = speckle); --out PATH.png writes a contact sheet;
                             with --json one object per setting (colorSpace, channels, k,
                             inertia, clusterSizes, score), best first
      --sweep-k RANGE        the same over k (e.g. 2-6) at -s and -c
  -h, --help                 this help
  -V, --version              the version

Batches (several images or a folder):
  -j, --jobs N               images segmented at once, each on a thread of its own (default: the
                             number of cores, fewer while larger images would not fit in memory)
  -r, --recursive            a folder's subfolders too (hidden ones are left out)
      --skip-done            with -o: skip inputs that have a composite for the same colour
                             space, channels, k and format beside them (resumes a stopped batch)
  With --json, one object per image as it ends, then {"summary": true, total, done, skipped,
  failed, seconds, imagesPerSecond, ...}. On a terminal, a progress line on stderr (n of N,
  images/s, time left). Ctrl+C stops: images being written are finished, no other file is
  left behind; run again with --skip-done to resume.

Several images are a batch: one line per image in input order (or with --json one object per
image as it ends), a failing image reported on stderr and the rest still run; files named like
our own outputs, and a folder's files that are not images, are skipped. Exit status: 0 all done,
1 an image failed, 2 a usage error, 130 stopped.`;
