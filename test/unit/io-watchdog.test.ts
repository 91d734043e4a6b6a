// ImageClient's watchdog: a request that overruns its time gets the image worker terminated and
// restarted; it fails with one line naming the file, and later requests work. The slow request is
// real: a valid 5000x5000 PNG (black, so it is small) costs the decoder well over a second, here
// against a limit of 0.3 s, set once the worker is warm (starting it and loading the codecs
// alone can take that long).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isSegmentationError } from '../../src/core/errors';
import { ImageClient } from '../../src/extension/workers/imageClient';
import { buildImageWorker } from './io-helpers';
import { deflateSync } from 'node:zlib';
import { FIXTURE_IMAGES, png } from '../stress/corpus';

let dir: string;
let slow: Uint8Array;

before(async () => {
  dir = await buildImageWorker('io-watchdog-');
  slow = png(5000, 5000, deflateSync(new Uint8Array((5000 * 3 + 1) * 5000)));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a decode over its time limit restarts the worker and fails with one line; the request behind it fails too; later ones work', { timeout: 60_000 }, async () => {
  const client = new ImageClient(join(dir, 'imageWorker.js'), {});
  try {
    const good = () => new Uint8Array(readFileSync(join(FIXTURE_IMAGES, 'small.png')));
    const first = await client.decode(good(), 'small.png', 50e6);
    assert.equal(client.workersStarted, 1);
    client.timeoutMs = 300;

    const t0 = performance.now();
    const stuck = client.decode(slow.slice(), 'tiny-data.png', 50e6);
    const behind = client.decode(good(), 'queued.png', 50e6);
    behind.catch(() => undefined); // asserted below
    await assert.rejects(stuck, (e: unknown) => {
      assert.ok(isSegmentationError(e), String(e));
      assert.equal(e.code, 'timed-out');
      assert.match(e.message, /^tiny-data\.png: took longer than 0\.3 s in the image worker: stopped \(the worker was restarted\)$/);
      return true;
    });
    const waited = performance.now() - t0;
    assert.ok(waited < 2000, `gave up only after ${waited.toFixed(0)} ms`);
    await assert.rejects(behind, (e: unknown) => isSegmentationError(e) && e.code === 'timed-out' && e.message.startsWith('queued.png: not processed'));

    client.timeoutMs = 60_000;
    const again = await client.decode(good(), 'small.png', 50e6);
    assert.deepEqual(again, first);
    assert.equal(client.workersStarted, 2, 'one restart');
    console.log(`# io-watchdog: a decode over its 0.3 s limit failed after ${waited.toFixed(0)} ms; the restarted worker decodes again`);
  } finally {
    await client.dispose();
  }
});

test('the default limit is 60 s, plus a second per megabyte or megapixel', () => {
  const client = new ImageClient(join(dir, 'imageWorker.js'));
  assert.equal(client.limitMs(300_000), 60_000);
  assert.equal(client.limitMs(25_000_000), 85_000);
});
