// What bench/run.mjs calls of the engine in its own process (bundled by it into bench/out).
export { decodeImage } from '../src/core/decode';
export { grayLevel } from '../src/core/composite';
export { validateParams } from '../src/core/params';
export { SegmentPool } from '../src/core/worker/pool';
