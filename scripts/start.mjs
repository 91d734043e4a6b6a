// `npm start`: builds the extension and opens it in a local VS Code in the browser (code-server on
// 127.0.0.1), on a scratch copy of media/samples/. Runs until Ctrl-C, then stops code-server's
// whole process group. PORT=8080 npm start picks the port; otherwise a free one.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
const workspace = join(scratch, 'samples');
cpSync(SAMPLES_DIR, workspace, { recursive: true });
const port = process.env.PORT ? Number(process.env.PORT) : undefined;
const server = await startCodeServer({ runDir: join(scratch, 'code-server'), workspace, extension: { link: ROOT }, port });

console.log(`\nVS Code with K-means Segmentation: ${server.url}/?folder=${encodeURIComponent(workspace)}`);
console.log(`Workspace (a scratch copy of media/samples): ${workspace}`);
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
