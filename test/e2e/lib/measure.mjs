// Measuring the panel in a real VS Code (see ../../../../shared/notes/vscode-e2e.md, "Measuring the
// panel on large images"): the time from an action to a panel state, the page's round-trip time
// while work runs (a stalled renderer answers late), and the peak resident memory of the
// extension host (its worker threads included) and of Chromium's renderers.
import { readFileSync, readdirSync } from 'node:fs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Each process's command line (from /proc, without spawning anything). */
function processes() {
  const out = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      out.push({ pid, args: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const isHost = (args) => /--type=extensionHost|extensionHost/.test(args) && !/chrom/.test(args);
const isRenderer = (args) => /chrom/.test(args) && args.includes('--type=renderer');

/** A memory figure of a process's status in MB (VmHWM: its peak resident memory, VmRSS: now; 0 if it is gone). */
function statusMb(pid, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The extension host's resident memory now (MB; 0 when there is none). */
export function hostRssMb() {
  const host = processes().find(({ args }) => isHost(args));
  return host ? statusMb(host.pid, 'VmRSS') : 0;
}

/**
 * The peak resident memory (MB) of the extension host (its worker threads included) and of the
 * largest Chromium renderer over their lives, as the kernel keeps it (VmHWM): every peak, however
 * short, with no sampling taking CPU from the work measured (the processes are the session's own,
 * so their peaks are those of its work). Read it once the work is done.
 */
export function peakMemory() {
  let host = 0;
  let renderer = 0;
  for (const { pid, args } of processes()) {
    if (isHost(args)) host = Math.max(host, statusMb(pid, 'VmHWM'));
    if (isRenderer(args)) renderer = Math.max(renderer, statusMb(pid, 'VmHWM'));
  }
  return { host, renderer };
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
 * Waits, inside the page, for a final result newer than `afterRun` (state ready): a
 * MutationObserver rather than polling, which on a 2-core machine took CPU from the very work it
 * timed. Returns the ms from now to it, to the first preview and to the first picture drawn
 * (the panel's own clock and trace, see kmeansTrace in src/webview/main.ts).
 */
export async function timeToReady(frame, afterRun, { timeout = 300_000 } = {}) {
  const r = await frame.locator('body').evaluate(
    (body, { afterRun, timeout }) =>
      new Promise((resolve) => {
        const t0 = performance.now();
        const canvas = document.getElementById('composite');
        const trace = () => window.kmeansTrace ?? [];
        const since = (type, detail) => trace().find((e) => e.t >= t0 && e.type === type && (detail === undefined || e.detail === detail))?.t;
        let preview;
        const check = () => {
          const state = body.dataset.state;
          if (preview === undefined && state === 'preview') preview = performance.now() - t0;
          if (state === 'ready' && Number(canvas.dataset.run) > afterRun) finish({ run: Number(canvas.dataset.run) });
          else if (state === 'error') finish({ error: document.getElementById('error')?.textContent ?? '?' });
        };
        const observer = new MutationObserver(check);
        const timer = setTimeout(() => finish({ error: `no result within ${timeout} ms (state ${body.dataset.state})` }), timeout);
        function finish(out) {
          observer.disconnect();
          clearTimeout(timer);
          const drawn = since('drawn');
          resolve({ ...out, ms: performance.now() - t0, preview: preview ?? (since('drawn', 'preview') ?? NaN) - t0, picture: drawn === undefined ? undefined : drawn - t0 });
        }
        observer.observe(body, { attributes: true, attributeFilter: ['data-state'] });
        observer.observe(canvas, { attributes: true, attributeFilter: ['data-run'] });
        check();
      }),
    { afterRun, timeout },
  );
  if (r.error) throw new Error(`the panel shows an error: ${r.error}`);
  return { ms: r.ms, preview: Number.isNaN(r.preview) ? undefined : r.preview, picture: r.picture, run: r.run };
}

/** The panel's message trace since `since` (ms on the page's clock): what arrived when. */
export async function panelTrace(frame, since = 0) {
  return frame.locator('body').evaluate((b, s) => (window.kmeansTrace ?? []).filter((e) => e.t >= s).map((e) => ({ ...e, t: Math.round(e.t) })), since);
}

/** The page's clock now. */
export function panelClock(frame) {
  return frame.locator('body').evaluate(() => performance.now());
}
