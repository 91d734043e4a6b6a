// The insight views in a real VS Code (code-server, symlinked build): on the Ishihara plate one
// click on a swatch isolates the digit, and what the canvas shows is checked pixel by pixel
// against the label PNG the panel exports; the modes, the palette JSON, the mask offered by Save,
// the pixel inspector, and a click on the elbow plot that sets k. Leaves a panel screenshot
// (with E2E_UPDATE_MEDIA=1, media/screenshot-insight.png).
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { Jimp } from 'jimp';
import { startCodeServer } from './lib/codeServer.mjs';
import { compositeWidth, filesMatching, outputNamePattern, stripWidth, waitForFiles } from './lib/composite.mjs';
import { ROOT, RUN_DIR, SAMPLES_DIR, SCREENSHOT_DIR } from './lib/paths.mjs';
import {
  compositeInfo,
  explorerContextMenu,
  launchBrowser,
  openWorkbench,
  pickOption as pickPanelOption,
  screenshot,
  waitForNotification,
  waitForPanelState,
  waitForRunAfter,
  scenarioRunner,
  webviewFrame,
} from './lib/workbench.mjs';
import { makeWorkspace } from './lib/workspace.mjs';

const PLATE = 'ishihara-5.png';
const WIDTH = 300;

/** The seed's gray for a rank. */
const grayOf = (rank, k) => Math.floor(255 / (k - 1)) * rank;

