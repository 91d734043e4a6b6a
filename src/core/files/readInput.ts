// An input file's bytes, with the errors a person can act on said in one line.
import { promises as fs } from 'node:fs';
import { SegmentationError } from '../errors';

export async function readInput(path: string): Promise<Uint8Array> {
  let stat;
  try {
    stat = await fs.stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new SegmentationError('not-found', 'no such file', path);
    if (code === 'EACCES' || code === 'EPERM') throw new SegmentationError('not-found', 'cannot read the file: permission denied', path);
    throw e;
  }
  if (stat.isDirectory()) throw new SegmentationError('not-a-file', 'is a folder, not an image file', path);
  if (!stat.isFile()) throw new SegmentationError('not-a-file', 'not a regular file', path);
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') throw new SegmentationError('not-found', 'cannot read the file: permission denied', path);
    throw e;
  }
}
