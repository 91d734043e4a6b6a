// Drives the VS Code workbench in Debian's chromium through playwright-core: palette, explorer
// context menu, quick picks, notifications, the webview's inner frame, screenshots. Selectors
// are the ones that work on VS Code 1.100 (code-server 4.100.3).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM, SCREENSHOT_DIR } from './paths.mjs';

export { CHROMIUM };

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Opens the workbench on the server's workspace and waits until the explorer lists `expectFile`. */
export async function openWorkbench(browser, server, expectFile) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await page.goto(`${server.url}/?folder=${encodeURIComponent(server.workspace)}`, { timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await explorerRow(page, expectFile).waitFor({ timeout: 60_000 });
  return { page, context, consoleErrors };
}

export function explorerRow(page, name) {
  return page
    .locator('.explorer-folders-view .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(name)}$`) }) });
}

/** Runs a command by its palette title. Retries: commands hide for a moment while `when` settles. */
export async function runCommand(page, title, { attempts = 8 } = {}) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  for (let i = 1; ; i++) {
    await openPalette(page, input);
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 3000 });
      await row.click();
      return;
    } catch (e) {
      if (i >= attempts) throw new Error(`command "${title}" not found in the palette after ${attempts} tries: ${e.message}`);
      await page.keyboard.press('Escape');
      await sleep(1000);
    }
  }
}

/**
 * Opens the command palette. F1 is lost while focus is inside an editor's iframe (image preview,
 * webview), and on a loaded machine clicking the tab may hand focus straight back to that iframe:
 * each retry first moves focus somewhere else that does not change the active editor.
 */
async function openPalette(page, input) {
  const refocus = [
    async () => {},
    () => focusWorkbench(page),
    () => page.locator('.part.sidebar .composite.title').first().click({ timeout: 3000 }),
  ];
  let lastError;
  for (let i = 0; i < 8; i++) {
    await refocus[i % refocus.length]().catch((e) => (lastError = e));
    await page.keyboard.press('Escape');
    await page.keyboard.press(i % 2 ? 'Control+Shift+P' : 'F1');
    if (await input.waitFor({ state: 'visible', timeout: 2500 }).then(() => true, () => false)) return;
  }
  throw new Error(`the command palette did not open after 8 tries${lastError ? ` (${lastError.message.split('\n')[0]})` : ''}`);
}

/** Moves keyboard focus out of any webview iframe, without changing the active editor. */
export async function focusWorkbench(page) {
  const tab = page.locator('.tab.active');
  if (await tab.count()) await tab.first().click();
  else await page.locator('.part.sidebar .composite.title').first().click().catch(() => {});
}

/**
 * Right-clicks an explorer row and picks `item` from its context menu (retrying the menu);
 * returns when (performance.now()) the item was clicked.
 */
export async function explorerContextMenu(page, name, item, { attempts = 6 } = {}) {
  const row = explorerRow(page, name);
  await row.waitFor();
  const menu = page.locator('.context-view .monaco-menu');
  for (let i = 1; ; i++) {
    await row.click({ button: 'right' });
    const entry = menu.locator('.action-item', { hasText: item }).first();
    try {
      await entry.waitFor({ state: 'visible', timeout: 3000 });
    } catch (e) {
      // Contributed entries show up a few seconds after the explorer: close and right-click again.
      await page.keyboard.press('Escape');
      if (i >= attempts) throw new Error(`"${item}" is not in the context menu of ${name}: ${e.message}`);
      await sleep(1000);
      continue;
    }
    // The menu fades in; an early click can be lost silently.
    await sleep(600);
    const clickedAt = performance.now();
    await entry.click();
    // The menu may still be fading out after a click that worked: only a menu that stays gets Enter.
    if (await menu.isVisible()) {
      await entry.hover({ timeout: 2000 }).then(
        () => page.keyboard.press('Enter'),
        () => undefined,
      );
    }
    return clickedAt;
  }
}

/** Picks the quick-pick row containing `label` (the quick input must be open or opening). */
export async function pickQuickItem(page, label, { timeout = 15_000 } = {}) {
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout });
  await sleep(200);
  await row.click();
}

