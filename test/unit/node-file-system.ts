// FileSystemLike (src/extension/saveBesideLogic.ts) on node:fs, with paths as the Uris: the same
// calls the extension makes on vscode.workspace.fs, against a real disk. Errors carry the codes
// VS Code's FileSystemError uses for the cases the logic tells apart.
import { promises as fs } from 'node:fs';
import type { FileSystemLike } from '../../src/extension/saveBesideLogic';

function withCode(e: unknown): Error {
  const errno = (e as NodeJS.ErrnoException).code;
  const code =
    errno === 'EEXIST' ? 'FileExists' : errno === 'ENOENT' ? 'FileNotFound' : errno === 'EACCES' || errno === 'EPERM' ? 'NoPermissions' : 'Unknown';
  // The message keeps node's text, path included, as VS Code's disk provider does.
  return Object.assign(new Error((e as Error).message), { code });
}

async function coded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw withCode(e);
  }
}

export const nodeFileSystem: FileSystemLike<string> = {
  stat: (path) => coded(() => fs.stat(path)),
  writeFile: (path, bytes) => coded(() => fs.writeFile(path, bytes)),
  // rename without overwrite, atomically: a hard link fails with EEXIST where rename(2) replaces.
  rename: (from, to, { overwrite }) =>
    coded(async () => {
      if (overwrite) return fs.rename(from, to);
      await fs.link(from, to);
      await fs.unlink(from);
    }),
  delete: (path) => coded(() => fs.rm(path)),
};
