// Bundles of our own for a test file, in a temporary folder with the codecs' WebAssembly beside
// them: building into dist/ while other test files start workers from dist/ made those workers
// load half-written scripts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';

const ROOT = resolve(__dirname, '..', '..');

/** Builds `entries` (output name -> source path from the project root) and returns the folder. */
export async function privateBundles(entries: Record<string, string>): Promise<{ dir: string; dispose: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'kmeans-test-bundle-'));
  const { codecBundleOptions, copyCodecWasm } = await import(join(ROOT, 'scripts', 'codec-wasm.mjs'));
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: entries,
    outdir: dir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
    ...codecBundleOptions(),
  });
  copyCodecWasm(dir);
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
