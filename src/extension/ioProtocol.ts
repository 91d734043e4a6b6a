// Messages between the extension host and dist/ioWorker.js, which decodes image files and
// encodes composites (jimp's PNG/JPEG codecs take seconds on large photos: never on the host's
// thread). Buffers are transferred, not copied.
import type { ErrorCode } from '../core/errors';
import type { ResultMode } from '../core/insight/render';
import type { OutputFormat } from '../core/types';

export interface DecodeRequest {
  id: number;
  kind: 'decode';
  bytes: ArrayBuffer;
  /** For error messages: the file's name. */
  name: string;
  maxPixels: number;
}

/** Encodes original | strip | gray labels (core's composite) in the given format. */
export interface EncodeCompositeRequest {
  id: number;
  kind: 'encodeComposite';
  width: number;
  height: number;
  /** The (resized) image, RGB. */
  rgb: ArrayBuffer;
  /** Per pixel, its cluster's rank. */
  labels: ArrayBuffer;
  k: number;
  format: OutputFormat;
  /** The right half drawn in this mode instead of the seed's gray levels. */
  view?: { mode: ResultMode; selected: number[]; white: boolean };
}

/** A one-channel PNG of the labels: gray levels as the seed's, or with `selected`, a 0/255 mask. */
export interface EncodeGrayRequest {
  id: number;
  kind: 'encodeGray';
  width: number;
  height: number;
  labels: ArrayBuffer;
  k: number;
  selected?: number[];
}

export type IoRequest = DecodeRequest | EncodeCompositeRequest | EncodeGrayRequest;

export type IoResponse =
  | { id: number; ok: true; kind: 'decode'; width: number; height: number; rgb: ArrayBuffer }
  | { id: number; ok: true; kind: 'encodeComposite' | 'encodeGray'; bytes: ArrayBuffer }
  | { id: number; ok: false; error: { name: string; message: string; code?: ErrorCode } };
