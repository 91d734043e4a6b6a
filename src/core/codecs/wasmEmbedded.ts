// What a bundle carries of the codecs' WebAssembly. esbuild.mjs replaces this file's contents
// when it bundles (see wasmBundlePlugin there): `embedded` then holds brotli-compressed base64 text for the codecs
// that travel inside the bundle, and the others are read from beside the bundle in dist/. Run
// from the sources (unit tests, tsx) it stays undefined and the files are read from node_modules.
export const BUNDLED_WASM: { embedded: Readonly<Record<string, () => string>> } | undefined = undefined;
