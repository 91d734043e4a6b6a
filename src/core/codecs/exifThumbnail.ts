// The small JPEG a camera or phone stores inside a photo's EXIF block (the second image file
// directory, IFD1: JPEGInterchangeFormat and its length). The panel clusters it for a first
// preview while the photo itself decodes, which takes seconds at 12-24 MP.

import { jpegExif, tiffHeader } from './orientation';

const JPEG_OFFSET_TAG = 0x0201;
const JPEG_LENGTH_TAG = 0x0202;
const COMPRESSION_TAG = 0x0103;
/** Compression 6: "old-style" JPEG, the value EXIF gives an embedded JPEG thumbnail. */
const COMPRESSION_JPEG = 6;

/** The value of a SHORT or LONG entry at `entry`, else undefined. */
function entryValue(view: DataView, entry: number, le: boolean): number | undefined {
  const type = view.getUint16(entry + 2, le);
  const count = view.getUint32(entry + 4, le);
  if (count !== 1) return undefined;
  return type === 3 ? view.getUint16(entry + 8, le) : type === 4 ? view.getUint32(entry + 8, le) : undefined;
}

/** The embedded JPEG of a TIFF structure at [at, end) (an EXIF block is one): in IFD1, bounds-checked. */
function tiffThumbnail(bytes: Uint8Array, at: number, end: number): Uint8Array | undefined {
  const header = tiffHeader(bytes, at, end);
  if (!header) return undefined;
  const { view, le, ifd0 } = header;
  const next = ifd0 + 2 + view.getUint16(ifd0, le) * 12;
  if (next + 4 > end) return undefined;
  const ifd1Offset = view.getUint32(next, le);
  if (ifd1Offset === 0) return undefined;
  const ifd1 = at + ifd1Offset;
  if (ifd1 < at + 8 || ifd1 + 2 > end) return undefined;
  const count = view.getUint16(ifd1, le);
  if (ifd1 + 2 + count * 12 > end) return undefined;
  let offset: number | undefined;
  let length: number | undefined;
  for (let i = 0; i < count; i++) {
    const entry = ifd1 + 2 + i * 12;
    const tag = view.getUint16(entry, le);
    if (tag === JPEG_OFFSET_TAG) offset = entryValue(view, entry, le);
    else if (tag === JPEG_LENGTH_TAG) length = entryValue(view, entry, le);
    else if (tag === COMPRESSION_TAG && entryValue(view, entry, le) !== COMPRESSION_JPEG) return undefined;
  }
  if (offset === undefined || !length) return undefined;
  const start = at + offset;
  if (start < at + 8 || start + length > end) return undefined;
  const jpeg = bytes.subarray(start, start + length);
  return jpeg[0] === 0xff && jpeg[1] === 0xd8 ? jpeg : undefined;
}

/** The JPEG thumbnail in a JPEG's first "Exif" APP1 segment, if it has one (a view of `bytes`). */
export function jpegThumbnail(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  const exif = jpegExif(bytes);
  return exif && tiffThumbnail(bytes, exif.at, exif.end);
}
