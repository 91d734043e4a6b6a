// `npm run test:e2e`: checks the machine has what a real VS Code needs here, installs test/e2e's
// own packages on first use (code-server builds native modules: kept out of the root's npm ci),
// builds the .vsix (production bundles, used by every scenario), then runs the suites with
// node:test, one file at a time (each starts its own code-server), under an overall deadline.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureE2EPackages } from './lib/install.mjs';
// Nothing here may import playwright-core: on a fresh clone it is installed by ensureE2EPackages.
import { CHROMIUM, E2E_DIR, ROOT, RUN_DIR, SCREENSHOT_DIR } from './lib/paths.mjs';

const DEADLINE_MS = 12 * 60_000;

function fail(message) {
  console.error(`test:e2e: ${message}`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) fail(`${[cmd, ...args].join(' ')} failed (${r.status ?? r.signal})`);
}

if (!existsSync(CHROMIUM)) {
  fail(`${CHROMIUM} is missing: the end-to-end tests drive Debian's chromium. Install it with: apt-get install -y chromium`);
}

ensureE2EPackages(fail);

run(process.execPath, [join(ROOT, 'scripts', 'package.mjs')], { cwd: ROOT });

rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
rmSync(RUN_DIR, { recursive: true, force: true });
const files = readdirSync(E2E_DIR)
  .filter((n) => n.endsWith('.test.mjs'))
  .sort()
  .map((n) => join(E2E_DIR, n));
const only = process.argv.slice(2);
const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...(only.length ? only : files)], {
  cwd: ROOT,
  stdio: 'inherit',
  detached: true,
});

/** Kills the test process group and any code-server group a killed test left behind. */
function cleanUp() {
  for (const pgid of [child.pid, ...leftoverServerGroups()]) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}
function leftoverServerGroups() {
  if (!existsSync(RUN_DIR)) return [];
  return readdirSync(RUN_DIR)
    .map((d) => join(RUN_DIR, d, 'pgid'))
    .filter((f) => existsSync(f))
    .map((f) => Number(readFileSync(f, 'utf8')))
    .filter((n) => n > 0);
}

const timer = setTimeout(() => {
  console.error(`test:e2e: still running after ${DEADLINE_MS / 60_000} min: stopping`);
  cleanUp();
  process.exit(1);
}, DEADLINE_MS);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    cleanUp();
    process.exit(130);
  });
}
child.on('exit', (code, signal) => {
  clearTimeout(timer);
  cleanUp();
  console.log(`test:e2e: screenshots in ${SCREENSHOT_DIR}`);
  process.exit(code ?? (signal ? 1 : 0));
});
