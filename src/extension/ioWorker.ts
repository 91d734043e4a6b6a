// Entry of dist/ioWorker.js: decodes and encodes images for the extension host (see ioProtocol).
import { parentPort } from 'node:worker_threads';
import { composite, grayLabelBytes, labelImage } from '../core/composite';
import { decodeImage } from '../core/decode';
import { encodeGrayPng, encodeImage } from '../core/encode';
import { maskBytes, renderResult } from '../core/insight/render';
import type { SegmentResult } from '../core/types';
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
  if (req.kind === 'encodeGray') {
    const labels = new Uint8Array(req.labels);
    const gray = req.selected ? maskBytes(labels, req.selected, req.k) : grayLabelBytes(labels, req.k);
    const bytes = own(await encodeGrayPng(gray, req.width, req.height));
    return [{ id: req.id, ok: true, kind: 'encodeGray', bytes }, [bytes]];
  }
  const image = { width: req.width, height: req.height, data: new Uint8Array(req.rgb) };
  const labelBytes = new Uint8Array(req.labels);
  const view = req.view;
  // renderResult reads only the image, the labels and k of a result.
  const right =
    view && view.mode !== 'gray'
      ? renderResult({ image, labels: labelBytes, k: req.k } as SegmentResult, view.mode, view.selected, { white: view.white })
      : labelImage(labelBytes, req.k, req.width, req.height);
  const bytes = own(await encodeImage(composite(image, right), req.format));
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
