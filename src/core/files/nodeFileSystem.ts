// FileSystemLike (writeNew.ts) on node:fs, paths for Uris: the calls the extension makes on
// vscode.workspace.fs, on the local disk. Errors carry the codes VS Code's FileSystemError uses
// for the cases the writer tells apart; messages keep node's text, as VS Code's disk provider's do.
import { constants, promises as fs } from 'node:fs';
import type { FileSystemLike } from './writeNew';

function withCode(e: unknown): Error {
  const errno = (e as NodeJS.ErrnoException).code;
  const code =
    errno === 'EEXIST' ? 'FileExists' : errno === 'ENOENT' ? 'FileNotFound' : errno === 'EACCES' || errno === 'EPERM' ? 'NoPermissions' : 'Unknown';
  return Object.assign(new Error((e as Error).message), { code, errno });
}

async function coded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw withCode(e);
  }
}

/** File systems without hard links (FAT, some network mounts) answer link() with one of these. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** rename(2) replaces its target; a hard link fails with EEXIST instead, so it never overwrites. */
async function renameNoReplace(from: string, to: string): Promise<void> {
  try {
    await fs.link(from, to);
  } catch (e) {
    if (!NO_LINKS.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
    // COPYFILE_EXCL keeps the never-overwrite promise; only atomicity is lost on such file systems.
    await fs.copyFile(from, to, constants.COPYFILE_EXCL);
  }
  await fs.unlink(from);
}

export const nodeFileSystem: FileSystemLike<string> = {
  stat: (path) => coded(() => fs.stat(path)),
  writeFile: (path, bytes) => coded(() => fs.writeFile(path, bytes, { flag: 'wx' })),
  rename: (from, to, { overwrite }) => coded(() => (overwrite ? fs.rename(from, to) : renameNoReplace(from, to))),
  delete: (path) => coded(() => fs.rm(path)),
};
