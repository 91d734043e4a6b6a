// A large image decoded into memory paged in meanwhile (`into`, and a JPEG decoder's heap made by
// the decoding thread), with the pool made ready for its first run as it decodes: its kernel
// memory grown for the image, or, for such a JPEG, the decoder's heap handed to it once the
// pixels are out (already paged in: at 24 MP ~130 MB that are not touched for the first time
// again). The heap goes from the decoding thread to the pool's worker port to port, so that this
// thread never holds it (its garbage collection would decide when that memory goes). No `vscode`
// here: the extension (files/readImage.ts) and the host bench open photos through it.
import { MessageChannel } from 'node:worker_threads';
import { sniffFormat } from '../../core/header';
import { heapMadeAhead } from '../../core/codecs/jpeg';
import type { SegmentPool } from '../../core/worker/pool';
import type { RgbImage } from '../../core/types';
import type { ImageClient } from './imageClient';

/** Decodes `bytes` (transferred) into `into` (`pixels` * 3 bytes), readying `pool()` meanwhile. */
export async function decodeForPool(
  decoder: ImageClient,
  pool: () => SegmentPool,
  bytes: Uint8Array,
  name: string,
  maxPixels: number,
  into: SharedArrayBuffer,
  pixels: number,
): Promise<RgbImage> {
  const heapComing = sniffFormat(bytes) === 'jpeg' && heapMadeAhead(bytes);
  pool().warm(heapComing ? 0 : pixels);
  const channel = heapComing ? new MessageChannel() : undefined;
  try {
    const { image, heapSent } = await decoder.decodeWithHeap(bytes, name, maxPixels, into, true, channel?.port1);
    if (heapComing) pool().warm(image.width * image.height, heapSent ? channel?.port2 : undefined);
    return image;
  } finally {
    // unused, its queued heap goes with it (a port given to the pool is no longer this one's)
    channel?.port2.close();
  }
}
