// `npm run package`: production bundles, then a .vsix with @vscode/vsce, offline and without
// prompts (CI has no stdin). What goes in is decided by .vscodeignore; vsce prints the tree and
// test/e2e/package.test.mjs checks the listing.
//   node scripts/package.mjs [--out file.vsix]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outArg = process.argv.indexOf('--out');
const out = resolve(outArg > 0 ? process.argv[outArg + 1] : join(root, `${manifest.name}-${manifest.version}.vsix`));

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`package: ${[cmd, ...args].join(' ')} failed (${r.status ?? r.signal})`);
    process.exit(1);
  }
}

for (const f of ['README.md', 'LICENSE', 'CHANGELOG.md']) {
  if (!existsSync(join(root, f))) {
    console.error(`package: ${f} is missing (vsce needs it in the package)`);
    process.exit(1);
  }
}
run(process.execPath, ['esbuild.mjs', '--production']);
const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
run(process.execPath, [
  vsce,
  'package',
  '--no-dependencies', // esbuild bundled them
  '--allow-missing-repository',
  '--no-rewrite-relative-links', // README images stay relative; no repository URL to rewrite to
  '--out',
  out,
]);
console.log(`package: ${out}`);
