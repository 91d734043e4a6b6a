import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Jimp } from 'jimp';
import { resizeArea, targetSize } from '../../src/core/resize';
import { isSegmentationError } from '../../src/core/errors';
import type { RgbImage } from '../../src/core/types';

const FIXTURES = join(__dirname, '..', 'fixtures');
const reference = JSON.parse(readFileSync(join(FIXTURES, 'opencv', 'reference.json'), 'utf8')) as {
  resize_cases: { input: string; width: number; height: number; output: string }[];
};

async function readRgb(path: string): Promise<RgbImage> {
  const j = await Jimp.read(path);
  const { width, height, data: rgba } = j.bitmap;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, o = 0; i < rgba.length; i += 4) {
    data[o++] = rgba[i];
    data[o++] = rgba[i + 1];
    data[o++] = rgba[i + 2];
  }
  return { width, height, data };
}

function diffStats(a: Uint8Array, b: Uint8Array) {
  assert.equal(a.length, b.length);
  let maxDiff = 0;
  let differing = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d) differing++;
    if (d > maxDiff) maxDiff = d;
  }
  return { maxDiff, differing };
}

const isBadParameter = (e: unknown) => isSegmentationError(e) && e.code === 'bad-parameter';

// Measured: every case equals OpenCV 4.6 exactly (box 2x2 and 4x4, fractional shrink, enlarge,
// same size). 400 further random sizes were checked against live OpenCV while writing this.
for (const c of reference.resize_cases) {
  const name = c.output.split('/').pop()!;
  test(`INTER_AREA ${name} equals OpenCV 4.6`, async () => {
    const src = await readRgb(join(FIXTURES, c.input));
    const expected = await readRgb(join(FIXTURES, 'opencv', 'resize', name));
    const size = targetSize(src.width, src.height, c.width);
    assert.deepEqual(size, { width: c.width, height: c.height });
    assert.deepEqual([expected.width, expected.height], [c.width, c.height]);
    const out = resizeArea(src, size.width, size.height);
    assert.deepEqual([out.width, out.height], [c.width, c.height]);
    const { maxDiff, differing } = diffStats(out.data, expected.data);
    assert.ok(maxDiff <= 1, `max difference ${maxDiff}`);
    assert.equal(differing, 0);
  });
}

test('tiny and odd sizes (1x1, 1-pixel rows and columns, mixed directions) equal OpenCV 4.6', () => {
  const small = JSON.parse(readFileSync(join(FIXTURES, 'opencv', 'resize-small.json'), 'utf8')) as {
    cases: { srcWidth: number; srcHeight: number; width: number; height: number; src: string; expected: string }[];
  };
  for (const c of small.cases) {
    const src = { width: c.srcWidth, height: c.srcHeight, data: new Uint8Array(Buffer.from(c.src, 'base64')) };
    const out = resizeArea(src, c.width, c.height);
    const label = `${c.srcWidth}x${c.srcHeight} -> ${c.width}x${c.height}`;
    assert.deepEqual([out.width, out.height], [c.width, c.height], label);
    assert.deepEqual(diffStats(out.data, new Uint8Array(Buffer.from(c.expected, 'base64'))), { maxDiff: 0, differing: 0 }, label);
  }
});

test('same size is a copy, not the same buffer', () => {
  const src = { width: 2, height: 1, data: Uint8Array.of(1, 2, 3, 4, 5, 6) };
  const out = resizeArea(src, 2, 1);
  assert.deepEqual(out.data, src.data);
  assert.notEqual(out.data, src.data);
});

test('a flat image stays flat at any size', () => {
  const src = { width: 5, height: 3, data: new Uint8Array(45).fill(77) };
  for (const [w, h] of [[1, 1], [2, 1], [3, 2], [7, 4], [13, 9]]) {
    assert.ok(resizeArea(src, w, h).data.every((v) => v === 77), `${w}x${h}`);
  }
});

test('targetSize follows Python int((width / W) * H)', () => {
  assert.deepEqual(targetSize(640, 427, 0), { width: 640, height: 427 });
  assert.deepEqual(targetSize(640, 427, 300), { width: 300, height: 200 });
  assert.deepEqual(targetSize(451, 300, 300), { width: 300, height: 199 });
  assert.deepEqual(targetSize(512, 512, 700), { width: 700, height: 700 });
  assert.deepEqual(targetSize(600, 400, 7), { width: 7, height: 4 });
  // (14 / 20) * 330 is 230.99999999999997 in float64: Python gives 230, exact arithmetic 231.
  assert.deepEqual(targetSize(20, 330, 14), { width: 14, height: 230 });
  assert.deepEqual(targetSize(1, 1, 1), { width: 1, height: 1 });
});

test('targetSize: a height of 0 or a bad width is a user error', () => {
  assert.throws(() => targetSize(1000, 10, 50), (e: unknown) => isBadParameter(e) && /height would be 0/.test(String((e as Error).message)));
  assert.throws(() => targetSize(640, 427, -1), isBadParameter);
  assert.throws(() => targetSize(640, 427, 2.5), isBadParameter);
  assert.throws(() => targetSize(0, 427, 100), isBadParameter);
});

test('resizeArea rejects empty targets and short buffers', () => {
  const src = { width: 2, height: 2, data: new Uint8Array(12) };
  assert.throws(() => resizeArea(src, 0, 1), isBadParameter);
  assert.throws(() => resizeArea(src, 1, 1.5), isBadParameter);
  assert.throws(() => resizeArea({ width: 3, height: 2, data: new Uint8Array(12) }, 1, 1), isBadParameter);
});
