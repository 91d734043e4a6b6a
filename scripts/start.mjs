// `npm start`: builds the extension and opens it in a local VS Code in the browser (code-server on
// 127.0.0.1), on a workspace folder that is kept between runs: .tmp/samples/ (a copy of
// media/samples/, samples added when missing, nothing overwritten), or WORKSPACE=/some/folder.
// Runs until Ctrl-C, then stops code-server's whole process group and removes only its own
// scratch state; what you saved in the workspace stays. PORT=8080 picks the port.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startCodeServer } from '../test/e2e/lib/codeServer.mjs';
import { ensureE2EPackages } from '../test/e2e/lib/install.mjs';
import { ROOT, SAMPLES_DIR } from '../test/e2e/lib/paths.mjs';

function fail(message) {
  console.error(`start: ${message}`);
  process.exit(1);
}

ensureE2EPackages(fail);
const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) fail('the build failed');

const scratch = mkdtempSync(join(tmpdir(), 'kmeans-start-'));
let workspace;
if (process.env.WORKSPACE) {
  workspace = resolve(process.env.WORKSPACE);
  if (!existsSync(workspace) || !statSync(workspace).isDirectory()) fail(`WORKSPACE=${workspace} is not a folder`);
} else {
  workspace = join(ROOT, '.tmp', 'samples');
  mkdirSync(workspace, { recursive: true });
  for (const name of readdirSync(SAMPLES_DIR)) {
    if (!existsSync(join(workspace, name))) copyFileSync(join(SAMPLES_DIR, name), join(workspace, name));
  }
}
const port = process.env.PORT ? Number(process.env.PORT) : undefined;
const server = await startCodeServer({ runDir: join(scratch, 'code-server'), workspace, extension: { link: ROOT }, port });

console.log(`\nVS Code with K-means Segmentation: ${server.url}/?folder=${encodeURIComponent(workspace)}`);
console.log(`Workspace: ${workspace}${process.env.WORKSPACE ? '' : ' (samples from media/samples; kept after Ctrl-C with whatever you save there)'}`);
console.log(`Server log: ${server.logPath}`);
console.log('Right-click an image in the explorer and choose "Segment with K-means". Ctrl-C stops.\n');

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  console.log('\nstart: stopping code-server');
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
process.on('SIGHUP', () => void stop(0));
// Keep the event loop alive until a signal arrives.
setInterval(() => {}, 1 << 30);
