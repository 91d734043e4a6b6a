// The worker side of a batch: takes one image at a time and answers with its outcome. Started as
// dist/batchWorker.js (workerMain.ts), or as the CLI's own file (src/cli/main.ts), which then
// serves tasks instead of parsing a command line.
import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { segmentImageBytes } from './pipeline';
import { BACKGROUND_MARK, toWire, transferable, type ImageTask, type TaskReply } from './protocol';

/**
 * A batch inside an editor runs at background priority, so that on a machine whose cores it
 * fills the editor's own threads (the extension host, the window) are served first. Linux
 * schedules threads as tasks with their own nice value: /proc/thread-self names this thread's
 * id. Elsewhere nothing changes.
 */
function lowerThreadPriority(): void {
  try {
    const tid = Number(/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    if (tid > 0) setPriority(tid, constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {
    // not Linux, or not allowed: the normal priority stays
  }
}

export function serveBatchWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('serveBatchWorker runs in a worker thread');
  if ((workerData as Record<string, unknown> | undefined)?.[BACKGROUND_MARK]) lowerThreadPriority();
  port.on('message', (task: ImageTask) => {
    segmentImageBytes(task.bytes, task.name, task.job).then(
      (result) => {
        const { outcome, buffers } = transferable(result);
        const reply: TaskReply = { id: task.id, ok: true, outcome };
        port.postMessage(reply, buffers);
      },
      (e: unknown) => {
        const reply: TaskReply = { id: task.id, ok: false, error: toWire(e) };
        port.postMessage(reply);
      },
    );
  });
}