describe('Insight views in VS Code (code-server, symlinked build)', { timeout: 600_000 }, () => {
  let server;
  let browser;
  let page;
  let ws;
  let frame;
  /** Gray label bytes of the current result, from the exported PNG. */
  let labels;

  before(async () => {
    assert.ok(existsSync(join(ROOT, 'dist', 'extension.js')), 'dist/extension.js is missing: run `node esbuild.mjs` first');
    ws = await makeWorkspace(join(RUN_DIR, 'insight-ws'));
    copyFileSync(join(SAMPLES_DIR, PLATE), join(ws.dir, PLATE));
    server = await startCodeServer({ runDir: join(RUN_DIR, 'insight'), workspace: ws.dir, extension: { link: ROOT } });
    browser = await launchBrowser();
    ({ page } = await openWorkbench(browser, server, PLATE));
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  const scenario = scenarioRunner(() => page);

  async function pickOption(id, value) {
    await pickPanelOption(frame, id, value);
    // The open list lies over the palette: move off, or the swatch under the pointer is highlighted.
    await frame.locator('#elbowTitle').hover();
  }

  /**
   * Until the canvas shows the view `want` and no other view is asked (a hover the pointer made on
   * its way, say, would otherwise repaint the picture while it is read).
   */
  async function waitForView(want) {
    await frame.locator(`#composite[data-view="${want}"]:not([data-view-pending])`).waitFor({ state: 'attached', timeout: 10_000 });
  }

  /**
   * Compares the canvas's right half with the labels: `expect(gray, left)` gives the RGB the
   * right-hand pixel must have for a label gray and the left-hand (original) pixel. Returns the
   * number of pixels that differ and of pixels the mask keeps, computed in the webview.
   */
  function compareRight(kind, keepGrays) {
    return frame.locator('#composite').evaluate(
      (c, { grays, kind, keep, width }) => {
        const ctx = c.getContext('2d');
        const { data } = ctx.getImageData(0, 0, c.width, c.height);
        const strip = Math.floor(0.0625 * width);
        let bad = 0;
        let kept = 0;
        let firstBad = '';
        const sum = [0, 0, 0];
        for (let y = 0; y < c.height; y++) {
          for (let x = 0; x < width; x++) {
            const l = (y * c.width + x) * 4;
            const r = (y * c.width + width + strip + x) * 4;
            const inMask = keep.includes(grays[y * width + x]);
            if (inMask) kept++;
            const want = !inMask ? [0, 0, 0] : kind === 'white' ? [255, 255, 255] : [data[l], data[l + 1], data[l + 2]];
            if (inMask) for (let i = 0; i < 3; i++) sum[i] += data[l + i];
            if (data[r] !== want[0] || data[r + 1] !== want[1] || data[r + 2] !== want[2]) {
              if (!bad) firstBad = `(${x},${y}) ${[data[r], data[r + 1], data[r + 2]]} != ${want}`;
              bad++;
            }
          }
        }
        return { bad, kept, firstBad, mean: sum.map((s) => (kept ? s / kept : 0)) };
      },
      { grays: labels.grays, kind, keep: keepGrays, width: labels.width },
    );
  }

  async function exportLabels() {
    const pattern = /^ishihara-5_\d{14}lab_c12n\d+(-\d+)?_labels\.png$/;
    const before = filesMatching(ws.dir, pattern);
    await frame.locator('#exportLabels').click();
    const found = await waitForFiles(ws.dir, pattern, before.length + 1);
    const name = found.find((n) => !before.includes(n));
    await frame.locator('#status', { hasText: `Saved ${name}` }).waitFor();
    const img = await Jimp.read(join(ws.dir, name));
    const { width, height, data } = img.bitmap;
    const grays = new Array(width * height);
    for (let p = 0; p < width * height; p++) grays[p] = data[p * 4];
    return { name, width, height, grays };
  }

  scenario('1. the Ishihara plate: palette, one click isolates the digit, the mask equals the exported labels', 'insight-isolate', async () => {
    await explorerContextMenu(page, PLATE, 'Segment with K-means');
    await page.locator('.tab.active', { hasText: PLATE }).waitFor();
    frame = webviewFrame(page);
    assert.equal(await waitForPanelState(frame, ['ready', 'error']), 'ready');
    let info = await compositeInfo(frame);

    // Lab a and b at width 300, 3 clusters: background, green dots, orange digit.
    await pickOption('colorSpace', 'lab');
    info = await waitForRunAfter(frame, info.run);
    await frame.locator('#channel-0').click();
    info = await waitForRunAfter(frame, info.run);
    await frame.locator('#width input').fill(String(WIDTH));
    info = await waitForRunAfter(frame, info.run);
    assert.equal(info.width, compositeWidth(WIDTH));

    const swatches = frame.locator('#palette .swatch[data-rank]');
    assert.equal(await swatches.count(), 3);
    assert.deepEqual(await swatches.evaluateAll((bs) => bs.map((b) => b.dataset.rank)), ['0', '1', '2']);
    // The digit's cluster: the swatch whose mean colour is the most orange (red well above green).
    const chips = await swatches.evaluateAll((bs) =>
      bs.map((b) => getComputedStyle(b.querySelector('.chip')).backgroundColor.match(/\d+/g).map(Number)),
    );
    const digit = chips.map(([r, g]) => r - g).reduce((best, v, i, a) => (v > a[best] ? i : best), 0);
    assert.ok(chips[digit][0] - chips[digit][1] > 40, `an orange cluster: ${JSON.stringify(chips)}`);

    // Hovering highlights that cluster on the right.
    await swatches.nth(digit).hover();
    await waitForView(`highlight:${digit}`);

    await swatches.nth(digit).click();
    assert.equal(await swatches.nth(digit).getAttribute('aria-pressed'), 'true');
    assert.equal(await swatches.nth((digit + 1) % 3).getAttribute('aria-pressed'), 'false');
    // Move off the palette so the picture shows the selection, not the hover highlight.
    await frame.locator('#elbowTitle').hover();
    await waitForView(`mask:${digit}:original`);
    assert.equal(await frame.locator('#mode').evaluate((d) => d.value), 'mask');
    assert.equal((await compositeInfo(frame)).run, info.run, 'a mode change is not a new result');

    labels = await exportLabels();
    assert.equal(labels.width, WIDTH);
    const k = 3;
    const mask = await compareRight('original', [grayOf(digit, k)]);
    assert.equal(mask.bad, 0, `the mask differs from the labels at ${mask.bad} pixels, first ${mask.firstBad}`);
    const share = mask.kept / (labels.width * labels.height);
    assert.ok(share > 0.02 && share < 0.2, `the digit covers ${(share * 100).toFixed(1)}% of the plate`);
    assert.ok(mask.mean[0] > mask.mean[1] + 40, `the kept pixels are orange: mean ${mask.mean.map(Math.round)}`);

    await frame.locator('#maskWhite').click();
    await waitForView(`mask:${digit}:white`);
    const white = await compareRight('white', [grayOf(digit, k)]);
    assert.equal(white.bad, 0, `the white mask differs from the labels at ${white.bad} pixels, first ${white.firstBad}`);
    await frame.locator('#maskWhite').click();
    await waitForView(`mask:${digit}:original`);

    // The split view for two channels is a scatter; the strips show L, a, b with a and b used.
    // Both come from the host after the result (computed over the full-size result).
    await frame.locator('#split[data-state="ready"]').waitFor({ state: 'attached' });
    assert.equal(await frame.locator('#split').getAttribute('data-kind'), 'scatter');
    assert.deepEqual(
      await frame.locator('#planes .plane').evaluateAll((fs) => fs.map((f) => f.classList.contains('selected'))),
      [false, true, true],
    );
    await frame.locator('#elbow[data-state="ready"]').waitFor({ timeout: 30_000 });
    await screenshot(page, 'insight-digit-isolated');
  });

  scenario('2. pixel inspector, modes, palette JSON, and Save with a selection offering the mask', 'insight-save', async () => {
    // The inspector reads the pixel under the pointer: compare with the exported labels there.
    const canvas = frame.locator('#composite');
    const box = await canvas.boundingBox();
    const cw = Number(await canvas.getAttribute('data-width'));
    const scale = box.width / cw;
    const [px, py] = [150, 120];
    await canvas.hover({ position: { x: (px + 0.5) * scale, y: (py + 0.5) * scale } });
    await frame.locator('#inspector[data-state="pixel"]').waitFor();
    const text = await frame.locator('#inspector').innerText();
    assert.match(text, new RegExp(`${px}, ${py}`));
    assert.match(text, /RGB/);
    assert.match(text, /L \d+\s+a \d+\s+b \d+/);
    const rank = Number(await frame.locator('#inspector').getAttribute('data-rank'));
    assert.equal(grayOf(rank, 3), labels.grays[py * labels.width + px], 'the inspector names the pixel\'s cluster');

    // Palette JSON: one entry per cluster, sizes adding up to the pixels.
    const pattern = /^ishihara-5_\d{14}lab_c12n3_palette\.json$/;
    await frame.locator('#exportPalette').click();
    const [json] = await waitForFiles(ws.dir, pattern);
    const palette = JSON.parse(readFileSync(join(ws.dir, json), 'utf8'));
    assert.equal(palette.k, 3);
    assert.deepEqual(palette.channels, [1, 2]);
    assert.equal(palette.colorSpace, 'lab');
    assert.equal(palette.clusters.reduce((s, c) => s + c.size, 0), labels.width * labels.height);
    for (const c of palette.clusters) {
      assert.equal(c.size, labels.grays.filter((g) => g === grayOf(c.rank, 3)).length, `size of cluster ${c.rank}`);
      assert.equal(c.center.length, 2);
    }

    // Save with the digit selected: the composite's right half is the mask; Save offers the mask PNG.
    const digit = Number(await frame.locator('#palette .swatch[aria-pressed="true"]').getAttribute('data-rank'));
    const compositePattern = outputNamePattern('ishihara-5', { space: 'lab', channels: '12', k: '3' });
    await frame.locator('#save').click();
    const [saved] = await waitForFiles(ws.dir, compositePattern);
    const toast = await waitForNotification(page, `Saved ${saved}`);
    assert.match(toast, /Save Mask/);
    const out = (await Jimp.read(join(ws.dir, saved))).bitmap;
    const strip = stripWidth(WIDTH);
    let bad = 0;
    for (let p = 0; p < WIDTH * labels.height; p++) {
      const x = p % WIDTH;
      const y = Math.floor(p / WIDTH);
      const l = (y * out.width + x) * 4;
      const r = (y * out.width + WIDTH + strip + x) * 4;
      const keep = labels.grays[p] === grayOf(digit, 3);
      for (let c = 0; c < 3; c++) if (out.data[r + c] !== (keep ? out.data[l + c] : 0)) bad++;
    }
    assert.equal(bad, 0, 'the saved composite shows the selected cluster only, as the panel does');

    await page.locator('.notification-toast', { hasText: `Saved ${saved}` }).getByRole('button', { name: 'Save Mask' }).click();
    const [maskName] = await waitForFiles(ws.dir, /^ishihara-5_\d{14}lab_c12n3_mask\.png$/);
    const maskImg = (await Jimp.read(join(ws.dir, maskName))).bitmap;
    assert.equal(maskImg.width, WIDTH);
    for (let p = 0; p < WIDTH * labels.height; p++) {
      const want = labels.grays[p] === grayOf(digit, 3) ? 255 : 0;
      if (maskImg.data[p * 4] !== want) assert.fail(`mask pixel ${p} is ${maskImg.data[p * 4]}, not ${want}`);
    }

    // The other modes.
    await pickOption('mode', 'boundaries');
    await waitForView('boundaries');
    await pickOption('mode', 'mean');
    await waitForView('mean');
    const means = palette.clusters.map((c) => c.meanRgb.join(','));
    const colours = await canvas.evaluate(
      (c, { width }) => {
        const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
        const seen = new Set();
        const x0 = width + Math.floor(0.0625 * width);
        for (let y = 0; y < c.height; y += 3) {
          for (let x = 0; x < width; x += 3) {
            const o = (y * c.width + x0 + x) * 4;
            seen.add(`${data[o]},${data[o + 1]},${data[o + 2]}`);
          }
        }
        return [...seen];
      },
      { width: WIDTH },
    );
    assert.deepEqual(colours.filter((c) => !means.includes(c)), [], 'mean mode paints each cluster in its mean colour');
    await pickOption('mode', 'gray');
    await waitForView('gray');
    assert.ok(statSync(join(ws.dir, saved)).size > 0);
  });

  scenario('3. the elbow plot: k = 2..10, the elbow marked; clicking a point sets k and re-runs', 'insight-elbow', async () => {
    await frame.locator('#elbow[data-state="ready"]').waitFor({ timeout: 30_000 });
    const ks = await frame.locator('#elbow [data-k]').evaluateAll((gs) => gs.map((g) => Number(g.dataset.k)));
    assert.deepEqual(ks, [2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(await frame.locator('#elbow [data-k].elbow').count(), 1);
    assert.equal(await frame.locator('#elbow [data-k].current').getAttribute('data-k'), '3');

    // Leave the selection mode first: the screenshot for the README shows the palette and plot.
    const info = await compositeInfo(frame);
    // the last save's report, about the picture shown, goes with that picture
    assert.match(await frame.locator('#status').innerText(), /^Saved /);
    await frame.locator('#elbow [data-k="4"]').click();
    const next = await waitForRunAfter(frame, info.run);
    assert.ok(next.run > info.run);
    assert.equal(await frame.locator('#status').innerText(), '', 'a save\'s report stays after a run for other settings');
    assert.equal(await frame.locator('#clusters input').inputValue(), '4');
    assert.equal(await frame.locator('#palette .swatch').count(), 4);
    assert.match(await frame.locator('#sizes').innerText(), /(\d+(\.\d)?%.*){4}/);
    assert.equal(await frame.locator('#elbow [data-k].current').getAttribute('data-k'), '4');
    // The curve does not depend on k: no new request, the plot stays.
    assert.equal(await frame.locator('#elbow').getAttribute('data-state'), 'ready');

    await frame.locator('#elbow [data-k="3"]').click();
    await waitForRunAfter(frame, next.run);
    assert.equal(await frame.locator('#palette .swatch').count(), 3);
    const digitRank = await frame.locator('#palette .swatch').evaluateAll((bs) => {
      const orange = bs.map((b) => {
        const [r, g] = getComputedStyle(b.querySelector('.chip')).backgroundColor.match(/\d+/g).map(Number);
        return r - g;
      });
      return orange.indexOf(Math.max(...orange));
    });
    await frame.locator(`#palette .swatch[data-rank="${digitRank}"]`).click();
    await frame.locator('#inspectorTitle').hover();
    await waitForView(`mask:${digitRank}:original`);
    await frame.locator('#composite').hover({ position: { x: 40, y: 60 } });
    await frame.locator('#inspector[data-state="pixel"]').waitFor();
    await screenshot(page, 'insight-elbow-k');

    // The README's picture: the panel (webview) only, palette and plot visible. Into the
    // screenshots folder; E2E_UPDATE_MEDIA=1 refreshes media/screenshot-insight.png itself.
    await frame.locator('#insight').evaluate((e) => e.scrollTo(0, 0));
    const webview = page.locator('iframe.webview.ready:visible');
    const shot = process.env.E2E_UPDATE_MEDIA === '1' ? join(ROOT, 'media', 'screenshot-insight.png') : join(SCREENSHOT_DIR, 'panel-insight.png');
    await webview.screenshot({ path: shot });
    assert.ok(statSync(shot).size < 300_000, `${shot} is ${statSync(shot).size} bytes`);
  });

  scenario('4. a narrow editor: the insight cards stack under the picture and stay usable', 'insight-narrow', async () => {
    await page.setViewportSize({ width: 760, height: 900 });
    try {
      await page.waitForTimeout(800);
      const [palette, stage] = await Promise.all([frame.locator('#palette').boundingBox(), frame.locator('#stage').boundingBox()]);
      assert.ok(palette && stage, 'palette and picture are laid out');
      assert.ok(palette.y >= stage.y + stage.height - 1, `palette (y ${palette.y}) below the picture (bottom ${stage.y + stage.height})`);
      const overflow = await frame.locator('body').evaluate((b) => b.scrollWidth - b.clientWidth);
      assert.ok(overflow <= 1, `no horizontal scrolling (${overflow} px too wide)`);
      await screenshot(page, 'insight-narrow');
    } finally {
      await page.setViewportSize({ width: 1400, height: 900 });
    }
  });
  scenario('5. Explore: 28 settings scored and sorted; a click runs the panel with that setting; Copy command', 'insight-explore', async () => {
    const info = await compositeInfo(frame);
    await frame.locator('#exploreToggle').click();
    await frame.locator('#explore[data-state="done"]').waitFor({ timeout: 60_000 });
    const cards = frame.locator('#exploreGrid .sweep-card');
    assert.equal(await cards.count(), 28);
    const scores = await cards.evaluateAll((cs) => cs.map((c) => Number(c.dataset.score)));
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'best first');
    const viewControls = ['#zoomFit', '#zoom100', '#zoomLevel', '#layout'];
    for (const id of viewControls) assert.equal(await frame.locator(id).isVisible(), false, `${id}: the composite's, hidden with it`);
    await screenshot(page, 'insight-explore');
    // Not the setting shown now (lab, a b): the first card of another one.
    const target = await cards.evaluateAll((cs) => cs.map((c) => c.dataset.setting).find((s) => !s.startsWith('lab/12/')));
    const [space, channels] = target.split('/');
    await frame.locator(`#exploreGrid .sweep-card[data-setting="${target}"]`).click();
    const next = await waitForRunAfter(frame, info.run);
    assert.ok(next.run > info.run);
    assert.equal(await frame.locator('#explore').isVisible(), false, 'Explore closes on a pick');
    for (const id of ['#zoomFit', '#zoom100', '#layout']) assert.equal(await frame.locator(id).isVisible(), true, `${id}: back with the composite`);
    assert.equal(await frame.locator('#colorSpace').evaluate((d) => d.value), space);
    const checked = await frame.locator('.channels vscode-checkbox').evaluateAll((bs) => bs.map((b, i) => (b.checked ? String(i) : '')).join(''));
    assert.equal(checked, channels);

    await frame.locator('#copyCommand').click();
    const toast = await waitForNotification(page, 'Copied: kmeans-segment');
    assert.match(toast, new RegExp(`-s ${space} -c ${channels.length === 3 ? 'all' : channels} -n 3`));
  });
});
