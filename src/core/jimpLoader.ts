// jimp is loaded on first use only: the CLI's start-up and the extension's activation do not pay
// for it until an image is decoded or encoded. Only jimp's core and its format codecs are loaded:
// the engine uses none of jimp's image plugins (it resizes, converts and composites itself), and
// loading them cost the CLI about a third of its start-up. `require`, not `import()`: esbuild
// keeps it lazy in the CJS bundles, and tsx's CJS transform (the unit tests) cannot resolve a
// dynamic import.

function build() {
  const { createJimp } = require('@jimp/core') as typeof import('@jimp/core');
  const bmp = require('@jimp/js-bmp') as typeof import('@jimp/js-bmp');
  const gif = (require('@jimp/js-gif') as typeof import('@jimp/js-gif')).default;
  const jpeg = (require('@jimp/js-jpeg') as typeof import('@jimp/js-jpeg')).default;
  const png = (require('@jimp/js-png') as typeof import('@jimp/js-png')).default;
  const tiff = (require('@jimp/js-tiff') as typeof import('@jimp/js-tiff')).default;
  return createJimp({ formats: [bmp.default, bmp.msBmp, gif, jpeg, png, tiff], plugins: [] });
}

export type JimpClass = ReturnType<typeof build>;

let loaded: { Jimp: JimpClass } | undefined;

export function loadJimp(): { Jimp: JimpClass } {
  loaded ??= { Jimp: build() };
  return loaded;
}
