// The panel on camera photos in a real VS Code (code-server 4.100.3 in Debian's Chromium, the
// production bundles, as the .vsix ships them), against the CLI's whole run (the same build) on
// the same photo, in the same run (issue 10's targets): click -> final full-size result <= the
// CLI; a change of k -> final <= half the CLI; a preview within 0.5 s of every change; the page
// never stalls more than 300 ms; peak RSS of the extension host (with its workers) and of the
// renderers <= 1 GB, through changes of k and then of colour space and channels; and, printed,
// how much of it the extension host gives back when the panel closes. It leaves the production
// bundles in dist/ (npm start and npm test rebuild).
//   node bench/panel-e2e.mjs [--photos 12,24] [--openings 3] [--trace]   (npm run bench -- --panel runs it too)
// Each photo is opened --openings times, each time in a VS Code started for it, interleaved with
// the CLI's runs; medians are compared.
// --trace prints every message the panel got after each edit, on its clock (where the time goes).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cameraPhoto } from '../test/fixtures/photo/make-photo.mjs';
import { ensureE2EPackages } from '../test/e2e/lib/install.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench', 'out');
const SIZES = { 12: [4000, 3000], 24: [6000, 4000] };
const argv = process.argv.slice(2);
const wanted = (argv.includes('--photos') ? argv[argv.indexOf('--photos') + 1] : '12,24').split(',').map(Number);
// k 4, 5, 6 are clustered; back to 3 (the opening's) the panel shows the result it kept (see
// RECENT_RESULTS in panelSession.ts)
const K_CHANGES = [4, 5, 3, 6];
const K_OPEN = 3;
/** After the changes of k: colour spaces and channel sets tried one after another (memory). */
const SPACE_CHANGES = [['hsv', [0, 1, 2]], ['hsv', [0]], ['lab', [1, 2]], ['ycrcb', [1, 2]]];
const TARGETS = { previewMs: 500, stallMs: 300, rssMb: 1024 };
/** How long after closing the panel its memory is looked at (the host collects after 1 s of quiet). */
const CLOSED_WAIT_MS = 3000;
/** Openings of each photo, each in a VS Code of its own (--openings N). */
const OPENINGS = argv.includes('--openings') ? Math.max(1, Number(argv[argv.indexOf('--openings') + 1]) || 1) : 3;

ensureE2EPackages((m) => {
  console.error(`panel-e2e: ${m}`);
  process.exit(1);
});
// After the install: these import playwright-core.
const { startCodeServer } = await import('../test/e2e/lib/codeServer.mjs');
const { closeAllEditors, compositeInfo, explorerContextMenu, launchBrowser, openWorkbench, pickOption, webviewFrame } = await import('../test/e2e/lib/workbench.mjs');
const { hostRssMb, peakMemory, panelClock, panelTrace, stallProbe, timeToReady } = await import('../test/e2e/lib/measure.mjs');

