// Where big pixel arrays live. In the extension the decoded image, the converted image and the
// labels are made in SharedArrayBuffers: the host and every worker thread then read the same
// bytes, and posting them between threads copies nothing (a 24-megapixel photo is 72 MB a copy).
// The CLI works on one thread and uses plain arrays.

/** Allocates n zeroed bytes. */
export type Alloc = (n: number) => Uint8Array;

export const plainBytes: Alloc = (n) => new Uint8Array(n);

export const sharedBytes: Alloc = (n) => new Uint8Array(new SharedArrayBuffer(n));

/** Whether the bytes can be posted to another thread without a copy. */
export function isShared(view: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && view.buffer instanceof SharedArrayBuffer;
}

/** The same bytes in shared memory: the view itself when it already is. */
export function toShared(view: Uint8Array): Uint8Array {
  if (isShared(view)) return view;
  const out = sharedBytes(view.length);
  out.set(view);
  return out;
}

/**
 * A buffer of its own for `view`, so it can be moved to another thread without taking anything
 * else along: the view's own buffer when it is exactly that, else a copy (never `slice()`, which
 * for a Node Buffer is a view of all of it).
 */
export function ownBuffer(view: Uint8Array): ArrayBuffer {
  const buf = view.buffer;
  if (buf instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buf.byteLength) return buf;
  return new Uint8Array(view).buffer;
}

/**
 * Has this thread take the first touch of every page of `buffer` from byte `from` on (4 KB at a
 * time), which on a machine where that costs ~12 us a page (the project's VM: 0.2-0.35 s for a 24
 * MP picture's 72 MB) is better spent ahead, or on an idle thread than on the one about to fill
 * it. Writes nothing another thread may have written: each touch swaps a 0 for a 0.
 */
export function faultIn(buffer: ArrayBufferLike, from = 0): void {
  const words = new Int32Array(buffer, 0, buffer.byteLength >> 2);
  for (let i = Math.ceil(from / 4); i < words.length; i += 1024) Atomics.compareExchange(words, i, 0, 0);
}
