// Entry of dist/ioWorker.js: decodes and encodes images for the extension host (see ioProtocol).
import { parentPort } from 'node:worker_threads';
import { composite, labelImage } from '../core/composite';
import { decodeImage } from '../core/decode';
import { encodeImage } from '../core/encode';
import { isSegmentationError } from '../core/errors';
import type { IoRequest, IoResponse } from './ioProtocol';

/** An ArrayBuffer holding exactly the view's bytes (transferable without sending more). */
function own(view: Uint8Array): ArrayBuffer {
  if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && view.buffer instanceof ArrayBuffer) {
    return view.buffer;
  }
  return view.slice().buffer as ArrayBuffer;
}

async function handle(req: IoRequest): Promise<[IoResponse, ArrayBuffer[]]> {
  if (req.kind === 'decode') {
    const img = await decodeImage(new Uint8Array(req.bytes), req.name, { maxPixels: req.maxPixels });
    const rgb = own(img.data);
    return [{ id: req.id, ok: true, kind: 'decode', width: img.width, height: img.height, rgb }, [rgb]];
  }
  const image = { width: req.width, height: req.height, data: new Uint8Array(req.rgb) };
  const labels = labelImage(new Uint8Array(req.labels), req.k, req.width, req.height);
  const bytes = own(await encodeImage(composite(image, labels), req.format));
  return [{ id: req.id, ok: true, kind: 'encodeComposite', bytes }, [bytes]];
}

parentPort?.on('message', (req: IoRequest) => {
  handle(req).then(
    ([res, transfer]) => parentPort!.postMessage(res, transfer),
    (e: unknown) => {
      const error = isSegmentationError(e)
        ? { name: e.name, message: e.message, code: e.code }
        : { name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) };
      parentPort!.postMessage({ id: req.id, ok: false, error } satisfies IoResponse);
    },
  );
});