const build = spawnSync(process.execPath, ['esbuild.mjs', '--quiet', '--production'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) process.exit(1);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;
const lines = [];
const log = (line) => {
  console.log(line);
  lines.push(line);
};
const verdicts = [];
const verdict = (ok, what, detail) => verdicts.push(`${ok ? 'PASS' : 'FAIL'}  ${what}: ${detail}`);

function cliRun(photo) {
  const dir = mkdtempSync(join(tmpdir(), 'panel-bench-cli-'));
  try {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), '-i', photo, '--out', join(dir, 'out.png')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`CLI failed: ${r.stderr}`);
    return performance.now() - t0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

log(`## The panel in a real VS Code on camera photos (code-server, Chromium); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
/**
 * One opening in a VS Code started for it (cold, as a user's first click): the click -> final
 * result, then the changes of k. Returns what was measured.
 */
async function openAndChange(source, mp, w, h, round) {
  const ws = mkdtempSync(join(tmpdir(), 'panel-bench-ws-'));
  mkdirSync(join(ws, '.vscode'));
  writeFileSync(join(ws, '.vscode', 'settings.json'), '{}');
  const name = `photo-${mp}mp.jpg`;
  copyFileSync(source, join(ws, name));
  const server = await startCodeServer({ runDir: join(ws, '.run'), workspace: ws, extension: { link: ROOT } });
  const browser = await launchBrowser();
  try {
    const { page } = await openWorkbench(browser, server, name);
    await new Promise((r) => setTimeout(r, 3000)); // the workbench settles
    const rssBefore = hostRssMb();
    const t0 = await explorerContextMenu(page, name, 'Segment with K-means');
    const frame = webviewFrame(page);
    await frame.locator('body').waitFor();
    let stalls = stallProbe(page);
    const open = await timeToReady(frame, 0);
    const openMs = performance.now() - t0;
    const openStall = await stalls.stop();
    log(`\n${name} (${w}x${h}), opening ${round} of ${OPENINGS}`);
    // timeToReady times from when it got into the page, which is after the click
    const attached = openMs - open.ms;
    // The host's peak so far after each step (VmHWM): which step sets the peak.
    const peakSoFar = () => `host peak so far ${Math.round(peakMemory().host)} MB`;
    log(`open (from the menu click): first picture ${sec(attached + (open.picture ?? NaN))}, preview ${sec(attached + (open.preview ?? NaN))}, final ${sec(openMs)}; longest stall ${Math.round(openStall)} ms; ${peakSoFar()}`);
    const openTrace = await panelTrace(frame);
    const t0p = openTrace.find((e) => e.type === 'run-sent')?.t ?? 0;
    log(`  the panel's view of it, from its run message: ${openTrace.filter((e) => e.t >= t0p && e.type !== 'edit').map((e) => `${e.type}${e.detail ? ` ${e.detail}` : ''} ${sec(e.t - t0p)}`).join(', ')}`);
    let run = (await compositeInfo(frame)).run;
    const finals = [];
    const returns = [];
    const previews = [];
    const seen = new Set([K_OPEN]);
    let stall = 0;
    for (const k of K_CHANGES) {
      stalls = stallProbe(page);
      const since = await panelClock(frame);
      await frame.locator('#clusters input').fill(String(k));
      const r = await timeToReady(frame, run);
      stall = Math.max(stall, await stalls.stop());
      run = r.run;
      const again = seen.has(k);
      seen.add(k);
      // Timed from the edit as the page saw it (its input event), on the page's clock.
      const trace = await panelTrace(frame, since);
      const edit = trace.find((e) => e.type === 'edit')?.t ?? since;
      const sent = trace.find((e) => e.type === 'run-sent')?.t ?? edit;
      const at = (detail) => trace.find((e) => e.type === 'drawn' && e.detail === detail)?.t ?? NaN;
      const preview = at('preview') - edit;
      const final = at('final') - edit;
      (again ? returns : finals).push(final);
      if (argv.includes('--trace')) log('    the panel saw: ' + trace.map((e) => `${e.type}${e.detail ? ` ${e.detail}` : ''} ${Math.round(e.t - edit)}`).join(', '));
      // a result kept from before is shown at once, with no preview before it
      previews.push(Number.isNaN(preview) ? (again ? final : Infinity) : preview);
      log(
        `  k ${k}${again ? ' (shown before)' : ''}: preview ${again ? 'none' : sec(preview)}, final ${sec(final)} after the edit` +
          ` (the run message ${Math.round(sent - edit)} ms after it${sent - edit >= 50 ? ': the panel waited for typing to pause' : ''}); ${peakSoFar()}`,
      );
    }
    // Then other colour spaces and channels, as one tries what separates the photo: each is
    // converted (three bytes a pixel) and prepared again, the memory the bound is about.
    const spaces = [];
    for (const [space, channels] of SPACE_CHANGES) {
      const t = performance.now();
      await pickOption(frame, 'colorSpace', space);
      for (const c of [0, 1, 2]) {
        const on = await frame.locator(`#channel-${c}`).evaluate((e) => e.checked);
        if (on !== channels.includes(c)) await frame.locator(`#channel-${c}`).click();
      }
      run = (await timeToReady(frame, run)).run;
      // the panel may run once for the space and again for the channels: the last one settles
      await new Promise((r) => setTimeout(r, 1500));
      run = (await compositeInfo(frame)).run;
      spaces.push(`${space} ${channels.join('')} ${sec(performance.now() - t - 1500)} (${peakSoFar()})`);
    }
    const peak = peakMemory();
    log(`  then ${spaces.join(', ')} (to the final shown)`);
    log(`longest stall during the changes ${Math.round(stall)} ms; peak RSS over them all: extension host ${Math.round(peak.host)} MB, renderer ${Math.round(peak.renderer)} MB`);
    // Closing the panel gives its memory back: the workers end, the host lets go of its buffers.
    await closeAllEditors(page);
    await new Promise((r) => setTimeout(r, CLOSED_WAIT_MS));
    const closed = { before: rssBefore, after: hostRssMb(), peak: peak.host };
    log(`closed: extension host ${Math.round(closed.after)} MB ${CLOSED_WAIT_MS / 1000} s later (${Math.round(closed.before)} MB before the panel opened, ${Math.round(closed.peak)} MB at peak)`);
    return { openMs, finals, returns, previews, stall, openStall, peak, closed };
  } finally {
    await browser.close().catch(() => {});
    await server.stop();
    rmSync(ws, { recursive: true, force: true });
  }
}

