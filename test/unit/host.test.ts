// The vscode-free parts of the extension host: the panel's HTML and CSP, and the manifest ids
// the end-to-end suite relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { contentSecurityPolicy, escapeHtml, makeNonce, webviewHtml } from '../../src/extension/editor/webviewHtml';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const input = {
  cspSource: CSP_SOURCE,
  nonce: 'AbC123nonce',
  scriptUri: `${CSP_SOURCE}/ext/dist/webview.js`,
  styleUri: `${CSP_SOURCE}/ext/media/panel.css`,
  fileName: 'photo.png',
};

test('CSP: nothing by default, scripts and style elements only by nonce, no inline or remote sources', () => {
  const csp = contentSecurityPolicy(CSP_SOURCE, 'N0nce');
  assert.equal(
    csp,
    `default-src 'none'; img-src ${CSP_SOURCE} data: blob:; style-src ${CSP_SOURCE} 'nonce-N0nce'; script-src 'nonce-N0nce'; font-src ${CSP_SOURCE}`,
  );
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*|http:/);
  const html = webviewHtml(input);
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
  assert.ok(meta, 'the page has a CSP meta tag');
  assert.equal(meta[1], contentSecurityPolicy(CSP_SOURCE, input.nonce));
  assert.ok(html.indexOf(meta[0]) < html.indexOf('<link'), 'the CSP comes before any resource');
  // The toolkit reads the nonce from this tag for the one <style> element it adds (its
  // :focus-visible probe); without it Chromium logs a CSP violation.
  assert.match(html, new RegExp(`<meta property="csp-nonce" content="${input.nonce}">`));
});

test('every script tag carries the nonce and a src; no inline script or handlers or styles', () => {
  const html = webviewHtml(input);
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  for (const [, attrs, body] of scripts) {
    assert.match(attrs!, new RegExp(`nonce="${input.nonce}"`));
    assert.match(attrs!, /src="[^"]+\/dist\/webview\.js"/);
    assert.equal(body!.trim(), '', 'no inline script');
  }
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handlers');
  assert.doesNotMatch(html, /<style|\sstyle=/i, 'no inline styles (style-src has no unsafe-inline)');
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\/(?!file\+\.vscode-resource)/, 'no remote resources');
});

test('file names are escaped everywhere they appear', () => {
  const evil = `"><script>alert(1)</script><img src=x onerror='x'>&.png`;
  const html = webviewHtml({ ...input, fileName: evil });
  assert.ok(!html.includes('<script>alert'));
  assert.ok(!html.includes('<img'));
  assert.ok(html.includes(escapeHtml(evil)));
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('nonces: 32 alphanumerics, different each time from a random source', () => {
  const rnd = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));
  const a = makeNonce(rnd);
  const b = makeNonce(rnd);
  assert.match(a, /^[A-Za-z0-9]{32}$/);
  assert.notEqual(a, b);
});

test('the markup has every id the end-to-end contract names', () => {
  const html = webviewHtml(input);
  const ids = [
    'composite', 'colorSpace', 'channel-0', 'channel-1', 'channel-2', 'clusters', 'width', 'nInit', 'maxIter',
    'seed', 'advanced', 'format', 'save', 'reset', 'stats', 'inertia', 'sizes', 'time', 'progress', 'error',
    'layout', 'runStatus', 'detail', 'canvasWrap', 'swipeHandle',
  ];
  for (const id of ids) assert.equal((html.match(new RegExp(`id="${id}"`, 'g')) ?? []).length, 1, `#${id} once`);
  assert.match(html, /<canvas id="composite" data-width="0" data-height="0" data-run="0"/);
  assert.match(html, /<body data-state="loading">/);
  assert.match(html, /<div class="error" id="error" role="alert" hidden>/);
  for (const v of ['bgr', 'hsv', 'lab', 'ycrcb', 'png', 'jpg', 'bmp', 'side', 'stacked', 'swipe']) assert.match(html, new RegExp(`<vscode-option value="${v}">`));
  for (const id of ['clusters', 'width', 'nInit', 'maxIter', 'seed']) {
    assert.match(html, new RegExp(`<vscode-text-field id="${id}" type="number"`), id);
  }
});

test('manifest: the ids and names the end-to-end contract names', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const editor = pkg.contributes.customEditors[0];
  assert.equal(editor.viewType, 'kmeansSegmentation.editor');
  assert.equal(editor.displayName, 'K-means Segmentation');
  assert.equal(editor.priority, 'option');
  const patterns = editor.selector.map((s: { filenamePattern: string }) => s.filenamePattern);
  for (const e of ['png', 'jpg', 'jpeg', 'jpe', 'webp', 'avif', 'bmp', 'gif', 'tif', 'tiff']) {
    assert.ok(patterns.includes(`*.${e}`) && patterns.includes(`*.${e.toUpperCase()}`), e);
  }
  const titles = Object.fromEntries(pkg.contributes.commands.map((c: { command: string; title: string; category: string }) => [c.command, `${c.category}: ${c.title}`]));
  assert.deepEqual(titles, {
    'kmeansSegmentation.segment': 'K-means: Segment with K-means',
    'kmeansSegmentation.segmentAndSave': 'K-means: Segment Current Image and Save',
    'kmeansSegmentation.batch': 'K-means: Batch Segment Images...',
  });
  assert.deepEqual([...pkg.activationEvents].sort(), [
    'onCommand:kmeansSegmentation.batch',
    'onCommand:kmeansSegmentation.segment',
    'onCommand:kmeansSegmentation.segmentAndSave',
    'onCustomEditor:kmeansSegmentation.editor',
  ]);
  assert.deepEqual(pkg.capabilities, { untrustedWorkspaces: { supported: true }, virtualWorkspaces: true });
  assert.equal(pkg.engines.vscode, '^1.90.0');
  // The when clause's regex matches what it should (it is a JS regex inside VS Code).
  const when = pkg.contributes.menus['explorer/context'][0].when as string;
  const re = new RegExp(/=~ \/(.+)\/i/.exec(when)![1]!, 'i');
  for (const ext of ['.png', '.JPG', '.jpeg', '.jpe', '.bmp', '.gif', '.tif', '.TIFF', '.webp', '.AVIF']) assert.ok(re.test(ext), ext);
  for (const ext of ['.txt', '.pngx', '.svg', '.ico', '.webpx']) assert.ok(!re.test(ext), ext);
  // every menu that names extensions names the same ones
  const whens = Object.values(pkg.contributes.menus as Record<string, { when?: string }[]>).flat().map((m) => m.when ?? '');
  for (const w of whens.filter((x) => x.includes('resourceExtname'))) assert.ok(w.includes(/=~ (\/.+\/i)/.exec(when)![1]!), w);
  // the settings offer the output formats the panel and the engine know
  assert.deepEqual(pkg.contributes.configuration.properties['kmeansSegmentation.outputFormat'].enum, ['png', 'jpg', 'bmp', 'webp', 'tiff']);
});
