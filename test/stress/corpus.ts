// A corpus of broken and hostile image files, generated at test time from the fixture images so
// nothing large is stored: cuts, seeded byte damage, wrong names, headers claiming huge sizes and
// hand-made GIF/TIFF/PNG structures that have hung or exhausted decoders elsewhere. Each case
// says what it is; the runner decides pass or fail from what the engine does with it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { pngChunk } from '../unit/io-helpers';

export const FIXTURE_IMAGES = join(__dirname, '..', 'fixtures', 'images');
/** The decoder corpus (made by OpenCV, Pillow, cjpeg, avifenc): sound WebP, AVIF and JPEG variants. */
export const FIXTURE_CODECS = join(__dirname, '..', 'fixtures', 'codecs');

/** Sound files of the codecs the WebAssembly decoders read, mutated like the rest. */
const CODEC_BASES = [
  'webp-lossy-cv2.webp',
  'webp-lossless-cv2.webp',
  'webp-lossy-alpha-pil.webp',
  'avif-lossless-avifenc.avif',
  'avif-420-avifenc.avif',
  'jpeg-progressive-cv2.jpg',
  'jpeg-restart-cv2.jpg',
  'jpeg-444-pil.jpg',
  'jpeg-exif-6-pil.jpg',
  'png-rgb16-cv2.png',
];

export interface CorpusCase {
  /** File name written to disk: unique, and its extension is what a user would see. */
  name: string;
  bytes: Uint8Array;
  /** Family of the damage, for the report. */
  kind: string;
  /** The bytes are a sound image under another name: the result must equal this base's. */
  sameAs?: string;
  /** Must be refused from the header alone (code too-large), before any pixel buffer. */
  expectTooLarge?: boolean;
}

/** Small, fast, seeded (mulberry32): the same corpus on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function ext(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

function stem(name: string): string {
  return name.slice(0, name.lastIndexOf('.'));
}

/** The sound images every mutation starts from: fixtures plus jimp re-encodings of a larger one. */
export async function baseImages(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const read = (n: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURE_IMAGES, n)));
  const out = ['small.png', 'small.jpg', 'small.bmp', 'small.gif', 'small-le.tif', 'small-be.tif', 'small-alpha.png', 'small-gray.png'].map(
    (n) => ({ name: n, bytes: read(n) }),
  );
  for (const n of CODEC_BASES) out.push({ name: n, bytes: new Uint8Array(readFileSync(join(FIXTURE_CODECS, n))) });
  const { Jimp } = await import('jimp');
  const logo = await Jimp.read(Buffer.from(read('linuxlogo.png')));
  logo.resize({ w: 80, h: 60 });
  for (const [mime, e] of [
    ['image/png', 'png'],
    ['image/jpeg', 'jpg'],
    ['image/bmp', 'bmp'],
    ['image/gif', 'gif'],
    ['image/tiff', 'tiff'],
  ] as const) {
    out.push({ name: `logo.${e}`, bytes: new Uint8Array(await logo.getBuffer(mime)) });
  }
  return out;
}

const HEADER_CUTS = [1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 26, 30, 33, 40, 50, 64, 100];
const FRACTION_CUTS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];

