// The extension's batch in a real VS Code (code-server 4.100.3 in Debian's Chromium, the
// extension built in development mode) against the CLI's batch on the same images, in the same
// run (issue 13): throughput within 20 % of the CLI's, and the extension host's event-loop delay
// at most 50 ms while it runs (the extension measures it with perf_hooks and logs it beside the
// summary, which this reads from the output channel's log file).
// Both sides are timed by the batch engine itself (the CLI's --json summary, the extension's
// summary line): from the first file read to the last write, without process or window start.
// The sides are interleaved, and the best run of each counts.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureE2EPackages } from '../test/e2e/lib/install.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const EXTENSION_TARGETS = { throughput: 0.8, eventLoopMs: 50 };
/** Our output names (src/core/naming.ts), for clearing a folder between runs. */
const OUTPUT = /_\d{14}(bgr|hsv|lab|ycrcb)_c\w+n\d+(-\d+)?\.\w+$/;
const SUMMARY = /(\d+) images?: (\d+) done.* in ([\d.]+) s, ([\d.]+) images\/s; (\d+) at once; extension host event-loop delay: max (\d+) ms, p99 (\d+) ms/;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

export function removeOutputs(dir) {
  for (const n of readdirSync(dir)) if (OUTPUT.test(n)) rmSync(join(dir, n));
}

function cliSeconds(cli, dir, args) {
  removeOutputs(dir);
  const r = spawnSync(process.execPath, [cli, '-i', dir, '-o', '--json', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1));
  if (r.status !== 0 || summary.failed > 0) throw new Error(`the CLI's batch failed (${r.status}): ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  removeOutputs(dir);
  return summary.seconds;
}

function findFiles(dir, test, out = []) {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) findFiles(p, test, out);
    else if (test(n)) out.push(p);
  }
  return out;
}

/**
 * sets: [{ label, files: [paths], width }]: each set is batched by the CLI, then the extension,
 * then the CLI again (the CLI's median counts). Returns rows for the bench's table.
 */
export async function extensionBatchBench({ cli, sets, log }) {
  ensureE2EPackages((m) => {
    throw new Error(m);
  });
  const { startCodeServer } = await import('../test/e2e/lib/codeServer.mjs');
  const { explorerContextMenu, launchBrowser, openWorkbench, pickQuickItem, waitForNotification, clearNotifications } = await import('../test/e2e/lib/workbench.mjs');
  const ws = mkdtempSync(join(tmpdir(), 'batch-bench-ws-'));
  const rows = [];
  const settings = (width) => writeFileSync(join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'kmeansSegmentation.width': width }));
  mkdirSync(join(ws, '.vscode'));
  settings(0);
  for (const set of sets) {
    mkdirSync(join(ws, set.label));
    for (const f of set.files) copyFileSync(f, join(ws, set.label, basename(f)));
  }
  const server = await startCodeServer({ runDir: join(ws, '.run'), workspace: ws, extension: { link: ROOT } });
  const browser = await launchBrowser();
  try {
    const { page } = await openWorkbench(browser, server, sets[0].label);
    await new Promise((r) => setTimeout(r, 3000));
    let runs = 0;
    /** One batch in VS Code: its summary line (from the log), parsed. */
    const extensionRun = async (set, dir) => {
      await clearNotifications(page);
      await explorerContextMenu(page, set.label, 'Batch Segment Images...');
      await pickQuickItem(page, 'Use current settings');
      runs++;
      const toast = await waitForNotification(page, `${set.files.length} images:`, { timeout: 30 * 60_000 });
      // the summary line with the event-loop delay, from the output channel's log file
      const logLines = () =>
        findFiles(join(server.runDir, 'data', 'logs'), (n) => n.includes('K-means Segmentation') && n.endsWith('.log')).flatMap((p) => readFileSync(p, 'utf8').split('\n'));
      let line;
      for (let i = 0; i < 50 && !line; i++) {
        const matches = logLines().filter((l) => SUMMARY.test(l));
        if (matches.length >= runs) line = matches[runs - 1];
        else await new Promise((r) => setTimeout(r, 200));
      }
      if (!line) throw new Error(`no summary line in the extension's log (the notification said: ${toast})`);
      if (process.env.BATCH_BENCH_LOG === '1') log(logLines().join('\n'));
      const [, total, done, seconds, , atOnce, maxDelay, p99] = SUMMARY.exec(line);
      if (Number(done) !== Number(total)) throw new Error(`the extension's batch did not segment every image: ${line}`);
      removeOutputs(dir);
      return { seconds: Number(seconds), atOnce: Number(atOnce), maxDelay: Number(maxDelay), p99: Number(p99) };
    };
    for (const set of sets) {
      const dir = join(ws, set.label);
      const args = set.width ? ['-w', String(set.width)] : [];
      settings(set.width ?? 0);
      await new Promise((r) => setTimeout(r, 1500)); // VS Code reads the changed settings
      // interleaved: CLI, VS Code, CLI, VS Code, CLI; the best run of each side counts (the least
      // disturbed by other work on the machine; the CLI gets one run more)
      const cliRuns = [cliSeconds(cli, dir, args)];
      const extRuns = [];
      for (let i = 0; i < 2; i++) {
        extRuns.push(await extensionRun(set, dir));
        cliRuns.push(cliSeconds(cli, dir, args));
      }
      const cliS = Math.min(...cliRuns);
      const extS = Math.min(...extRuns.map((r) => r.seconds));
      const maxDelay = Math.max(...extRuns.map((r) => r.maxDelay));
      const p99 = Math.max(...extRuns.map((r) => r.p99));
      log(
        `  ${set.label}: VS Code ${extRuns.map((r) => r.seconds.toFixed(2)).join(' / ')} s (${extRuns[0].atOnce} at once, event-loop delay max ${extRuns.map((r) => r.maxDelay).join(' / ')} ms, p99 ${extRuns.map((r) => r.p99).join(' / ')} ms), ` +
          `CLI ${cliRuns.map((s) => s.toFixed(2)).join(' / ')} s (load ${loadavg()[0].toFixed(1)})`,
      );
      rows.push({
        what: `(d) ${set.files.length} ${set.description}: the extension's batch in VS Code vs the CLI's (best of 2 and of 3)`,
        value: `${extS.toFixed(2)} s vs ${cliS.toFixed(2)} s = ${(cliS / extS).toFixed(2)} of the CLI's throughput`,
        target: `>= ${EXTENSION_TARGETS.throughput}`,
        ok: cliS / extS >= EXTENSION_TARGETS.throughput,
      });
      rows.push({
        what: `(e) ${set.files.length} ${set.description}: the extension host's event-loop delay during the batch`,
        value: `max ${maxDelay} ms (p99 ${p99} ms)`,
        target: `<= ${EXTENSION_TARGETS.eventLoopMs} ms`,
        ok: maxDelay <= EXTENSION_TARGETS.eventLoopMs,
      });
    }
  } finally {
    await browser.close().catch(() => {});
    await server.stop();
    rmSync(ws, { recursive: true, force: true });
  }
  return rows;
}
