// Entry of dist/imageWorker.js, the image worker (see imageProtocol.ts): decoding, encoding, and every
// picture and view the panel is shown, made from the full-size result off the host's thread.
import { ownBuffer, sharedBytes } from '../../core/bytes';
import { composite, grayLabelBytes } from '../../core/composite';
import { grayComposite, grayCompositePng } from '../../core/grayComposite';
import { decodeImage } from '../../core/decode';
import { pageAllInBackground } from '../../core/pager';
import { pagedJpegHeap } from '../../core/codecs/jpeg';
import { sniffFormat } from '../../core/header';
import { jpegOrientation, orientedSize, toOrientedRgb, type Orientation } from '../../core/codecs/orientation';
import { encodeGrayPng, encodeImage } from '../../core/encode';
import { clusterPalette } from '../../core/insight/palette';
import { channelPlanes } from '../../core/insight/planes';
import { maskBytes, renderResult } from '../../core/insight/render';
import { splitView } from '../../core/insight/split';
import { resizeArea } from '../../core/resize';
import type { RgbImage, SegmentResult } from '../../core/types';
import { coherence } from '../../core/sweep';
import { VIEW_FLAT_PNG, VIEW_PHOTO_PNG, encodePngSync } from '../../core/codecs/png';
import { boxRegion, renderRegion, type RegionView } from '../../core/view/region';
import { segmentSync } from '../../core/segment';
import { displayScale, scaledSize } from '../../shared/geometry';
import { type SplitData } from '../../shared/protocol';
import type { Answers, ImageKind, ImageRequest, WireResult } from './imageProtocol';
import { serve, type Handlers } from '../../core/worker/rpc';
import { lowerThreadPriority } from '../../core/priority';
import { workerData } from 'node:worker_threads';
import { CHANNEL_MAX } from '../../shared/params';

/** Larger "thumbnails" are not decoded for a quick look (phones store up to about 0.3 MP). */
const QUICK_LOOK_MAX_PIXELS = 1_000_000;
/**
 * A thumbnail whose shape differs from the photo's by more than this (relative to its aspect
 * ratio) is letterboxed or of another crop: clustering it would count its bars.
 */
const QUICK_LOOK_ASPECT_SLACK = 0.03;

/** The bins of the split view's density scatter on each axis. */
const SCATTER_BINS = 64;
/** The long side of the channel strips. */
const PLANE_SIDE = 96;

/** A picture for the panel: PNG file bytes in a buffer of their own, to transfer. */
function png(rgb: Uint8Array, width: number, height: number, settings: typeof VIEW_PHOTO_PNG): ArrayBuffer {
  return encodePngSync(rgb, width, height, 3, settings).buffer as ArrayBuffer;
}

function whole(image: RgbImage): { x: number; y: number; width: number; height: number } {
  return { x: 0, y: 0, width: image.width, height: image.height };
}

/** renderResult and the palette read only a result's image, labels, k (and centres). */
function asResult(r: WireResult, centers: number[][] = []): SegmentResult {
  return { ...r, centers } as unknown as SegmentResult;
}

/** A result's palette and its right half at width x height (`shown`: the original at that size). */
function resultPictures(result: SegmentResult, width: number, height: number, view: RegionView, shown?: RgbImage): Answers['resultView'] {
  const palette = clusterPalette(result);
  const means = new Uint8Array(palette.flatMap((e) => e.meanRgb));
  const r = renderRegion(result, whole(result.image), width, height, view, means, undefined, shown?.data);
  return { palette, right: { width: r.width, height: r.height, png: png(r.right, r.width, r.height, VIEW_FLAT_PNG) } };
}

