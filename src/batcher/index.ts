// The dynamic batcher's public surface.

export { DynamicBatcher, type BatchSession, type CloseOptions } from './dynamic-batcher.js';
export type { BatcherOptions, InferOptions, ResolvedOptions } from './options.js';
export type { BatcherStats, DelaySummary } from './batcher-stats.js';
export type { BatchLayout, BatchValueMetadata } from './batch-layout.js';
