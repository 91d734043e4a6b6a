// TIFF writing, as OpenCV's imwrite writes a colour TIFF by default: 8-bit RGB, LZW compression
// with the horizontal-difference predictor, the image cut into strips (here of about 64 KB of
// rows each, every strip compressed on its own as TIFF requires).

const CLEAR = 256;
const EOI = 257;
const FIRST = 258;
/** The table is restarted when its next free code would be this (libtiff's CODE_MAX - 1). */
const FULL = 4094;

/**
 * The encoder's string table, one slot per (prefix code, next byte), kept across strips: a new
 * table is a new generation, so the 4 MB are neither allocated nor cleared per strip.
 */
export class LzwTable {
  readonly next = new Uint16Array(4096 * 256);
  readonly stamp = new Uint16Array(4096 * 256);
  private generation = 0;

  nextGeneration(): number {
    if (++this.generation === 0x10000) {
      this.stamp.fill(0);
      this.generation = 1;
    }
    return this.generation;
  }
}

/**
 * TIFF's LZW of `input` as libtiff writes it: codes of 9 to 12 bits, most significant bit first,
 * a Clear code first and whenever the table fills, EOI last. The code width grows when the next
 * free code passes the largest the width holds; readers, one entry behind, widen one code early.
 */
export function lzwEncode(input: Uint8Array, table = new LzwTable()): Uint8Array {
  const { next, stamp } = table;
  let generation = table.nextGeneration();
  let out = new Uint8Array(Math.max(64, input.length + (input.length >> 1)));
  let at = 0;
  let bits = 0;
  let acc = 0;
  let width = 9;
  let free = FIRST;
  const emit = (code: number): void => {
    acc = (acc << width) | code;
    bits += width;
    while (bits >= 8) {
      bits -= 8;
      if (at >= out.length) {
        const bigger = new Uint8Array(out.length * 2);
        bigger.set(out);
        out = bigger;
      }
      out[at++] = (acc >>> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
  };
  /** After a new table entry: restart a full table, or widen the codes. */
  const grown = (): void => {
    if (free === FULL) {
      emit(CLEAR);
      generation = table.nextGeneration();
      free = FIRST;
      width = 9;
    } else if (free > (1 << width) - 1) {
      width++;
    }
  };
  emit(CLEAR);
  if (input.length > 0) {
    let prefix = input[0]!;
    for (let i = 1; i < input.length; i++) {
      const byte = input[i]!;
      const slot = (prefix << 8) | byte;
      if (stamp[slot] === generation) {
        prefix = next[slot]!;
        continue;
      }
      emit(prefix);
      stamp[slot] = generation;
      next[slot] = free++;
      grown();
      prefix = byte;
    }
    emit(prefix);
    free++; // the reader adds an entry for this code too
    grown();
  }
  emit(EOI);
  if (bits > 0) {
    if (at >= out.length) {
      const bigger = new Uint8Array(out.length + 16);
      bigger.set(out);
      out = bigger;
    }
    out[at++] = (acc << (8 - bits)) & 0xff;
  }
  return out.subarray(0, at);
}

const SHORT = 3;
const LONG = 4;

/** An 8-bit RGB TIFF (little-endian) of packed RGB rows, LZW with the horizontal predictor. */
export function encodeTiff(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const stride = width * 3;
  const rowsPerStrip = Math.max(1, Math.min(height, Math.floor(65536 / stride)));
  const strips: Uint8Array[] = [];
  const rows = new Uint8Array(rowsPerStrip * stride);
  const table = new LzwTable();
  for (let y = 0; y < height; y += rowsPerStrip) {
    const y1 = Math.min(height, y + rowsPerStrip);
    // the predictor: each sample minus the same sample of the pixel to its left
    for (let r = y; r < y1; r++) {
      const s = r * stride;
      const o = (r - y) * stride;
      rows[o] = rgb[s]!;
      rows[o + 1] = rgb[s + 1]!;
      rows[o + 2] = rgb[s + 2]!;
      for (let x = 3; x < stride; x++) rows[o + x] = rgb[s + x]! - rgb[s + x - 3]!;
    }
    strips.push(lzwEncode(rows.subarray(0, (y1 - y) * stride), table));
  }
  const n = strips.length;
  const entries: [tag: number, type: number, count: number, value: number][] = [];
  // layout: header | strips | offsets | counts | BitsPerSample | SampleFormat | IFD
  let at = 8;
  const stripAt: number[] = [];
  for (const s of strips) {
    stripAt.push(at);
    at += s.length + (s.length & 1);
  }
  const offsetsAt = at;
  at += n > 1 ? n * 4 : 0;
  const countsAt = at;
  at += n > 1 ? n * 4 : 0;
  const bpsAt = at;
  at += 6;
  const sampleFormatAt = at;
  at += 6;
  const ifdAt = at;
  entries.push(
    [256, LONG, 1, width],
    [257, LONG, 1, height],
    [258, SHORT, 3, bpsAt],
    [259, SHORT, 1, 5], // LZW
    [262, SHORT, 1, 2], // RGB
    [273, LONG, n, n > 1 ? offsetsAt : stripAt[0]!],
    [277, SHORT, 1, 3],
    [278, LONG, 1, rowsPerStrip],
    [279, LONG, n, n > 1 ? countsAt : strips[0]!.length],
    [284, SHORT, 1, 1], // chunky
    [317, SHORT, 1, 2], // horizontal differencing
    [339, SHORT, 3, sampleFormatAt], // unsigned integers
  );
  const out = new Uint8Array(ifdAt + 2 + entries.length * 12 + 4);
  const v = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  v.setUint32(4, ifdAt, true);
  strips.forEach((s, i) => {
    out.set(s, stripAt[i]!);
    if (n > 1) {
      v.setUint32(offsetsAt + i * 4, stripAt[i]!, true);
      v.setUint32(countsAt + i * 4, s.length, true);
    }
  });
  for (let i = 0; i < 3; i++) {
    v.setUint16(bpsAt + i * 2, 8, true);
    v.setUint16(sampleFormatAt + i * 2, 1, true);
  }
  v.setUint16(ifdAt, entries.length, true);
  entries.forEach(([tag, type, count, value], i) => {
    const e = ifdAt + 2 + i * 12;
    v.setUint16(e, tag, true);
    v.setUint16(e + 2, type, true);
    v.setUint32(e + 4, count, true);
    if (type === SHORT && count === 1) v.setUint16(e + 8, value, true);
    else v.setUint32(e + 8, value, true);
  });
  return out;
}
