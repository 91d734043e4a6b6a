import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readImageHeader, sniffFormat, sniffUnsupportedFormat, tiffDataEnd } from '../../src/core/header';
import { fixture, jpegHeaderOnly, pngHeaderOnly } from './io-helpers';

test('real files of every format: format and size from the header', () => {
  const cases: [string, string, number, number][] = [
    ['small.png', 'png', 64, 48],
    ['small-gray.png', 'png', 64, 48],
    ['small-alpha.png', 'png', 64, 48],
    ['small.jpg', 'jpeg', 64, 48],
    ['small.bmp', 'bmp', 64, 48],
    ['small.gif', 'gif', 64, 48],
    ['small-le.tif', 'tiff', 64, 48],
    ['small-be.tif', 'tiff', 64, 48],
    ['chelsea.png', 'png', 451, 300],
    ['linuxlogo.png', 'png', 320, 240],
  ];
  for (const [name, format, width, height] of cases) {
    assert.deepEqual(readImageHeader(fixture(name)), { format, width, height }, name);
  }
});

test('PNG claiming 60000x60000: size read from IHDR alone', () => {
  assert.deepEqual(readImageHeader(pngHeaderOnly(60000, 60000)), { format: 'png', width: 60000, height: 60000 });
});

test('JPEG: segments walked past APP0 and fill bytes to baseline and progressive frames', () => {
  assert.deepEqual(readImageHeader(jpegHeaderOnly(4000, 3000, 0xc0)), { format: 'jpeg', width: 4000, height: 3000 });
  assert.deepEqual(readImageHeader(jpegHeaderOnly(1234, 567, 0xc2)), { format: 'jpeg', width: 1234, height: 567 });
});

test('JPEG: DHT (C4) is not taken for a frame header; scan data before a frame gives no size', () => {
  const dht = jpegHeaderOnly(10, 20, 0xc4);
  assert.equal(readImageHeader(dht), undefined);
  const sosFirst = new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 1, 1, 0, 0, 0x3f, 0]);
  assert.equal(readImageHeader(sosFirst), undefined);
});

test('BMP: bottom-up, top-down (negative height) and OS/2 core headers', () => {
  const bmp = fixture('small.bmp');
  const topDown = bmp.slice();
  new DataView(topDown.buffer).setInt32(22, -48, true);
  assert.deepEqual(readImageHeader(topDown), { format: 'bmp', width: 64, height: 48 });

  const core = new Uint8Array(26);
  core.set([0x42, 0x4d]);
  const v = new DataView(core.buffer);
  v.setUint32(14, 12, true);
  v.setUint16(18, 300, true);
  v.setUint16(20, 200, true);
  assert.deepEqual(readImageHeader(core), { format: 'bmp', width: 300, height: 200 });
});

test('GIF 87a and 89a: the logical screen size', () => {
  const gif = fixture('small.gif');
  assert.equal(String.fromCharCode(...gif.subarray(0, 6)), 'GIF87a');
  const g89 = gif.slice();
  g89[4] = 0x39;
  assert.deepEqual(readImageHeader(g89), { format: 'gif', width: 64, height: 48 });
});

test('TIFF: SHORT and LONG size entries in both byte orders', () => {
  for (const le of [true, false]) {
    for (const type of [3, 4]) {
      const b = new Uint8Array(8 + 2 + 2 * 12 + 4);
      const v = new DataView(b.buffer);
      b.set(le ? [0x49, 0x49, 0x2a, 0] : [0x4d, 0x4d, 0, 0x2a]);
      v.setUint32(4, 8, le);
      v.setUint16(8, 2, le);
      [
        [256, 70000 % (type === 3 ? 65536 : 2 ** 32)],
        [257, 321],
      ].forEach(([tag, value], i) => {
        const e = 10 + i * 12;
        v.setUint16(e, tag!, le);
        v.setUint16(e + 2, type, le);
        v.setUint32(e + 4, 1, le);
        if (type === 3) v.setUint16(e + 8, value!, le);
        else v.setUint32(e + 8, value!, le);
      });
      const width = type === 3 ? 70000 % 65536 : 70000;
      assert.deepEqual(readImageHeader(b), { format: 'tiff', width, height: 321 }, `le=${le} type=${type}`);
    }
  }
});

test('TIFF pixel data end from the strip table', () => {
  const le = fixture('small-le.tif');
  const be = fixture('small-be.tif');
  for (const t of [le, be]) {
    const end = tiffDataEnd(t);
    assert.ok(end !== undefined && end <= t.length && end >= 64 * 48 * 3, `end ${end} of ${t.length}`);
  }
  assert.equal(tiffDataEnd(fixture('small.png')), undefined);
});