export async function quickPickLabels(page) {
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  await rows.first().waitFor({ state: 'visible' });
  return rows.allInnerTexts();
}

/** The toast (or centre entry) whose text contains `text`, waited for. */
export async function waitForNotification(page, text, { timeout = 60_000 } = {}) {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  await toast.waitFor({ state: 'visible', timeout });
  return (await toast.innerText()).replace(/\s+/g, ' ').trim();
}

export async function clearNotifications(page) {
  await runCommand(page, 'Notifications: Clear All Notifications').catch(() => {});
}

export async function closeAllEditors(page) {
  await runCommand(page, 'View: Close All Editors');
  await page.locator('.editor-group-container .tabs-container .tab').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
}

/** The active webview's content frame (VS Code nests the page inside a second iframe). */
export function webviewFrame(page) {
  return page.frameLocator('iframe.webview.ready:visible').frameLocator('iframe#active-frame');
}

/** Picks `value` in the panel's dropdown `#id` as a user does: opens the list, clicks the option. */
export async function pickOption(frame, id, value) {
  await frame.locator(`#${id}`).click();
  await frame.locator(`#${id} vscode-option[value="${value}"]`).click();
}

/** Waits until the panel's body has one of `states` and returns it. */
export async function waitForPanelState(frame, states, { timeout = 60_000 } = {}) {
  const sel = states.map((s) => `body[data-state="${s}"]`).join(', ');
  await frame.locator(sel).waitFor({ state: 'attached', timeout });
  return frame.locator('body').getAttribute('data-state');
}

/** #composite's data-* numbers (width, height, run) as integers. */
export async function compositeInfo(frame) {
  const c = frame.locator('#composite');
  await c.waitFor({ state: 'attached' });
  const [w, h, r] = await Promise.all(['data-width', 'data-height', 'data-run'].map((a) => c.getAttribute(a)));
  return { width: Number(w), height: Number(h), run: Number(r) };
}

/**
 * Waits for a drawn result whose data-run is larger than `after` and then for the panel to
 * settle (state ready, data-run unchanged for `quietMs`): one edit may be followed by a re-run.
 */
export async function waitForRunAfter(frame, after, { timeout = 90_000, quietMs = 1200 } = {}) {
  const deadline = Date.now() + timeout;
  let stable = { run: -1, since: 0 };
  for (;;) {
    const info = await compositeInfo(frame).catch(() => undefined);
    const state = await frame.locator('body').getAttribute('data-state').catch(() => null);
    if (info && info.run > after && state === 'ready') {
      if (stable.run !== info.run) stable = { run: info.run, since: Date.now() };
      else if (Date.now() - stable.since >= quietMs) return info;
    }
    if (state === 'error') {
      const msg = await frame.locator('#error').innerText().catch(() => '');
      throw new Error(`panel shows an error instead of a result: ${msg}`);
    }
    if (Date.now() > deadline) throw new Error(`no result with data-run > ${after} within ${timeout} ms (last ${JSON.stringify(info)}, state ${state})`);
    await sleep(200);
  }
}

/** A fingerprint of the canvas pixels, to tell one drawn picture from another. */
export function canvasFingerprint(frame) {
  return frame.locator('#composite').evaluate((c) => {
    const ctx = c.getContext('2d');
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let h = 2166136261;
    for (let i = 0; i < data.length; i += 7) h = Math.imul(h ^ data[i], 16777619);
    return `${c.width}x${c.height}:${(h >>> 0).toString(16)}`;
  });
}

let shotCounter = 0;
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `${String(++shotCounter).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file }).catch(() => {});
  return file;
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Scenario tests: an overall timeout each, and a FAILED-<shot> screenshot of the page when one fails. */
export function scenarioRunner(getPage, timeout = 150_000) {
  return (title, shot, body) =>
    test(title, { timeout }, async () => {
      try {
        await body();
      } catch (e) {
        const page = getPage();
        if (page) await screenshot(page, `FAILED-${shot}`);
        throw e;
      }
    });
}
