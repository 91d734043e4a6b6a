// One bundle per runtime, all into dist/: extension host (cjs, vscode external), segmentation
// worker (node), batch worker (node: one image from bytes to encoded outputs, core/batch), webview
// (browser) and the CLI (node, with a shebang; it is its own batch worker). Outside watch mode the CLI
// bundle is wrapped to start with V8's code cache (scripts/cli-code-cache.mjs).
// The image codecs' WebAssembly is copied into dist/ beside the bundles, and the CLI carries the
// JPEG and WebP decoders inside (scripts/codec-wasm.mjs).
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { codecBundleOptions, copyCodecWasm } from './scripts/codec-wasm.mjs';
import { cliWithCodeCache, trainCodeCache } from './scripts/cli-code-cache.mjs';
import { writeIfChanged } from './scripts/write-if-changed.mjs';

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

const node = { ...common, platform: 'node', target: 'node20', format: 'cjs', ...codecBundleOptions() };

const targets = [
  { ...node, entryPoints: { extension: 'src/extension/extension.ts' }, external: ['vscode'] },
  { ...node, entryPoints: { worker: 'src/core/worker/segmentWorker.ts' } },
  { ...node, entryPoints: { imageWorker: 'src/extension/workers/imageWorker.ts' } },
  { ...node, entryPoints: { batchWorker: 'src/core/batch/workerMain.ts' } },
  { ...node, entryPoints: { batchProcess: 'src/core/batch/processMain.ts' } },
  {
    ...node,
    entryPoints: { cli: 'src/cli/main.ts' },
    banner: { js: '#!/usr/bin/env node' },
    // Minified in every build: each CLI process parses it first (about 50 ms of a 0.4 s run on a small image).
    minify: true,
    ...codecBundleOptions((f) => f.inCli),
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
copyCodecWasm('dist');

if (watch) {
  const ctxs = await Promise.all(opts.map((o) => esbuild.context(o)));
  await Promise.all(ctxs.map((c) => c.watch()));
} else {
  // outputs are written only when they change, and whole (see scripts/write-if-changed.mjs)
  const isCli = (o) => 'cli' in o.entryPoints;
  const built = await Promise.all(opts.filter((o) => !isCli(o)).map((o) => esbuild.build({ ...o, write: false })));
  for (const { outputFiles } of built) {
    for (const f of outputFiles) {
      mkdirSync(dirname(f.path), { recursive: true });
      writeIfChanged(f.path, f.contents);
    }
  }
  const cli = opts.find(isCli);
  if (cli) {
    const { outputFiles } = await esbuild.build({ ...cli, banner: {}, write: false });
    let hash = '';
    for (const f of outputFiles) {
      mkdirSync(dirname(f.path), { recursive: true });
      if (basename(f.path) === 'cli.js') {
        const wrapped = cliWithCodeCache(f.text);
        hash = wrapped.hash;
        writeIfChanged(f.path, wrapped.text, 0o755);
      } else {
        writeIfChanged(f.path, f.contents);
      }
    }
    trainCodeCache('dist', hash, 'media/samples/chelsea.png');
  }
}
