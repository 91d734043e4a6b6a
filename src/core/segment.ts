// The segmentation pipeline in three phases so the pool can split the K-means restarts across
// workers: prepare (resize, convert, select channels, collapse to distinct values), cluster
// (any range of restarts), finish (rank clusters, label pixels). segmentSync runs all three.
// No jimp and no node-only imports here: this file is bundled into the worker.
import { plainBytes, sharedBytes, type Alloc } from './bytes';
import { targetSize, resizeArea } from './resize';
import { converted as inOrder, inColorSpace } from './colorspace';
import { completeConversion, type SharedConversion } from './sharedConvert';
import { completeLabelling, pixelLabeller, type SharedLabelling } from './sharedLabels';
import type { TreeLink } from './kmeans/sharedTree';
import { distinctOf, imageValues, kmeans, bestOf, type Distinct, type KMeansResult } from './kmeans/index';
import type { ChannelImage, RgbImage, SegmentResult } from './types';
import type { SegmentParams } from '../shared/params';

export type { Distinct, KMeansResult };

export const DEFAULT_TOL = 1e-4;

export interface Prepared {
  /** The resized image (the composite's "original"). */
  image: RgbImage;
  /** For BGR the image itself, read backwards (see inColorSpace). */
  converted: ChannelImage;
  /** Number of selected channels. */
  d: number;
  distinct: Distinct;
  /** k after capping to the number of distinct values. */
  k: number;
  warnings: string[];
  timings: { resize: number; convert: number; distinct: number };
}

const now = (): number => performance.now();

/** What `prepare` depends on: the image and these parameters (not k, restarts or the seed). */
export type PrepareParams = Pick<SegmentParams, 'width' | 'colorSpace' | 'channels'>;

/**
 * `alloc` makes the resized and the converted image (shared memory in the extension's workers:
 * with `sharedBytes`, the distinct values are shared too).
 * With `conversion` (the same size and colour space, no resize), the image is converted with the
 * threads that help with it (see sharedConvert.ts).
 */
export function prepare(source: RgbImage, params: PrepareParams & Pick<SegmentParams, 'k'>, alloc: Alloc = plainBytes, conversion?: SharedConversion): Prepared {
  const t0 = now();
  let image = source;
  if (params.width > 0) {
    const size = targetSize(source.width, source.height, params.width);
    if (size.width !== source.width || size.height !== source.height) {
      image = resizeArea(source, size.width, size.height, alloc);
    }
  }
  const t1 = now();
  const shared = conversion && image === source && conversion.colorSpace === params.colorSpace && conversion.out.length === image.width * image.height * 3;
  const converted = shared ? inOrder(completeConversion(image, conversion)) : inColorSpace(image, params.colorSpace, alloc);
  const t2 = now();
  const d = params.channels.length;
  const distinct = distinctOf(imageValues(converted, params.channels), alloc === sharedBytes);
  const t3 = now();

  return withK(
    { image, converted, d, distinct, k: params.k, warnings: [], timings: { resize: t1 - t0, convert: t2 - t1, distinct: t3 - t2 } },
    params.k,
  );
}

/**
 * The prepared input for another k (it does not depend on k otherwise): k capped to the
 * number of distinct values, with the warning that says so.
 */
export function withK(prep: Prepared, wanted: number): Prepared {
  const count = prep.distinct.count;
  if (wanted <= count) return { ...prep, k: wanted, warnings: [] };
  const noun = count === 1 ? 'colour' : 'colours';
  return { ...prep, k: count, warnings: [`only ${count} distinct ${noun}: k capped to ${count}`] };
}

export interface ClusterOptions {
  /** Run only restarts [from, to) (all of them by default)... */
  restarts?: readonly [number, number];
  /** ...or the restarts this returns, until it returns one outside [0, nInit) (see KMeansOptions). */
  nextRestart?: () => number;
  /** Asked between restarts and iterations: true throws SegmentationError('cancelled'). */
  shouldStop?: () => boolean;
  /** One kd-tree for every thread on the restarts (see KMeansOptions.tree). */
  tree?: TreeLink;
}

/** The distinct values to cluster: a Prepared's own, or the same values shared by another thread. */
export type ClusterInput = Pick<Prepared, 'd' | 'k'> & { distinct: Pick<Distinct, 'points' | 'weights' | 'count'> };

/** Runs the restarts `opts` names and returns the best of them. */
export function cluster(prep: ClusterInput, params: SegmentParams, opts: ClusterOptions = {}): KMeansResult {
  const { restarts, nextRestart, shouldStop, tree } = opts;
  const { points, weights, count } = prep.distinct;
  // A single distinct value needs no search (and k-means++ could not seed a second centre).
  if (prep.k <= 1 || count <= 1) {
    const centers = Float64Array.from(points.subarray(0, prep.d));
    // One thread answers; the others sharing a counter get nothing to do.
    const restart = nextRestart ? nextRestart() : restarts ? restarts[0] : 0;
    if (!(restart >= 0 && restart < params.nInit)) return { centers, assign: new Int32Array(0), inertia: Infinity, iterations: 0, restart: -1 };
    return { centers, assign: new Int32Array(count), inertia: 0, iterations: 0, restart };
  }
  return kmeans(points, weights, prep.d, {
    k: prep.k,
    nInit: params.nInit,
    maxIter: params.maxIter,
    tol: params.tol ?? DEFAULT_TOL,
    seed: params.seed,
    restarts: restarts ? [restarts[0], restarts[1]] : undefined,
    nextRestart,
    shouldStop,
    tree,
  });
}

