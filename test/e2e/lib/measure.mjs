// Measuring the panel in a real VS Code (see ../../../../shared/notes/vscode-e2e.md, "Measuring the
// panel on large images"): the time from an action to a panel state, the page's round-trip time
// while work runs (a stalled renderer answers late), and the peak resident memory of the
// extension host (its worker threads included) and of Chromium's renderers.
import { execFileSync } from 'node:child_process';
import { compositeInfo } from './workbench.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resident memory (MB) of the extension host and of the largest Chromium renderer, now. */
export function memoryNow() {
  const out = execFileSync('ps', ['-eo', 'rss=,args='], { encoding: 'utf8' });
  let host = 0;
  let renderer = 0;
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const mb = Number(m[1]) / 1024;
    const args = m[2];
    if (/--type=extensionHost|extensionHost/.test(args) && !/chrom/.test(args)) host = Math.max(host, mb);
    if (/chrom/.test(args) && args.includes('--type=renderer')) renderer = Math.max(renderer, mb);
  }
  return { host, renderer };
}

/** Samples memoryNow every `ms` until stopped; returns the peaks. */
export function memorySampler(ms = 300) {
  const peak = { host: 0, renderer: 0 };
  const take = () => {
    const now = memoryNow();
    peak.host = Math.max(peak.host, now.host);
    peak.renderer = Math.max(peak.renderer, now.renderer);
  };
  take();
  const timer = setInterval(take, ms);
  return {
    peak,
    stop() {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}

/**
 * Round trips to the workbench page every `ms` while work runs: the longest is how long the
 * page could not answer. The webview's frames run in the same renderer here (Chromium gives
 * them no process of their own: a CDP session for the frame is refused as "part of the parent
 * frame's session"), so a busy panel stalls these round trips too.
 */
export function stallProbe(page, ms = 100) {
  let worst = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      await page.evaluate(() => 1).catch(() => {});
      worst = Math.max(worst, performance.now() - t);
      await sleep(ms);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return worst;
    },
  };
}

/**
 * Polls the panel from now until a final result newer than `afterRun` is shown (state ready);
 * returns the ms to it, to the first preview and to the first picture (any canvas).
 */
export async function timeToReady(frame, afterRun, { timeout = 300_000 } = {}) {
  const t0 = performance.now();
  let preview;
  let picture;
  for (;;) {
    const [state, info, drawn] = await Promise.all([
      frame.locator('body').getAttribute('data-state').catch(() => null),
      compositeInfo(frame).catch(() => ({ run: -1 })),
      frame.locator('body').evaluate(() => (window.kmeansTrace ?? []).some((e) => e.type === 'drawn')).catch(() => false),
    ]);
    const t = performance.now() - t0;
    if (picture === undefined && drawn) picture = t;
    if (preview === undefined && state === 'preview') preview = t;
    if (state === 'ready' && info.run > afterRun) return { ms: t, preview, picture, run: info.run };
    if (state === 'error') throw new Error(`the panel shows an error: ${await frame.locator('#error').innerText().catch(() => '?')}`);
    if (t > timeout) throw new Error(`no result within ${timeout} ms (state ${state})`);
    await sleep(50);
  }
}

/** The panel's message trace since `since` (ms on the page's clock): what arrived when. */
export async function panelTrace(frame, since = 0) {
  return frame.locator('body').evaluate((b, s) => (window.kmeansTrace ?? []).filter((e) => e.t >= s).map((e) => ({ ...e, t: Math.round(e.t) })), since);
}

/** The page's clock now. */
export function panelClock(frame) {
  return frame.locator('body').evaluate(() => performance.now());
}
