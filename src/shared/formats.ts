// Which files are images we read and which formats we write: the one list every face uses (the
// decoder's error messages, the explorer menu and editor selectors in package.json, the batch's
// glob and file filter, the CLI's -f and --out). A unit test checks package.json against it.

/** The formats the decoder reads, with the file extensions that name each (lower case, no dot). */
export const INPUT_FORMATS: ReadonlyArray<{ name: string; extensions: readonly string[] }> = [
  { name: 'PNG', extensions: ['png'] },
  { name: 'JPEG', extensions: ['jpg', 'jpeg', 'jpe', 'jfif'] },
  { name: 'WebP', extensions: ['webp'] },
  { name: 'AVIF', extensions: ['avif'] },
  { name: 'BMP', extensions: ['bmp', 'dib'] },
  { name: 'GIF', extensions: ['gif'] },
  { name: 'TIFF', extensions: ['tif', 'tiff'] },
];

export const IMAGE_EXTENSIONS: readonly string[] = INPUT_FORMATS.flatMap((f) => f.extensions);

function listed(names: readonly string[], last: 'and' | 'or'): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} ${last} ${names[names.length - 1]}`;
}

/** "PNG, JPEG, WebP, AVIF, BMP, GIF and TIFF" (or "... or TIFF"), as messages to people list them. */
export function imageFormatsText(last: 'and' | 'or' = 'and'): string {
  return listed(INPUT_FORMATS.map((f) => f.name), last);
}

/** The extension of a file name, lower case, without the dot ('' when there is none). */
export function extensionOf(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** Whether a file name ends with the extension of a format we read (any case). */
export function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(extensionOf(name));
}

/** The batch's default glob: every image extension, in lower and upper case. */
export function imageGlob(): string {
  return `**/*.{${[...IMAGE_EXTENSIONS, ...IMAGE_EXTENSIONS.map((e) => e.toUpperCase())].join(',')}}`;
}

/** package.json's `when` clauses match image files with `resourceExtname =~ <this>`. */
export function imageExtnameRegex(): string {
  return `/\\.(${IMAGE_EXTENSIONS.join('|')})$/i`;
}

/** Image formats VS Code or other tools open that the decoder does not read, by extension. */
const UNREADABLE: Readonly<Record<string, string>> = {
  ico: 'ICO',
  cur: 'CUR',
  svg: 'SVG',
  heic: 'HEIC',
  heif: 'HEIF',
  jxl: 'JPEG XL',
  jp2: 'JPEG 2000',
  j2k: 'JPEG 2000',
  jpf: 'JPEG 2000',
  jpx: 'JPEG 2000',
  psd: 'Photoshop (PSD)',
  exr: 'OpenEXR',
  hdr: 'Radiance HDR',
  pbm: 'PBM',
  pgm: 'PGM',
  ppm: 'PPM',
  pnm: 'PNM',
  tga: 'TGA',
  apng: 'APNG',
};

/**
 * What to tell someone who asks to segment a file we cannot read but recognise as an image
 * ("SVG images cannot be segmented: ..."), or undefined when its name is not one of those.
 */
export function unreadableImageMessage(name: string): string | undefined {
  const kind = UNREADABLE[extensionOf(name)];
  return kind ? `${name}: ${kind} images cannot be segmented; K-means Segmentation reads ${imageFormatsText()}.` : undefined;
}

/** What the reference script's -f may name (OpenCV's imwrite writes them all); `tiff` files end in .tiff. */
export type OutputFormat = 'png' | 'jpg' | 'bmp' | 'webp' | 'tiff';

/**
 * Every output format with the extensions that select it in -f and --out (`shown` in help and
 * errors; `aliases` accepted too, as OpenCV's imwrite accepts them).
 */
const OUTPUT_TABLE: ReadonlyArray<{ format: OutputFormat; shown: readonly string[]; aliases: readonly string[] }> = [
  { format: 'png', shown: ['png'], aliases: [] },
  { format: 'jpg', shown: ['jpg', 'jpeg'], aliases: ['jpe'] },
  { format: 'bmp', shown: ['bmp'], aliases: ['dib'] },
  { format: 'webp', shown: ['webp'], aliases: [] },
  { format: 'tiff', shown: ['tif', 'tiff'], aliases: [] },
];

/** Every output format, in the order settings and help list them. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = OUTPUT_TABLE.map((o) => o.format);

/** The extensions -f and --out accept, as help and errors list them: "png, jpg, ... tif or tiff". */
export const OUTPUT_EXTENSIONS_TEXT = listed(
  OUTPUT_TABLE.flatMap((o) => o.shown),
  'or',
);

export function isOutputFormat(v: unknown): v is OutputFormat {
  return typeof v === 'string' && (OUTPUT_FORMATS as readonly string[]).includes(v);
}

/** The output format for a file extension or a `-f` value (any case, leading dot allowed). */
export function formatFromName(ext: string): OutputFormat | undefined {
  const e = ext.trim().toLowerCase().replace(/^\./, '');
  return OUTPUT_TABLE.find((o) => o.shown.includes(e) || o.aliases.includes(e))?.format;
}
