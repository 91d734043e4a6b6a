// How a batch gets at files on the local disk (the CLI's, and the extension's batch process):
// the workers read each file and, when told to save, write its composite beside it with the
// no-overwrite writer; the host reads only a header, for the memory admission.
import { basename, dirname, resolve } from 'node:path';
import { readInput } from '../files/readInput';
import type { BatchIO } from './engine';

export function localFiles<T>(pathOf: (item: T) => string, save: boolean): Pick<BatchIO<T>, 'read' | 'write' | 'localPath' | 'saveIn'> {
  return {
    read: (item) => readInput(pathOf(item)),
    localPath: pathOf,
    saveIn: save ? (item) => ({ dir: dirname(resolve(pathOf(item))), inputName: basename(pathOf(item)) }) : undefined,
    // the workers save what there is to save (saveIn)
    write: async () => [],
  };
}
