// The JPEG thumbnail cameras store in a photo's EXIF block (IFD1), found for the panel's first
// preview: both byte orders, and nothing for a block without one, another compression, an offset
// or length outside the segment, or a file that is not a JPEG.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jpegThumbnail } from '../../src/core/codecs/exifThumbnail';
import { jpegOrientation } from '../../src/core/codecs/orientation';
import { decodeImage } from '../../src/core/decode';
import { encodeImage } from '../../src/core/encode';
import { fixture, withExifThumbnail } from './io-helpers';

async function smallJpeg(): Promise<Uint8Array> {
  const img = await decodeImage(fixture('chelsea.png'), 'chelsea.png');
  const w = 40;
  const h = 26;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) data.set(img.data.subarray(y * img.width * 3, y * img.width * 3 + w * 3), y * w * 3);
  return encodeImage({ width: w, height: h, data }, 'jpg');
}

test('the EXIF thumbnail of a JPEG is found in either byte order; the photo itself decodes as before', async () => {
  const main = fixture('small.jpg');
  const thumb = await smallJpeg();
  for (const bigEndian of [false, true]) {
    const file = withExifThumbnail(main, thumb, { orientation: 6, bigEndian });
    const found = jpegThumbnail(file);
    assert.ok(found, `found (${bigEndian ? 'MM' : 'II'})`);
    assert.deepEqual([...found], [...thumb]);
    assert.equal(jpegOrientation(file), 6, 'the orientation beside it is still read');
    const back = await decodeImage(found, 'thumb.jpg');
    assert.deepEqual([back.width, back.height], [40, 26]);
  }
  const plain = await decodeImage(main, 'small.jpg');
  const withThumb = await decodeImage(withExifThumbnail(main, thumb), 'small.jpg');
  assert.deepEqual(withThumb.data, plain.data);
});

test('no thumbnail: none stored, not a JPEG one, out of the segment, or not a JPEG file', async () => {
  const main = fixture('small.jpg');
  const thumb = await smallJpeg();
  assert.equal(jpegThumbnail(main), undefined, 'a JPEG without EXIF');
  assert.equal(jpegThumbnail(withExifThumbnail(main, thumb, { compression: 1 })), undefined, 'an uncompressed thumbnail');
  const file = withExifThumbnail(main, thumb);
  // the segment's length cut short: the thumbnail would lie beyond it
  const cut = file.slice();
  const length = (cut[4]! << 8) | cut[5]!;
  cut[4] = (length - 100) >> 8;
  cut[5] = (length - 100) & 255;
  assert.equal(jpegThumbnail(cut), undefined);
  // bytes that are not a JPEG's at the offset
  const notJpeg = file.slice();
  const at = file.length - main.length + 2 - thumb.length;
  notJpeg[at] = 0;
  assert.equal(jpegThumbnail(notJpeg), undefined);
  assert.equal(jpegThumbnail(fixture('small.png')), undefined, 'a PNG');
  assert.equal(jpegThumbnail(new Uint8Array([0xff, 0xd8])), undefined, 'two bytes');
});
