// The extension in a real VS Code (code-server 4.100.3 in headless chromium), loaded from the
// freshly built repo through a symlinked extension folder. One server and one window for all
// scenarios (a workbench takes ~15 s to load on 2 cores); each scenario checks files on disk and
// what the window shows, and leaves a screenshot in test/e2e/screenshots/.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { Jimp } from 'jimp';
import { startCodeServer } from './lib/codeServer.mjs';
import { checkComposite, compositeWidth, filesMatching, outputNamePattern, waitForFiles } from './lib/composite.mjs';
import { ROOT, RUN_DIR } from './lib/paths.mjs';
import {
  canvasFingerprint,
  clearNotifications,
  closeAllEditors,
  compositeInfo,
  explorerContextMenu,
  explorerRow,
  launchBrowser,
  openWorkbench,
  pickQuickItem,
  runCommand,
  screenshot,
  waitForNotification,
  waitForPanelState,
  waitForRunAfter,
  scenarioRunner,
  webviewFrame,
} from './lib/workbench.mjs';
import { makeWorkspace } from './lib/workspace.mjs';



describe('K-means Segmentation in VS Code (code-server, symlinked build)', { timeout: 600_000 }, () => {
  let server;
  let browser;
  let page;
  let ws;

  before(async () => {
    assert.ok(existsSync(join(ROOT, 'dist', 'extension.js')), 'dist/extension.js is missing: run `node esbuild.mjs` first');
    ws = await makeWorkspace(join(RUN_DIR, 'workbench-ws'));
    server = await startCodeServer({ runDir: join(RUN_DIR, 'workbench'), workspace: ws.dir, extension: { link: ROOT } });
    browser = await launchBrowser();
    ({ page } = await openWorkbench(browser, server, 'chelsea.png'));
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  const scenario = scenarioRunner(() => page);

  /** Opens `name` in our editor through the explorer's context menu; returns its webview frame. */
  async function segmentFromExplorer(name) {
    await explorerContextMenu(page, name, 'Segment with K-means');
    await page.locator('.tab.active', { hasText: name }).waitFor();
    return webviewFrame(page);
  }

  scenario('1. explorer: "Segment with K-means" opens the editor with the composite', 'explorer-segment', async () => {
    const frame = await segmentFromExplorer('chelsea.png');
    assert.equal(await waitForPanelState(frame, ['ready', 'error']), 'ready');
    const { width, height } = (await Jimp.read(ws.chelsea)).bitmap;
    const info = await compositeInfo(frame);
    assert.equal(info.width, compositeWidth(width), 'composite width = 2 x width + strip');
    assert.equal(info.height, height);
    assert.ok(info.run >= 1, `data-run ${info.run}`);
    // The canvas really holds the composite (not an empty 0x0 element).
    assert.match(await canvasFingerprint(frame), new RegExp(`^${info.width}x${info.height}:`));
    assert.match(await frame.locator('#inertia').innerText(), /\d/);
    await screenshot(page, 'explorer-segment-chelsea');
  });

  scenario('2. panel: colour space, channels and clusters re-run; "Save beside image" writes the composite', 'panel-edit-save', async () => {
    const frame = await segmentFromExplorer('chelsea.png');
    await waitForPanelState(frame, ['ready']);
    let info = await compositeInfo(frame);
    let picture = await canvasFingerprint(frame);
    let stats = await frame.locator('#stats').innerText();

    /** Waits for the result of an edit and asserts both the picture and the stats changed. */
    async function expectNewResult(what) {
      const next = await waitForRunAfter(frame, info.run);
      const nextPicture = await canvasFingerprint(frame);
      const nextStats = await frame.locator('#stats').innerText();
      assert.notEqual(nextPicture, picture, `${what}: the picture did not change`);
      assert.notEqual(nextStats, stats, `${what}: the stats did not change`);
      [info, picture, stats] = [next, nextPicture, nextStats];
    }

    await frame.locator('#colorSpace').click();
    await frame.locator('#colorSpace vscode-option[value="hsv"]').click();
    await expectNewResult('colour space HSV');
    assert.equal(await frame.locator('#channel-1').innerText(), 'S', 'channel labels follow the colour space');

    await frame.locator('#channel-1').click(); // H and V only: the seed's -c 02
    await expectNewResult('channels H, V');

    await frame.locator('#clusters input').fill('4');
    // no digit typed after a 4 keeps k within 2-16: it runs at once, not after the typing pause
    const gap = await frame.locator('body').evaluate(() => {
      const trace = window.kmeansTrace ?? [];
      const edit = trace.findLast((e) => e.type === 'edit');
      const sent = edit && trace.find((e) => e.type === 'run-sent' && e.t >= edit.t);
      return sent ? sent.t - edit.t : null;
    });
    assert.ok(gap !== null && gap < 50, `k 4 is sent without waiting for more typing (run message ${gap} ms after the edit)`);
    await expectNewResult('4 clusters');
    const sizes = (await frame.locator('#sizes').innerText()).match(/\d+(\.\d+)?\s*%/g) ?? [];
    assert.equal(sizes.length, 4, `#sizes shows one percentage per cluster: ${await frame.locator('#sizes').innerText()}`);
    assert.equal(info.width, compositeWidth(451));
    await screenshot(page, 'panel-hsv-c02-n4');

    const pattern = outputNamePattern('chelsea', { space: 'hsv', channels: '02', k: '4' });
    assert.deepEqual(filesMatching(ws.dir, pattern), []);
    await frame.locator('#save').click();
    const [saved] = await waitForFiles(ws.dir, pattern);
    const toast = await waitForNotification(page, `Saved ${saved}`);
    assert.match(toast, /Open/);
    await checkComposite(join(ws.dir, saved), { width: 451, height: 300, k: 4, originalFile: ws.chelsea });
    await screenshot(page, 'panel-saved');
  });

  scenario('3. palette: "Segment Current Image and Save" on an open image writes the output beside it', 'palette-save', async () => {
    await closeAllEditors(page);
    await explorerRow(page, 'coffee.png').dblclick();
    await page.locator('.tab.active', { hasText: 'coffee.png' }).waitFor();
    const pattern = outputNamePattern('coffee', { space: 'bgr', channels: 'all', k: '3' });
    assert.deepEqual(filesMatching(ws.dir, pattern), []);
    await runCommand(page, 'Segment Current Image and Save');
    const [saved] = await waitForFiles(ws.dir, pattern, 1, 90_000);
    await waitForNotification(page, `Saved ${saved}`);
    const { width, height } = (await Jimp.read(ws.coffee)).bitmap;
    await checkComposite(join(ws.dir, saved), { width, height, k: 3, originalFile: ws.coffee });
    await screenshot(page, 'palette-segment-and-save');
  });

  scenario('4. palette: "Batch Segment Images..." segments a folder; a corrupt image is reported, the rest saved', 'batch', async () => {
    await closeAllEditors(page);
    await chooseBatchFolder(true);
    await pickQuickItem(page, 'Use current settings');

    const summary = await waitForNotification(page, 'images:', { timeout: 120_000 });
    assert.match(summary, /4 images: 3 done, 1 failed \(corrupt\.png\) in \d/);
    await screenshot(page, 'batch-summary');
    for (const file of ws.batchGood) {
      const name = file.split('/').pop();
      const stem = name.replace(/\.[^.]+$/, '');
      const [out] = filesMatching(ws.batchDir, outputNamePattern(stem, { space: 'bgr', channels: 'all', k: '3' }));
      assert.ok(out, `no output for ${name} in ${readdirSync(ws.batchDir).join(', ')}`);
      const { width, height } = (await Jimp.read(file)).bitmap;
      await checkComposite(join(ws.batchDir, out), { width, height, k: 3, originalFile: name.endsWith('.png') ? file : undefined });
    }
    assert.deepEqual(filesMatching(ws.batchDir, /^corrupt_/), [], 'nothing written for the corrupt image');

    // The log names the corrupt file and says why (Monaco renders spaces as U+00A0: use \s).
    await page.locator('.notification-toast', { hasText: 'images:' }).getByRole('button', { name: 'Show Log' }).click();
    await page.waitForFunction(
      () => [...document.querySelectorAll('.part.panel .view-lines')].some((e) => /FAIL\s+\S*corrupt\.png:\s*\S/.test(e.textContent ?? '')),
      undefined,
      { timeout: 15_000 },
    );
    await screenshot(page, 'batch-log');

    // Again with the same parameters: the user may skip what is done; nothing new is written.
    const before = readdirSync(ws.batchDir).sort();
    await clearNotifications(page);
    await chooseBatchFolder(false);
    await pickQuickItem(page, 'Use current settings');
    await pickQuickItem(page, 'Skip images already segmented with these parameters (3)');
    const again = await waitForNotification(page, 'skipped', { timeout: 60_000 });
    assert.match(again, /4 images: 0 done, 3 skipped, 1 failed \(corrupt\.png\) in \d/);
    assert.deepEqual(readdirSync(ws.batchDir).sort(), before);
  });

  /** Runs "Batch Segment Images..." and picks ws.batchDir in VS Code's folder dialog. */
  async function chooseBatchFolder(shoot) {
    await runCommand(page, 'Batch Segment Images...');
    // code-server's open dialog is VS Code's own "simple" dialog: a quick input holding a path.
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    // The dialog fills in the workspace path and lists it asynchronously; typing before it has
    // settled gets mixed with its own update. Wait for its listing, then type and check.
    await rows.filter({ hasText: 'batch' }).first().waitFor();
    const target = `${ws.batchDir}/`;
    const listsOnlyParent = async () =>
      (await input.inputValue()) === target && (await rows.allInnerTexts()).map((t) => t.trim()).join('|') === '..';
    for (let i = 0; ; i++) {
      await input.fill(target);
      // A folder dialog lists folders only: inside batch/ (no sub-folders) only ".." remains.
      const deadline = Date.now() + 5000;
      while (!(await listsOnlyParent()) && Date.now() < deadline) await page.waitForTimeout(200);
      if (await listsOnlyParent()) break;
      if (i === 3) assert.fail(`the folder dialog did not go to ${target}: "${await input.inputValue()}"`);
    }
    assert.equal(await rows.count(), 1);
    if (shoot) await screenshot(page, 'batch-folder-dialog');
    await page.locator('.quick-input-widget .monaco-button', { hasText: 'Segment Images in Folder' }).click();
  }

  scenario('6. a corrupt image opened in the editor shows a readable error in the panel', 'corrupt', async () => {
    await closeAllEditors(page);
    const frame = await segmentFromExplorer('broken.png');
    assert.equal(await waitForPanelState(frame, ['ready', 'error']), 'error');
    const error = frame.locator('#error');
    await error.waitFor({ state: 'visible' });
    const text = (await error.innerText()).trim();
    assert.match(text, /broken\.png/, `the error names the file: ${text}`);
    assert.ok(text.length < 300 && !/\n\s+at /.test(text), `a one-line message, not a stack: ${text}`);
    assert.ok(statSync(ws.broken).size > 0);
    // Nothing to save and nothing to zoom: the buttons that need a result are disabled.
    for (const id of ['save', 'exportLabels', 'exportPalette']) {
      assert.equal(await frame.locator(`#${id}`).evaluate((b) => b.disabled), true, `#${id} is disabled`);
    }
    assert.equal((await frame.locator('#zoomLevel').innerText()).trim(), '', 'no zoom level without a picture');
    await screenshot(page, 'corrupt-image-error');
  });

  scenario('7. a WebP in VS Code\'s image preview: "Segment with K-means" opens our editor, "Segment Current Image and Save" saves', 'webp-preview', async () => {
    await closeAllEditors(page);
    await explorerRow(page, 'cat.webp').dblclick();
    await page.locator('.tab.active', { hasText: 'cat.webp' }).waitFor();
    await runCommand(page, 'Segment with K-means');
    await page.locator('.tab.active', { hasText: 'cat.webp' }).waitFor();
    const frame = await webviewFrame(page);
    assert.equal(await waitForPanelState(frame, ['ready', 'error']), 'ready', 'the editor opened on the WebP, no file picker');
    const info = await compositeInfo(frame);
    assert.equal(info.width, compositeWidth(61));
    assert.equal(info.height, 43);
    await screenshot(page, 'webp-segment');

    await closeAllEditors(page);
    await explorerRow(page, 'cat.webp').dblclick();
    await page.locator('.tab.active', { hasText: 'cat.webp' }).waitFor();
    const pattern = outputNamePattern('cat', { space: 'bgr', channels: 'all', k: '3' });
    assert.deepEqual(filesMatching(ws.dir, pattern), []);
    await runCommand(page, 'Segment Current Image and Save');
    const [saved] = await waitForFiles(ws.dir, pattern, 1, 90_000);
    await waitForNotification(page, `Saved ${saved}`);
    await checkComposite(join(ws.dir, saved), { width: 61, height: 43, k: 3 });
    // the new file is in the explorer before anything else clicks there
    await explorerRow(page, saved).waitFor();
    await screenshot(page, 'webp-segment-and-save');
  });
});
