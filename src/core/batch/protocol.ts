// Messages between a batch and its workers: one image per task, its file's bytes in (moved, not
// copied), the encoded outputs out (moved back); errors cross as the worker RPC's WireError.
import { ownBuffer } from '../bytes';
import type { WireError } from '../worker/rpc';
import type { ImageJob, ImageOutcome } from './pipeline';

/** workerData that makes a bundle serve batch tasks (the CLI starts its own file as the worker). */
export const BATCH_WORKER_MARK = 'kmeansBatchWorker';
/** workerData: the worker lowers its thread's scheduling priority (see worker.ts). */
export const BACKGROUND_MARK = 'kmeansBackground';

/** Where a worker saves an image's composite itself (a folder on the local disk). */
export interface SaveTarget {
  dir: string;
  /** The input's file name, which the output is named after (naming.ts). */
  inputName: string;
}

export interface ImageTask {
  id: number;
  /** What messages call the file. */
  name: string;
  /** The file's bytes, or (on the local disk) its path, which the worker reads. */
  bytes?: Uint8Array;
  path?: string;
  job: ImageJob;
  /** The worker writes the composite (the job's first format) here, with the no-overwrite writer. */
  saveIn?: SaveTarget;
  /**
   * One word the worker and the batch race for before the file is written (Atomics): the worker
   * sets GATE_WRITING and writes, or finds GATE_STOPPED (the batch stopped first) and writes
   * nothing. A message alone could arrive after the batch had ended the thread mid-write,
   * leaving its temporary file.
   */
  gate?: Int32Array;
}

export const GATE_OPEN = 0;
export const GATE_WRITING = 1;
export const GATE_STOPPED = 2;

/** The outcome, or the error; `written`: the files the worker saved (then the composite is not sent back). */
export type TaskReply = { id: number; ok: true; outcome: ImageOutcome; written?: string[] } | { id: number; ok: false; error: WireError };

/** Sent before a worker starts writing a file: a stopped batch then waits for the file to be whole. */
export interface WritingNote {
  id: number;
  writing: true;
}

/** The outcome with every byte array on a buffer of its own, and those buffers (to transfer). */
export function transferable(outcome: ImageOutcome): { outcome: ImageOutcome; buffers: ArrayBuffer[] } {
  const buffers: ArrayBuffer[] = [];
  const own = (v: Uint8Array): Uint8Array => {
    const b = ownBuffer(v);
    buffers.push(b);
    return new Uint8Array(b);
  };
  const composites: ImageOutcome['composites'] = {};
  for (const [format, bytes] of Object.entries(outcome.composites) as [keyof ImageOutcome['composites'], Uint8Array][]) composites[format] = own(bytes);
  return {
    outcome: {
      ...outcome,
      composites,
      labelsPng: outcome.labelsPng && own(outcome.labelsPng),
      paletteJson: outcome.paletteJson && own(outcome.paletteJson),
    },
    buffers,
  };
}
