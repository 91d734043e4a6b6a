// The decode/encode worker the extension uses (dist/imageWorker.js), built fresh from source into a
// temporary folder and driven through ImageClient exactly as the extension host drives it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ImageClient } from '../../src/extension/workers/imageClient';
import { decodeForPool } from '../../src/extension/workers/decodeForPool';
import { SegmentPool } from '../../src/core/worker/pool';
import { withoutTimings } from './kmeans-helpers';
import { buildImageWorker, threadNiceValues } from './io-helpers';
import { decodeImage } from '../../src/core/decode';
import { faultIn } from '../../src/core/bytes';
import { pageInBackground } from '../../src/core/pager';
import { jpegDecoderPages, pagedJpegHeap } from '../../src/core/codecs/jpeg';
import { composite, labelImage } from '../../src/core/composite';
import { isSegmentationError } from '../../src/core/errors';
import { segmentSync } from '../../src/core/segment';
import { DEFAULT_PARAMS } from '../../src/shared/params';

const IMAGE = new URL('../fixtures/images/chelsea.png', import.meta.url).pathname;
let dir: string;
let client: ImageClient;

before(async () => {
  dir = await buildImageWorker('io-worker-');
  client = new ImageClient(join(dir, 'imageWorker.js'));
});

after(async () => {
  await client.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('decodes in the worker to the same pixels as decoding in place', async () => {
  const bytes = new Uint8Array(readFileSync(IMAGE));
  const direct = await decodeImage(bytes.slice(), 'chelsea.png');
  const viaWorker = await client.decode(bytes, 'chelsea.png', 50e6);
  assert.equal(viaWorker.width, direct.width);
  assert.equal(viaWorker.height, direct.height);
  assert.ok(Buffer.from(viaWorker.data).equals(Buffer.from(direct.data)));
});

test('decodes into the buffer it is given when the image has its size, paged in meanwhile by another thread, to the same pixels', async () => {
  const bytes = new Uint8Array(readFileSync(IMAGE));
  const direct = await decodeImage(bytes.slice(), 'chelsea.png');
  const into = new SharedArrayBuffer(direct.data.length);
  {
    // the pager's thread touches the pages while this one decodes into them: no pixel is lost
    const [decoded] = await Promise.all([client.decode(bytes.slice(), 'chelsea.png', 50e6, into), pageInBackground(into)]);
    assert.ok(Buffer.from(decoded.data).equals(Buffer.from(direct.data)));
    assert.ok(Buffer.from(new Uint8Array(into)).equals(Buffer.from(direct.data)), 'the pixels are in the given buffer');
    // of another size: a buffer of its own
    const small = new SharedArrayBuffer(12);
    const elsewhere = await client.decode(bytes.slice(), 'chelsea.png', 50e6, small);
    assert.deepEqual([...new Uint8Array(small)], new Array(12).fill(0), 'not written');
    assert.ok(Buffer.from(elsewhere.data).equals(Buffer.from(direct.data)));
  }
});

test('with its memory paged ahead, a JPEG decodes in the worker into the given buffer: a small one, and a photo whose decoder heap the worker makes and pages', async () => {
  const { cameraPhoto } = await import('../fixtures/photo/make-photo.mjs');
  const small = new Uint8Array(readFileSync(new URL('../fixtures/codecs/jpeg-420-cv2.jpg', import.meta.url)));
  const photo = new Uint8Array(readFileSync(await cameraPhoto(2000, 1500, { seed: 2 })));
  assert.equal(pagedJpegHeap(small), undefined, 'too small for a heap of its own: only its pixels are paged');
  assert.ok(pagedJpegHeap(photo), 'the photo gets a decoder heap');
  for (const [name, bytes] of [['small.jpg', small], ['photo.jpg', photo]] as const) {
    const direct = await decodeImage(bytes.slice(), name);
    const into = new SharedArrayBuffer(direct.data.length);
    const { port1, port2 } = new MessageChannel();
    const { image: decoded, heapSent } = await client.decodeWithHeap(bytes.slice(), name, 50e6, into, true, port1);
    const heap = receiveMessageOnPort(port2)?.message as WebAssembly.Memory | undefined;
    port2.close();
    assert.equal(heapSent, heap !== undefined);
    assert.ok(Buffer.from(decoded.data).equals(Buffer.from(direct.data)), name);
    assert.ok(Buffer.from(new Uint8Array(into)).equals(Buffer.from(direct.data)), `${name}: the pixels are in the given buffer`);
    // the photo's heap comes back, shared, for the pool to take as kernel memory (see SegmentPool.warm)
    if (name === 'small.jpg') assert.equal(heap, undefined);
    else {
      assert.ok(heap instanceof WebAssembly.Memory, 'the photo\'s decoder heap comes back');
      assert.ok((heap.buffer as unknown) instanceof SharedArrayBuffer, 'shared');
      assert.equal(heap.buffer.byteLength, jpegDecoderPages(bytes) * 65536);
      assert.ok(new Uint8Array(heap.buffer).some((v) => v !== 0), 'the decoder worked in it');
    }
  }
});

test('a photo decoded for the pool: the pixels in the given buffer, and the first run, made in the decoder\'s heap, exact', async () => {
  const { cameraPhoto } = await import('../fixtures/photo/make-photo.mjs');
  const bytes = new Uint8Array(readFileSync(await cameraPhoto(2000, 1500, { seed: 2 })));
  const direct = await decodeImage(bytes.slice(), 'photo.jpg');
  const pool = new SegmentPool({ workerPath: resolve('dist/worker.js'), size: 2 });
  try {
    const into = new SharedArrayBuffer(direct.data.length);
    const image = await decodeForPool(client, () => pool, bytes.slice(), 'photo.jpg', 50e6, into, 2000 * 1500);
    assert.ok(Buffer.from(new Uint8Array(into)).equals(Buffer.from(direct.data)), 'the pixels are in the given buffer');
    const params = { colorSpace: 'bgr' as const, channels: [0, 1, 2], k: 4, width: 0, nInit: 4, maxIter: 100, seed: 0 };
    assert.deepEqual(withoutTimings(await pool.segment(image, params, { imageKey: 'photo' })), withoutTimings(segmentSync(direct, params)));
  } finally {
    await pool.dispose();
  }
});

test('paging in a buffer writes nothing: bytes already there stay, the rest stays zero', () => {
  const buffer = new SharedArrayBuffer(3 * 4096 + 100);
  const view = new Uint8Array(buffer);
  view[0] = 7;
  view[4096 * 2 + 1] = 9;
  faultIn(buffer);
  assert.deepEqual([view[0], view[4096 * 2 + 1]], [7, 9]);
  assert.equal(view.reduce((n, v) => n + v, 0), 16);
});

test('bad files come back as the engine user errors, with the file name', async () => {
  await assert.rejects(client.decode(new TextEncoder().encode('not an image'), 'broken.png', 50e6), (e) => {
    assert.ok(isSegmentationError(e), String(e));
    assert.equal(e.code, 'not-an-image');
    assert.match(e.message, /^broken\.png: /);
    return true;
  });
  const bytes = new Uint8Array(readFileSync(IMAGE));
  await assert.rejects(client.decode(bytes, 'chelsea.png', 1000), (e) => isSegmentationError(e) && e.code === 'too-large');
  // The worker survives errors.
  const ok = await client.decode(new Uint8Array(readFileSync(IMAGE)), 'chelsea.png', 50e6);
  assert.ok(ok.width > 0);
});

test('encodes the composite: decoding the PNG gives core composite exactly; the result is untouched', async () => {
  const image = await decodeImage(new Uint8Array(readFileSync(IMAGE)), 'chelsea.png');
  const result = segmentSync(image, { ...DEFAULT_PARAMS, width: 120, k: 4, nInit: 2 });
  const labelsBefore = result.labels.slice();
  const png = await client.encodeComposite(result, 'png');
  const back = await decodeImage(png, 'out.png');
  const expected = composite(result.image, labelImage(result.labels, result.k, result.image.width, result.image.height));
  assert.equal(back.width, expected.width);
  assert.equal(back.height, expected.height);
  assert.ok(Buffer.from(back.data).equals(Buffer.from(expected.data)));
  assert.ok(Buffer.from(result.labels).equals(Buffer.from(labelsBefore)), 'labels not detached or changed');
  const jpg = await client.encodeComposite(result, 'jpg');
  assert.deepEqual([...jpg.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  const bmp = await client.encodeComposite(result, 'bmp');
  assert.equal(new TextDecoder().decode(bmp.subarray(0, 2)), 'BM');
});

test('concurrent requests each get their own answer', async () => {
  const bytes = readFileSync(IMAGE);
  const runs = await Promise.all([
    client.decode(new Uint8Array(bytes), 'a.png', 50e6),
    client.decode(new TextEncoder().encode('nope'), 'b.png', 50e6).catch((e: Error) => e),
    client.decode(new Uint8Array(bytes), 'c.png', 50e6),
  ]);
  assert.ok(!(runs[0] instanceof Error) && runs[0].width === 451);
  assert.ok(runs[1] instanceof Error && /^b\.png: /.test(runs[1].message));
  assert.ok(!(runs[2] instanceof Error) && runs[2].height === 300);
});

/** How many of this process's threads run at the lowest priority (nice 19) now. */
const lowestPriorityThreads = (): number => threadNiceValues().filter((n) => n === 19).length;

test('a background client\'s thread runs at the lowest priority and makes the same reduced copy; an ordinary one\'s runs at the normal priority', async () => {
  // pager threads of the tests before end once they have paged
  for (let i = 0; i < 400 && lowestPriorityThreads() > 0; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(lowestPriorityThreads(), 0, 'none before');
  const image = await decodeImage(new Uint8Array(readFileSync(IMAGE)), 'chelsea.png');
  const target = { width: 151, height: 100 };
  const ordinary = await client.reduce(image, target);
  assert.equal(lowestPriorityThreads(), 0, 'the ordinary client\'s thread is not lowered');
  const background = new ImageClient(join(dir, 'imageWorker.js'), { background: true });
  try {
    const reduced = await background.reduce(image, target);
    assert.ok(Buffer.from(reduced.data).equals(Buffer.from(ordinary.data)), 'the same copy');
    assert.equal(lowestPriorityThreads(), 1, 'its thread at nice 19');
  } finally {
    await background.dispose();
  }
  for (let i = 0; i < 200 && lowestPriorityThreads() > 0; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(lowestPriorityThreads(), 0, 'gone with the client');
});
