// The PNG reader for 8-bit RGB and RGBA (codecs/pngRead.ts): every row filter gives the pixels
// pngjs gives, and what it does not read (other formats, damage) still goes to pngjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { decodeImage } from '../../src/core/decode';
import { readPngRows } from '../../src/core/codecs/pngRead';
import { checkPngData } from '../../src/core/decodeGuards';
import { isSegmentationError } from '../../src/core/errors';

const { PNG } = require('pngjs') as {
  PNG: { sync: { write(png: { width: number; height: number; data: Buffer }, options: object): Buffer; read(b: Buffer): { data: Buffer } } };
};

/** A w x h RGBA picture of varied values (alpha varied too), from a fixed seed. */
function rgba(w: number, h: number): Buffer {
  const data = Buffer.alloc(w * h * 4);
  let s = 12345;
  for (let i = 0; i < data.length; i++) data[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
  // some flat runs, where the filters' predictions hit
  for (let i = 0; i < w * 4 * 3; i++) data[i] = 200;
  return data;
}

function png(w: number, h: number, colorType: 2 | 6, filterType: number): Uint8Array {
  return new Uint8Array(PNG.sync.write({ width: w, height: h, data: rgba(w, h) }, { colorType, inputColorType: 6, filterType }));
}

test('8-bit RGB and RGBA in every row filter: the stored colours, as pngjs reads them, alpha dropped', async () => {
  const [w, h] = [37, 23];
  for (const colorType of [2, 6] as const) {
    for (const filterType of [0, 1, 2, 3, 4, -1]) {
      const bytes = png(w, h, colorType, filterType);
      const rows = checkPngData(bytes, 'x.png');
      assert.ok(rows && readPngRows(bytes, rows), `colour type ${colorType}, filter ${filterType}: read here`);
      const img = await decodeImage(bytes, 'x.png');
      // pngjs wrote RGB by blending the alpha over white; what it reads back is what is stored
      const stored = PNG.sync.read(Buffer.from(bytes)).data;
      const want = new Uint8Array(w * h * 3);
      for (let p = 0; p < w * h; p++) for (let c = 0; c < 3; c++) want[p * 3 + c] = stored[p * 4 + c]!;
      assert.deepEqual([img.width, img.height], [w, h]);
      assert.deepEqual(img.data, want, `colour type ${colorType}, filter ${filterType}`);
    }
  }
});

test('what it does not read goes to pngjs: other depths and colour types, tRNS, a bad CRC', async () => {
  const [w, h] = [9, 5];
  const gray = new Uint8Array(PNG.sync.write({ width: w, height: h, data: rgba(w, h) }, { colorType: 0, inputColorType: 6 }));
  assert.equal(readPngRows(gray, checkPngData(gray, 'g.png')!), undefined, 'gray');
  const rgb = png(w, h, 2, 0);
  // a tRNS chunk before IDAT (its CRC right): left to pngjs, which keeps the colour key's handling
  const at = 8 + 25;
  const body = Uint8Array.of(0, 1, 0, 2, 0, 3);
  const chunk = new Uint8Array(12 + body.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, body.length);
  chunk.set([0x74, 0x52, 0x4e, 0x53], 4);
  chunk.set(body, 8);
  view.setUint32(8 + body.length, crc32(chunk.subarray(4, 8 + body.length)) >>> 0);
  const withTrns = new Uint8Array([...rgb.subarray(0, at), ...chunk, ...rgb.subarray(at)]);
  assert.equal(readPngRows(withTrns, checkPngData(withTrns, 't.png')!), undefined, 'tRNS');
  assert.deepEqual((await decodeImage(withTrns, 't.png')).data, (await decodeImage(rgb, 'r.png')).data, 'the same stored colours');
  // a flipped CRC byte in IDAT: not read here, and pngjs refuses it as before
  const badCrc = rgb.slice();
  const idat = badCrc.findIndex((_, i) => badCrc[i] === 0x49 && badCrc[i + 1] === 0x44 && badCrc[i + 2] === 0x41 && badCrc[i + 3] === 0x54);
  const len = new DataView(badCrc.buffer).getUint32(idat - 4);
  badCrc[idat + 4 + len] ^= 0xff;
  assert.equal(readPngRows(badCrc, checkPngData(badCrc, 'c.png')!), undefined, 'bad CRC');
  await assert.rejects(decodeImage(badCrc, 'c.png'), (e: unknown) => isSegmentationError(e) && e.code === 'corrupt-image');
});
