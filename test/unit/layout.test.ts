// The direction of dependencies the README's "How the pieces fit" promises: webview -> shared;
// extension and cli -> core, shared; core -> shared; shared -> nothing. A new import that breaks
// it fails here, naming the file and the import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(__dirname, '..', '..', 'src');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Each import of a file: the package name, or the src folder ('core', 'shared', ...) it reaches. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
    const spec = m[1]!;
    if (!spec.startsWith('.')) out.push(spec);
    else out.push(relative(SRC, resolve(dirname(file), spec)).split(/[\\/]/)[0]!);
  }
  return out;
}

const ALLOWED: Record<string, (dep: string) => boolean> = {
  shared: (d) => d === 'shared',
  webview: (d) => d === 'webview' || d === 'shared' || d.startsWith('@vscode/webview-ui-toolkit'),
  core: (d) => d === 'core' || d === 'shared' || (!d.startsWith('.') && d !== 'vscode' && !['extension', 'webview', 'cli'].includes(d)),
  cli: (d) => d !== 'vscode' && d !== 'extension' && d !== 'webview',
  extension: (d) => d !== 'webview' && d !== 'cli' && !d.startsWith('@vscode/webview-ui-toolkit'),
};

test('src imports point one way: webview -> shared; extension, cli -> core -> shared', () => {
  const files = walk(SRC);
  assert.ok(files.length > 50, `read ${files.length} files`);
  const wrong: string[] = [];
  for (const file of files) {
    const area = relative(SRC, file).split(/[\\/]/)[0]!;
    const allowed = ALLOWED[area];
    assert.ok(allowed, `no rule for src/${area}`);
    for (const dep of imports(file)) if (!allowed(dep)) wrong.push(`${relative(SRC, file)} imports ${dep}`);
  }
  assert.deepEqual(wrong, []);
});

test('the check sees a wrong import', () => {
  assert.equal(ALLOWED.webview!('core'), false);
  assert.equal(ALLOWED.core!('vscode'), false);
  assert.equal(ALLOWED.shared!('node:zlib'), false);
  assert.deepEqual(imports(join(SRC, 'webview', 'controls.ts')).sort(), ['shared', 'shared']);
});