for (const mp of wanted) {
  const [w, h] = SIZES[mp];
  const source = await cameraPhoto(w, h, { seed: 1 });
  // Each side is measured more than once, interleaved (CLI, opening, CLI, ... CLI), and the
  // medians are compared: the machine's speed drifts by 15-30 % from minute to minute, and a
  // single opening against a single CLI run (or a median) compares a draw with a typical value.
  const clis = [cliRun(source)];
  const rounds = [];
  for (let round = 1; round <= OPENINGS; round++) {
    rounds.push(await openAndChange(source, mp, w, h, round));
    clis.push(cliRun(source));
  }
  const cli = median(clis);
  log(`\nthe CLI's whole run (read, decode, segment, composite, encode, write): median ${sec(cli)} of ${clis.map(sec).join(', ')}`);
  const opens = rounds.map((r) => r.openMs);
  const finals = rounds.map((r) => median(r.finals));
  const returns = rounds.flatMap((r) => r.returns);
  const previews = rounds.flatMap((r) => r.previews);
  const stall = Math.max(...rounds.map((r) => r.stall));
  const openStall = Math.max(...rounds.map((r) => r.openStall));
  const peak = { host: Math.max(...rounds.map((r) => r.peak.host)), renderer: Math.max(...rounds.map((r) => r.peak.renderer)) };
  const each = (xs) => (xs.length > 1 ? ` (${xs.map(sec).join(', ')})` : '');
  verdict(median(opens) <= cli, `${mp} MP: click -> final full-size result <= the CLI's whole run`, `median ${sec(median(opens))}${each(opens)} vs ${sec(cli)}`);
  verdict(
    median(finals) <= cli / 2,
    `${mp} MP: change of k -> final <= half the CLI's run`,
    `median ${sec(median(finals))}${each(finals)} vs ${sec(cli / 2)} (each opening's median of k ${K_CHANGES.filter((k) => k !== K_OPEN).join(', ')}, each clustered; back to k ${K_OPEN}: ${returns.map(sec).join(', ')})`,
  );
  verdict(Math.max(...previews) <= TARGETS.previewMs, `${mp} MP: a preview within ${TARGETS.previewMs} ms of every change`, `slowest ${Math.round(Math.max(...previews))} ms`);
  verdict(stall <= TARGETS.stallMs, `${mp} MP: the page never stalls more than ${TARGETS.stallMs} ms while it works`, `${Math.round(stall)} ms (opening: ${Math.round(openStall)} ms)`);
  verdict(peak.host <= TARGETS.rssMb && peak.renderer <= TARGETS.rssMb, `${mp} MP: peak RSS <= ${TARGETS.rssMb} MB`, `host ${Math.round(peak.host)} MB, renderer ${Math.round(peak.renderer)} MB`);
  // What the panel took at peak and how much of it the host gave back, printed, not judged: the
  // issue names no share, and what stays is mostly glibc's, in the arenas of the ended worker
  // threads (about 90 MB after a colour-space walk), which Node cannot ask it to trim.
  const back = rounds.map(({ closed: c }) => `${Math.round((100 * (c.peak - c.after)) / (c.peak - c.before))} % (${Math.round(c.after)} MB left, ${Math.round(c.before)} before)`);
  log(`${mp} MP: closing the panel gave back ${back.join(', ')} of what the extension host took at peak, ${CLOSED_WAIT_MS / 1000} s later`);
}
log('');
for (const v of verdicts) log(v);
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'panel-e2e.md'), ['# The panel in a real VS Code', '', new Date().toISOString(), '', '```', ...lines, '```', ''].join('\n'));
if (verdicts.some((v) => v.startsWith('FAIL'))) process.exitCode = 1;
