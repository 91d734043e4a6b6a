// Child process of the corpus runner: runs one file at a time through the engine as the CLI and
// the extension do (decodeImage, then segmentSync at a small width) and answers with what
// happened. A separate process so a hang can be killed and an out-of-memory crash is counted
// instead of taking the test run down with it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeImage } from '../../src/core/decode';
import { isSegmentationError } from '../../src/core/errors';
import { segmentSync } from '../../src/core/segment';
import type { SegmentResult } from '../../src/core/types';
import type { SegmentParams } from '../../src/shared/params';

export interface ChildRequest {
  path: string;
  name: string;
  maxPixels: number;
  params: SegmentParams;
}

export interface ChildAnswer {
  name: string;
  outcome: 'result' | 'clean-error' | 'bug';
  message: string;
  code?: string;
  ms: number;
  digest?: string;
  /** Peak RSS of this process so far, MB. */
  maxRssMb: number;
}

/** Why a result is not a sound segmentation, or undefined when it is. */
function unsound(r: SegmentResult, params: SegmentParams): string | undefined {
  const n = r.image.width * r.image.height;
  if (!(r.image.width > 0 && r.image.height > 0)) return 'empty image';
  if (r.image.data.length !== n * 3) return 'image data length';
  if (r.labels.length !== n) return 'labels length';
  if (!(r.k >= 1 && r.k <= params.k)) return `k ${r.k}`;
  if (r.clusterSizes.reduce((a, b) => a + b, 0) !== n) return 'cluster sizes do not sum to the pixels';
  if (r.clusterSizes.some((s, i) => i > 0 && s > r.clusterSizes[i - 1]!)) return 'cluster sizes not sorted';
  if (!(Number.isFinite(r.inertia) && r.inertia >= 0)) return `inertia ${r.inertia}`;
  for (const l of r.labels) if (l >= r.k) return `label ${l} >= k`;
  return undefined;
}

async function handle(req: ChildRequest): Promise<ChildAnswer> {
  const t0 = performance.now();
  const done = (a: Omit<ChildAnswer, 'ms' | 'maxRssMb' | 'name'>): ChildAnswer => ({
    name: req.name,
    ms: performance.now() - t0,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    ...a,
  });
  try {
    const bytes = new Uint8Array(readFileSync(req.path));
    const image = await decodeImage(bytes, req.name, { maxPixels: req.maxPixels });
    let result: SegmentResult;
    try {
      result = segmentSync(image, req.params);
    } catch (e) {
      // segmentSync knows no file name: its callers (CLI, panel) prefix it, so do that here.
      if (isSegmentationError(e)) e.message = `${req.name}: ${e.message}`;
      throw e;
    }
    const bad = unsound(result, req.params);
    if (bad) return done({ outcome: 'bug', message: `unsound result: ${bad}` });
    const digest = createHash('sha256')
      .update(result.image.data)
      .update(result.labels)
      .update(String(result.inertia))
      .digest('hex');
    return done({ outcome: 'result', message: `${result.image.width}x${result.image.height} k=${result.k}`, digest });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const clean = isSegmentationError(e) && !message.includes('\n') && message.includes(req.name) && message.length < 400;
    return done({ outcome: clean ? 'clean-error' : 'bug', message, code: isSegmentationError(e) ? e.code : undefined });
  }
}

process.on('message', (req: ChildRequest) => {
  void handle(req).then((a) => process.send!(a));
});
