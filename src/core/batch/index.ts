// The batch engine's public face, for the CLI and the extension's "Batch Segment Images...".
export { runBatch, progressOf } from './engine';
export type { BatchIO, BatchOptions, BatchProgress, BatchSummary, ImageReport } from './engine';
export { segmentImageBytes, summarize } from './pipeline';
export type { ImageJob, ImageOutcome, ImageSummary, ImageTimings } from './pipeline';
export { defaultJobs, imageMemoryTarget, jobsThatFit, memoryBudget, MEMORY_EXTRA_BYTES, MEMORY_FACTOR } from './memory';
export { doneCheck, doneOutputs } from './skipDone';
export type { DoneCheckHost } from './skipDone';
export { formatDuration, formatRate, progressText, summaryText } from './progress';
export { BATCH_WORKER_MARK } from './protocol';
export { serveBatchWorker } from './worker';
