// The worker side of a batch: takes one image at a time and answers with its outcome (and, when
// told where, reads the file and saves the composite itself, so that the host never holds their
// bytes). Started as
// dist/batchWorker.js (workerMain.ts), or as the CLI's own file (src/cli/main.ts), which then
// serves tasks instead of parsing a command line.
import { parentPort, workerData } from 'node:worker_threads';
import { readInput } from '../files/readInput';
import { writeNewFile } from '../files/writeNew';
import { outputName } from '../naming';
import { ImageArena } from './arena';
import { segmentImageBytes, type ImageOutcome } from './pipeline';
import { lowerThreadPriority } from '../priority';
import { toWire } from '../worker/rpc';
import { BACKGROUND_MARK, GATE_OPEN, GATE_WRITING, transferable, type ImageTask, type TaskReply, type WritingNote } from './protocol';
import { SegmentationError } from '../errors';

/** This thread's big buffers, reused from one image to the next (one image at a time). */
const arena = new ImageArena();

/** One image; with a save target, its composite is written here and not sent back. */
async function run(task: ImageTask): Promise<{ result: ImageOutcome; written?: string[] }> {
  const bytes = task.bytes ?? (await readInput(task.path!));
  const result = await segmentImageBytes(bytes, task.name, task.job, arena);
  const format = task.job.formats[0];
  const composite = format && result.composites[format];
  if (!task.saveIn || !format || !composite) return { result };
  if (task.gate && Atomics.compareExchange(task.gate, 0, GATE_OPEN, GATE_WRITING) !== GATE_OPEN) {
    throw new SegmentationError('cancelled', 'the batch was stopped before the file was written', task.name);
  }
  const note: WritingNote = { id: task.id, writing: true };
  parentPort!.postMessage(note);
  const name = outputName(task.saveIn.inputName, { ...task.job.params, k: result.summary.k }, format);
  const written = [await writeNewFile(task.saveIn.dir, name, composite)];
  return { result: { ...result, composites: {} }, written };
}

export function serveBatchWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('serveBatchWorker runs in a worker thread');
  if ((workerData as Record<string, unknown> | undefined)?.[BACKGROUND_MARK]) lowerThreadPriority();
  port.on('message', (task: ImageTask) => {
    run(task).then(
      ({ result, written }) => {
        const { outcome, buffers } = transferable(result);
        const reply: TaskReply = { id: task.id, ok: true, outcome, written };
        port.postMessage(reply, buffers);
      },
      (e: unknown) => {
        const reply: TaskReply = { id: task.id, ok: false, error: toWire(e) };
        port.postMessage(reply);
      },
    );
  });
}