/** Lexicographic comparison of centres a and b (rows of a k*d array). */
function compareCenters(centers: Float64Array, d: number, a: number, b: number): number {
  for (let c = 0; c < d; c++) {
    const diff = centers[a * d + c]! - centers[b * d + c]!;
    if (diff !== 0) return diff;
  }
  return a - b;
}

/**
 * Ranks clusters by pixel count (most first; ties: the lexicographically lower centre first)
 * and labels every pixel with its cluster's rank. `clusterMs` is the time spent in `cluster`.
 * With `labelling` (made for this input), the pixels are labelled with the threads that help
 * (see sharedLabels.ts).
 */
export function finish(
  prep: Prepared,
  params: SegmentParams,
  best: KMeansResult,
  clusterMs = 0,
  alloc: Alloc = plainBytes,
  labelling?: SharedLabelling,
): SegmentResult {
  const t0 = now();
  const { d, k } = prep;
  const { points, weights, count } = prep.distinct;
  const { centers, assign } = best;

  const sizes = new Float64Array(k);
  let inertia = 0;
  for (let i = 0; i < count; i++) {
    const c = assign[i]!;
    sizes[c] += weights[i]!;
    let dist = 0;
    for (let j = 0; j < d; j++) {
      const diff = points[i * d + j]! - centers[c * d + j]!;
      dist += diff * diff;
    }
    inertia += weights[i]! * dist;
  }
  const sums = clusterRgbSums(prep, params, assign);

  const order = Array.from({ length: k }, (_, i) => i);
  order.sort((a, b) => sizes[b]! - sizes[a]! || compareCenters(centers, d, a, b));
  const rankOf = new Uint8Array(k);
  order.forEach((c, rank) => (rankOf[c] = rank));

  const pixels = prep.converted.data.length / 3;
  // (a labelling sent by the pool is made from this input: the same shared memory under other views)
  const shared = labelling && labelling.converted.data.length === prep.converted.data.length && labelling.ranks.length === count && labelling.labels.length === pixels;
  const distinctRank = shared ? labelling.ranks : new Uint8Array(count);
  for (let i = 0; i < count; i++) distinctRank[i] = rankOf[assign[i]!]!;
  let labels: Uint8Array;
  if (shared) labels = completeLabelling(labelling);
  else {
    labels = alloc(pixels);
    pixelLabeller(labels, distinctRank, prep.distinct.lookup, imageValues(prep.converted, params.channels))(0, pixels);
  }

  const t1 = now();
  return {
    image: prep.image,
    converted: prep.converted,
    labels,
    k,
    centers: order.map((c) => Array.from(centers.subarray(c * d, c * d + d))),
    clusterSizes: order.map((c) => sizes[c]!),
    rgbSums: sums && order.flatMap((c) => [sums[c * 3]!, sums[c * 3 + 1]!, sums[c * 3 + 2]!]),
    inertia,
    iterations: best.iterations,
    distinctValues: count,
    warnings: [...prep.warnings],
    timings: {
      resize: prep.timings.resize,
      convert: prep.timings.convert,
      kmeans: prep.timings.distinct + clusterMs + (t1 - t0),
    },
  };
}

/**
 * Per cluster, the sums of R, G and B over its pixels, from the distinct values and their counts
 * (a million values instead of 24 million pixels at 24 MP: the palette's means without a pass
 * over the image) when those values are the pixels' own R, G and B: BGR, all three channels.
 * Sums of integers below 2^53: the same sums as a pass over the pixels.
 */
function clusterRgbSums(prep: Prepared, params: Pick<SegmentParams, 'colorSpace' | 'channels'>, assign: Int32Array): Float64Array | undefined {
  const { d, k } = prep;
  if (params.colorSpace !== 'bgr' || d !== 3 || params.channels.length !== 3) return undefined;
  // BGR's channel c is RGB's 2 - c
  const [r0, r1, r2] = params.channels.map((c) => 2 - c) as [number, number, number];
  const { points, weights, count } = prep.distinct;
  const sums = new Float64Array(k * 3);
  for (let i = 0; i < count; i++) {
    const at = assign[i]! * 3;
    const w = weights[i]!;
    sums[at + r0] += w * points[i * 3]!;
    sums[at + r1] += w * points[i * 3 + 1]!;
    sums[at + r2] += w * points[i * 3 + 2]!;
  }
  return sums;
}

/** `alloc` makes the resized and converted image and the labels. */
export function segmentSync(image: RgbImage, params: SegmentParams, alloc: Alloc = plainBytes): SegmentResult {
  const prep = prepare(image, params, alloc);
  const t0 = now();
  const best = cluster(prep, params);
  return finish(prep, params, best, now() - t0, alloc);
}

export { bestOf };
