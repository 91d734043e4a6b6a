// A PNG file's chunks in order, as far as each one's data is in the file: the one walk every
// reader of chunks (the zlib check, the tRNS key, the eXIf orientation, the 8-bit reader) uses.

export interface PngChunk {
  type: string;
  /** Offset of the chunk's length field; its CRC, when the file holds it, is at data + length. */
  at: number;
  /** Offset of the chunk's data. */
  data: number;
  length: number;
}

/** Stops at the first chunk whose data runs past the end of the file. */
export function* pngChunks(bytes: Uint8Array): Generator<PngChunk> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = view.getUint32(at);
    const data = at + 8;
    if (data + length > bytes.length) return;
    yield { type: String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!), at, data, length };
    at = data + length + 4;
  }
}
