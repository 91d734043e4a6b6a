// One bundle per runtime, all into dist/: extension host (cjs, vscode external), segmentation
// worker (node), webview (browser) and the CLI (node, with a shebang). Outside watch mode the CLI
// bundle is wrapped to start with V8's code cache (scripts/cli-code-cache.mjs).
// The image codecs' WebAssembly (src/core/codecs/wasm-files.json) is copied into dist/ beside the
// bundles, and the CLI carries the JPEG and WebP decoders inside, so that a copied dist/cli.js
// alone still reads the common formats (see wasmBundlePlugin).
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import zlib, { brotliCompressSync } from 'node:zlib';
import { basename, dirname } from 'node:path';
import { cliWithCodeCache, trainCodeCache } from './scripts/cli-code-cache.mjs';

const watch = process.argv.includes('--watch');
const quiet = process.argv.includes('--quiet');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: quiet ? 'error' : 'info',
  legalComments: 'linked',
};

const require = createRequire(import.meta.url);
const WASM_FILES = JSON.parse(readFileSync('src/core/codecs/wasm-files.json', 'utf8'));

/**
 * Gives src/core/codecs/wasmEmbedded.ts its bundle contents: the binaries `embed` picks as
 * brotli-compressed base64 text (decoded on first use only); the bundle reads the others from
 * beside itself. Compressed, the JPEG and WebP decoders add 120 KB to cli.js instead of 400 KB:
 * every CLI run reads and scans that text (uncompressed it cost ~25 ms a run on this machine).
 */
function wasmBundlePlugin(embed) {
  return {
    name: 'codec-wasm',
    setup(build) {
      build.onLoad({ filter: /[\\/]codecs[\\/]wasmEmbedded\.ts$/ }, () => {
        const entries = Object.entries(WASM_FILES)
          .filter(([, f]) => embed(f))
          .map(([name, f]) => {
            const packed = brotliCompressSync(readFileSync(require.resolve(f.package)), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
            return `  ${JSON.stringify(name)}: () => ${JSON.stringify(packed.toString('base64'))},`;
          });
        return { contents: `export const BUNDLED_WASM = {\n  embedded: {\n${entries.join('\n')}\n  },\n};\n`, loader: 'ts' };
      });
    },
  };
}

function copyWasmBesideBundles() {
  mkdirSync('dist', { recursive: true });
  for (const [name, f] of Object.entries(WASM_FILES)) copyFileSync(require.resolve(f.package), `dist/${name}.wasm`);
}

const node = {
  ...common,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // the codecs' Emscripten glue is written as ES modules for browsers; its import.meta.url is
  // never used here (the WebAssembly is handed to it compiled)
  logOverride: { 'empty-import-meta': 'silent' },
  plugins: [wasmBundlePlugin(() => false)],
};

const targets = [
  { ...node, entryPoints: { extension: 'src/extension/extension.ts' }, external: ['vscode'] },
  { ...node, entryPoints: { worker: 'src/core/worker/segmentWorker.ts' } },
  { ...node, entryPoints: { ioWorker: 'src/extension/ioWorker.ts' } },
  {
    ...node,
    entryPoints: { cli: 'src/cli/main.ts' },
    banner: { js: '#!/usr/bin/env node' },
    plugins: [wasmBundlePlugin((f) => f.inCli)],
  },
  {
    ...common,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    entryPoints: { webview: 'src/webview/main.ts' },
  },
].filter((t) => Object.values(t.entryPoints).every((p) => existsSync(p)));

const opts = targets.map((t) => ({ ...t, outdir: 'dist' }));
copyWasmBesideBundles();

if (watch) {
  const ctxs = await Promise.all(opts.map((o) => esbuild.context(o)));
  await Promise.all(ctxs.map((c) => c.watch()));
} else {
  const isCli = (o) => 'cli' in o.entryPoints;
  await Promise.all(opts.filter((o) => !isCli(o)).map((o) => esbuild.build(o)));
  const cli = opts.find(isCli);
  if (cli) {
    const { outputFiles } = await esbuild.build({ ...cli, banner: {}, write: false });
    let hash = '';
    for (const f of outputFiles) {
      mkdirSync(dirname(f.path), { recursive: true });
      if (basename(f.path) === 'cli.js') {
        const wrapped = cliWithCodeCache(f.text);
        hash = wrapped.hash;
        writeFileSync(f.path, wrapped.text, { mode: 0o755 });
      } else {
        writeFileSync(f.path, f.contents);
      }
    }
    trainCodeCache('dist', hash, 'media/samples/chelsea.png');
  }
}