/** Cuts, damage and wrong names of one sound image. */
export function mutations(base: { name: string; bytes: Uint8Array }): CorpusCase[] {
  const { name, bytes } = base;
  const s = stem(name);
  const e = ext(name);
  const out: CorpusCase[] = [];
  const cuts = new Set<number>([...HEADER_CUTS, ...FRACTION_CUTS.map((f) => Math.floor(bytes.length * f)), bytes.length - 1]);
  for (const at of [...cuts].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b)) {
    out.push({ name: `${s}.cut${at}.${e}`, bytes: bytes.slice(0, at), kind: 'truncated' });
  }
  const rnd = prng(hash(name));
  const pick = (limit: number): number => Math.floor(rnd() * limit);
  for (let v = 0; v < 24; v++) {
    const b = bytes.slice();
    // Half the variants damage the first 256 bytes, where headers and tables live.
    const span = v % 2 === 0 ? Math.min(256, b.length) : b.length;
    const n = [1, 2, 4, 8, 32, 128][v % 6]!;
    for (let i = 0; i < n; i++) {
      const at = pick(span);
      b[at] = v % 3 === 0 ? b[at]! ^ (1 << pick(8)) : pick(256);
    }
    out.push({ name: `${s}.flip${v}.${e}`, bytes: b, kind: 'bytes-flipped' });
  }
  {
    const b = bytes.slice();
    b.fill(0, Math.floor(b.length / 3), Math.floor((2 * b.length) / 3));
    out.push({ name: `${s}.zeroed-middle.${e}`, bytes: b, kind: 'zeroed-region' });
  }
  {
    const b = bytes.slice();
    b.fill(0xff, Math.floor(b.length / 2));
    out.push({ name: `${s}.ff-tail.${e}`, bytes: b, kind: 'zeroed-region' });
  }
  const wrong = e === 'png' ? 'jpg' : 'png';
  out.push({ name: `${s}.as-${e}.${wrong}`, bytes, kind: 'wrong-extension', sameAs: name });
  out.push({ name: `${s}.as-${e}.txt`, bytes, kind: 'wrong-extension', sameAs: name });
  out.push({ name: `${s}-${e}-no-extension`, bytes, kind: 'wrong-extension', sameAs: name });
  return out;
}

// ---- hand-made structures -------------------------------------------------------------------

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : new Uint8Array(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

export function png(width: number, height: number, idat: Uint8Array, colorType = 2): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, colorType, 0, 0, 0], 8);
  return concat(PNG_SIG, pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', new Uint8Array(0)));
}

