// What the panel shows of a result, as data: made by core/insight on the host's image worker,
// carried by the protocol, drawn by the webview.

export interface PaletteEntry {
  rank: number;
  /** The cluster's gray level in the composite. */
  gray: number;
  /** Fraction of the pixels, 0..1. */
  share: number;
  /** Number of pixels. */
  size: number;
  /** Mean colour of the cluster's pixels in the resized original, rounded to bytes. */
  meanRgb: [number, number, number];
  /** The K-means centre in the selected channels. */
  center: number[];
}

/** What the panel shows under the cursor: the pixel's colour, its values in the colour space and its cluster. */
export interface PixelInfo {
  x: number;
  y: number;
  rgb: [number, number, number];
  /** The pixel in the colour space, all three channels in OpenCV's order. */
  channels: [number, number, number];
  rank: number;
  gray: number;
}
