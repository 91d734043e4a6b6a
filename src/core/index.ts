// The engine's public API, for the extension host and the CLI (node). The worker bundle does not
// import this file: it loads segment.ts directly and stays free of jimp.
export type {
  ColorSpace,
  OutputFormat,
  RgbImage,
  SegmentParams,
  SegmentResult,
  StageTimings,
} from './types';
export { COLOR_SPACES, CHANNEL_NAMES } from './types';
export { SegmentationError, isSegmentationError, oneLine, type ErrorCode } from './errors';

export { decodeImage, DEFAULT_MAX_PIXELS, SUPPORTED_EXTENSIONS, type DecodeOptions } from './decode';
export { encodeImage, encodeGrayPng, formatFromName, JPEG_QUALITY } from './encode';
export { composite, labelImage, grayLevel, grayLabelBytes, stripWidth, STRIP_VALUE } from './composite';
export { outputName, uniqueName, withSuffix, isOurOutput, timestamp } from './naming';
export { writeNewFile, type WriteNewOptions } from './writeNew';
export {
  validateParams,
  parseChannels,
  parseColorSpace,
  channelsLabel,
  DEFAULT_PARAMS,
  MAX_K,
  type ValidatedParams,
} from './params';

export { targetSize, resizeArea } from './resize';
export { convertColor, convertPixel } from './colorspace';
export { segmentSync, prepare, cluster, finish, withK, type Prepared } from './segment';
export { SegmentPool, type SegmentPoolOptions, type SegmentRunOptions } from './worker/pool';
export * from './insight/index';
