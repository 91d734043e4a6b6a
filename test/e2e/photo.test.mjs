// A camera-size photo in a real VS Code (code-server, symlinked build): a 24-megapixel JPEG with
// real noise (test/fixtures/photo, fixed seed). The panel shows the image, then a preview from
// a reduced copy, then the full-size result and its insight views; its canvas holds display-size pictures while its
// data-* attributes name the full-size composite; zoomed to 100 % it draws the true pixels of
// the region in view; the layouts (stacked, swipe) use the space; nothing in the console about
// the CSP. Records the times, the page's longest stall and the peak memory of the extension host
// and the renderers (bench/panel-e2e.mjs compares them with the CLI; here they are printed).
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { cameraPhoto } from '../fixtures/photo/make-photo.mjs';
import { startCodeServer } from './lib/codeServer.mjs';
import { panelClock, peakMemory, panelTrace, stallProbe, timeToReady } from './lib/measure.mjs';
import { ROOT, RUN_DIR } from './lib/paths.mjs';
import { compositeInfo, explorerContextMenu, launchBrowser, openWorkbench, pickOption, scenarioRunner, screenshot, webviewFrame } from './lib/workbench.mjs';

const PHOTO = 'photo-24mp.jpg';
/** The same photo carrying the thumbnail a camera stores in its EXIF block. */
const CAMERA_PHOTO = 'photo-24mp-camera.jpg';
const [W, H] = [6000, 4000];
const strip = (w) => Math.floor(0.0625 * w);

