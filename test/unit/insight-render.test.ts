import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundaryBytes, clusterPalette, highlight, maskBytes, renderResult } from '../../src/core/insight/index';
import { grayOf, resultFrom, syntheticResult } from './insight-fixtures';

const px = (data: Uint8Array, p: number): number[] => [data[p * 3]!, data[p * 3 + 1]!, data[p * 3 + 2]!];

test('gray mode: every pixel is its rank gray level', () => {
  const result = syntheticResult(31, 17, 4, 2);
  const out = renderResult(result, 'gray', []);
  assert.equal(out.width, 31);
  assert.equal(out.height, 17);
  for (let p = 0; p < result.labels.length; p++) {
    const g = grayOf(result.labels[p]!, 4);
    assert.deepEqual(px(out.data, p), [g, g, g]);
  }
});

test('mean mode: posterised colours equal the palette means', () => {
  const result = syntheticResult(29, 19, 6, 4);
  const palette = clusterPalette(result);
  const out = renderResult(result, 'mean', []);
  for (let p = 0; p < result.labels.length; p++) {
    assert.deepEqual(px(out.data, p), palette[result.labels[p]!]!.meanRgb);
  }
});

test('mask mode: original pixels exactly where the label is selected, black elsewhere', () => {
  const result = syntheticResult(23, 21, 5, 9);
  for (const selected of [[1, 3], new Set([0]), [] as number[]]) {
    const sel = new Set(selected);
    const out = renderResult(result, 'mask', selected);
    const white = renderResult(result, 'mask', selected, { white: true });
    const bytes = maskBytes(result.labels, selected);
    for (let p = 0; p < result.labels.length; p++) {
      const on = sel.has(result.labels[p]!);
      assert.deepEqual(px(out.data, p), on ? px(result.image.data, p) : [0, 0, 0]);
      assert.deepEqual(px(white.data, p), on ? [255, 255, 255] : [0, 0, 0]);
      assert.equal(bytes[p], on ? 255 : 0);
    }
  }
});

test('mask: a rank that does not exist is a RangeError', () => {
  const result = syntheticResult(4, 4, 3);
  assert.throws(() => renderResult(result, 'mask', [3]), /cluster 3 does not exist: ranks are 0..2/);
  assert.throws(() => maskBytes(result.labels, [-1]), RangeError);
  assert.throws(() => renderResult(result, 'posterise' as never, []), /unknown result mode/);
});

test('boundaries: coloured exactly where a 4-neighbour has another label', () => {
  // Two vertical bands and a one-pixel island.
  const w = 6;
  const h = 5;
  const labels = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) labels[y * w + x] = x < 3 ? 0 : 1;
  labels[2 * w + 4] = 2; // island inside band 1, not touching band 0
  const data = new Uint8Array(w * h * 3).map((_, i) => (i * 37) % 251);
  const result = resultFrom({ width: w, height: h, data }, new Uint8Array(w * h * 3), labels, 3);
  const out = renderResult(result, 'boundaries', []);
  const edge = boundaryBytes(labels, w, h);
  const expected = new Set<number>();
  for (let y = 0; y < h; y++) {
    expected.add(y * w + 2);
    expected.add(y * w + 3);
  }
  for (const p of [2 * w + 4, 1 * w + 4, 3 * w + 4, 2 * w + 3, 2 * w + 5]) expected.add(p);
  for (let p = 0; p < w * h; p++) {
    assert.equal(edge[p], expected.has(p) ? 1 : 0, `edge at ${p}`);
    assert.deepEqual(px(out.data, p), expected.has(p) ? [255, 255, 0] : px(data, p), `pixel ${p}`);
  }
  const red = renderResult(result, 'boundaries', [], { color: [255, 0, 0] });
  assert.deepEqual(px(red.data, 2), [255, 0, 0]);
});

test('boundaries: a single-cluster image has none; a checkerboard is all border', () => {
  const w = 5;
  const h = 4;
  const flat = resultFrom({ width: w, height: h, data: new Uint8Array(60).fill(9) }, new Uint8Array(60), new Uint8Array(20), 2);
  assert.deepEqual(renderResult(flat, 'boundaries', []).data, flat.image.data);
  const checker = new Uint8Array(20).map((_, p) => ((p % w) + Math.floor(p / w)) % 2);
  assert.ok(boundaryBytes(checker, w, h).every((v) => v === 1));
});

test('highlight: the cluster keeps its colours, the others are gray and darker', () => {
  const result = syntheticResult(25, 15, 4, 11);
  const out = highlight(result, 2);
  let others = 0;
  for (let p = 0; p < result.labels.length; p++) {
    const src = px(result.image.data, p);
    const got = px(out.data, p);
    if (result.labels[p] === 2) assert.deepEqual(got, src);
    else {
      others++;
      assert.equal(got[0], got[1]);
      assert.equal(got[1], got[2]);
      const luma = 0.299 * src[0]! + 0.587 * src[1]! + 0.114 * src[2]!;
      assert.ok(Math.abs(got[0]! - 0.3 * luma) <= 0.5 + 1e-9);
    }
  }
  assert.ok(others > 0);
  assert.throws(() => highlight(result, 4), RangeError);
});
