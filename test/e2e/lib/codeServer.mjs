// Starts and stops a real VS Code (code-server from test/e2e/node_modules) on 127.0.0.1 with
// its own scratch HOME, user data and extensions folders, so runs never touch the machine's own
// VS Code state and never see each other.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { E2E_DIR, EXTENSION_FOLDER_NAME, ROOT } from './paths.mjs';

export const CODE_SERVER_ENTRY = join(E2E_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

const SETTINGS = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.reduceMotion': 'on',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'update.mode': 'none',
  'chat.commandCenter.enabled': false,
  'workbench.layoutControl.enabled': false,
  // Keeps new editors from replacing each other, so an editor the test opened stays open.
  'workbench.editor.enablePreview': false,
  'git.enabled': false,
};

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Every process group we started, so a crash of the test process still takes them down. */
const liveGroups = new Set();
process.on('exit', () => {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/**
 * @param {object} o
 * @param {string} o.runDir scratch folder (wiped) for home, user data, extensions and the log
 * @param {string} o.workspace folder opened in the workbench
 * @param {{link: string} | {vsix: string}} o.extension the built extension folder to symlink,
 *   or a .vsix to install with code-server's own --install-extension
 * @param {number} [o.port]
 */
export async function startCodeServer({ runDir, workspace, extension, port }) {
  if (!existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(`code-server is not installed (${CODE_SERVER_ENTRY}); run: node test/e2e/run.mjs`);
  }
  rmSync(runDir, { recursive: true, force: true });
  const home = join(runDir, 'home');
  const data = join(runDir, 'data');
  const exts = join(runDir, 'exts');
  for (const d of [home, join(data, 'User'), exts]) mkdirSync(d, { recursive: true });
  writeFileSync(join(data, 'User', 'settings.json'), JSON.stringify(SETTINGS, null, 2));
  writeFileSync(join(runDir, 'config.yaml'), 'auth: none\ncert: false\n');
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local/share') };
  delete env.VSCODE_IPC_HOOK_CLI; // never talk to an enclosing VS Code

  if ('link' in extension) {
    symlinkSync(extension.link, join(exts, EXTENSION_FOLDER_NAME), 'dir');
  } else {
    const r = spawnSync(
      process.execPath,
      [CODE_SERVER_ENTRY, '--user-data-dir', data, '--extensions-dir', exts, '--install-extension', extension.vsix],
      { env, encoding: 'utf8', timeout: 120_000 },
    );
    if (r.status !== 0) {
      throw new Error(`code-server --install-extension ${extension.vsix} failed (${r.status}): ${r.stdout}${r.stderr}`);
    }
  }

  port ??= await freePort();
  const logPath = join(runDir, 'server.log');
  const log = openSync(logPath, 'w');
  const args = [
    CODE_SERVER_ENTRY,
    '--config', join(runDir, 'config.yaml'),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--extensions-dir', exts,
    '--user-data-dir', data,
    workspace,
  ];
  // detached = setsid: code-server and its watcher/extension-host children share one process
  // group, and stop() kills the group (killing the main pid alone leaves children behind).
  const child = spawn(process.execPath, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  const pgid = child.pid;
  liveGroups.add(pgid);
  // For run.mjs: a test process killed by the deadline cannot stop its server; the runner can.
  const pgidFile = join(runDir, 'pgid');
  writeFileSync(pgidFile, String(pgid));
  let exited = null;
  const exitPromise = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exited = { code, signal }))));

  const server = {
    port,
    url: `http://127.0.0.1:${port}`,
    runDir,
    workspace,
    extensionsDir: exts,
    logPath,
    log: () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : ''),
    async stop() {
      if (!liveGroups.has(pgid)) return;
      const signal = (s) => {
        try {
          process.kill(-pgid, s);
        } catch {
          // the group is gone
        }
      };
      signal('SIGTERM');
      const timer = new Promise((r) => setTimeout(r, 5000, 'timeout'));
      if ((await Promise.race([exitPromise, timer])) === 'timeout') signal('SIGKILL');
      // The main process may be gone while children linger: always finish with SIGKILL.
      await new Promise((r) => setTimeout(r, 200));
      signal('SIGKILL');
      liveGroups.delete(pgid);
      rmSync(pgidFile, { force: true });
    },
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited (${JSON.stringify(exited)}) before answering:\n${server.log().slice(-3000)}`);
    try {
      const res = await fetch(`${server.url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`code-server did not answer /healthz within 60 s:\n${server.log().slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return server;
}
