// One image, from its file's bytes to the bytes of what is saved: decode, segment, draw the
// right half, composite, encode. No file system: a batch worker runs this on bytes the host read
// (with node:fs in the CLI, VS Code's workspace.fs in the extension), and the host writes what it
// returns. The CLI's single-image run calls it in-process.
import { composite, grayLabelBytes } from '../composite';
import type { ImageArena } from './arena';
import { grayComposite, grayCompositePng } from '../grayComposite';
import { decodeImage } from '../decode';
import { encodeGrayPng, encodeImage } from '../encode';
import { SegmentationError } from '../errors';
import { paletteJson } from '../insight/palette';
import { renderResult, type ResultMode } from '../insight/render';
import { segmentSync } from '../segment';
import type { RgbImage, SegmentResult } from '../types';
import type { OutputFormat } from '../../shared/formats';
import type { SegmentParams } from '../../shared/params';

/** What to do with every image of a batch. Plain data: it is posted to the workers. */
export interface ImageJob {
  params: SegmentParams;
  /** Refuse images larger than this (read from the header before decoding). */
  maxPixels: number;
  /** How the composite's right half shows the clusters. */
  mode: ResultMode;
  /** The cluster ranks mode 'mask' keeps. */
  select: number[];
  /** The composite is encoded once per format listed; none: nothing to save but the summary. */
  formats: OutputFormat[];
  /** Also the gray label image as PNG. */
  labels?: boolean;
  /** Also the clusters as JSON (paletteJson). */
  palette?: boolean;
}

/** The segmentation's result as the CLI's --json reports it, without the pixels. */
export interface ImageSummary {
  inertia: number;
  k: number;
  iterations: number;
  clusterSizes: number[];
  centers: number[][];
  /** Of the (resized) image that was clustered. */
  width: number;
  height: number;
  distinctValues: number;
  warnings: string[];
}

/** Milliseconds per stage. */
export interface ImageTimings {
  decode: number;
  resize: number;
  convert: number;
  kmeans: number;
  composite: number;
  encode: number;
}

export interface ImageOutcome {
  summary: ImageSummary;
  /** The composite in each of the job's formats. */
  composites: Partial<Record<OutputFormat, Uint8Array>>;
  labelsPng?: Uint8Array;
  paletteJson?: Uint8Array;
  timings: ImageTimings;
}

export function summarize(result: SegmentResult): ImageSummary {
  return {
    inertia: result.inertia,
    k: result.k,
    iterations: result.iterations,
    clusterSizes: result.clusterSizes,
    centers: result.centers,
    width: result.image.width,
    height: result.image.height,
    distinctValues: result.distinctValues,
    warnings: result.warnings,
  };
}

/**
 * The composite's pixels (or, for the gray picture saved as PNG only, the PNG itself, drawn as it
 * is encoded: see grayComposite.ts) and what else is saved, computed in a function of its own so
 * that the segmentation's intermediates can be collected once it returns.
 */
async function drawAndExport(
  result: SegmentResult,
  job: ImageJob,
): Promise<{ picture?: RgbImage; png?: Uint8Array; labelsPng?: Uint8Array; paletteJson?: Uint8Array }> {
  const { width, height } = result.image;
  const labelsPng = job.labels ? await encodeGrayPng(grayLabelBytes(result.labels, result.k), width, height) : undefined;
  const palette = job.palette ? new TextEncoder().encode(`${JSON.stringify(paletteJson(result, job.params), null, 2)}\n`) : undefined;
  if (job.mode === 'gray' && job.formats.length > 0 && job.formats.every((f) => f === 'png')) {
    return { png: await grayCompositePng(result.image, result.labels, result.k), labelsPng, paletteJson: palette };
  }
  // the reference script's gray picture is drawn straight into the composite: no right half of its own (36 MB at 12 MP)
  const picture = job.mode === 'gray' ? grayComposite(result.image, result.labels, result.k) : composite(result.image, renderResult(result, job.mode, job.select));
  return { picture, labelsPng, paletteJson: palette };
}

/**
 * `name` is what messages call the file. Intermediates are dropped as soon as they are used (the
 * decoded photo, its converted copy, the labels, the right half): at 12 MP each is 12-75 MB, and
 * two images run side by side. With `arena` (a batch worker's), the big buffers come from it and
 * go back to it when the image is done: nothing returned refers to them. `jpegHeap`: the JPEG
 * decoder's heap, paged in ahead (codecs/jpeg.ts's pagedJpegHeap).
 */
export async function segmentImageBytes(bytes: Uint8Array, name: string, job: ImageJob, arena?: ImageArena, jpegHeap?: WebAssembly.Memory): Promise<ImageOutcome> {
  try {
    return await segmentWith(bytes, name, job, arena, jpegHeap);
  } finally {
    arena?.nextImage();
  }
}

async function segmentWith(bytes: Uint8Array, name: string, job: ImageJob, arena: ImageArena | undefined, jpegHeap: WebAssembly.Memory | undefined): Promise<ImageOutcome> {
  const t0 = performance.now();
  let image: RgbImage | undefined = await decodeImage(bytes, name, { maxPixels: job.maxPixels, alloc: arena?.alloc, jpegHeap });
  jpegHeap = undefined; // the decoder's heap goes with the decode
  const t1 = performance.now();
  let result: SegmentResult | undefined = segmentSync(image, job.params, arena?.alloc);
  image = undefined;
  const missing = job.select.filter((r) => r >= result!.k);
  if (missing.length > 0) {
    throw new SegmentationError('bad-parameter', `--select ${missing.join(',')}: there are only ${result.k} clusters (ranks 0-${result.k - 1})`, name);
  }
  const summary = summarize(result);
  const stages = result.timings;

  const t2 = performance.now();
  let drawn: Awaited<ReturnType<typeof drawAndExport>> | undefined = await drawAndExport(result, job);
  result = undefined;
  const { labelsPng, paletteJson: palette, png } = drawn;
  let picture: RgbImage | undefined = drawn.picture;
  drawn = undefined;
  const t3 = performance.now();

  const composites: ImageOutcome['composites'] = png ? { png } : {};
  if (picture) for (const format of job.formats) composites[format] ??= await encodeImage(picture, format);
  picture = undefined;
  const t4 = performance.now();

  return {
    summary,
    composites,
    labelsPng,
    paletteJson: palette,
    timings: {
      decode: t1 - t0,
      resize: stages.resize,
      convert: stages.convert,
      kmeans: stages.kmeans,
      // (a PNG drawn as it is encoded counts as encoding)
      composite: png ? 0 : t3 - t2,
      encode: png ? t4 - t2 : t4 - t3,
    },
  };
}
