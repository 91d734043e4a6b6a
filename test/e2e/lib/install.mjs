// Installs test/e2e's own packages (code-server, playwright-core) when they are missing or the
// lockfile changed. code-server builds native modules and its postinstalls want the network;
// the environment below and a pre-filled ripgrep cache make it work offline-ish and as root.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CODE_SERVER_ENTRY } from './codeServer.mjs';
import { E2E_DIR } from './paths.mjs';

const RIPGREP_CACHE = join(tmpdir(), 'vscode-ripgrep-cache-1.15.11');
const RIPGREP_TARBALL = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';
const STAMP = join(E2E_DIR, 'node_modules', '.e2e-lock-sha256');

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** @param {(message: string) => never} fail */
export function ensureE2EPackages(fail) {
  const run = (cmd, args, opts = {}) => {
    const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
    if (r.status !== 0) fail(`${[cmd, ...args].join(' ')} failed (${r.status ?? r.signal})`);
  };
  // code-server's lockfile pins its native modules; reinstall whenever our lockfile changes.
  const lockHash = createHash('sha256').update(readFileSync(join(E2E_DIR, 'package-lock.json'))).digest('hex');
  const installed = existsSync(CODE_SERVER_ENTRY) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === lockHash;
  if (!installed) {
    const rg = which('rg');
    if (!rg) fail('ripgrep is missing (code-server needs it, and its postinstall cannot download it here): apt-get install -y ripgrep');
    // @vscode/ripgrep's postinstall downloads from GitHub unless this cache already holds the tarball.
    if (!existsSync(join(RIPGREP_CACHE, RIPGREP_TARBALL))) {
      mkdirSync(RIPGREP_CACHE, { recursive: true });
      const tmp = mkdtempSync(join(tmpdir(), 'rg-'));
      copyFileSync(rg, join(tmp, 'rg'));
      run('tar', ['czf', join(RIPGREP_CACHE, RIPGREP_TARBALL), '-C', tmp, 'rg']);
      rmSync(tmp, { recursive: true, force: true });
    }
    console.log('installing code-server and playwright-core in test/e2e (first run, about a minute)');
    run('npm', ['ci', '--no-audit', '--no-fund'], {
      cwd: E2E_DIR,
      env: {
        // Not the enclosing `npm test`'s npm_* variables: its prefix and lifecycle would leak in.
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_'))),
        npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`
        npm_config_unsafe_perm: 'true', // code-server's postinstall refuses root otherwise
        npm_config_nodedir: '/usr', // Debian's node headers: node-gyp would download them
      },
    });
    if (!existsSync(CODE_SERVER_ENTRY)) fail(`npm ci in ${E2E_DIR} did not install code-server`);
    writeFileSync(STAMP, lockHash);
  }
}
