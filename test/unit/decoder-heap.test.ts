// A JPEG decoder working in a heap the caller made (core/codecs/importedMemory.ts, jpegDecoderHeap):
// shared, so that another thread pages it in while the decode runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { decodeImage } from '../../src/core/decode';
import { isSegmentationError } from '../../src/core/errors';
import { definedMemory, IMPORTED_MEMORY, withImportedMemory } from '../../src/core/codecs/importedMemory';
import { HEAP_MAX_PAGES } from '../../src/core/codecs/emscripten';
import { jpegDecoderBytes, jpegDecoderPages, pagedJpegHeap } from '../../src/core/codecs/jpeg';
import { pageInBackground } from '../../src/core/pager';

const codecs = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../fixtures/codecs/${name}`, import.meta.url)));
const MOZJPEG = new Uint8Array(readFileSync(createRequire(import.meta.url).resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm')));
const sharedAlloc = (n: number): Uint8Array => new Uint8Array(new SharedArrayBuffer(n));

/** A decoder heap for `bytes` (of any size, where pagedJpegHeap takes large ones only), paged in from its end by a pager thread. */
function pagedHeap(bytes: Uint8Array): { heap: WebAssembly.Memory; paged: Promise<void> } {
  const pages = jpegDecoderPages(bytes);
  assert.ok(pages > 0);
  const heap = new WebAssembly.Memory({ initial: pages, maximum: HEAP_MAX_PAGES, shared: true });
  return { heap, paged: pageInBackground(heap.buffer as unknown as SharedArrayBuffer, 0, true) };
}

test('the changed decoder imports a shared memory of the limits its own had, and defines none', () => {
  const own = definedMemory(MOZJPEG);
  assert.ok(own && own.min > 0, 'mozjpeg defines its memory');
  const changed = withImportedMemory(MOZJPEG, 32768);
  assert.equal(definedMemory(changed), undefined);
  const module = new WebAssembly.Module(changed);
  const memories = WebAssembly.Module.imports(module).filter((i) => i.kind === 'memory');
  assert.deepEqual(memories, [{ module: IMPORTED_MEMORY.module, name: IMPORTED_MEMORY.name, kind: 'memory' }]);
  // the rest is as it was: the same functions imported and exported
  const before = new WebAssembly.Module(MOZJPEG);
  assert.equal(WebAssembly.Module.imports(module).length, WebAssembly.Module.imports(before).length + 1);
  assert.deepEqual(WebAssembly.Module.exports(module), WebAssembly.Module.exports(before));
  // a memory of other limits than declared is refused at instantiation (the declaration is real)
  assert.throws(() => new WebAssembly.Instance(module, { a: {}, [IMPORTED_MEMORY.module]: { [IMPORTED_MEMORY.name]: new WebAssembly.Memory({ initial: 1 }) } }));
});

test('JPEGs decode in the given heap to the same pixels, while another thread pages it in from its end', async () => {
  for (const name of ['jpeg-420-cv2.jpg', 'jpeg-422-pil.jpg', 'jpeg-444-pil.jpg', 'jpeg-gray-cv2.jpg', 'jpeg-progressive-cv2.jpg', 'jpeg-restart-cv2.jpg', 'jpeg-exif-6-pil.jpg']) {
    const bytes = codecs(name);
    const own = await decodeImage(bytes, name);
    const { heap, paged } = pagedHeap(bytes);
    assert.equal(heap.buffer.byteLength, Math.ceil(jpegDecoderBytes(bytes) / 65536) * 65536, `${name}: sized from the header`);
    // decoded while the pager thread still pages it in, from its end
    const [inHeap] = await Promise.all([decodeImage(bytes, name, { jpegHeap: heap, alloc: sharedAlloc }), paged]);
    assert.deepEqual([inHeap.width, inHeap.height], [own.width, own.height], name);
    assert.ok(Buffer.from(inHeap.data).equals(Buffer.from(own.data)), `${name}: the same pixels`);
    // the decoder worked there: its RGBA output (freed, not cleared) is in that memory
    if (!name.includes('exif')) {
      const row = new Uint8Array(4 * 32);
      for (let i = 0; i < 32; i++) row.set([...own.data.subarray(3 * i, 3 * i + 3), 255], 4 * i);
      assert.ok(Buffer.from(new Uint8Array(heap.buffer)).indexOf(Buffer.from(row)) >= 0, `${name}: the decoder's output was in the given heap`);
    }
  }
});

test('in the given heap, damaged JPEGs are refused as before, with the same messages', async () => {
  const bytes = codecs('jpeg-420-cv2.jpg');
  const cases: [string, Uint8Array][] = [
    ['truncated', bytes.subarray(0, Math.floor(bytes.length * 0.6))],
    ['arithmetic', codecs('jpeg-arithmetic-cjpeg.jpg')],
  ];
  for (const [what, data] of cases) {
    const own = await decodeImage(data, 'x.jpg').then(() => 'decoded', (e: unknown) => (isSegmentationError(e) ? `${e.code}: ${e.message}` : String(e)));
    const { heap } = pagedHeap(data);
    const inHeap = await decodeImage(data, 'x.jpg', { jpegHeap: heap }).then(() => 'decoded', (e: unknown) => (isSegmentationError(e) ? `${e.code}: ${e.message}` : String(e)));
    assert.notEqual(own, 'decoded', what);
    assert.equal(inHeap, own, what);
  }
});

test('no heap for what has no frame header', () => {
  assert.equal(jpegDecoderPages(new Uint8Array([0xff, 0xd8, 0xff, 0xd9])), 0);
});

test('the CLI\'s paged heap: none for a small JPEG; a camera photo decodes in it to the same pixels', async () => {
  assert.equal(pagedJpegHeap(codecs('jpeg-420-cv2.jpg')), undefined);
  const { cameraPhoto } = await import('../fixtures/photo/make-photo.mjs');
  const bytes = new Uint8Array(readFileSync(await cameraPhoto(2000, 1500, { seed: 2 })));
  const heap = pagedJpegHeap(bytes);
  assert.ok(heap, 'a 3 MP photo gets one');
  assert.equal(heap.buffer.byteLength, jpegDecoderPages(bytes) * 65536);
  const inHeap = await decodeImage(bytes, 'photo.jpg', { jpegHeap: heap });
  const own = await decodeImage(bytes, 'photo.jpg');
  assert.ok(Buffer.from(inHeap.data).equals(Buffer.from(own.data)));
  assert.ok(new Uint8Array(heap.buffer).some((v) => v !== 0), 'the decoder worked in it');
});

test('a heap the decoder cannot take (not shared) is left aside: the JPEG decodes in a heap of its own', async () => {
  const bytes = codecs('jpeg-420-cv2.jpg');
  const own = await decodeImage(bytes, 'x.jpg');
  const unshared = new WebAssembly.Memory({ initial: jpegDecoderPages(bytes) });
  const decoded = await decodeImage(bytes, 'x.jpg', { jpegHeap: unshared });
  assert.ok(Buffer.from(decoded.data).equals(Buffer.from(own.data)));
  assert.ok(new Uint8Array(unshared.buffer).every((v) => v === 0), 'not written');
});
