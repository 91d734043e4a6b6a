// Every valid image within the pixel limit opens, at the limit too: JPEG (jpeg-js stopped at its
// own memory cap near 64 MP and the failure read "corrupt"), PNG and TIFF, made here (one flat
// colour, so the files are small, but every pixel is decoded). And a decoder that really cannot
// get the memory says so, with its own error code, not that the file is damaged.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeImage } from '../../src/core/decode';
import { isSegmentationError } from '../../src/core/errors';
import { ImageClient } from '../../src/extension/workers/imageClient';
import type { RgbImage } from '../../src/core/types';
import { flatJpeg, flatPng, flatTiff } from './big-images';
import { buildImageWorker } from './io-helpers';

const ROOT = resolve(__dirname, '..', '..');
let workerDir: string;
let client: ImageClient;

before(async () => {
  workerDir = await buildImageWorker('io-worker-large-');
  client = new ImageClient(join(workerDir, 'imageWorker.js'));
  const r = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

after(async () => {
  await client.dispose();
  rmSync(workerDir, { recursive: true, force: true });
});

/** Size, and the colour at the corners, the centre and 200 points between. */
function assertFlat(img: RgbImage, width: number, height: number, rgb: [number, number, number]): void {
  assert.deepEqual([img.width, img.height], [width, height]);
  assert.equal(img.data.length, width * height * 3);
  const points = [0, width - 1, (height - 1) * width, width * height - 1, (height >> 1) * width + (width >> 1)];
  for (let i = 0; i < 200; i++) points.push(Math.floor((i / 200) * width * height));
  for (const p of points) assert.deepEqual([...img.data.subarray(p * 3, p * 3 + 3)], rgb, `pixel ${p}`);
}

test('a 100-megapixel JPEG (10000x10000, the default limit) decodes in full', { timeout: 120_000 }, async () => {
  assertFlat(await decodeImage(flatJpeg(10000, 10000), 'photo100.jpg'), 10000, 10000, [128, 128, 128]);
});

test('the 64-megapixel JPEG of the report (10000x6400), progressive, through the extension\'s decode worker', { timeout: 120_000 }, async () => {
  const img = await client.decode(flatJpeg(10000, 6400, true), 'photo64.jpg', 100e6);
  assertFlat(img, 10000, 6400, [128, 128, 128]);
});

test('PNG and TIFF at a 64-megapixel limit decode in full', { timeout: 180_000 }, async () => {
  assertFlat(await decodeImage(flatPng(8000, 8000, [10, 200, 30]), 'big.png', { maxPixels: 64e6 }), 8000, 8000, [10, 200, 30]);
  assertFlat(await decodeImage(flatTiff(8000, 8000, 77), 'big.tif', { maxPixels: 64e6 }), 8000, 8000, [77, 77, 77]);
});

test('a decoder out of memory is out-of-memory, naming the size, never "corrupt"', { timeout: 120_000 }, async () => {
  // 500 MP is the largest limit the settings allow; progressive, its decoder needs the RGBA
  // output and every block's coefficients at once, more than a WebAssembly heap can hold
  const bytes = flatJpeg(25000, 20000, true);
  await assert.rejects(decodeImage(bytes, 'huge.jpg', { maxPixels: 500e6 }), (e: unknown) => {
    assert.ok(isSegmentationError(e), String(e));
    assert.equal(e.code, 'out-of-memory');
    assert.match(e.message, /^huge\.jpg: 25000x20000 JPEG \(500 megapixels\) is too large for the memory available/);
    assert.doesNotMatch(e.message, /corrupt|truncated/);
    assert.ok(!e.message.includes('\n'));
    return true;
  });
  // the CLI says it in one line, exit 1, and writes nothing
  const dir = mkdtempSync(join(tmpdir(), 'kmeans-large-'));
  try {
    writeFileSync(join(dir, 'huge.jpg'), bytes);
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), '-i', 'huge.jpg', '--max-megapixels', '500', '-o'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^error: huge\.jpg: 25000x20000 JPEG \(500 megapixels\) is too large for the memory available to decode it: the decoder needs about \d+ MB/);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.deepEqual(readdirSync(dir), ['huge.jpg']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
