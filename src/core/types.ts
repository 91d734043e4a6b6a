// Types shared by every stage of the engine (the parameters' model is src/shared/params.ts). The engine is pure TypeScript: no `vscode` import
// anywhere under src/core, so the CLI, the worker and the extension host all run the same code.

/** 8-bit image with alpha dropped: row-major, 3 bytes a pixel in R, G, B order. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * An image in a colour space, 3 bytes a pixel: channel c (in OpenCV's order for that space) of
 * pixel i is data[3 * i + offsets[c]]. BGR is the RGB image itself read from the other end of
 * each pixel (offsets 2, 1, 0), so no converted copy of it is made (72 MB at 24 MP).
 */
export interface ChannelImage {
  data: Uint8Array;
  offsets: readonly [number, number, number];
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
  /** The resized image in the chosen colour space, channels in OpenCV's order (for BGR, `image` itself read backwards). */
  converted: ChannelImage;
  /** Per pixel (row-major), the cluster's rank: 0 = the cluster with the most pixels. */
  labels: Uint8Array;
  /** k after capping (k is capped to the number of distinct colours, with a warning). */
  k: number;
  /** Per rank: the centre in the selected channels (same order as params.channels). */
  centers: number[][];
  /** Per rank: the number of pixels. Non-increasing. */
  clusterSizes: number[];
  /**
   * Per rank, the sums of R, G and B over its pixels (k * 3), when the clustering could tell them
   * without a pass over the image (see clusterRgbSums in segment.ts); the palette uses them.
   */
  rgbSums?: number[];
  /** Sum over all pixels of the squared distance to the pixel's centre (sklearn's inertia_). */
  inertia: number;
  /** Lloyd iterations of the best restart. */
  iterations: number;
  /** Number of distinct selected-channel values actually clustered. */
  distinctValues: number;
  warnings: string[];
  timings: StageTimings;
}
