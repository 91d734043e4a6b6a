// --skip-done: an image counts as done when a composite for the same parameters sits beside it,
// recognised by its name (naming.ts: the input's stem, a time stamp, colour space, channels, k,
// format, maybe -2, -3, ...). Such a name records nothing of width, restarts, seed or mode, so
// those may differ. Each folder is listed once per batch.
import { isOutputOf } from '../naming';
import type { OutputFormat } from '../../shared/formats';
import type { SegmentParams } from '../../shared/params';

type NamedParams = Pick<SegmentParams, 'colorSpace' | 'channels' | 'k'>;

/** The names among `siblings` that are composites of `inputName` for these parameters, sorted. */
export function doneOutputs(inputName: string, siblings: readonly string[], params: NamedParams, format: OutputFormat): string[] {
  return siblings.filter((n) => isOutputOf(n, inputName, params, format)).sort();
}

export interface DoneCheckHost<T> {
  /** A key for the item's folder (a path, a Uri's string). */
  folderOf(item: T): string;
  /** The item's file name. */
  nameOf(item: T): string;
  /** The names of the files in that folder. */
  list(folder: string): Promise<readonly string[]>;
}

/** BatchIO.done for a host's file system: the item's outputs already beside it. */
export function doneCheck<T>(host: DoneCheckHost<T>, params: NamedParams, format: OutputFormat): (item: T) => Promise<string[]> {
  const listings = new Map<string, Promise<readonly string[]>>();
  return async (item) => {
    const folder = host.folderOf(item);
    let names = listings.get(folder);
    if (!names) {
      names = host.list(folder);
      listings.set(folder, names);
    }
    return doneOutputs(host.nameOf(item), await names, params, format);
  };
}
