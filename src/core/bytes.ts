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
