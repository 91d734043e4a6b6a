// Types shared by every stage of the engine. The engine is pure TypeScript: no `vscode` import
// anywhere under src/core, so the CLI, the worker and the extension host all run the same code.

export type ColorSpace = 'bgr' | 'hsv' | 'lab' | 'ycrcb';
export const COLOR_SPACES: readonly ColorSpace[] = ['bgr', 'hsv', 'lab', 'ycrcb'];

/** Channel names by index, in OpenCV's order for each space (the seed's `-c` digits index these). */
export const CHANNEL_NAMES: Record<ColorSpace, readonly [string, string, string]> = {
  bgr: ['B', 'G', 'R'],
  hsv: ['H', 'S', 'V'],
  lab: ['L', 'a', 'b'],
  ycrcb: ['Y', 'Cr', 'Cb'],
};

/** What the seed's -f may name (OpenCV's imwrite writes them all); `tiff` files end in .tiff. */
export type OutputFormat = 'png' | 'jpg' | 'bmp' | 'webp' | 'tiff';

/** 8-bit image with alpha dropped: row-major, 3 bytes a pixel in R, G, B order. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Validated, normalised parameters of one segmentation run. */
export interface SegmentParams {
  colorSpace: ColorSpace;
  /** Selected channel indices in the order given (the seed's `-c 20` is [2, 0]). */
  channels: number[];
  /** Number of clusters, >= 2 (the seed raises smaller values to 2 with a warning). */
  k: number;
  /** Resize to this width (height = floor(width / W * H)); 0 keeps the original size. */
  width: number;
  /** K-means restarts with k-means++ seeding; the run with the lowest inertia is kept. */
  nInit: number;
  maxIter: number;
  /** Seed of the random generator: the same parameters always give the same picture. */
  seed: number;
  /** sklearn's relative tolerance (scaled by the mean per-channel variance). Default 1e-4. */
  tol?: number;
}

export interface StageTimings {
  resize: number;
  convert: number;
  kmeans: number;
}

/** What `segment` returns: everything the composite, the CLI's --json and the panel need. */
export interface SegmentResult {
  /** The resized image: the "original" of the composite. */
  image: RgbImage;
  /** The resized image in the chosen colour space, 3 bytes a pixel in OpenCV's channel order. */
  converted: Uint8Array;
  /** Per pixel (row-major), the cluster's rank: 0 = the cluster with the most pixels. */
  labels: Uint8Array;
  /** k after capping (k is capped to the number of distinct colours, with a warning). */
  k: number;
  /** Per rank: the centre in the selected channels (same order as params.channels). */
  centers: number[][];
  /** Per rank: the number of pixels. Non-increasing. */
  clusterSizes: number[];
  /** Sum over all pixels of the squared distance to the pixel's centre (sklearn's inertia_). */
  inertia: number;
  /** Lloyd iterations of the best restart. */
  iterations: number;
  /** Number of distinct selected-channel values actually clustered. */
  distinctValues: number;
  warnings: string[];
  timings: StageTimings;
}
