// The panel's HTML under hostile file names: whatever the name, the page has exactly one script
// (the bundle, with the nonce), no event-handler attributes, no remote loads, a CSP that allows
// nothing else, and the name appears only as text. The webview code itself writes host strings
// with textContent only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contentSecurityPolicy, makeNonce, webviewHtml } from '../../src/extension/editor/webviewHtml';
import { prng } from '../stress/corpus';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const SCRIPT = 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js';
const STYLE = 'https://file+.vscode-resource.vscode-cdn.net/ext/media/panel.css';

const HOSTILE_NAMES = [
  '<script>alert(1)</script>.png',
  '"><script>alert(1)</script>.png',
  "'><img src=x onerror=alert(1)>.png",
  '</title><script src="https://evil.example/x.js"></script>.png',
  '</h1><iframe src="javascript:alert(1)"></iframe>.png',
  'a & b &amp; c &lt;.png',
  '" onmouseover="alert(1)" x=".png',
  "' onfocus='alert(1)' autofocus '.png",
  '<!--.png',
  '--><script>x</script>.png',
  '<![CDATA[x]]>.png',
  '<svg onload=alert(1)>.png',
  '<meta http-equiv="Content-Security-Policy" content="script-src *">.png',
  '<base href="https://evil.example/">.png',
  '${nonce}{{x}}%s.png',
  'nonce-abc\' \'unsafe-inline.png',
  '\u202eevil\u202c.png',
  'naïve 名前 😀.png',
  '\u0000null.png',
  'x'.repeat(5000) + '<script>.png',
];

function decodeEntities(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);
}

interface Tag {
  name: string;
  attrs: Map<string, string>;
}

/**
 * Start tags of an HTML string, tokenized as a browser's tokenizer would in the data and
 * attribute states (enough for markup we produce: no raw-text elements other than title/script).
 */
function startTags(html: string): Tag[] {
  const tags: Tag[] = [];
  const re = /<([a-zA-Z][\w-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
  const attrRe = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const m of html.matchAll(re)) {
    const attrs = new Map<string, string>();
    for (const a of m[2]!.matchAll(attrRe)) attrs.set(a[1]!.toLowerCase(), decodeEntities(a[2] ?? a[3] ?? a[4] ?? ''));
    tags.push({ name: m[1]!.toLowerCase(), attrs });
  }
  return tags;
}

function cspOf(html: string): Map<string, string[]> {
  const meta = startTags(html).filter((t) => t.name === 'meta' && t.attrs.get('http-equiv')?.toLowerCase() === 'content-security-policy');
  assert.equal(meta.length, 1, 'exactly one CSP meta tag');
  return new Map(
    meta[0]!.attrs
      .get('content')!
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map((d) => [d[0]!, d.slice(1)]),
  );
}

test('hostile file names: one nonce script, no handlers, no remote loads, CSP intact, the name shown as text', () => {
  const rnd = prng(7);
  const nonce = makeNonce((n) => Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256)));
  let checked = 0;
  for (const fileName of HOSTILE_NAMES) {
    const html = webviewHtml({ cspSource: CSP_SOURCE, nonce, scriptUri: SCRIPT, styleUri: STYLE, fileName });
    const tags = startTags(html);

    const scripts = tags.filter((t) => t.name === 'script');
    assert.equal(scripts.length, 1, `${fileName}: one script tag`);
    assert.equal(scripts[0]!.attrs.get('nonce'), nonce);
    assert.equal(scripts[0]!.attrs.get('src'), SCRIPT);
    assert.equal((html.match(/<script\b/gi) ?? []).length, 1, `${fileName}: no other "<script" in the markup`);

    for (const t of tags) {
      for (const [attr, value] of t.attrs) {
        assert.ok(!attr.startsWith('on'), `${fileName}: <${t.name} ${attr}> event handler`);
        assert.ok(!/^\s*javascript:/i.test(value), `${fileName}: javascript: URL`);
      }
      assert.ok(!['iframe', 'img', 'object', 'embed', 'base', 'svg', 'frame', 'audio', 'video'].includes(t.name), `${fileName}: <${t.name}>`);
      for (const attr of ['src', 'href', 'action', 'data', 'formaction']) {
        const url = t.attrs.get(attr);
        if (url !== undefined) assert.ok(url === SCRIPT || url === STYLE, `${fileName}: <${t.name} ${attr}="${url}"> loads something else`);
      }
    }
    assert.equal(tags.filter((t) => t.name === 'meta' && t.attrs.has('http-equiv')).length, 1, `${fileName}: no injected meta`);

    const csp = cspOf(html);
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    assert.deepEqual(csp.get('script-src'), [`'nonce-${nonce}'`]);
    for (const [directive, sources] of csp) {
      for (const s of sources) {
        assert.ok(!/unsafe-(inline|eval|hashes)|^\*$|^https?:$|^data:$/.test(s) || (directive === 'img-src' && /^(data|blob):$/.test(s)), `${directive} ${s}`);
        assert.ok(!s.startsWith('http') || s === CSP_SOURCE, `${directive} allows ${s}`);
      }
    }

    // Shown as text: the title, the heading and its tooltip carry the name, decoded back exactly.
    const title = html.match(/<title>([^<]*)<\/title>/);
    assert.ok(title, `${fileName}: title intact`);
    assert.equal(decodeEntities(title[1]!), `K-means Segmentation: ${fileName}`);
    const h1 = html.match(/<h1 class="file-name" id="fileName" title="([^"]*)">([^<]*)<\/h1>/);
    assert.ok(h1, `${fileName}: heading intact`);
    assert.equal(decodeEntities(h1[1]!), fileName);
    assert.equal(decodeEntities(h1[2]!), fileName);
    checked++;
  }
  console.log(`# reliability: webview HTML: ${checked} hostile file names, each: 1 script (nonce + bundle), 0 handlers, 0 remote loads, CSP default-src 'none'`);
});

test("the CSP allows only the webview's own resources", () => {
  const csp = contentSecurityPolicy(CSP_SOURCE, 'N0NCE');
  assert.match(csp, /^default-src 'none'; /);
  assert.doesNotMatch(csp, /unsafe|\*|https?:\/\/(?!file\+\.vscode-resource)/);
  assert.doesNotMatch(csp, /connect-src|frame-src|child-src|worker-src/, 'nothing to fetch, frame or spawn: default-src none covers them');
});

test('the webview code writes host strings as text only: no HTML sinks, no eval', () => {
  const dir = join(__dirname, '..', '..', 'src', 'webview');
  const sinks = /\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\beval\(|new Function\(|setAttribute\(\s*['"]on|\.srcdoc\b|createContextualFragment/;
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length >= 2);
  for (const f of files) {
    const lines = readFileSync(join(dir, f), 'utf8').split('\n');
    lines.forEach((line, i) => assert.doesNotMatch(line, sinks, `${f}:${i + 1}: ${line.trim()}`));
  }
});
