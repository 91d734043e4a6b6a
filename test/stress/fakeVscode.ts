// A stand-in for the `vscode` module, just enough for src/extension/saveOutput.ts to run in a unit
// test on real files: Uri, FileSystemError and workspace.fs over node:fs with the semantics VS
// Code's disk provider documents (rename with overwrite: false fails with FileExists; errors are
// FileSystemErrors). Real file-system faults (full tmpfs, read-only mount) reach it unchanged.
import { promises as fs } from 'node:fs';
import Module from 'node:module';
import { posix } from 'node:path';

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  static file(path: string): Uri {
    return new Uri('file', posix.normalize(path));
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri(base.scheme, posix.join(base.path, ...segments));
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

export class FileSystemError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
  static FileExists(uri: Uri): FileSystemError {
    return new FileSystemError(`${uri.toString()} exists`, 'FileExists');
  }
}

function wrap(e: unknown): FileSystemError {
  const code = (e as NodeJS.ErrnoException).code;
  const mapped = code === 'ENOENT' ? 'FileNotFound' : code === 'EEXIST' ? 'FileExists' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'NoPermissions' : 'Unknown';
  return new FileSystemError(`${(e as Error).message}`, mapped);
}

export const workspace = {
  fs: {
    async stat(uri: Uri): Promise<{ size: number }> {
      try {
        return await fs.stat(uri.fsPath);
      } catch (e) {
        throw wrap(e);
      }
    },
    async writeFile(uri: Uri, bytes: Uint8Array): Promise<void> {
      try {
        await fs.writeFile(uri.fsPath, bytes);
      } catch (e) {
        throw wrap(e);
      }
    },
    async rename(from: Uri, to: Uri, opts: { overwrite?: boolean } = {}): Promise<void> {
      if (!opts.overwrite && (await fs.stat(to.fsPath).then(() => true, () => false))) throw FileSystemError.FileExists(to);
      try {
        await fs.rename(from.fsPath, to.fsPath);
      } catch (e) {
        throw wrap(e);
      }
    },
    async delete(uri: Uri): Promise<void> {
      try {
        await fs.rm(uri.fsPath);
      } catch (e) {
        throw wrap(e);
      }
    },
  },
};

/** Makes `require('vscode')` resolve to this module (before the code under test is loaded). */
export function installFakeVscode(): void {
  const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = M._resolveFilename;
  M._resolveFilename = function (request: string, ...rest: unknown[]): string {
    if (request === 'vscode') return __filename;
    return original.call(this, request, ...rest);
  };
}
