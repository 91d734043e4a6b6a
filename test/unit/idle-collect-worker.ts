// A worker for idle-collect.test.ts: its tasks make or are sent shared memory they do not keep,
// and say how much of it this thread's heap has let go of (FinalizationRegistry runs after a
// collection).
import { serve } from '../../src/core/worker/rpc';

let made = 0;
let freed = 0;
const registry = new FinalizationRegistry(() => freed++);

type Req = { id: number; kind: 'make'; bytes: number } | { id: number; kind: 'take'; buffer: SharedArrayBuffer } | { id: number; kind: 'count' };
interface Answers {
  make: { made: number };
  take: { made: number };
  count: { made: number; freed: number };
}

serve<Req, Answers>({
  make(req) {
    const buffer = new SharedArrayBuffer(req.bytes);
    new Uint8Array(buffer).fill(1);
    registry.register(buffer, undefined);
    return { made: ++made };
  },
  take(req) {
    registry.register(req.buffer, undefined);
    return { made: ++made };
  },
  count() {
    return { made, freed };
  },
});