test('every prefix of every fixture: no throw, and either no answer or the right one', () => {
  for (const name of ['small.png', 'small.jpg', 'small.bmp', 'small.gif', 'small-le.tif', 'small-be.tif']) {
    const bytes = fixture(name);
    const full = readImageHeader(bytes);
    assert.ok(full);
    let firstAnswer = -1;
    for (let n = 0; n <= Math.min(bytes.length, 700); n++) {
      const h = readImageHeader(bytes.subarray(0, n));
      if (h) {
        assert.deepEqual(h, full, `${name} prefix ${n}`);
        if (firstAnswer < 0) firstAnswer = n;
      }
    }
    // The size needs only the first bytes, except where the IFD sits at the end of a TIFF.
    if (name !== 'small-be.tif') assert.ok(firstAnswer > 0 && firstAnswer <= 700, `${name}: first answer at ${firstAnswer}`);
  }
});

test('not images: empty, text, zero sizes, unknown magic', () => {
  assert.equal(readImageHeader(new Uint8Array(0)), undefined);
  assert.equal(readImageHeader(new TextEncoder().encode('hello, this is not a PNG\n')), undefined);
  assert.equal(sniffFormat(new TextEncoder().encode('hello')), undefined);
  assert.equal(readImageHeader(pngHeaderOnly(0, 10)), undefined);
  assert.equal(readImageHeader(jpegHeaderOnly(10, 0)), undefined);
  // A WebP too short to hold its frame header: the format, but no size.
  assert.equal(sniffFormat(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 ')), 'webp');
  assert.equal(readImageHeader(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 ')), undefined);
  // BigTIFF is refused by the sniffer.
  assert.equal(sniffFormat(new Uint8Array([0x49, 0x49, 0x2b, 0, 8, 0, 0, 0])), undefined);
});

test('WebP (lossy, lossless, extended) and AVIF: format and size from the header', () => {
  const dir = join(__dirname, '..', 'fixtures', 'codecs');
  const read = (name: string) => readImageHeader(new Uint8Array(readFileSync(join(dir, name))));
  assert.deepEqual(read('webp-lossy-cv2.webp'), { format: 'webp', width: 61, height: 43 });
  assert.deepEqual(read('webp-lossless-cv2.webp'), { format: 'webp', width: 61, height: 43 });
  assert.deepEqual(read('webp-lossy-alpha-pil.webp'), { format: 'webp', width: 61, height: 43 });
  assert.deepEqual(read('webp-exif-6-pil.webp'), { format: 'webp', width: 61, height: 43 });
  assert.deepEqual(read('avif-lossless-avifenc.avif'), { format: 'avif', width: 61, height: 43 });
  assert.deepEqual(read('avif-420-avifenc.avif'), { format: 'avif', width: 61, height: 43 });
});

test('AVIF: the largest ispe counts, and a box running past the end stops the walk', () => {
  const box = (type: string, body: Uint8Array): Uint8Array => {
    const out = new Uint8Array(8 + body.length);
    new DataView(out.buffer).setUint32(0, out.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(body, 8);
    return out;
  };
  const cat = (...parts: Uint8Array[]): Uint8Array => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) (out.set(p, at), (at += p.length));
    return out;
  };
  const ispe = (w: number, h: number): Uint8Array => {
    const b = new Uint8Array(12);
    new DataView(b.buffer).setUint32(4, w);
    new DataView(b.buffer).setUint32(8, h);
    return box('ispe', b);
  };
  const ftyp = box('ftyp', new TextEncoder().encode('avif\0\0\0\0mif1'));
  const file = cat(ftyp, box('meta', cat(new Uint8Array(4), box('iprp', box('ipco', cat(ispe(512, 512), ispe(60000, 60000)))))));
  assert.deepEqual(readImageHeader(file), { format: 'avif', width: 60000, height: 60000 });
  const cut = file.slice();
  new DataView(cut.buffer).setUint32(ftyp.length, 1_000_000); // meta claims more than the file
  assert.equal(readImageHeader(cut), undefined);
});

test('formats no decoder here reads are named from their magic bytes', () => {
  const te = (s: string) => new TextEncoder().encode(s);
  const ftyp = (brand: string) => {
    const b = new Uint8Array(24);
    new DataView(b.buffer).setUint32(0, 24);
    b.set(te(`ftyp${brand}\0\0\0\0mif1`), 4);
    return b;
  };
  assert.equal(sniffFormat(ftyp('heic')), undefined);
  assert.equal(sniffUnsupportedFormat(ftyp('heic')), 'HEIC/HEIF');
  assert.equal(sniffUnsupportedFormat(new Uint8Array([0xff, 0x0a, 0xfa])), 'JPEG XL');
  assert.equal(sniffUnsupportedFormat(new Uint8Array([0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a])), 'JPEG 2000');
  assert.equal(sniffUnsupportedFormat(new Uint8Array([0, 0, 1, 0, 1, 0, 16, 16])), 'ICO');
  assert.equal(sniffUnsupportedFormat(te('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>')), 'SVG');
  assert.equal(sniffUnsupportedFormat(te('P6\n2 2\n255\n')), 'PNM (PBM/PGM/PPM)');
  assert.equal(sniffUnsupportedFormat(te('8BPS\0\x01')), 'Photoshop (PSD)');
  assert.equal(sniffUnsupportedFormat(new Uint8Array([0x49, 0x49, 0x2b, 0, 8, 0, 0, 0])), 'BigTIFF');
  assert.equal(sniffUnsupportedFormat(te('hello, this is text')), undefined);
});
