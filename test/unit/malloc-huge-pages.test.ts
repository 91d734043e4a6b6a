// Processes started for heavy work get malloc's huge pages (core/batch/mallocHugePages.ts): the
// tunable is merged into what the parent had, and a Node process started with it gets 2 MB pages
// for a large buffer where Linux gives them to memory that asks (transparent_hugepage=madvise).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { MALLOC_HUGE_PAGES, hugePageMode, withMallocHugePages } from '../../src/core/batch/mallocHugePages';

test('the tunable is added to the parent\'s, and a choice of the user\'s about it stands', () => {
  assert.equal(withMallocHugePages(undefined), MALLOC_HUGE_PAGES);
  assert.equal(withMallocHugePages(''), MALLOC_HUGE_PAGES);
  assert.equal(withMallocHugePages('glibc.malloc.arena_max=2'), `glibc.malloc.arena_max=2:${MALLOC_HUGE_PAGES}`);
  assert.equal(withMallocHugePages('glibc.malloc.hugetlb=0:glibc.malloc.arena_max=2'), 'glibc.malloc.hugetlb=0:glibc.malloc.arena_max=2');
  assert.equal(withMallocHugePages('glibc.malloc.hugetlb=2'), 'glibc.malloc.hugetlb=2');
});

/** kB of anonymous huge pages in a Node process that fills a 64 MB buffer, started with GLIBC_TUNABLES = `tunables`. */
function hugeKbWith(tunables: string | undefined): number {
  const script = `
    const b = new Uint8Array(64 << 20);
    for (let i = 0; i < b.length; i += 4096) b[i] = 1;
    const m = /AnonHugePages:\\s+(\\d+) kB/.exec(require('fs').readFileSync('/proc/self/smaps_rollup', 'utf8'));
    process.stdout.write(String(m ? Number(m[1]) : -1));`;
  const env = { ...process.env };
  delete env.GLIBC_TUNABLES;
  if (tunables !== undefined) env.GLIBC_TUNABLES = tunables;
  const r = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}

test('a process started with it gets huge pages for a large buffer when Linux hands them to those that ask', () => {
  const mode = hugePageMode();
  const without = hugeKbWith(undefined);
  const withIt = hugeKbWith(withMallocHugePages(undefined));
  if (mode === 'madvise') {
    // the case it is for (this project's VM, Ubuntu): nothing without asking, most of the buffer with
    assert.equal(without, 0);
    assert.ok(withIt >= 32 * 1024, `${withIt} kB of huge pages for a 64 MB buffer`);
  } else if (mode === 'always') {
    assert.ok(withIt >= 32 * 1024, `${withIt} kB of huge pages for a 64 MB buffer`);
  } else {
    assert.equal(withIt, 0, 'transparent huge pages are off: the tunable cannot turn them on');
  }
});
