// Types of codec-wasm.mjs for the TypeScript tests that build bundles.
export const WASM_FILES: Record<string, { package: string; label: string; inCli: boolean }>;
export function wasmBundlePlugin(embed: (file: { inCli: boolean }) => boolean): import('esbuild').Plugin;
export function gluePatchPlugin(): import('esbuild').Plugin;
export function copyCodecWasm(dir: string): void;
export function codecBundleOptions(embed?: (file: { inCli: boolean }) => boolean): {
  logOverride: Record<string, 'silent'>;
  plugins: import('esbuild').Plugin[];
};
