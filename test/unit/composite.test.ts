import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STRIP_VALUE, composite, grayLabelBytes, grayLevel, labelImage, stripWidth } from '../../src/core/composite';

test('stripWidth is Python int(0.0625 * W)', () => {
  const cases: [number, number][] = [
    [0, 0], [1, 0], [15, 0], [16, 1], [17, 1], [31, 1], [32, 2], [300, 18], [451, 28], [600, 37], [640, 40], [65535, 4095],
  ];
  for (const [w, s] of cases) assert.equal(stripWidth(w), s, `W=${w}`);
});

test('grayLevel is int(255 / (k - 1)) * rank for k = 2..16', () => {
  // 255 / (k-1), truncated, as Python's int() of the float quotient
  const step: Record<number, number> = { 2: 255, 3: 127, 4: 85, 5: 63, 6: 51, 7: 42, 8: 36, 9: 31, 10: 28, 11: 25, 12: 23, 13: 21, 14: 19, 15: 18, 16: 17 };
  for (let k = 2; k <= 16; k++) {
    for (let r = 0; r < k; r++) assert.equal(grayLevel(r, k), step[k]! * r, `k=${k} rank=${r}`);
    assert.equal(grayLevel(0, k), 0);
    assert.ok(grayLevel(k - 1, k) <= 255);
  }
  assert.equal(grayLevel(2, 3), 254); // the seed's k=3 light gray is 254, not 255
  assert.equal(grayLevel(1, 2), 255);
  assert.equal(grayLevel(254, 255), 254);
});

test('labelImage and grayLabelBytes map ranks to gray levels', () => {
  const labels = new Uint8Array([0, 1, 2, 2, 1, 0]);
  const gray = grayLabelBytes(labels, 3);
  assert.deepEqual([...gray], [0, 127, 254, 254, 127, 0]);
  const img = labelImage(labels, 3, 3, 2);
  assert.equal(img.width, 3);
  assert.equal(img.height, 2);
  assert.deepEqual([...img.data], [0, 0, 0, 127, 127, 127, 254, 254, 254, 254, 254, 254, 127, 127, 127, 0, 0, 0]);
  assert.throws(() => labelImage(labels, 3, 4, 2), /needs 8 labels/);
});

test('composite: left | 193 strip | right, exact layout', () => {
  const W = 37;
  const H = 5;
  const left = { width: W, height: H, data: new Uint8Array(W * H * 3) };
  for (let i = 0; i < left.data.length; i++) left.data[i] = i % 191; // never 193
  const labels = new Uint8Array(W * H);
  for (let i = 0; i < labels.length; i++) labels[i] = i % 4;
  const right = labelImage(labels, 4, W, H);
  const out = composite(left, right);
  const S = stripWidth(W);
  assert.equal(S, 2);
  assert.equal(out.width, W + S + W);
  assert.equal(out.height, H);
  assert.equal(out.data.length, out.width * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < out.width; x++) {
      const px = [...out.data.subarray((y * out.width + x) * 3, (y * out.width + x) * 3 + 3)];
      if (x < W) assert.deepEqual(px, [...left.data.subarray((y * W + x) * 3, (y * W + x) * 3 + 3)], `left ${x},${y}`);
      else if (x < W + S) assert.deepEqual(px, [STRIP_VALUE, STRIP_VALUE, STRIP_VALUE], `strip ${x},${y}`);
      else {
        const g = grayLevel(labels[y * W + (x - W - S)]!, 4);
        assert.deepEqual(px, [g, g, g], `right ${x},${y}`);
      }
    }
  }
});

test('composite of a narrow image has no strip; heights must match', () => {
  const a = { width: 15, height: 2, data: new Uint8Array(15 * 2 * 3).fill(9) };
  const out = composite(a, a);
  assert.equal(out.width, 30);
  assert.ok(out.data.every((v) => v === 9));
  assert.throws(() => composite(a, { width: 15, height: 3, data: new Uint8Array(15 * 3 * 3) }), /heights differ/);
});