/** The image at display size (PNG for the panel, RGB for the renders) and a reduced copy for previews. */
function makeThumbs(image: RgbImage, displayMax: number, previewPixels: number): Answers['thumbs'] {
  const { width, height } = image;
  const size = scaledSize(width, height, displayScale(width, height, displayMax));
  const data = sharedBytes(size.width * size.height * 3);
  data.set(boxRegion(image, whole(image), size.width, size.height));
  const display = { ...size, data };
  const original = { ...size, png: png(data, size.width, size.height, VIEW_PHOTO_PNG) };
  if (width * height <= 4 * previewPixels) return { original, display };
  // The preview's copy from the display-size one when that is larger: one pass over the photo, not two.
  const small = scaledSize(width, height, Math.sqrt(previewPixels / (width * height)));
  const from = size.width >= small.width && size.height >= small.height ? display : image;
  return { original, display, preview: resizeArea(from, small.width, small.height, sharedBytes) };
}

const handlers: Handlers<ImageRequest, Answers> = {
  async decode(req) {
    // Decoded straight into shared memory: the host and the pool's workers read it where it is
    // (into the buffer another thread has paged in, when the image has the size it was made for).
    const { into } = req;
    const alloc = (n: number): Uint8Array => (into && into.byteLength === n ? new Uint8Array(into) : sharedBytes(n));
    const bytes = new Uint8Array(req.bytes);
    // a JPEG's decoder heap made here and paged in from its end by a pager thread while the
    // decoder fills it from its start, then the pixels' memory (see pagedJpegHeap)
    const then = into ? [{ buffer: into }] : [];
    let jpegHeap: WebAssembly.Memory | undefined;
    if (req.pageAhead && sniffFormat(bytes) === 'jpeg') jpegHeap = pagedJpegHeap(bytes, then);
    else if (req.pageAhead) void pageAllInBackground(then);
    try {
      const image = await decodeImage(bytes, req.name, { maxPixels: req.maxPixels, alloc, jpegHeap });
      // the decoder that used the heap is gone: the pool may take the heap, paged in, as kernel memory
      if (jpegHeap && req.heapTo) req.heapTo.postMessage(jpegHeap);
      return { image, heapSent: jpegHeap !== undefined && req.heapTo !== undefined };
    } finally {
      req.heapTo?.close();
    }
  },
  async encodeComposite(req) {
    const { image, labels, k } = req.result;
    const view = req.view;
    if (!view || view.mode === 'gray') {
      // the seed's picture: drawn straight into the composite, and as PNG band by band while it is
      // encoded (see grayComposite.ts; at 24 MP the right half and the composite were 220 MB)
      const bytes = req.format === 'png' ? await grayCompositePng(image, labels, k) : await encodeImage(grayComposite(image, labels, k), req.format);
      return { bytes: ownBuffer(bytes) };
    }
    const right = renderResult(asResult(req.result), view.mode, view.selected, { white: view.white });
    return { bytes: ownBuffer(await encodeImage(composite(image, right), req.format)) };
  },
  async encodeGray(req) {
    const { image, labels, k } = req.result;
    const gray = req.selected ? maskBytes(labels, req.selected, k) : grayLabelBytes(labels, k);
    return { bytes: ownBuffer(await encodeGrayPng(gray, image.width, image.height)) };
  },
  thumbs(req) {
    const { width, height } = req.target;
    const image = width !== req.image.width || height !== req.image.height ? resizeArea(req.image, width, height) : req.image;
    return makeThumbs(image, req.displayMax, req.previewPixels);
  },
  async quickLook(req) {
    const thumb = new Uint8Array(req.bytes);
    let image: RgbImage;
    try {
      image = await decodeImage(thumb, 'the embedded thumbnail', { maxPixels: QUICK_LOOK_MAX_PIXELS });
    } catch {
      return {};
    }
    // a thumbnail with an orientation of its own has been turned by the decoder already
    const o = (jpegOrientation(thumb) === undefined ? req.orientation : 1) as Orientation;
    const turned = orientedSize(image.width, image.height, o);
    const aspect = req.width / req.height;
    if (Math.abs(turned.width / turned.height - aspect) > QUICK_LOOK_ASPECT_SLACK * aspect) return {};
    const data = sharedBytes(turned.width * turned.height * 3);
    toOrientedRgb(image.data, 3, image.width, image.height, o, data);
    return { image: { ...turned, data }, original: { ...turned, png: png(data, turned.width, turned.height, VIEW_PHOTO_PNG) } };
  },
  warm() {
    return {};
  },
  resultView(req) {
    return resultPictures(asResult(req.result, req.centers), req.width, req.height, req.view, req.shown);
  },
  quickPreview(req) {
    const result = segmentSync(req.image, req.params);
    return { result, ...resultPictures(result, req.image.width, req.image.height, req.view, req.image) };
  },
  view(req) {
    const { width, height } = req;
    if (req.parts === 'original') {
      const data = boxRegion(req.result.image, req.rect, width, height);
      return { original: { width, height, png: png(data, width, height, VIEW_PHOTO_PNG) } };
    }
    const r = renderRegion(req.result, req.rect, width, height, req.view, Uint8Array.from(req.means), req.hovered, req.shown?.data);
    const right = { width, height, png: png(r.right, width, height, VIEW_FLAT_PNG) };
    if (req.parts === 'right') return { right };
    return { right, original: { width, height, png: png(r.original, width, height, VIEW_PHOTO_PNG) } };
  },
  insight(req) {
    const result = { ...asResult(req.result), converted: req.converted };
    const view = splitView(result, req.channels, SCATTER_BINS, true);
    let split: SplitData;
    if (view.kind === 'histogram') {
      const max = CHANNEL_MAX[req.colorSpace][view.channel]!;
      split = { kind: 'histogram', channel: view.channel, max, histograms: view.histograms.map((h) => h.slice(0, max + 1).buffer) };
    } else {
      const s = view.scatter;
      split = {
        kind: 'scatter',
        cx: s.cx,
        cy: s.cy,
        bins: s.bins,
        xRange: s.xRange,
        yRange: s.yRange,
        counts: s.counts.buffer as ArrayBuffer,
        dominant: s.dominant.buffer as ArrayBuffer,
        of: req.channels.length,
      };
    }
    const { width, height } = req.result.image;
    const p = channelPlanes(req.converted, width, height, PLANE_SIDE);
    const data = new Uint8Array(p.width * p.height * 3);
    p.planes.forEach((plane, i) => data.set(plane, i * plane.length));
    return { split, planes: { width: p.width, height: p.height, data: data.buffer } };
  },
  reduce(req) {
    return { image: resizeArea(req.image, req.target.width, req.target.height, sharedBytes) };
  },
  sweepThumb(req) {
    const { image, labels } = req.result;
    const { width, height } = image;
    const result = asResult(req.result);
    const gray = renderResult(result, 'gray').data;
    const mean = renderResult(result, 'mean').data;
    return {
      score: coherence(labels, width, height),
      gray: { width, height, png: png(gray, width, height, VIEW_FLAT_PNG) },
      mean: { width, height, png: png(mean, width, height, VIEW_FLAT_PNG) },
    };
  },
};

/** The fresh buffers of an answer, transferred rather than copied. */
function transferables(answer: Answers[ImageKind]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const add = (b: unknown): void => {
    if (b instanceof ArrayBuffer) out.push(b);
  };
  const a = answer as Partial<Answers['view'] & Answers['encodeGray'] & Answers['thumbs'] & Answers['resultView'] & Answers['insight'] & Answers['sweepThumb']>;
  add(a.bytes);
  add(a.gray?.png);
  add(a.mean?.png);
  add(a.right?.png);
  add(a.original?.png);
  if (a.split) {
    if (a.split.kind === 'histogram') a.split.histograms.forEach(add);
    else [a.split.counts, a.split.dominant].forEach(add);
  }
  add(a.planes?.data);
  return out;
}

// a background thread (ImageClientOptions.background) leaves the cores to the runs first
if ((workerData as { background?: boolean } | null)?.background) lowerThreadPriority();
serve<ImageRequest, Answers>(handlers, { transfer: (answer) => transferables(answer as Answers[ImageKind]) });
