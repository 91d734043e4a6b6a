// Writes a build output only when its bytes change, and then whole: into a temporary file beside
// it, renamed over it. Test files build dist/ while other test files start worker threads from
// it; a file rewritten in place could be read half-written (a worker then ran an empty script
// and exited at once).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export function writeIfChanged(path, data, mode) {
  const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  try {
    if (readFileSync(path).equals(bytes)) return false;
  } catch {
    // not there yet
  }
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes, mode === undefined ? undefined : { mode });
  renameSync(tmp, path);
  return true;
}
