// The image codecs' WebAssembly in the bundles (used by esbuild.mjs and by the tests that build
// a bundle of their own). src/core/codecs/wasm-files.json lists the binaries; every bundle reads
// them from beside itself in its output folder, and the CLI carries the JPEG and WebP decoders
// inside too, so that a copied dist/cli.js alone still reads the common formats.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { writeIfChanged } from './write-if-changed.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(join(ROOT, 'package.json'));
export const WASM_FILES = JSON.parse(readFileSync(join(ROOT, 'src/core/codecs/wasm-files.json'), 'utf8'));

/**
 * Gives src/core/codecs/wasmEmbedded.ts its bundle contents: the binaries `embed` picks as
 * brotli-compressed base64 text (decoded on first use only); the bundle reads the others from
 * beside itself. Compressed, the JPEG and WebP decoders add 135 KB to cli.js instead of 400 KB:
 * every CLI run reads and scans that text (uncompressed it cost ~25 ms a run on this machine).
 */
export function wasmBundlePlugin(embed) {
  return {
    name: 'codec-wasm',
    setup(build) {
      build.onLoad({ filter: /[\\/]codecs[\\/]wasmEmbedded\.ts$/ }, () => {
        const entries = Object.entries(WASM_FILES)
          .filter(([, f]) => embed(f))
          .map(([name, f]) => {
            const packed = zlib.brotliCompressSync(readFileSync(require.resolve(f.package)), {
              params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9 }, // 11 saves 11 KB for 0.6 s more on every build
            });
            return `    ${JSON.stringify(name)}: () => ${JSON.stringify(packed.toString('base64'))},`;
          });
        return { contents: `export const BUNDLED_WASM = {\n  embedded: {\n${entries.join('\n')}\n  },\n};\n`, loader: 'ts' };
      });
    },
  };
}

/**
 * One line of the codecs' Emscripten glue, changed as it is bundled: embind copies a decoder's
 * input (the whole image file) into its heap one byte at a time in JavaScript; `HEAPU8.set` does
 * the same copy at once (a 24 MP JPEG of 15 MB: decode 1404 -> 1353 ms, interleaved medians of 6; 1 % at 12 MP). Same result for every input
 * the glue accepts there (Uint8Array, Uint8ClampedArray, Int8Array). A glue without that line
 * fails the build, so a new version cannot drop the change unnoticed.
 */
const BYTE_LOOP = /for\(var i=0;i<length;\+\+i\)\{HEAPU8\[(ptr(?:\+4)?)\+i\]=value\[i\]\}/g;

export function gluePatchPlugin() {
  return {
    name: 'codec-glue-input-copy',
    setup(build) {
      build.onLoad({ filter: /[\\/]@jsquash[\\/][^\\/]+[\\/]codec[\\/](dec|enc)[\\/][\w]+\.js$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        const patched = text.replace(BYTE_LOOP, 'HEAPU8.set(value,$1)');
        if (patched === text) throw new Error(`${args.path}: the input byte loop to replace is not there (a new version of the glue?)`);
        return { contents: patched, loader: 'js' };
      });
    },
  };
}

/** The licences shipped with the binaries: each @jsquash package's own and its codec's notice. */
function codecLicences() {
  const parts = ['Licences of the image codecs in this folder (*.wasm) and of their JavaScript glue in the bundles.', ''];
  const packages = [...new Set(Object.values(WASM_FILES).map((f) => f.package.split('/').slice(0, 2).join('/')))];
  for (const pkg of packages) {
    const root = dirname(require.resolve(`${pkg}/package.json`));
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    for (const file of ['LICENSE', 'codec/LICENSE.codec.md']) {
      let text;
      try {
        text = readFileSync(join(root, file), 'utf8');
      } catch {
        continue;
      }
      parts.push(`==== ${pkg} ${version}: ${file} ====`, '', text.trim(), '');
    }
  }
  // @jsquash/avif ships no notice for the libraries its decoder is built from
  parts.push(
    '==== @jsquash/avif: the libraries avif_dec.wasm is built from ====',
    '',
    'libavif: BSD 2-Clause License (Alliance for Open Media libavif contributors).',
    "libaom (AV1 decoder): BSD 2-Clause License and the Alliance for Open Media Patent License 1.0.",
    '',
  );
  return parts.join('\n');
}

/**
 * Copies every codec binary into `dir` as <name>.wasm, where the bundles look for them, with
 * their licences as codecs.LEGAL.txt.
 */
export function copyCodecWasm(dir) {
  mkdirSync(dir, { recursive: true });
  for (const [name, f] of Object.entries(WASM_FILES)) writeIfChanged(join(dir, `${name}.wasm`), readFileSync(require.resolve(f.package)));
  writeIfChanged(join(dir, 'codecs.LEGAL.txt'), codecLicences());
}

/** esbuild options every Node bundle that may decode or encode images needs. */
export function codecBundleOptions(embed = () => false) {
  return {
    // the codecs' Emscripten glue is written as ES modules for browsers; its import.meta.url is
    // never used here (the WebAssembly is handed to it compiled)
    logOverride: { 'empty-import-meta': 'silent' },
    plugins: [wasmBundlePlugin(embed), gluePatchPlugin()],
  };
}
