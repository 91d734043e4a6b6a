// The panel's kept result after a file change (reliability finding: a run on the old pixels that
// finished after the change became the result a Save reused).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LastResult } from '../../src/extension/lastResult';

const same = (a: { k: number }, b: { k: number }): boolean => a.k === b.k;

test('a run started before the file changed is neither kept nor reused; one started after is', () => {
  const last = new LastResult<{ k: number }, string>();
  const runA = last.stamp; // started on the old pixels (key #1)
  last.fileChanged(); // the watcher: the file changed
  assert.equal(last.isCurrent(runA), false, 'run A is shown as stale');
  assert.equal(last.keep(runA, { k: 3 }, 'old pixels', 'img#1'), false);
  assert.equal(last.reuse({ k: 3 }, 'img#2', same), undefined, 'Save recomputes on the new pixels');

  const runB = last.stamp; // the webview's re-run, on the new pixels (key #2)
  assert.equal(last.keep(runB, { k: 3 }, 'new pixels', 'img#2'), true);
  assert.equal(last.reuse({ k: 3 }, 'img#2', same), 'new pixels');
  assert.equal(last.reuse({ k: 4 }, 'img#2', same), undefined, 'other parameters');
  assert.equal(last.reuse({ k: 3 }, 'img#3', same), undefined, 'other pixels (decoded again)');

  last.fileChanged(); // deleted or changed again: nothing is reused
  assert.equal(last.reuse({ k: 3 }, 'img#2', same), undefined);
});
