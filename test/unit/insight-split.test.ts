import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelHistogram, channelSpread, densityScatter, splitView } from '../../src/core/insight/index';
import { converted as inOrder } from '../../src/core/colorspace';
import { resultFrom, syntheticResult } from './insight-fixtures';

test('histogram: per-rank totals equal the cluster sizes, counts match the channel values', () => {
  const result = syntheticResult(40, 30, 4, 5);
  for (const channel of [0, 1, 2]) {
    const hist = channelHistogram(result, channel);
    assert.equal(hist.length, 4);
    hist.forEach((h, r) => {
      assert.equal(h.length, 256);
      assert.equal(h.reduce((s, v) => s + v, 0), result.clusterSizes[r]);
    });
    // Spot-check one bin of one rank against a direct count.
    const v = result.converted.data[channel]!;
    const r = result.labels[0]!;
    let n = 0;
    for (let p = 0; p < result.labels.length; p++) if (result.labels[p] === r && result.converted.data[p * 3 + channel] === v) n++;
    assert.equal(hist[r]![v], n);
  }
  assert.throws(() => channelHistogram(result, 3), /channel 3 does not exist/);
});

test('scatter: counts sum to n, each bin counts its pixels, dominant is the majority rank', () => {
  const result = syntheticResult(50, 40, 5, 8);
  const bins = 16;
  const s = densityScatter(result, 2, 0, bins);
  assert.equal(s.bins, bins);
  assert.equal(s.counts.length, bins * bins);
  assert.equal(s.counts.reduce((a, v) => a + v, 0), 2000);
  // Brute force: the pixels falling in each bin, by rank.
  const byCell = new Map<number, number[]>();
  for (let p = 0; p < 2000; p++) {
    const bx = Math.floor(result.converted.data[p * 3 + 2]! / (256 / bins));
    const by = Math.floor(result.converted.data[p * 3]! / (256 / bins));
    const cell = by * bins + bx;
    const ranks = byCell.get(cell) ?? new Array<number>(5).fill(0);
    ranks[result.labels[p]!]!++;
    byCell.set(cell, ranks);
  }
  for (let cell = 0; cell < bins * bins; cell++) {
    const ranks = byCell.get(cell);
    if (!ranks) {
      assert.equal(s.counts[cell], 0);
      assert.equal(s.dominant[cell], 255);
      continue;
    }
    assert.equal(s.counts[cell], ranks.reduce((a, v) => a + v, 0));
    assert.equal(s.dominant[cell], ranks.indexOf(Math.max(...ranks)));
  }
});

test('scatter: hand-made bins, an empty bin and a tie going to the lower rank', () => {
  // Pixels (c0, c1): two of rank 1 and one of rank 0 in bin (0,0); one of each in bin (1,1) (tie).
  const conv = Uint8Array.from([0, 0, 0, 10, 5, 0, 100, 127, 0, 128, 255, 0, 200, 130, 0]);
  const labels = Uint8Array.from([1, 0, 1, 0, 1]);
  const result = resultFrom({ width: 5, height: 1, data: new Uint8Array(15) }, conv, labels, 2);
  const s = densityScatter(result, 0, 1, 2);
  assert.deepEqual([...s.counts], [3, 0, 0, 2]);
  assert.deepEqual([...s.dominant], [1, 255, 255, 0]);
  assert.throws(() => densityScatter(result, 0, 1, 0), /bins 0/);
});

