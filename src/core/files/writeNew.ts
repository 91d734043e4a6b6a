// Writes a new file into a folder, never replacing a file and never leaving a partial one: the
// bytes go to a hidden temporary name, then a rename that refuses to overwrite gives them the
// final name (a name taken meanwhile moves on to the next suffix). One implementation for every
// file system shaped like vscode.workspace.fs: the extension passes workspace.fs (remote and
// virtual file systems too), the CLI node:fs through nodeFileSystem.ts.
import { join } from 'node:path';
import { SegmentationError } from '../errors';
import { uniqueName, withSuffix } from '../naming';
import { nodeFileSystem } from './nodeFileSystem';

/** The subset of vscode.workspace.fs used here (vscode.workspace.fs satisfies it as it is). */
export interface FileSystemLike<U> {
  stat(uri: U): PromiseLike<unknown>;
  writeFile(uri: U, content: Uint8Array): PromiseLike<void>;
  /** With overwrite: false, fails with an error whose `code` is 'FileExists' when `target` exists. */
  rename(source: U, target: U, options: { overwrite: boolean }): PromiseLike<void>;
  delete(uri: U, options: { useTrash: boolean }): PromiseLike<void>;
}

export interface FolderLike<U> {
  fs: FileSystemLike<U>;
  dir: U;
  /** `dir` joined with a file name (vscode.Uri.joinPath for the extension). */
  join(dir: U, name: string): U;
  /** How error messages name the folder. */
  label: string;
}

export interface WriteNewOptions {
  /** When the name is taken: true (default) tries name-2, name-3, ...; false refuses with 'exists'. */
  renameIfTaken?: boolean;
  /** How error messages name the file when it is refused (default: the folder's label / name). */
  targetLabel?: string;
}

/** Temporary names end so: a stopped write's leftover is recognisable (and hidden: a leading dot). */
export const PARTIAL_SUFFIX = '.partial';

/** Names taken meanwhile by someone else, one after another, before giving up. */
const RENAME_TRIES = 5;

function codeOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
}

/**
 * A one-line error naming the folder. The underlying message is left out: it names the hidden
 * temporary file, which the person never asked for and will not find.
 */
export function folderError(e: unknown, label: string): SegmentationError {
  const code = codeOf(e);
  const text = `${code} ${e instanceof Error ? e.message : String(e)}`;
  let problem: string;
  if (/ENOSPC|EDQUOT|no space|quota/i.test(text)) problem = 'no space left on the device';
  else if (/NoPermissions|EROFS|EACCES|EPERM|read-only|permission/i.test(text)) problem = 'folder is not writable';
  else if (/FileNotFound|FileNotADirectory|ENOENT|ENOTDIR/.test(text)) problem = 'folder does not exist';
  else {
    const errno = /\bE[A-Z]{2,}\b/.exec(text)?.[0];
    problem = `cannot write into the folder (${errno ?? (code || 'unknown error')})`;
  }
  const err = new SegmentationError('not-writable', problem, label);
  err.cause = e;
  return err;
}

function randomTag(): string {
  return Math.random().toString(36).slice(2, 10);
}

async function exists<U>(fs: FileSystemLike<U>, uri: U): Promise<boolean> {
  try {
    await fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** Writes `bytes` into the folder as `wanted` (or wanted-2, -3, ...) and returns the new file. */
export async function writeNewInFolder<U>(folder: FolderLike<U>, wanted: string, bytes: Uint8Array, options: WriteNewOptions = {}): Promise<U> {
  const { fs, dir, join, label } = folder;
  const renameIfTaken = options.renameIfTaken ?? true;
  const tmp = join(dir, `.${wanted}.${randomTag()}${PARTIAL_SUFFIX}`);
  const removeTmp = (): Promise<void> => Promise.resolve(fs.delete(tmp, { useTrash: false })).then(undefined, () => undefined);
  try {
    await fs.writeFile(tmp, bytes);
  } catch (e) {
    // A write that failed part way (disk full) may have left some bytes under the temporary name.
    await removeTmp();
    throw folderError(e, label);
  }
  let renamed = false;
  try {
    for (let attempt = 0; attempt < RENAME_TRIES; attempt++) {
      const name = renameIfTaken ? await uniqueName(wanted, (n) => exists(fs, join(dir, n))) : wanted;
      const target = join(dir, name);
      try {
        await fs.rename(tmp, target, { overwrite: false });
        renamed = true;
        return target;
      } catch (e) {
        if (codeOf(e) !== 'FileExists') {
          // No fallback to writing the target directly: that could replace a file created in
          // between, or leave it half written.
          throw folderError(e, label);
        }
        if (!renameIfTaken) throw new SegmentationError('exists', 'already exists; not overwritten', options.targetLabel ?? `${label}/${wanted}`);
      }
    }
    throw new SegmentationError('exists', `no free output name (tried ${withSuffix(wanted, 1)} and more)`, label);
  } finally {
    if (!renamed) await removeTmp();
  }
}

/** writeNewInFolder on the local disk (the CLI): `dir`/`name`, returning the new file's path. */
export function writeNewFile(dir: string, name: string, bytes: Uint8Array, options: WriteNewOptions = {}): Promise<string> {
  return writeNewInFolder({ fs: nodeFileSystem, dir, join, label: dir }, name, bytes, { targetLabel: join(dir, name), ...options });
}
