// The contract every scenario implements, so run-bench can interleave several models round-robin in
// short blocks: warm up once, run blocks that add to the totals, then report one outcome.

import type { InferenceSession } from '../../runtime/session.js';
import type { BenchResult } from '../types.js';
import type { FeedCache } from './feeds.js';
import type { LatencyRecorder } from './latency-recorder.js';

export interface ScenarioTarget {
  session: InferenceSession;
  feeds: FeedCache;
}

export interface BlockStats {
  samples: number;
  elapsedMs: number;
  meanLatencyMs: number;
}

export interface ScenarioOutcome {
  latency: LatencyRecorder;
  /** Samples (rows) completed in the timed blocks. */
  samples: number;
  /** Time spent in the timed blocks. */
  elapsedMs: number;
  throughputByBatch?: BenchResult['throughputByBatch'];
  server?: BenchResult['server'];
  multiStream?: BenchResult['multiStream'];
  peak?: BenchResult['peak'];
  /** How the latencies were timed; absent: per query. */
  timing?: BenchResult['timing'];
}

export interface ScenarioRunner {
  readonly name: BenchResult['scenario'];
  /** Rows per session run (for the arena plan, the energy estimate and the per-op profile). */
  readonly batch: number;
  /** Untimed: builds the static plans and warms the JIT. */
  warmup(): Promise<void>;
  /** Runs about `budgetMs` of the scenario, adding to its totals. */
  runBlock(budgetMs: number): Promise<BlockStats>;
  /** Work after the interleaved blocks (offline's batch sweep, closing the batcher). */
  finish(): Promise<void>;
  outcome(): ScenarioOutcome;
}

/** Waits until the absolute time `atMs` (performance.now() clock): a timer for the bulk, then immediates. */
export async function sleepUntil(atMs: number): Promise<void> {
  for (;;) {
    const left = atMs - performance.now();
    if (left <= 0) return;
    // Timers fire no sooner than 1 ms and often later: only use them when more than that is left.
    await new Promise<void>((resolve) => (left > 2 ? setTimeout(resolve, left - 1.5) : setImmediate(resolve)));
  }
}
