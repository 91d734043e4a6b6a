// jimp is loaded on first use only, and only the codec a file needs: the CLI's start-up and the
// extension's activation do not pay for it until an image is decoded or encoded, and decoding
// a PNG does not initialise the GIF, TIFF, JPEG and BMP codecs (about 7 ms of a cold CLI run).
// Only jimp's core and its format codecs are used: the engine uses none of jimp's image plugins
// (it resizes, converts and composites itself), and loading them cost the CLI about a third of
// its start-up. `require`, not `import()`: esbuild keeps it lazy in the CJS bundles, and tsx's
// CJS transform (the unit tests) cannot resolve a dynamic import.
import type { ImageFormat } from './header';

/** The formats jimp's JavaScript codecs read and write (WebP and AVIF go through WebAssembly codecs). */
export type JimpCodec = Exclude<ImageFormat, 'webp' | 'avif'>;

/** Every codec's format object: the type a jimp class with all of them is declared with. */
type AllFormats = Array<
  | (typeof import('@jimp/js-bmp'))['default']
  | (typeof import('@jimp/js-bmp'))['msBmp']
  | (typeof import('@jimp/js-gif'))['default']
  | (typeof import('@jimp/js-jpeg'))['default']
  | (typeof import('@jimp/js-png'))['default']
  | (typeof import('@jimp/js-tiff'))['default']
>;

function formatsOf(codec: JimpCodec) {
  switch (codec) {
    case 'png':
      return [(require('@jimp/js-png') as typeof import('@jimp/js-png')).default];
    case 'jpeg':
      return [(require('@jimp/js-jpeg') as typeof import('@jimp/js-jpeg')).default];
    case 'gif':
      return [(require('@jimp/js-gif') as typeof import('@jimp/js-gif')).default];
    case 'tiff':
      return [(require('@jimp/js-tiff') as typeof import('@jimp/js-tiff')).default];
    case 'bmp': {
      const bmp = require('@jimp/js-bmp') as typeof import('@jimp/js-bmp');
      return [bmp.default, bmp.msBmp];
    }
  }
}

function create(formats: AllFormats) {
  const { createJimp } = require('@jimp/core') as typeof import('@jimp/core');
  return createJimp({ formats, plugins: [] });
}

/** The class type of a jimp with every codec; a one-codec class is used only for its codec. */
export type JimpClass = ReturnType<typeof create>;

const loaded = new Map<JimpCodec, { Jimp: JimpClass }>();

/** A jimp that reads and writes `codec` (and no other format). */
export function loadJimp(codec: JimpCodec): { Jimp: JimpClass } {
  let entry = loaded.get(codec);
  if (!entry) {
    entry = { Jimp: create(formatsOf(codec)) };
    loaded.set(codec, entry);
  }
  return entry;
}

/** A jimp codec's own decode and encode, called directly. */
export interface JimpFormat {
  mime: string;
  decode(data: Buffer, options?: object): { width: number; height: number; data: Uint8Array } | Promise<{ width: number; height: number; data: Uint8Array }>;
}

const formatObjects = new Map<JimpCodec, JimpFormat>();

/**
 * The codec's decoder without a jimp around it: Jimp.fromBuffer would also sniff the type again
 * (loading the file-type package) and rotate JPEGs by EXIF its own way, where the caller applies
 * the orientation as OpenCV does.
 */
export function jimpFormat(codec: JimpCodec): JimpFormat {
  let f = formatObjects.get(codec);
  if (!f) {
    f = (formatsOf(codec)[0] as () => JimpFormat)();
    formatObjects.set(codec, f);
  }
  return f;
}
