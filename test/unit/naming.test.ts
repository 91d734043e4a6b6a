import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isOurOutput, outputName, timestamp, uniqueName, withSuffix } from '../../src/core/naming';
import { DEFAULT_PARAMS, type SegmentParams } from '../../src/shared/params';

const params = (p: Partial<SegmentParams>): SegmentParams => ({ ...DEFAULT_PARAMS, ...p });

test('outputName: stem, zero-padded local time, space, channels, k, extension', () => {
  const date = new Date(2026, 10, 26, 19, 30, 5); // local time, month 10 = November
  assert.equal(outputName('plate.png', params({ colorSpace: 'hsv', channels: [0, 2], k: 3 }), 'jpg', date), 'plate_20261126193005hsv_c02n3.jpg');
  const early = new Date(2018, 2, 9, 4, 3, 6);
  assert.equal(timestamp(early), '20180309040306');
  assert.equal(outputName('x.jpg', DEFAULT_PARAMS, 'png', early), 'x_20180309040306bgr_calln3.png');
  assert.equal(outputName('x.jpg', params({ colorSpace: 'ycrcb', channels: [1], k: 2 }), 'bmp', early), 'x_20180309040306ycrcb_c1n2.bmp');
});

test('outputName: stems with dots, no extension, leading dot, paths', () => {
  const d = new Date(2020, 0, 1, 0, 0, 0);
  const p = params({ colorSpace: 'lab', channels: [2, 0], k: 12 });
  assert.equal(outputName('my.holiday.photo.jpeg', p, 'png', d), 'my.holiday.photo_20200101000000lab_c20n12.png');
  assert.equal(outputName('README', p, 'png', d), 'README_20200101000000lab_c20n12.png');
  assert.equal(outputName('.hidden', p, 'png', d), '.hidden_20200101000000lab_c20n12.png');
  assert.equal(outputName('/a/b.c/pic.png', p, 'png', d), 'pic_20200101000000lab_c20n12.png');
  assert.equal(outputName('C:\\pics\\pic.png', p, 'png', d), 'pic_20200101000000lab_c20n12.png');
});

test('outputName uses the current time by default', () => {
  const before = timestamp(new Date());
  const name = outputName('a.png', DEFAULT_PARAMS, 'png');
  const after = timestamp(new Date());
  const ts = name.slice(2, 16);
  assert.ok(ts >= before && ts <= after, `${ts} not in ${before}..${after}`);
});

test('withSuffix: -2, -3, ... before the extension', () => {
  assert.equal(withSuffix('a_x.png', 1), 'a_x.png');
  assert.equal(withSuffix('a_x.png', 2), 'a_x-2.png');
  assert.equal(withSuffix('a.b.png', 10), 'a.b-10.png');
  assert.equal(withSuffix('noext', 3), 'noext-3');
});

test('uniqueName: the first free candidate', async () => {
  const taken = new Set(['o.png', 'o-2.png', 'o-3.png']);
  const asked: string[] = [];
  const name = await uniqueName('o.png', async (n) => {
    asked.push(n);
    return taken.has(n);
  });
  assert.equal(name, 'o-4.png');
  assert.deepEqual(asked, ['o.png', 'o-2.png', 'o-3.png', 'o-4.png']);
  assert.equal(await uniqueName('free.png', async () => false), 'free.png');
});

test('isOurOutput recognises our names (and suffixed ones) only', () => {
  const d = new Date(2026, 10, 26, 19, 30, 5);
  for (const cs of ['bgr', 'hsv', 'lab', 'ycrcb'] as const) {
    for (const f of ['png', 'jpg', 'bmp', 'webp', 'tiff'] as const) {
      const n = outputName('in.png', params({ colorSpace: cs, channels: [0, 2], k: 7 }), f, d);
      assert.ok(isOurOutput(n), n);
      assert.ok(isOurOutput(withSuffix(n, 2)), withSuffix(n, 2));
      assert.ok(isOurOutput(`/some/dir/${n}`));
    }
  }
  assert.ok(isOurOutput(outputName('in.png', DEFAULT_PARAMS, 'png', d)));
  for (const n of ['plate.png', 'photo_2026.jpg', 'a_20261126193005rgb_c02n3.png', 'a_2026112619300hsv_c02n3.png', 'a_20261126193005hsv_c02n3.gif', 'a_20261126193005hsv_c33n3.png', 'a_20261126193005hsv_c02n3.png.bak']) {
    assert.ok(!isOurOutput(n), n);
  }
});