function jpegSof(width: number, height: number): Uint8Array {
  const frame = [0xff, 0xc0, 0x00, 0x11, 8, height >> 8, height & 255, width >> 8, width & 255, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return new Uint8Array([0xff, 0xd8, ...frame, 0xff, 0xd9]);
}

/** A lossless WebP whose header claims width x height (VP8L: 14 bits each). */
function webpVp8l(width: number, height: number, payload: number[] = [0, 0, 0, 0]): Uint8Array {
  const body = [0x2f, 0, 0, 0, 0, ...payload];
  const bits = ((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14);
  const v = new DataView(new Uint8Array(body).buffer);
  v.setUint32(1, bits, true);
  const data = new Uint8Array(v.buffer);
  return riff('VP8L', data);
}

/** An extended WebP (VP8X) whose canvas claims width x height (24 bits each), with `flags`. */
function webpVp8x(width: number, height: number, flags = 0, inner: Uint8Array = new Uint8Array(0)): Uint8Array {
  const x = new Uint8Array(10);
  x[0] = flags;
  const w = width - 1;
  const h = height - 1;
  x.set([w & 255, (w >> 8) & 255, (w >> 16) & 255, h & 255, (h >> 8) & 255, (h >> 16) & 255], 4);
  const head = riff('VP8X', x);
  const out = concat(head, inner);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  return out;
}

function riff(kind: string, data: Uint8Array): Uint8Array {
  const chunk = concat(Buffer.from(kind, 'latin1'), [data.length & 255, (data.length >> 8) & 255, (data.length >> 16) & 255, data.length >>> 24], data, data.length % 2 ? [0] : []);
  const out = concat(Buffer.from('RIFF', 'latin1'), [0, 0, 0, 0], Buffer.from('WEBP', 'latin1'), chunk);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  return out;
}

/** A minimal AVIF header: ftyp, then meta > iprp > ipco with one ispe of width x height. */
function avifIspe(width: number, height: number, tail: Uint8Array = new Uint8Array(0)): Uint8Array {
  const box = (type: string, body: Uint8Array): Uint8Array => {
    const out = concat([0, 0, 0, 0], Buffer.from(type, 'latin1'), body);
    new DataView(out.buffer).setUint32(0, out.length);
    return out;
  };
  const ispe = new Uint8Array(12);
  new DataView(ispe.buffer).setUint32(4, width);
  new DataView(ispe.buffer).setUint32(8, height);
  return concat(
    box('ftyp', Buffer.from('avif\0\0\0\0avifmif1miaf', 'latin1')),
    box('meta', concat([0, 0, 0, 0], box('iprp', box('ipco', box('ispe', ispe))))),
    tail,
  );
}

/** The sound AVIF with every ispe box rewritten to claim width x height. */
function avifClaiming(avif: Uint8Array, width: number, height: number): Uint8Array {
  const b = avif.slice();
  const v = new DataView(b.buffer);
  for (let at = 0; at + 20 <= b.length; at++) {
    if (b[at] === 0x69 && b[at + 1] === 0x73 && b[at + 2] === 0x70 && b[at + 3] === 0x65) {
      v.setUint32(at + 8, width);
      v.setUint32(at + 12, height);
    }
  }
  return b;
}

/** Codec cases beyond cuts and flips: header bombs, claims that disagree with the data. */
function codecCases(bases: { name: string; bytes: Uint8Array }[]): CorpusCase[] {
  const get = (n: string): Uint8Array => bases.find((b) => b.name === n)!.bytes;
  const lossless = get('webp-lossless-cv2.webp');
  const avif = get('avif-lossless-avifenc.avif');
  const progressive = get('jpeg-progressive-cv2.jpg');
  // the same JPEG claiming another size in its frame header
  const jpegClaiming = (w: number, h: number): Uint8Array => {
    const b = progressive.slice();
    for (let p = 2; p + 9 < b.length; ) {
      const marker = b[p + 1]!;
      const len = (b[p + 2]! << 8) | b[p + 3]!;
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        b.set([h >> 8, h & 255, w >> 8, w & 255], p + 5);
        return b;
      }
      p += 2 + len;
    }
    throw new Error('fixture JPEG: no frame header');
  };
  return [
    { name: 'webp-vp8l-16384x16384.webp', kind: 'huge-header', expectTooLarge: true, bytes: webpVp8l(16384, 16384) },
    { name: 'webp-vp8x-16777216x16777216.webp', kind: 'huge-header', expectTooLarge: true, bytes: webpVp8x(16777216, 16777216) },
    { name: 'webp-vp8x-60000x60000-animated.webp', kind: 'huge-header', expectTooLarge: true, bytes: webpVp8x(60000, 60000, 0x02) },
    { name: 'webp-vp8l-8000x8000-no-data.webp', kind: 'webp-edge', bytes: webpVp8l(8000, 8000) },
    { name: 'webp-vp8x-only.webp', kind: 'webp-edge', bytes: webpVp8x(64, 48) },
    { name: 'webp-vp8x-animated-no-frames.webp', kind: 'webp-edge', bytes: webpVp8x(64, 48, 0x02) },
    { name: 'webp-vp8x-canvas-smaller-than-frame.webp', kind: 'webp-edge', bytes: webpVp8x(2, 2, 0, lossless.subarray(12)) },
    { name: 'webp-riff-size-huge.webp', kind: 'webp-edge', bytes: (() => {
      const b = lossless.slice();
      new DataView(b.buffer).setUint32(4, 0xfffffff0, true);
      return b;
    })() },
    { name: 'webp-chunk-size-huge.webp', kind: 'webp-edge', bytes: (() => {
      const b = lossless.slice();
      new DataView(b.buffer).setUint32(16, 0xfffffff0, true);
      return b;
    })() },
    { name: 'avif-ispe-60000x60000.avif', kind: 'huge-header', expectTooLarge: true, bytes: avifClaiming(avif, 60000, 60000) },
    { name: 'avif-ispe-4294967295x1.avif', kind: 'huge-header', expectTooLarge: true, bytes: avifClaiming(avif, 0xffffffff, 1) },
    { name: 'avif-header-only-60000x60000.avif', kind: 'huge-header', expectTooLarge: true, bytes: avifIspe(60000, 60000) },
    { name: 'avif-header-only-64x48.avif', kind: 'avif-edge', bytes: avifIspe(64, 48) },
    { name: 'avif-ispe-says-8000x8000.avif', kind: 'avif-edge', bytes: avifClaiming(avif, 8000, 8000) },
    { name: 'avif-ispe-says-1x1.avif', kind: 'avif-edge', bytes: avifClaiming(avif, 1, 1) },
    { name: 'avif-ispe-0x0.avif', kind: 'avif-edge', bytes: avifClaiming(avif, 0, 0) },
    { name: 'jpeg-progressive-claims-65535x65535.jpg', kind: 'huge-header', expectTooLarge: true, bytes: jpegClaiming(65535, 65535) },
    { name: 'jpeg-progressive-claims-9000x9000.jpg', kind: 'jpeg-edge', bytes: jpegClaiming(9000, 9000) },
    { name: 'jpeg-progressive-claims-1x1.jpg', kind: 'jpeg-edge', bytes: jpegClaiming(1, 1) },
    { name: 'jpeg-progressive-claims-0x0.jpg', kind: 'zero-size', bytes: jpegClaiming(0, 0) },
  ];
}

function bmpHeader(width: number, height: number, bpp = 24, compression = 0, colors = 0, dataOffset = 54): Uint8Array {
  const b = new Uint8Array(54 + 64);
  const v = new DataView(b.buffer);
  b.set([0x42, 0x4d]);
  v.setUint32(2, b.length, true);
  v.setUint32(10, dataOffset, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, width, true);
  v.setInt32(22, height, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, bpp, true);
  v.setUint32(30, compression, true);
  v.setUint32(46, colors, true);
  return b;
}

/** small.gif split into its header + colour table, its one frame block, and the trailer. */
function gifParts(gif: Uint8Array): { head: Uint8Array; frame: Uint8Array; frameAt: number } {
  const flags = gif[10]!;
  let p = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  while (gif[p] === 0x21) {
    p += 2;
    while (gif[p]) p += gif[p]! + 1;
    p++;
  }
  if (gif[p] !== 0x2c) throw new Error('fixture GIF: no image descriptor found');
  const start = p;
  const lf = gif[p + 9]!;
  p += 10 + (lf & 0x80 ? 3 * 2 ** ((lf & 7) + 1) : 0) + 1;
  while (gif[p]) p += gif[p]! + 1;
  p++;
  return { head: gif.slice(0, start), frame: gif.slice(start, p), frameAt: start };
}

const NETSCAPE_LOOP = [0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0', 'latin1'), 0x03, 0x01, 0x00, 0x00, 0x00];

function gifCases(gif: Uint8Array): CorpusCase[] {
  const { head, frame } = gifParts(gif);
  const setU16 = (b: Uint8Array, at: number, v: number): void => new DataView(b.buffer, b.byteOffset).setUint16(at, v, true);
  const withFrame = (edit: (f: Uint8Array) => void, screen?: [number, number]): Uint8Array => {
    const h = head.slice();
    if (screen) {
      setU16(h, 6, screen[0]);
      setU16(h, 8, screen[1]);
    }
    const f = frame.slice();
    edit(f);
    return concat(h, f, [0x3b]);
  };
  const many = (n: number): Uint8Array => concat(head, NETSCAPE_LOOP, ...Array.from({ length: n }, () => frame), [0x3b]);
  return [
    { name: 'gif-zero-size-frame.gif', kind: 'gif-edge', bytes: withFrame((f) => (setU16(f, 5, 0), setU16(f, 7, 0))) },
    { name: 'gif-zero-width-frame.gif', kind: 'gif-edge', bytes: withFrame((f) => setU16(f, 5, 0)) },
    { name: 'gif-zero-size-screen.gif', kind: 'gif-edge', bytes: withFrame(() => undefined, [0, 0]) },
    { name: 'gif-frame-outside-screen.gif', kind: 'gif-edge', bytes: withFrame((f) => (setU16(f, 1, 60000), setU16(f, 3, 60000))) },
    { name: 'gif-1x1-screen-60000x60000-frame.gif', kind: 'gif-edge', bytes: withFrame((f) => (setU16(f, 5, 60000), setU16(f, 7, 60000)), [1, 1]) },
    { name: 'gif-65535x65535-frame.gif', kind: 'gif-edge', bytes: withFrame((f) => (setU16(f, 5, 65535), setU16(f, 7, 65535))) },
    { name: 'gif-lzw-min-code-0.gif', kind: 'gif-edge', bytes: withFrame((f) => (f[10] = 0)) },
    { name: 'gif-lzw-min-code-12.gif', kind: 'gif-edge', bytes: withFrame((f) => (f[10] = 12)) },
    { name: 'gif-no-trailer.gif', kind: 'gif-edge', bytes: concat(head, frame) },
    { name: 'gif-no-frame.gif', kind: 'gif-edge', bytes: concat(head, [0x3b]) },
    { name: 'gif-loop-300-frames.gif', kind: 'gif-edge', bytes: many(300) },
    { name: 'gif-loop-extension-only.gif', kind: 'gif-edge', bytes: concat(head, NETSCAPE_LOOP, [0x3b]) },
    { name: 'gif-60000x60000-screen.gif', kind: 'huge-header', expectTooLarge: true, bytes: withFrame(() => undefined, [60000, 60000]) },
  ];
}

const TIFF_SHORT = 3;
const TIFF_LONG = 4;

interface TiffEntry {
  at: number;
  tag: number;
  type: number;
  count: number;
  value: number;
}

function tiffEntries(b: Uint8Array): { ifd: number; entries: TiffEntry[]; le: boolean } {
  const le = b[0] === 0x49;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ifd = v.getUint32(4, le);
  const n = v.getUint16(ifd, le);
  const entries: TiffEntry[] = [];
  for (let i = 0; i < n; i++) {
    const at = ifd + 2 + i * 12;
    entries.push({ at, tag: v.getUint16(at, le), type: v.getUint16(at + 2, le), count: v.getUint32(at + 4, le), value: v.getUint32(at + 8, le) });
  }
  return { ifd, entries, le };
}

function tiffCases(tif: Uint8Array, label: string): CorpusCase[] {
  const { ifd, entries, le } = tiffEntries(tif);
  const nextAt = ifd + 2 + entries.length * 12;
  const edit = (name: string, kind: string, fn: (b: Uint8Array, v: DataView) => Uint8Array | void, extra: Partial<CorpusCase> = {}): CorpusCase => {
    const b = tif.slice();
    const v = new DataView(b.buffer);
    const r = fn(b, v);
    return { name: `tiff-${label}-${name}.tif`, kind, bytes: r ?? b, ...extra };
  };
  const entry = (tag: number): TiffEntry => {
    const e = entries.find((x) => x.tag === tag);
    if (!e) throw new Error(`fixture TIFF has no tag ${tag}`);
    return e;
  };
  // Rewrites an entry in place: tag, type, count, value.
  const put = (v: DataView, at: number, tag: number, type: number, count: number, value: number): void => {
    v.setUint16(at, tag, le);
    v.setUint16(at + 2, type, le);
    v.setUint32(at + 4, count, le);
    if (type === TIFF_SHORT && count === 1) {
      v.setUint16(at + 8, value, le);
      v.setUint16(at + 10, 0, le);
    } else v.setUint32(at + 8, value, le);
  };
  const planar = entries.find((x) => x.tag === 284) ?? entries[entries.length - 1]!;
  /** A copy of IFD0 at the end of the file, with its size changed, chained as page 2. */
  const secondPage = (w: number, h: number): Uint8Array => {
    const start = tif.length + (tif.length % 2);
    const size = 2 + entries.length * 12 + 4;
    const b = new Uint8Array(start + size);
    b.set(tif);
    b.set(tif.subarray(ifd, ifd + size), start);
    const v = new DataView(b.buffer);
    v.setUint32(nextAt, start, le);
    v.setUint32(start + size - 4, 0, le);
    for (let i = 0; i < entries.length; i++) {
      const at = start + 2 + i * 12;
      const tag = v.getUint16(at, le);
      if (tag === 256) put(v, at, 256, TIFF_LONG, 1, w);
      if (tag === 257) put(v, at, 257, TIFF_LONG, 1, h);
    }
    return b;
  };
  return [
    edit('ifd-loop-self', 'tiff-edge', (_b, v) => v.setUint32(nextAt, ifd, le)),
    edit('ifd-loop-two', 'tiff-edge', () => {
      const b = secondPage(64, 48);
      const v = new DataView(b.buffer);
      v.setUint32(b.length - 4, ifd, le);
      return b;
    }),
    edit('next-ifd-beyond-eof', 'tiff-edge', (_b, v) => v.setUint32(nextAt, 0x7ffffff0, le)),
    edit('next-ifd-odd-inside', 'tiff-edge', (_b, v) => v.setUint32(nextAt, 9, le)),
    edit('ifd0-beyond-eof', 'tiff-edge', (_b, v) => v.setUint32(4, tif.length + 1000, le)),
    edit('ifd0-at-zero', 'tiff-edge', (_b, v) => v.setUint32(4, 0, le)),
    edit('ifd0-in-header', 'tiff-edge', (_b, v) => v.setUint32(4, 2, le)),
    edit('entry-count-65535', 'tiff-edge', (_b, v) => v.setUint16(ifd, 0xffff, le)),
    edit('entry-count-0', 'tiff-edge', (_b, v) => v.setUint16(ifd, 0, le)),
    edit('value-count-huge', 'tiff-edge', (_b, v) => v.setUint32(entries[0]!.at + 4, 0xfffffff0, le)),
    edit('strip-count-huge', 'tiff-edge', (_b, v) => v.setUint32(entry(273).at + 4, 0x0fffffff, le)),
    edit('bad-type-0', 'tiff-edge', (_b, v) => v.setUint16(entries[1]!.at + 2, 0, le)),
    edit('bad-type-99', 'tiff-edge', (_b, v) => v.setUint16(entries[1]!.at + 2, 99, le)),
    edit('subifd-self', 'tiff-edge', (_b, v) => put(v, planar.at, 330, TIFF_LONG, 1, ifd)),
    edit('exif-ifd-self', 'tiff-edge', (_b, v) => put(v, planar.at, 34665, TIFF_LONG, 1, ifd)),
    edit('subifd-twice-self', 'tiff-edge', () => {
      // Two SubIFD pointers, both back to IFD0: each level doubles the work.
      const b = concat(tif, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      const at = tif.length + (tif.length % 2);
      const v = new DataView(b.buffer);
      v.setUint32(at, ifd, le);
      v.setUint32(at + 4, ifd, le);
      put(v, planar.at, 330, TIFF_LONG, 2, at);
      return b;
    }),
    edit('samples-per-pixel-65535', 'tiff-edge', (_b, v) => {
      const e = entries.find((x) => x.tag === 277);
      if (e) put(v, e.at, 277, TIFF_SHORT, 1, 65535);
    }),
    edit('bits-per-sample-0', 'tiff-edge', (_b, v) => {
      const e = entry(258);
      if (e.count === 1) put(v, e.at, 258, TIFF_SHORT, 1, 0);
      else for (let i = 0; i < e.count; i++) v.setUint16(e.value + 2 * i, 0, le);
    }),
    edit('bits-per-sample-64', 'tiff-edge', (_b, v) => {
      const e = entry(258);
      if (e.count === 1) put(v, e.at, 258, TIFF_SHORT, 1, 64);
      else for (let i = 0; i < e.count; i++) v.setUint16(e.value + 2 * i, 64, le);
    }),
    edit('compression-99', 'tiff-edge', (_b, v) => {
      const e = entries.find((x) => x.tag === 259);
      if (e) put(v, e.at, 259, TIFF_SHORT, 1, 99);
    }),
    edit('compression-lzw-on-raw', 'tiff-edge', (_b, v) => {
      const e = entries.find((x) => x.tag === 259);
      if (e) put(v, e.at, 259, TIFF_SHORT, 1, 5);
    }),
    edit('strip-offset-beyond-eof', 'tiff-edge', (_b, v) => put(v, entry(273).at, 273, TIFF_LONG, 1, 0x7ffffff0)),
    edit('strip-bytes-0', 'tiff-edge', (_b, v) => {
      const e = entry(279);
      if (e.count === 1) put(v, e.at, 279, TIFF_LONG, 1, 0);
    }),
    edit('second-page-60000x60000', 'tiff-edge', () => secondPage(60000, 60000)),
    edit('60000x60000', 'huge-header', (_b, v) => (put(v, entry(256).at, 256, TIFF_LONG, 1, 60000), put(v, entry(257).at, 257, TIFF_LONG, 1, 60000)), {
      expectTooLarge: true,
    }),
  ];
}

function specialCases(rnd: () => number): CorpusCase[] {
  const random = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
  // 64x48 RGB, but the IDAT inflates to 64 MB: a decompression bomb within the pixel limit.
  const bomb = deflateSync(new Uint8Array(64 * 2 ** 20), { level: 9 });
  const rows = (w: number, h: number): Uint8Array => deflateSync(new Uint8Array((w * 3 + 1) * h));
  const manyChunks = concat(
    PNG_SIG,
    pngChunk('IHDR', new Uint8Array([0, 0, 0, 8, 0, 0, 0, 8, 8, 2, 0, 0, 0])),
    ...Array.from({ length: 20000 }, () => pngChunk('tEXt', Buffer.from('k\0v', 'latin1'))),
    pngChunk('IDAT', rows(8, 8)),
    pngChunk('IEND', new Uint8Array(0)),
  );
  return [
    { name: 'empty.png', kind: 'empty', bytes: new Uint8Array(0) },
    { name: 'one-byte.jpg', kind: 'empty', bytes: new Uint8Array([0xff]) },
    { name: 'zeros-4k.png', kind: 'empty', bytes: new Uint8Array(4096) },
    { name: 'random-4k.png', kind: 'random', bytes: random(4096) },
    { name: 'random-64k.tif', kind: 'random', bytes: random(65536) },
    { name: 'text.jpg', kind: 'random', bytes: Buffer.from('hello, this is not an image\n'.repeat(50)) },
    { name: 'png-signature-only.png', kind: 'truncated', bytes: new Uint8Array(PNG_SIG) },
    { name: 'jpeg-soi-only.jpg', kind: 'truncated', bytes: new Uint8Array([0xff, 0xd8, 0xff]) },
    { name: 'bmp-magic-only.bmp', kind: 'truncated', bytes: new Uint8Array([0x42, 0x4d]) },
    { name: 'gif-magic-only.gif', kind: 'truncated', bytes: Buffer.from('GIF89a', 'latin1') },
    { name: 'tiff-magic-only.tif', kind: 'truncated', bytes: new Uint8Array([0x49, 0x49, 0x2a, 0x00]) },
    { name: 'png-60000x60000.png', kind: 'huge-header', expectTooLarge: true, bytes: png(60000, 60000, rows(8, 1)) },
    { name: 'png-60000x60000-header-only.png', kind: 'huge-header', expectTooLarge: true, bytes: png(60000, 60000, new Uint8Array(0)).slice(0, 33) },
    { name: 'png-4294967295x1.png', kind: 'huge-header', expectTooLarge: true, bytes: png(0xffffffff, 1, rows(1, 1)) },
    { name: 'jpeg-60000x60000.jpg', kind: 'huge-header', expectTooLarge: true, bytes: jpegSof(60000, 60000) },
    { name: 'jpeg-65535x65535.jpg', kind: 'huge-header', expectTooLarge: true, bytes: jpegSof(65535, 65535) },
    { name: 'bmp-60000x60000.bmp', kind: 'huge-header', expectTooLarge: true, bytes: bmpHeader(60000, 60000) },
    { name: 'bmp-60000x-60000-top-down.bmp', kind: 'huge-header', expectTooLarge: true, bytes: bmpHeader(60000, -60000) },
    { name: 'png-0x0.png', kind: 'zero-size', bytes: png(0, 0, rows(1, 1)) },
    { name: 'jpeg-0x0.jpg', kind: 'zero-size', bytes: jpegSof(0, 0) },
    { name: 'bmp-0x0.bmp', kind: 'zero-size', bytes: bmpHeader(0, 0) },
    { name: 'bmp-negative-width.bmp', kind: 'bmp-edge', bytes: bmpHeader(-64, 48) },
    { name: 'bmp-bpp-0.bmp', kind: 'bmp-edge', bytes: bmpHeader(4, 4, 0) },
    { name: 'bmp-bpp-64.bmp', kind: 'bmp-edge', bytes: bmpHeader(4, 4, 64) },
    { name: 'bmp-rle8-garbage.bmp', kind: 'bmp-edge', bytes: bmpHeader(16, 16, 8, 1, 0, 54) },
    { name: 'bmp-palette-4-billion.bmp', kind: 'bmp-edge', bytes: bmpHeader(4, 4, 8, 0, 0xffffffff) },
    { name: 'bmp-data-beyond-eof.bmp', kind: 'bmp-edge', bytes: bmpHeader(64, 48, 24, 0, 0, 0x7ffffff0) },
    { name: 'png-inflate-bomb-64MB.png', kind: 'png-edge', bytes: png(64, 48, bomb) },
    { name: 'png-5000x5000-tiny-data.png', kind: 'png-edge', bytes: png(5000, 5000, rows(5000, 2)) },
    { name: 'png-20000-text-chunks.png', kind: 'png-edge', bytes: manyChunks },
    { name: 'png-no-idat.png', kind: 'png-edge', bytes: concat(PNG_SIG, pngChunk('IHDR', new Uint8Array([0, 0, 0, 8, 0, 0, 0, 8, 8, 2, 0, 0, 0])), pngChunk('IEND', new Uint8Array(0))) },
    { name: 'png-palette-without-plte.png', kind: 'png-edge', bytes: png(8, 8, deflateSync(new Uint8Array(9 * 8)), 3) },
    { name: 'png-bad-color-type-7.png', kind: 'png-edge', bytes: png(8, 8, rows(8, 8), 7) },
    { name: 'png-idat-not-zlib.png', kind: 'png-edge', bytes: png(8, 8, random(200)) },
  ];
}

/** The whole corpus (>= 500 cases), deterministic for a seed. */
export async function buildCorpus(seed = 1): Promise<{ cases: CorpusCase[]; bases: { name: string; bytes: Uint8Array }[] }> {
  const bases = await baseImages();
  const cases: CorpusCase[] = [];
  for (const b of bases) cases.push(...mutations(b));
  const gif = bases.find((b) => b.name === 'small.gif')!.bytes;
  cases.push(...gifCases(gif));
  cases.push(...tiffCases(bases.find((b) => b.name === 'small-le.tif')!.bytes, 'le'));
  cases.push(...tiffCases(bases.find((b) => b.name === 'small-be.tif')!.bytes, 'be'));
  cases.push(...specialCases(prng(seed)));
  cases.push(...codecCases(bases));
  const names = new Set<string>();
  for (const c of cases) {
    if (names.has(c.name)) throw new Error(`corpus: duplicate case name ${c.name}`);
    names.add(c.name);
  }
  return { cases, bases };
}
