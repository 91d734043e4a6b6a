// The committed WebAssembly kernel must be what its AssemblyScript source compiles to, so that a
// change to the source cannot ship with a stale binary.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import test from 'node:test';

test('kernelWasm.generated.ts is the compiled assembly/*.ts', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const r = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `build-wasm --check failed: ${r.stderr}`);
});
