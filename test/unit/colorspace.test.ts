import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { convertColor } from '../../src/core/colorspace';
import { isSegmentationError } from '../../src/core/errors';
import type { ColorSpace } from '../../src/shared/params';

/** One RGB pixel in `space`, OpenCV's channel order. */
function convertPixel(r: number, g: number, b: number, space: ColorSpace): number[] {
  return [...convertColor({ width: 1, height: 1, data: Uint8Array.of(r, g, b) }, space)];
}

const FIXTURES = join(__dirname, '..', 'fixtures', 'opencv');
const reference = JSON.parse(readFileSync(join(FIXTURES, 'reference.json'), 'utf8')) as { grid_values: number[] };

/** The 65^3 grid OpenCV converted, as an RGB image one pixel high (B outermost, then G, then R). */
function gridImage() {
  const v = reference.grid_values;
  const n = v.length ** 3;
  const data = new Uint8Array(n * 3);
  let i = 0;
  for (const b of v) for (const g of v) for (const r of v) {
    data[i++] = r;
    data[i++] = g;
    data[i++] = b;
  }
  return { width: n, height: 1, data };
}

function compare(ours: Uint8Array, ref: Uint8Array) {
  assert.equal(ours.length, ref.length);
  let maxDiff = 0;
  let offByOne = 0;
  for (let i = 0; i < ours.length; i++) {
    const d = Math.abs(ours[i] - ref[i]);
    if (d > maxDiff) maxDiff = d;
    if (d === 1) offByOne++;
  }
  return { maxDiff, offByOne };
}

const grid = gridImage();

// Measured: every value equals OpenCV 4.6's (also checked on all 2^24 colours with live OpenCV).
for (const space of ['hsv', 'lab', 'ycrcb'] as const) {
  test(`${space}: every grid colour equals OpenCV 4.6`, () => {
    const ref = new Uint8Array(gunzipSync(readFileSync(join(FIXTURES, `colors-${space}.bin.gz`))));
    const { maxDiff, offByOne } = compare(convertColor(grid, space), ref);
    assert.ok(maxDiff <= 1, `max difference ${maxDiff}`);
    assert.equal(offByOne, 0);
    assert.equal(maxDiff, 0);
  });
}

test('bgr reorders RGB into OpenCV order', () => {
  const out = convertColor(grid, 'bgr');
  for (let i = 0; i < out.length; i += 3) {
    if (out[i] !== grid.data[i + 2] || out[i + 1] !== grid.data[i + 1] || out[i + 2] !== grid.data[i]) {
      assert.fail(`pixel ${i / 3}: ${out.subarray(i, i + 3)} from RGB ${grid.data.subarray(i, i + 3)}`);
    }
  }
});

test('well-known colours', () => {
  assert.deepEqual(convertPixel(255, 255, 255, 'lab'), [255, 128, 128]);
  assert.deepEqual(convertPixel(0, 0, 0, 'lab'), [0, 128, 128]);
  assert.deepEqual(convertPixel(255, 0, 0, 'hsv'), [0, 255, 255]);
  assert.deepEqual(convertPixel(0, 255, 0, 'hsv'), [60, 255, 255]);
  assert.deepEqual(convertPixel(0, 0, 255, 'hsv'), [120, 255, 255]);
  assert.deepEqual(convertPixel(128, 128, 128, 'hsv'), [0, 0, 128]);
  assert.deepEqual(convertPixel(128, 128, 128, 'ycrcb'), [128, 128, 128]);
  assert.deepEqual(convertPixel(10, 20, 30, 'bgr'), [30, 20, 10]);
});

test('convertPixel agrees with convertColor on every grid colour', () => {
  const spaces: ColorSpace[] = ['bgr', 'hsv', 'lab', 'ycrcb'];
  for (const space of spaces) {
    const whole = convertColor(grid, space);
    // Every 7th colour keeps the test quick while touching all channels' ranges.
    for (let p = 0; p < grid.width; p += 7) {
      const i = p * 3;
      const px = convertPixel(grid.data[i], grid.data[i + 1], grid.data[i + 2], space);
      if (px[0] !== whole[i] || px[1] !== whole[i + 1] || px[2] !== whole[i + 2]) {
        assert.fail(`${space} pixel ${p}: ${px} vs ${whole.subarray(i, i + 3)}`);
      }
    }
  }
});

test('1x1 and odd-sized images; empty image', () => {
  const one = { width: 1, height: 1, data: Uint8Array.of(200, 100, 50) };
  assert.deepEqual([...convertColor(one, 'hsv')], convertPixel(200, 100, 50, 'hsv'));
  const odd = { width: 3, height: 5, data: grid.data.slice(0, 45) };
  assert.deepEqual(convertColor(odd, 'lab'), convertColor({ width: 15, height: 1, data: grid.data.slice(0, 45) }, 'lab'));
  assert.equal(convertColor({ width: 0, height: 0, data: new Uint8Array(0) }, 'ycrcb').length, 0);
});

test('an unknown colour space is a user error', () => {
  assert.throws(
    () => convertColor(grid, 'xyz' as ColorSpace),
    (e: unknown) => isSegmentationError(e) && e.code === 'bad-parameter' && /xyz/.test(e.message),
  );
  assert.throws(() => convertPixel(1, 2, 3, 'toString' as ColorSpace), (e: unknown) => isSegmentationError(e));
});
