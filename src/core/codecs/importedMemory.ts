// A codec's WebAssembly binary changed so that its memory is one the caller gives it, shared.
// The @jsquash builds define their own memory, which only the decoding thread can touch; its
// first touch is ~12 us a page on the project's VM (a 24 MP JPEG's decoder heap is 28,000
// pages, 0.35 s of the decoding thread's 1.1 s). Given a shared memory sized for the image,
// another thread can page it in at the lowest priority while the decode runs (see pager.ts).
// Only the module's declaration of its memory changes: the code is the same bytes.

/** Where the memory comes from in the changed module's imports. */
export const IMPORTED_MEMORY = { module: 'host', name: 'memory' } as const;

const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;

function readU32(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  for (let shift = 0, i = at; ; shift += 7, i++) {
    if (i >= bytes.length || shift > 28) throw new Error('malformed LEB128 in a WebAssembly binary');
    const b = bytes[i]!;
    value += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return [value, i + 1];
  }
}

function u32(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) b |= 0x80;
    out.push(b);
  } while (value);
  return out;
}

function name(text: string): number[] {
  const b = [...new TextEncoder().encode(text)];
  return [...u32(b.length), ...b];
}

interface Section {
  id: number;
  /** The section's content, without its id and size. */
  body: Uint8Array;
}

function sections(bytes: Uint8Array): Section[] {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new Error('not a WebAssembly binary');
  const out: Section[] = [];
  for (let at = 8; at < bytes.length; ) {
    const id = bytes[at]!;
    const [size, start] = readU32(bytes, at + 1);
    if (start + size > bytes.length) throw new Error('truncated WebAssembly binary');
    out.push({ id, body: bytes.subarray(start, start + size) });
    at = start + size;
  }
  return out;
}

/** The binary's one defined memory's limits (pages). */
export function definedMemory(bytes: Uint8Array): { min: number; max?: number } | undefined {
  const memory = sections(bytes).find((s) => s.id === SECTION_MEMORY);
  if (!memory) return undefined;
  const [count, at] = readU32(memory.body, 0);
  if (count !== 1) return undefined;
  const flags = memory.body[at]!;
  const [min, next] = readU32(memory.body, at + 1);
  return flags & 1 ? { min, max: readU32(memory.body, next)[0] } : { min };
}

/**
 * `bytes` with its one defined memory replaced by an import of a shared memory (IMPORTED_MEMORY)
 * of at most `maxPages` pages. The memory keeps index 0, so the code, the data segments (written
 * into the given memory when instantiated) and the memory's export mean what they meant.
 */
export function withImportedMemory(bytes: Uint8Array, maxPages: number): Uint8Array<ArrayBuffer> {
  const all = sections(bytes);
  const limits = definedMemory(bytes);
  if (!limits) throw new Error('the WebAssembly binary does not define exactly one memory');
  const imports = all.find((s) => s.id === SECTION_IMPORT);
  if (!imports) throw new Error('the WebAssembly binary has no import section');
  const [count, rest] = readU32(imports.body, 0);
  // shared (2) with a maximum (1): what a memory another thread may touch must declare
  const entry = [...name(IMPORTED_MEMORY.module), ...name(IMPORTED_MEMORY.name), 0x02, 0x03, ...u32(limits.min), ...u32(maxPages)];
  const importBody = [...u32(count + 1), ...imports.body.subarray(rest), ...entry];
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  for (const s of all) {
    if (s.id === SECTION_MEMORY) continue;
    const body = s === imports ? Uint8Array.from(importBody) : s.body;
    parts.push(Uint8Array.from([s.id, ...u32(body.length)]), body);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}
