// jimp is loaded on first use only: the CLI's start-up and the extension's activation do not pay
// for it until an image is decoded or encoded. `require`, not `import()`: esbuild keeps it lazy in
// the CJS bundles, and tsx's CJS transform (the unit tests) cannot resolve a dynamic import.

type JimpModule = typeof import('jimp');

let loaded: JimpModule | undefined;

export function loadJimp(): JimpModule {
  loaded ??= require('jimp') as JimpModule;
  return loaded;
}
