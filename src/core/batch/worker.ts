// The worker side of a batch: takes one image at a time and answers with its outcome. Started as
// dist/batchWorker.js (workerMain.ts), or as the CLI's own file (src/cli/main.ts), which then
// serves tasks instead of parsing a command line.
import { parentPort } from 'node:worker_threads';
import { segmentImageBytes } from './pipeline';
import { toWire, transferable, type ImageTask, type TaskReply } from './protocol';

export function serveBatchWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('serveBatchWorker runs in a worker thread');
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
