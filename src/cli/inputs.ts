// The command line's inputs as image paths: a folder stands for the images in it (with
// --recursive, in its subfolders too), sorted, leaving out our own outputs, files that are not
// images by their extension, and hidden files and folders (our temporary files among them).
// Anything else is kept as given, so a missing file is still reported as one.
import { promises as fs, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { isOurOutput } from '../core/naming';
import { isImageName } from '../shared/formats';

export interface Inputs {
  images: string[];
  /** The folders given, each with the number of images taken from it. */
  folders: { path: string; images: number }[];
}

/** A path named like an image that is a folder is more likely a slip than a folder of images: it stays an input (and fails as "is a folder"). */
async function isFolderInput(path: string): Promise<boolean> {
  if (isImageName(path.replace(/[\\/]+$/, ''))) return false;
  return fs.stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function isFile(path: string, entry: Dirent): Promise<boolean> {
  if (entry.isFile()) return true;
  // a link to a file counts; a link to a folder is not followed (it may loop)
  if (!entry.isSymbolicLink()) return false;
  return fs.stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Paths relative to `root`, '/'-separated. */
async function listImages(root: string, rel: string, recursive: boolean, out: string[]): Promise<void> {
  const entries = await fs.readdir(rel ? join(root, rel) : root, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const relPath = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (recursive) await listImages(root, relPath, recursive, out);
    } else if (isImageName(entry.name) && !isOurOutput(entry.name) && (await isFile(join(root, relPath), entry))) {
      out.push(relPath);
    }
  }
}

export async function expandInputs(args: readonly string[], recursive: boolean): Promise<Inputs> {
  const images: string[] = [];
  const folders: Inputs['folders'] = [];
  for (const arg of args) {
    if (!(await isFolderInput(arg))) {
      images.push(arg);
      continue;
    }
    const found: string[] = [];
    await listImages(arg, '', recursive, found);
    // the order of the extension's batch (extension/batch/batchFiles.ts): the same on every machine
    found.sort((a, b) => a.localeCompare(b, 'en'));
    for (const rel of found) images.push(join(arg, rel));
    folders.push({ path: arg, images: found.length });
  }
  return { images, folders };
}
