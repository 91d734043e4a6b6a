// The insight views: pure functions over a SegmentResult (or `prepare`'s distinct values) that
// explain where the clusters fall. No vscode and no node-only imports: the worker and the
// webview may both load them.
export { clusterPalette, clusterMeans, paletteJson } from './palette';
export type { PaletteEntry, PaletteJson } from './palette';
export { renderResult, maskBytes, boundaryBytes, highlight } from './render';
export type { ResultMode, RenderOptions } from './render';
export { elbowCurve, elbowK, elbowKs, ELBOW_DEFAULTS } from './elbow';
export type { ElbowInput, ElbowSource, ElbowOptions, ElbowPoint } from './elbow';
export { channelHistogram, densityScatter, channelSpread, splitView } from './split';
export type { DensityScatter, SplitView } from './split';
export { channelPlanes, thumbnailSize } from './planes';
export type { ChannelPlanes } from './planes';
export { inspectPixel } from './inspect';
export type { PixelInfo } from './inspect';
