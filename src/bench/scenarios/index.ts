// The scenarios by name (a table, not a switch): each builds its runner from the shared options.

import type { BenchResult } from '../types.js';
import { MultiStream } from './multi-stream.js';
import { Offline } from './offline.js';
import type { ScenarioRunner, ScenarioTarget } from './scenario.js';
import { Server } from './server.js';
import { SingleStream } from './single-stream.js';

export type ScenarioName = BenchResult['scenario'];

export interface ScenarioOptions {
  /** Rows per run (single-stream, offline) or the batcher's max batch size (server). */
  batch?: number;
  samplesPerQuery?: number;
  intervalMs?: number;
  targetQps?: number;
  maxQueueDelayMs?: number;
  preferredBatchSizes?: number[];
  findPeak?: { latencyBoundMs: number; probeMs: number };
  seed?: number;
  /** Time per batch size in offline's sweep. */
  sweepMs?: number;
}

export const SCENARIOS: Readonly<Record<ScenarioName, (target: ScenarioTarget, o: ScenarioOptions) => ScenarioRunner>> = {
  'single-stream': (t, o) => new SingleStream(t, o.batch ?? 1),
  offline: (t, o) => new Offline(t, o.batch ?? 32, o.sweepMs),
  'multi-stream': (t, o) => new MultiStream(t, o.samplesPerQuery ?? 8, o.intervalMs ?? 50),
  server: (t, o) =>
    new Server(t, { targetQps: o.targetQps, maxBatchSize: o.batch ?? 8, maxQueueDelayMs: o.maxQueueDelayMs, preferredBatchSizes: o.preferredBatchSizes, seed: o.seed, findPeak: o.findPeak }),
};

export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

export { LatencyRecorder } from './latency-recorder.js';
export { FeedCache, inputDims } from './feeds.js';
export { measureHarnessOverhead, type HarnessOverhead, type OverheadOptions } from './harness-overhead.js';
export { chooseTiming, describeTiming, measureClockCostNs, type QueryTiming } from './query-timing.js';
export { findPeak, type PeakProbe, type PeakSearch } from './find-peak.js';
export { poissonArrivals } from './poisson.js';
export type { ScenarioRunner, ScenarioTarget, ScenarioOutcome, BlockStats } from './scenario.js';
