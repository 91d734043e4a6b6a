// Valid images of any size, made in a moment and small to hold, for the tests of images near
// the pixel limit (none is committed): each is one flat colour, which every decoder must still
// decode in full, pixel by pixel.
import { deflateSync } from 'node:zlib';
import { pngChunk } from './io-helpers';

/**
 * A 4:2:0 JPEG of width x height pixels, all (128, 128, 128). Baseline: every 8x8 block codes a DC
 * difference of 0 and an end-of-block, each with the 1-bit Huffman code '0', so the scan is
 * 12 bits of zeros per 16x16 MCU. Progressive: one DC scan (6 bits per MCU) and no AC scans,
 * which makes the decoder keep every block's coefficients for the whole image, as progressive
 * photos do.
 */
export function flatJpeg(width: number, height: number, progressive = false): Uint8Array {
  const mcus = Math.ceil(width / 16) * Math.ceil(height / 16);
  const bits = mcus * 6 * (progressive ? 1 : 2);
  const scan = new Uint8Array(Math.ceil(bits / 8));
  if (bits % 8) scan[scan.length - 1] = (1 << (8 - (bits % 8))) - 1; // pad the last byte with 1s
  const segment = (marker: number, body: number[]): number[] => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];
  const oneCode = (tableClass: number): number[] => [tableClass << 4, 1, ...new Array<number>(15).fill(0), 0x00];
  const head = [
    0xff, 0xd8,
    ...segment(0xdb, [0, ...new Array<number>(64).fill(1)]),
    ...segment(progressive ? 0xc2 : 0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x22, 0, 2, 0x11, 0, 3, 0x11, 0]),
    ...segment(0xc4, oneCode(0)),
    ...(progressive ? [] : segment(0xc4, oneCode(1))),
    ...segment(0xda, [3, 1, 0x00, 2, 0x00, 3, 0x00, 0, progressive ? 0 : 63, 0]),
  ];
  const out = new Uint8Array(head.length + scan.length + 2);
  out.set(head);
  out.set(scan, head.length);
  out.set([0xff, 0xd9], head.length + scan.length);
  return out;
}

/** An 8-bit RGB PNG of width x height pixels, all `rgb`, rows unfiltered. */
export function flatPng(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const row = new Uint8Array(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  const rows = new Uint8Array(row.length * height);
  for (let y = 0; y < height; y++) rows.set(row, y * row.length);
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(rows, { level: 1 })), pngChunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A little-endian RGB TIFF of width x height pixels, all (gray, gray, gray), PackBits-compressed
 * with one strip per row: a row is runs of 128 equal bytes, 2 bytes each.
 */
export function flatTiff(width: number, height: number, gray: number): Uint8Array {
  // one row: width*3 equal bytes, as PackBits runs of at most 128
  const rowBytes = width * 3;
  const packed: number[] = [];
  for (let left = rowBytes; left > 0; left -= 128) packed.push(257 - Math.min(128, left), gray);
  const row = Uint8Array.from(packed);
  const entries: [number, number, number, number | number[]][] = [];
  // layout: header (8) | strip data (height x row) | StripOffsets | StripByteCounts | BitsPerSample | IFD
  const dataAt = 8;
  const dataEnd = dataAt + row.length * height;
  const offsetsAt = dataEnd;
  const countsAt = offsetsAt + height * 4;
  const bpsAt = countsAt + height * 4;
  const ifdAt = bpsAt + 6 + ((bpsAt + 6) % 2);
  entries.push([256, 4, 1, width], [257, 4, 1, height], [258, 3, 3, bpsAt], [259, 3, 1, 32773], [262, 3, 1, 2]);
  entries.push([273, 4, height, offsetsAt], [277, 3, 1, 3], [278, 4, 1, 1], [279, 4, height, countsAt], [284, 3, 1, 1]);
  const out = new Uint8Array(ifdAt + 2 + entries.length * 12 + 4);
  const v = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  v.setUint32(4, ifdAt, true);
  for (let y = 0; y < height; y++) {
    out.set(row, dataAt + y * row.length);
    v.setUint32(offsetsAt + y * 4, dataAt + y * row.length, true);
    v.setUint32(countsAt + y * 4, row.length, true);
  }
  for (let i = 0; i < 3; i++) v.setUint16(bpsAt + i * 2, 8, true);
  v.setUint16(ifdAt, entries.length, true);
  entries.forEach(([tag, type, count, value], i) => {
    const at = ifdAt + 2 + i * 12;
    v.setUint16(at, tag, true);
    v.setUint16(at + 2, type, true);
    v.setUint32(at + 4, count, true);
    if (type === 3 && count === 1) v.setUint16(at + 8, value as number, true);
    else v.setUint32(at + 8, value as number, true);
  });
  return out;
}
