import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertColor } from '../../src/core/colorspace';
import { prepare } from '../../src/core/segment';
import { CONVERT_CHUNK_PIXELS, completeConversion, convertShare, newSharedConversion } from '../../src/core/sharedConvert';
import type { RgbImage } from '../../src/core/types';

/** Every 24-bit colour in turn, then again: the converters meet every input. */
function allColours(pixels: number): RgbImage {
  const data = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    const v = (p * 2654435761) >>> 8;
    data[p * 3] = v & 255;
    data[p * 3 + 1] = (v >>> 8) & 255;
    data[p * 3 + 2] = (v >>> 16) & 255;
  }
  // a width that splits chunks inside rows
  return { width: 1000, height: pixels / 1000, data };
}

const image = allColours(1000 * 700); // 2.67 chunks

test('a conversion shared by a helper that stops part way is the whole conversion, byte for byte', () => {
  for (const space of ['bgr', 'hsv', 'lab', 'ycrcb'] as const) {
    const job = newSharedConversion(image.width * image.height, space);
    assert.equal(job.chunks, Math.ceil((image.width * image.height) / CONVERT_CHUNK_PIXELS));
    let asked = 0;
    // the helper takes one chunk, then is asked to give way
    assert.equal(convertShare(image, job, () => asked++ >= 1), 1);
    const out = completeConversion(image, job);
    assert.equal(out, job.out);
    assert.deepEqual(out, convertColor(image, space), space);
  }
});

test('a helper that claimed a chunk and never finished it does not hold the preparing thread', () => {
  const job = newSharedConversion(image.width * image.height, 'lab');
  // a helper that died in its first chunk: claimed, never done
  Atomics.add(job.table, 0, 1);
  Atomics.store(job.table, 2, 1);
  const t = performance.now();
  const out = completeConversion(image, job, 50);
  assert.ok(performance.now() - t < 2000, 'waited far longer than the stall limit');
  assert.deepEqual(out, convertColor(image, 'lab'));
});

test('prepare converts through a shared conversion only when it fits (same size and space, no resize)', () => {
  const params = { width: 0, colorSpace: 'hsv' as const, channels: [0, 2], k: 3 };
  const shared = newSharedConversion(image.width * image.height, 'hsv');
  const withShared = prepare(image, params, undefined, shared);
  assert.equal(withShared.converted, shared.out);
  const alone = prepare(image, params);
  assert.deepEqual(withShared.converted, alone.converted);
  assert.deepEqual(withShared.distinct.points, alone.distinct.points);
  // another colour space, or a resize first: the conversion is not used
  const other = newSharedConversion(image.width * image.height, 'lab');
  assert.notEqual(prepare(image, params, undefined, other).converted, other.out);
  assert.notEqual(prepare(image, { ...params, width: 500 }, undefined, shared).converted, shared.out);
});
