// Writes a new file without ever replacing one, and without leaving a partial file behind: the
// bytes go to a temporary name in the same folder, then a hard link gives them the final name
// (link fails with EEXIST where a rename would overwrite), then the temporary name is removed.
// Node only: the CLI uses this; the extension writes through VS Code's file system instead.

import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { SegmentationError } from './errors';
import { MAX_SUFFIX, withSuffix } from './naming';

export interface WriteNewOptions {
  /** When the name is taken: true (default) tries name-2, name-3, ...; false refuses with 'exists'. */
  renameIfTaken?: boolean;
}

function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

/** A user-facing error for the file-system failures a person can fix; undefined for the rest. */
function folderError(e: unknown, dir: string): SegmentationError | undefined {
  switch (errno(e)) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new SegmentationError('not-writable', 'folder is not writable', dir);
    case 'ENOENT':
    case 'ENOTDIR':
      return new SegmentationError('not-writable', 'folder does not exist', dir);
    case 'ENOSPC':
    case 'EDQUOT':
      return new SegmentationError('not-writable', 'no space left on the device', dir);
    default:
      return undefined;
  }
}

/** File systems without hard links (FAT, some network mounts) answer link() with one of these. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

async function linkOrCopy(tmp: string, final: string): Promise<void> {
  try {
    await fs.link(tmp, final);
  } catch (e) {
    if (!NO_LINKS.has(errno(e) ?? '')) throw e;
    // COPYFILE_EXCL keeps the never-overwrite promise; only atomicity is lost on such file systems.
    await fs.copyFile(tmp, final, constants.COPYFILE_EXCL);
  }
}

/** Writes `bytes` as a new file `name` in `dir` and returns its full path. */
export async function writeNewFile(dir: string, name: string, bytes: Uint8Array, opts: WriteNewOptions = {}): Promise<string> {
  const renameIfTaken = opts.renameIfTaken ?? true;
  const tmp = join(dir, `.${name}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    try {
      await fs.writeFile(tmp, bytes, { flag: 'wx' });
    } catch (e) {
      throw folderError(e, dir) ?? e;
    }
    const tries = renameIfTaken ? MAX_SUFFIX : 1;
    for (let i = 1; i <= tries; i++) {
      const final = join(dir, withSuffix(name, i));
      try {
        await linkOrCopy(tmp, final);
        return final;
      } catch (e) {
        if (errno(e) !== 'EEXIST') throw folderError(e, dir) ?? e;
        if (!renameIfTaken) throw new SegmentationError('exists', 'already exists; not overwritten', final);
      }
    }
    throw new SegmentationError('exists', `no free name after ${MAX_SUFFIX} tries`, join(dir, name));
  } finally {
    await fs.unlink(tmp).catch(() => undefined);
  }
}