describe('A 24-megapixel photo in VS Code (code-server, symlinked build)', { timeout: 900_000 }, () => {
  let server;
  let browser;
  let page;
  let frame;
  let consoleErrors;
  let photoPath;
  let cameraPhotoSource;
  let cameraPhotoPath;
  const figures = {};

  before(async () => {
    assert.ok(existsSync(join(ROOT, 'dist', 'extension.js')), 'dist/extension.js is missing: run `node esbuild.mjs` first');
    const dir = join(RUN_DIR, 'photo-ws');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, '.vscode'), { recursive: true });
    // The settings' defaults (40 restarts, full size): what a user gets.
    writeFileSync(join(dir, '.vscode', 'settings.json'), '{}');
    photoPath = join(dir, PHOTO);
    copyFileSync(await cameraPhoto(W, H, { seed: 1 }), photoPath);
    cameraPhotoSource = await cameraPhoto(W, H, { seed: 1, thumbnail: true });
    cameraPhotoPath = join(dir, CAMERA_PHOTO);
    copyFileSync(cameraPhotoSource, cameraPhotoPath);
    server = await startCodeServer({ runDir: join(RUN_DIR, 'photo'), workspace: dir, extension: { link: ROOT } });
    browser = await launchBrowser();
    ({ page, consoleErrors } = await openWorkbench(browser, server, PHOTO));
  });

  after(async () => {
    console.log(`# photo figures: ${JSON.stringify(figures)}`);
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  const scenario = scenarioRunner(() => page, 600_000);

  scenario('1. opening it: the image, a preview, then the full-size result; display-size pictures, full-size data-*', 'photo-open', async () => {
    await explorerContextMenu(page, PHOTO, 'Segment with K-means');
    await page.locator('.tab.active', { hasText: PHOTO }).waitFor();
    frame = webviewFrame(page);
    await frame.locator('body').waitFor();
    let stalls = stallProbe(page);
    const open = await timeToReady(frame, 0);
    figures.open = { picture: Math.round(open.picture), preview: Math.round(open.preview ?? NaN), final: Math.round(open.ms) };
    figures.openStallMs = Math.round(await stalls.stop());
    figures.openTrace = await panelTrace(frame);
    assert.ok(open.preview !== undefined && open.preview < open.ms, 'a preview was shown before the full-size result');
    const info = await compositeInfo(frame);
    assert.deepEqual([info.width, info.height], [2 * W + strip(W), H], 'data-width/height name the full-size composite');
    const canvas = await frame.locator('#composite').evaluate((c) => [c.width, c.height]);
    assert.ok(canvas[0] < info.width / 2 && canvas[0] > 0, `the canvas holds display-size pictures (${canvas})`);
    assert.match(await frame.locator('#runStatus').innerText(), /Full size, 6000×4000/);
    await screenshot(page, 'photo-24mp-open');

    // A change of k: a preview, then the final result.
    stalls = stallProbe(page);
    const since = await panelClock(frame);
    await frame.locator('#clusters input').fill('4');
    const change = await timeToReady(frame, info.run);
    figures.k4 = { preview: Math.round(change.preview ?? NaN), final: Math.round(change.ms) };
    figures.k4Trace = await panelTrace(frame, since);
    assert.ok(change.preview !== undefined, 'a preview after the change');
    assert.equal(await frame.locator('#palette .swatch').count(), 4);
    figures.k4StallMs = Math.round(await stalls.stop());
    // The insight views of the full-size result follow it (computed after the run, on a thread of
    // their own): where the clusters split, and the three channel strips.
    await frame.locator('#split[data-state="ready"][data-kind="scatter"]').waitFor({ timeout: 60_000 });
    assert.equal(await frame.locator('#planes figure.plane').count(), 3);
    figures.peakMb = Object.fromEntries(Object.entries(peakMemory()).map(([k, v]) => [k, Math.round(v)]));
    await screenshot(page, 'photo-24mp-k4');
  });

  scenario('2. zoomed to 100 %: the region in view is drawn with the true pixels (those the inspector reads)', 'photo-zoom', async () => {
    await frame.locator('#zoom100').click();
    await frame.locator('#detail:not([hidden])').waitFor({ timeout: 60_000 });
    const detail = frame.locator('#detail');
    assert.equal(Number(await detail.getAttribute('data-scale')), 1, 'one screen pixel a photo pixel');
    const box = await detail.boundingBox();
    for (const [fx, fy] of [[0.2, 0.3], [0.5, 0.5], [0.7, 0.8]]) {
      // #detail lets the pointer through to the picture under it, which the inspector reads.
      await page.mouse.move(box.x + Math.floor(box.width * fx) + 0.5, box.y + Math.floor(box.height * fy) + 0.5);
      const cell = frame.locator('#inspector[data-state="pixel"] dd');
      await cell.first().waitFor();
      const [xy, rgb] = await cell.evaluateAll((dds) => [dds[0].textContent, dds[1].textContent]);
      const [x, y] = xy.split(',').map((t) => Number.parseInt(t, 10));
      const inspected = rgb.trim().split(/\s+/).map(Number);
      const drawn = await detail.evaluate((c, p) => {
        const x0 = Number(c.dataset.x);
        const y0 = Number(c.dataset.y);
        const d = c.getContext('2d').getImageData(p.x - x0, p.y - y0, 1, 1).data;
        return [d[0], d[1], d[2]];
      }, { x, y });
      assert.deepEqual(drawn, inspected, `pixel (${x}, ${y}): drawn ${drawn}, inspected ${inspected}`);
    }
    await screenshot(page, 'photo-24mp-100pct');
    await frame.locator('#zoomFit').click();
  });

  scenario('3. layouts: stacked and swipe use the space of a wide composite; saving keeps the seed layout', 'photo-layouts', async () => {
    const pick = async (value) => {
      await pickOption(frame, 'layout', value);
      await frame.locator(`#composite[data-layout="${value}"]`).waitFor();
    };
    const area = async () => {
      const box = await frame.locator('#composite').boundingBox();
      return box.width * box.height;
    };
    const side = await area();
    await pick('stacked');
    const [cw, ch] = await frame.locator('#composite').evaluate((c) => [c.width, c.height]);
    assert.ok(ch > cw, `stacked: taller than wide (${cw}x${ch})`);
    assert.ok((await area()) > 1.5 * side, 'stacked fills more of the panel than side by side');
    await screenshot(page, 'photo-24mp-stacked');
    await pick('swipe');
    await frame.locator('#swipeHandle:not([hidden])').waitFor();
    assert.ok((await area()) > 2 * side, 'swipe fills more of the panel than side by side');
    await screenshot(page, 'photo-24mp-swipe');
    await pick('side');
    assert.deepEqual(
      consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e)),
      [],
      'no CSP violation in the console',
    );
  });

  scenario('4. a photo with its camera\'s thumbnail: a preview of the thumbnail while the photo decodes, then the photo\'s own', 'photo-thumbnail', async () => {
    await explorerContextMenu(page, CAMERA_PHOTO, 'Segment with K-means');
    await page.locator('.tab.active', { hasText: CAMERA_PHOTO }).waitFor();
    frame = webviewFrame(page);
    await frame.locator('body').waitFor();
    const open = await timeToReady(frame, 0);
    const trace = await panelTrace(frame);
    figures.thumbnailOpen = { final: Math.round(open.ms), trace };
    const thumbnailFirst = (trace, when) => {
      const at = (type, detail) => trace.findIndex((e) => e.type === type && (detail === undefined || e.detail === detail));
      const thumbnail = at('result', 'thumbnail preview');
      assert.ok(thumbnail >= 0, `${when}: a preview of the thumbnail`);
      assert.ok(thumbnail < trace.findLastIndex((e) => e.type === 'original'), `${when}: before the photo's own original`);
      assert.ok(thumbnail < at('result', 'preview'), `${when}: before the photo's own preview`);
      assert.equal(trace.filter((e) => e.type === 'original').length, 2, `${when}: the thumbnail's picture, then the photo's`);
      assert.equal(trace.findLast((e) => e.type === 'drawn')?.detail, 'final', `${when}: the photo's final result drawn last`);
    };
    const photoItself = async (after) => {
      const info = await compositeInfo(frame);
      assert.ok(info.run > after, 'a newer result');
      assert.deepEqual([info.width, info.height], [2 * W + strip(W), H]);
      assert.equal(await frame.locator('#composite').getAttribute('data-thumbnail'), 'false', 'the final result is the photo\'s');
      assert.match(await frame.locator('#runStatus').innerText(), /Full size, 6000×4000/);
      return info;
    };
    // The opening: when the panel asks while the photo still decodes, the thumbnail's preview comes
    // before the photo's own pictures. The decode starts with the editor and now often ends while
    // the webview loads (about 1 s each); then the photo's pictures are under way and may win.
    const decodingAtOpen = trace.some((e) => e.type === 'progress' && e.detail === 'decoding');
    figures.thumbnailOpen.whileDecoding = decodingAtOpen;
    if (decodingAtOpen) thumbnailFirst(trace, 'opening');
    const info = await photoItself(0);

    // The file written again, as a camera's app or an editor would: the panel's re-run always asks
    // while the new file decodes, so here the thumbnail's preview must come first.
    const since = await panelClock(frame);
    copyFileSync(cameraPhotoSource, cameraPhotoPath);
    const changed = await timeToReady(frame, info.run);
    const again = await panelTrace(frame, since);
    figures.thumbnailChanged = { final: Math.round(changed.ms), trace: again };
    assert.ok(again.some((e) => e.type === 'progress' && e.detail === 'decoding'), 'the changed file is decoded anew');
    thumbnailFirst(again, 'changed on disk');
    await photoItself(info.run);
    await screenshot(page, 'photo-24mp-changed');
  });
});
