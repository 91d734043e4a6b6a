// A worker for idle-collect.test.ts: its tasks are sent shared memory they do not keep, and say
// how much of it this thread's heap has let go of (FinalizationRegistry runs after a collection).
import { serve } from '../../src/core/worker/rpc';
import { collectIfHigh } from '../../src/core/worker/idleCollect';

let taken = 0;
let freed = 0;
const registry = new FinalizationRegistry(() => freed++);

type Req = { id: number; kind: 'take'; buffer: SharedArrayBuffer } | { id: number; kind: 'count' } | { id: number; kind: 'collectIfHigh' };
interface Answers {
  take: { taken: number };
  count: { taken: number; freed: number };
  collectIfHigh: { freed: number };
}

serve<Req, Answers>({
  take(req) {
    registry.register(req.buffer, undefined);
    return { taken: ++taken };
  },
  count() {
    return { taken, freed };
  },
  async collectIfHigh() {
    await collectIfHigh();
    // the finalizers run in a task after the collection
    await new Promise((r) => setTimeout(r, 50));
    return { freed };
  },
});
