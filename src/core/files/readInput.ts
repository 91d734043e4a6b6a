// An input file's bytes (or its first bytes, for the header), with the errors a person can act on
// said in one line.
import { promises as fs } from 'node:fs';
import { SegmentationError } from '../errors';

function accessError(e: unknown, path: string): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new SegmentationError('not-found', 'no such file', path);
  if (code === 'EACCES' || code === 'EPERM') return new SegmentationError('not-found', 'cannot read the file: permission denied', path);
  return e;
}

/** The file's size, after checking that it is a regular file. */
async function checkInput(path: string): Promise<number> {
  let stat;
  try {
    stat = await fs.stat(path);
  } catch (e) {
    throw accessError(e, path);
  }
  if (stat.isDirectory()) throw new SegmentationError('not-a-file', 'is a folder, not an image file', path);
  if (!stat.isFile()) throw new SegmentationError('not-a-file', 'not a regular file', path);
  return stat.size;
}

export async function readInput(path: string): Promise<Uint8Array> {
  await checkInput(path);
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch (e) {
    throw accessError(e, path);
  }
}

/** The first `length` bytes of the file (fewer when it is shorter) and its size. */
export async function readInputHead(path: string, length: number): Promise<{ head: Uint8Array; size: number }> {
  const size = await checkInput(path);
  let file;
  try {
    file = await fs.open(path, 'r');
  } catch (e) {
    throw accessError(e, path);
  }
  try {
    const head = new Uint8Array(Math.min(length, size));
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return { head: head.subarray(0, bytesRead), size };
  } finally {
    await file.close();
  }
}
