import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertColor } from '../../src/core/colorspace';
import { cluster, finish, prepare } from '../../src/core/segment';
import { distinctIds, imageValues } from '../../src/core/kmeans/index';
import { completeLabelling, labelShare, newSharedLabelling } from '../../src/core/sharedLabels';
import { completeConversion, convertShare, newSharedConversion } from '../../src/core/sharedConvert';
import { CHUNK_PIXELS, chunkCount, openChunks } from '../../src/core/sharedChunks';
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
    assert.equal(chunkCount(image.width * image.height), Math.ceil((image.width * image.height) / CHUNK_PIXELS));
    assert.equal(job.table.length - 3, 3);
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
  Atomics.add(job.table, 1, 1);
  Atomics.store(job.table, 3, 1);
  const t = performance.now();
  const out = completeConversion(image, job, 50);
  assert.ok(performance.now() - t < 2000, 'waited far longer than the stall limit');
  assert.deepEqual(out, convertColor(image, 'lab'));
});

test('prepare converts through a shared conversion only when it fits (same size and space, no resize)', () => {
  const params = { width: 0, colorSpace: 'hsv' as const, channels: [0, 2], k: 3 };
  const shared = newSharedConversion(image.width * image.height, 'hsv');
  const withShared = prepare(image, params, undefined, shared);
  assert.equal(withShared.converted.data, shared.out);
  const alone = prepare(image, params);
  assert.deepEqual(withShared.converted, alone.converted);
  assert.deepEqual(withShared.distinct.points, alone.distinct.points);
  // another colour space, or a resize first: the conversion is not used
  const other = newSharedConversion(image.width * image.height, 'lab');
  assert.notEqual(prepare(image, params, undefined, other).converted.data, other.out);
  assert.notEqual(prepare(image, { ...params, width: 500 }, undefined, shared).converted.data, shared.out);
});

for (const [colorSpace, channels] of [['lab', [1, 2]], ['bgr', [0, 1, 2]], ['bgr', [2, 0]]] as const)
test(`pixels labelled with a helper that stops part way, or by the finishing thread alone, are the plain labels (${colorSpace} ${channels.join('')})`, () => {
  const params = { width: 0, colorSpace, channels: [...channels], k: 4, nInit: 2, maxIter: 100, seed: 0 };
  const prep = prepare(image, params);
  const best = cluster(prep, params);
  const plain = finish(prep, params, best);

  // the finishing thread alone: it opens the table and labels everything
  const alone = newSharedLabelling(prep.converted, params.channels, prep.distinct.lookup, prep.distinct.count);
  assert.deepEqual(finish(prep, params, best, 0, undefined, alone).labels, plain.labels);
  assert.equal(finish(prep, params, best, 0, undefined, alone).labels, alone.labels);

  // a helper that finds the table closed and is told to give way does nothing
  const job = newSharedLabelling(prep.converted, params.channels, prep.distinct.lookup, prep.distinct.count);
  assert.equal(labelShare(job, () => true), 0);
  // once the ranks are there: a helper takes one chunk and gives way, the owner does the rest
  const ids = distinctIds(prep.distinct, imageValues(prep.converted, params.channels));
  for (let p = 0; p < ids.length; p++) job.ranks[ids[p]!] = plain.labels[p]!;
  openChunks(job.table);
  let asked = 0;
  assert.equal(labelShare(job, () => asked++ >= 1), 1);
  assert.deepEqual(completeLabelling(job), plain.labels);
});
