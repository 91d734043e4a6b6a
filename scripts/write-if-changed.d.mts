// Types of write-if-changed.mjs for the TypeScript test of it.
/** Writes `data` to `path` only when it differs from what is there, through a temporary file renamed over it; true when written. */
export function writeIfChanged(path: string, data: string | Uint8Array, mode?: number): boolean;
