// Messages between the extension host and dist/imageWorker.js, the image worker: it decodes files,
// encodes saved composites, and makes everything the panel is shown (display-size halves, zoom
// tiles, the palette and the other insight views) from the full-size result. Pixels travel in
// shared memory (core/bytes.ts): requests copy none; answers transfer their fresh buffers.
import type { ResultMode } from '../../core/insight/render';
import type { RegionView } from '../../core/view/region';
import type { ChannelImage, RgbImage, SegmentResult } from '../../core/types';
import type { Rect } from '../../shared/geometry';
import type { PaletteEntry, Picture, SplitData } from '../../shared/protocol';
import type { MessagePort } from 'node:worker_threads';
import type { OutputFormat } from '../../shared/formats';
import type { ColorSpace, SegmentParams } from '../../shared/params';

export interface DecodeRequest {
  id: number;
  kind: 'decode';
  bytes: ArrayBuffer;
  /** For error messages: the file's name. */
  name: string;
  maxPixels: number;
  /** Where the RGB pixels go when the decoded image has its size (width * height * 3 bytes). */
  into?: SharedArrayBuffer;
  /**
   * Page in `into` on a pager thread (core/pager.ts) while the decode runs, and first a JPEG
   * decoder's heap, made by the decoding thread.
   */
  pageAhead?: boolean;
  /**
   * Where the JPEG decoder's heap made ahead (pageAhead) goes once the pixels are out of it, for
   * the pool to take as kernel memory (see SegmentPool.warm): port to port, so that the
   * extension host's thread never holds it (its collection would decide when that memory goes).
   */
  heapTo?: MessagePort;
}

/**
 * A photo's embedded thumbnail (a small JPEG from its EXIF block), decoded and turned as the
 * photo is: what the panel clusters for a first preview while the photo itself decodes.
 */
export interface QuickLookRequest {
  id: number;
  kind: 'quickLook';
  bytes: ArrayBuffer;
  /** The photo's EXIF orientation (the thumbnail is stored as the photo is, unturned). */
  orientation: number;
  /** The photo's size as shown (turned): a thumbnail of another shape (letterboxed) is not used. */
  width: number;
  height: number;
}

/**
 * A quick look's preview, made here in one go (the pool's workers may still be starting when a
 * panel opens): the thumbnail segmented with the preview's parameters, its palette and its right
 * half at its own size.
 */
export interface QuickPreviewRequest {
  id: number;
  kind: 'quickPreview';
  image: RgbImage;
  params: SegmentParams;
  view: RegionView;
}

/** Starts the worker and loads its code, ahead of the work (a panel opening). */
export interface WarmRequest {
  id: number;
  kind: 'warm';
}

/** A result's image and labels (width * height each), in shared memory. */
export interface WireResult {
  image: RgbImage;
  labels: Uint8Array;
  k: number;
  /** With rgbSums, the palette's counts and sums without a pass over the pixels. */
  clusterSizes?: number[];
  rgbSums?: number[];
}

/** Encodes original | strip | gray labels (core's composite) in the given format. */
export interface EncodeCompositeRequest {
  id: number;
  kind: 'encodeComposite';
  result: WireResult;
  format: OutputFormat;
  /** The right half drawn in this mode instead of the reference script's gray levels. */
  view?: { mode: ResultMode; selected: number[]; white: boolean };
}

/** A one-channel PNG of the labels: gray levels as the reference script's, or with `selected`, a 0/255 mask. */
export interface EncodeGrayRequest {
  id: number;
  kind: 'encodeGray';
  result: WireResult;
  selected?: number[];
}

/**
 * After decoding: the image a run segments (resized to `target` first when the run's width asks
 * for it) at display size, and a reduced copy of at most `previewPixels` for quick previews
 * (none when the image is not much larger than that).
 */
export interface ThumbsRequest {
  id: number;
  kind: 'thumbs';
  image: RgbImage;
  target: { width: number; height: number };
  displayMax: number;
  previewPixels: number;
}

/** The palette of a result (its means paint the 'mean' view) and its right half at display size. */
export interface ResultViewRequest {
  id: number;
  kind: 'resultView';
  result: WireResult;
  centers: number[][];
  /** The right half's size. */
  width: number;
  height: number;
  view: RegionView;
  /** The original at that size (thumbs' `display`), when it is the whole image's. */
  shown?: RgbImage;
}

/** A region of a result at some size: the right half, the original, or both (a zoom tile). */
export interface ViewRequest {
  id: number;
  kind: 'view';
  result: WireResult;
  /** k * 3 bytes: each cluster's mean colour (from the palette). */
  means: number[];
  rect: Rect;
  width: number;
  height: number;
  view: RegionView;
  hovered?: number;
  /** The original of `rect` at width x height, when the caller has it (thumbs' `display`). */
  shown?: RgbImage;
  /** Which halves to make. */
  parts: 'both' | 'original' | 'right';
}

/** Where the clusters split and the channel strips, from a full-size result. */
export interface InsightRequest {
  id: number;
  kind: 'insight';
  result: WireResult;
  converted: ChannelImage;
  colorSpace: ColorSpace;
  channels: number[];
}

/** The image resized (the reference script's INTER_AREA) to `target`, in shared memory: a sweep's copy. */
export interface ReduceRequest {
  id: number;
  kind: 'reduce';
  image: RgbImage;
  target: { width: number; height: number };
}

/** A sweep's result as the Explore view shows it: its score and its clusters in gray and in mean colours. */
export interface SweepThumbRequest {
  id: number;
  kind: 'sweepThumb';
  result: WireResult;
}

export type ImageRequest =
  | WarmRequest
  | DecodeRequest
  | QuickLookRequest
  | QuickPreviewRequest
  | EncodeCompositeRequest
  | EncodeGrayRequest
  | ThumbsRequest
  | ResultViewRequest
  | ViewRequest
  | InsightRequest
  | ReduceRequest
  | SweepThumbRequest;

export interface Answers {
  warm: Record<string, never>;
  /** `heapSent`: the JPEG decoder's heap went to `heapTo`. */
  decode: { image: RgbImage; heapSent?: boolean };
  /** Nothing when the thumbnail is not a usable picture of the photo. */
  quickLook: { image?: RgbImage; original?: Picture };
  quickPreview: { result: SegmentResult; palette: PaletteEntry[]; right: Picture };
  encodeComposite: { bytes: ArrayBuffer };
  encodeGray: { bytes: ArrayBuffer };
  /** `display`: the original at the picture's size, in shared memory, for the renders of the right half. */
  thumbs: { original: Picture; display: RgbImage; preview?: RgbImage };
  resultView: { palette: PaletteEntry[]; right: Picture };
  view: { right?: Picture; original?: Picture };
  insight: { split: SplitData; planes: { width: number; height: number; data: ArrayBuffer } };
  reduce: { image: RgbImage };
  sweepThumb: { score: number; gray: Picture; mean: Picture };
}

export type ImageKind = ImageRequest['kind'];
