// The .vsix itself: what it holds, and that VS Code installs and runs it (code-server's own
// --install-extension, not a symlink), checked through "Open With..." on a JPEG.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Jimp } from 'jimp';
import { startCodeServer } from './lib/codeServer.mjs';
import { compositeWidth } from './lib/composite.mjs';
import { EXTENSION_ID, RUN_DIR, VSIX_PATH } from './lib/paths.mjs';
import {
  compositeInfo,
  explorerContextMenu,
  launchBrowser,
  openWorkbench,
  quickPickLabels,
  pickQuickItem,
  screenshot,
  waitForPanelState,
  webviewFrame,
} from './lib/workbench.mjs';
import { makeWorkspace } from './lib/workspace.mjs';
import { zipEntryNames } from './lib/zip.mjs';

const EDITOR_NAME = 'K-means Segmentation';

/** Everything a .vsix may hold besides vsce's own two files; anything else is a packaging leak. */
const ALLOWED = [
  /^extension\/package\.json$/,
  /^extension\/(readme\.md|changelog\.md|LICENSE\.txt)$/,
  /^extension\/dist\/[\w-]+\.js(\.LEGAL\.txt)?$/,
  // the image codecs' WebAssembly, read from beside the bundles, and their licences
  /^extension\/dist\/[\w-]+\.wasm$/,
  /^extension\/dist\/codecs\.LEGAL\.txt$/,
  /^extension\/media\/[^/]+$/,
];
const REQUIRED = [
  'extension/package.json',
  'extension/readme.md',
  'extension/changelog.md',
  'extension/LICENSE.txt',
  'extension/dist/extension.js',
  'extension/dist/worker.js',
  'extension/dist/webview.js',
  'extension/dist/imageWorker.js',
  'extension/dist/batchWorker.js',
  'extension/dist/batchProcess.js',
  'extension/dist/mozjpeg_dec.wasm',
  'extension/dist/webp_dec.wasm',
  'extension/dist/avif_dec.wasm',
  'extension/dist/webp_enc_simd.wasm',
  'extension/dist/codecs.LEGAL.txt',
  'extension/media/panel.css',
];

function vsixOrFail() {
  assert.ok(existsSync(VSIX_PATH), `${VSIX_PATH} is missing: run \`npm run package\` first (npm run test:e2e does)`);
  return VSIX_PATH;
}

describe('the .vsix package', () => {
  test('holds the bundles, the codecs\' WebAssembly, media, README, CHANGELOG and LICENSE only (no maps, sources, tests, node_modules)', () => {
    const names = zipEntryNames(vsixOrFail());
    const content = names.filter((n) => n !== 'extension.vsixmanifest' && n !== '[Content_Types].xml');
    const leaks = content.filter((n) => !ALLOWED.some((re) => re.test(n)));
    assert.deepEqual(leaks, [], `unexpected files in the .vsix`);
    for (const r of REQUIRED) assert.ok(names.includes(r), `${r} is missing from the .vsix`);
    assert.ok(!names.some((n) => n.endsWith('.map') || n.includes('node_modules') || n.includes('/samples/')));
  });
});

describe('VS Code with the extension installed from the .vsix', { timeout: 300_000 }, () => {
  let server;
  let browser;
  let page;
  let ws;

  before(async () => {
    ws = await makeWorkspace(join(RUN_DIR, 'vsix-ws'));
    server = await startCodeServer({ runDir: join(RUN_DIR, 'vsix'), workspace: ws.dir, extension: { vsix: vsixOrFail() } });
    browser = await launchBrowser();
    ({ page } = await openWorkbench(browser, server, 'rocket.jpg'));
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('code-server installed the package into its extensions folder', () => {
    const installed = readdirSync(server.extensionsDir).filter((n) => n.startsWith(`${EXTENSION_ID}-`));
    assert.equal(installed.length, 1, `installed: ${readdirSync(server.extensionsDir).join(', ')}`);
  });

  test('5. "Open With..." offers the segmentation editor for a .jpg, and it opens there', { timeout: 150_000 }, async () => {
    try {
      // Editors contributed by extensions join the list once the extension host has scanned
      // them, a few seconds after the explorer appears: ask again until then.
      let labels = [];
      for (let i = 0; i < 10 && !labels.some((l) => l.includes(EDITOR_NAME)); i++) {
        if (i > 0) {
          await page.keyboard.press('Escape');
          await new Promise((r) => setTimeout(r, 1500));
        }
        await explorerContextMenu(page, 'rocket.jpg', 'Open With...');
        labels = await quickPickLabels(page);
      }
      assert.ok(labels.some((l) => l.includes(EDITOR_NAME)), `"Open With..." offers: ${labels.join(' | ')}`);
      await screenshot(page, 'open-with-jpg');
      await pickQuickItem(page, EDITOR_NAME);
      const frame = webviewFrame(page);
      assert.equal(await waitForPanelState(frame, ['ready', 'error']), 'ready');
      const { width, height } = (await Jimp.read(ws.rocket)).bitmap;
      const info = await compositeInfo(frame);
      assert.deepEqual([info.width, info.height], [compositeWidth(width), height]);
      await screenshot(page, 'open-with-jpg-panel');
    } catch (e) {
      await screenshot(page, 'FAILED-open-with');
      throw e;
    }
  });
});