test('splitView: 1 channel -> histogram, 2 -> their scatter, 3 -> the two widest', () => {
  const n = 400;
  const conv = new Uint8Array(n * 3);
  // Channel 0 spans 0..255, channel 1 a narrow 100..103, channel 2 0..199.
  for (let p = 0; p < n; p++) {
    conv[p * 3] = Math.floor((p * 256) / n);
    conv[p * 3 + 1] = 100 + (p % 4);
    conv[p * 3 + 2] = p % 200;
  }
  const labels = new Uint8Array(n).map((_, p) => (p < 250 ? 0 : 1));
  const result = resultFrom({ width: 20, height: 20, data: new Uint8Array(n * 3) }, conv, labels, 2);
  assert.ok(channelSpread(inOrder(conv), 1) < channelSpread(inOrder(conv), 2) && channelSpread(inOrder(conv), 2) < channelSpread(inOrder(conv), 0));

  const one = splitView(result, [1]);
  assert.equal(one.kind, 'histogram');
  if (one.kind === 'histogram') {
    assert.equal(one.channel, 1);
    assert.deepEqual(one.histograms, channelHistogram(result, 1));
  }
  const two = splitView(result, [2, 1]);
  assert.equal(two.kind, 'scatter');
  if (two.kind === 'scatter') assert.deepEqual([two.scatter.cx, two.scatter.cy], [2, 1]);

  for (const [channels, axes] of [
    [[0, 1, 2], [0, 2]],
    [[2, 1, 0], [2, 0]],
    [[1, 0, 2], [0, 2]],
  ] as const) {
    const three = splitView(result, channels);
    assert.equal(three.kind, 'scatter');
    if (three.kind === 'scatter') {
      assert.deepEqual([three.scatter.cx, three.scatter.cy], axes, `channels ${channels}`);
      assert.deepEqual(three.scatter, densityScatter(result, axes[0], axes[1]));
    }
  }
  assert.throws(() => splitView(result, []), /0 channels selected/);
  assert.throws(() => splitView(result, [1, 1]), /repeat/);
});

test('channelSpread: the population standard deviation', () => {
  const conv = Uint8Array.from([0, 7, 0, 10, 7, 0, 20, 7, 0]);
  assert.ok(Math.abs(channelSpread(inOrder(conv), 0) - Math.sqrt(200 / 3)) < 1e-12);
  assert.equal(channelSpread(inOrder(conv), 1), 0);
});

test('fitted scatter: the bins span each channel\'s own range, extremes in the first and last bin', () => {
  const result = syntheticResult(30, 20, 3, 11);
  // Squeeze channels 1 and 2 into narrow bands, as Lab's a and b often are.
  for (let p = 0; p < 600; p++) {
    result.converted.data[p * 3 + 1] = 100 + (result.converted.data[p * 3 + 1]! % 21);
    result.converted.data[p * 3 + 2] = 180 + (result.converted.data[p * 3 + 2]! % 9);
  }
  const bins = 8;
  const fitted = densityScatter(result, 1, 2, bins, true);
  const values = (c: number) => Array.from({ length: 600 }, (_, p) => result.converted.data[p * 3 + c]!);
  const [x, y] = [values(1), values(2)];
  assert.deepEqual(fitted.xRange, [Math.min(...x), Math.max(...x)]);
  assert.deepEqual(fitted.yRange, [Math.min(...y), Math.max(...y)]);
  assert.equal(fitted.counts.reduce((a, v) => a + v, 0), 600);
  const binOf = (v: number, [lo, hi]: [number, number]) => Math.floor(((v - lo) * bins) / (hi - lo + 1));
  const expected = new Uint32Array(bins * bins);
  for (let p = 0; p < 600; p++) expected[binOf(y[p]!, fitted.yRange) * bins + binOf(x[p]!, fitted.xRange)]!++;
  assert.deepEqual(fitted.counts, expected);
  // The smallest and largest values land in the first and last bins on both axes.
  const usedX = new Set<number>();
  const usedY = new Set<number>();
  fitted.counts.forEach((n, cell) => {
    if (n > 0) {
      usedX.add(cell % bins);
      usedY.add(Math.floor(cell / bins));
    }
  });
  assert.ok(usedX.has(0) && usedX.has(bins - 1) && usedY.has(0) && usedY.has(bins - 1));
  // Unfitted, the same data crowds into a few bins of the 0-255 span.
  const full = densityScatter(result, 1, 2, bins);
  assert.deepEqual(full.xRange, [0, 255]);
  assert.ok(full.counts.filter((n) => n > 0).length < fitted.counts.filter((n) => n > 0).length);
  assert.deepEqual(splitView(result, [1, 2], bins, true), { kind: 'scatter', scatter: fitted });
});
