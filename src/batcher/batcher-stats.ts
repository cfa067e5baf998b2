// Counters of a DynamicBatcher, named like Triton's metrics: every request ends in exactly one outcome, so
// received = succeeded + failed + invalid + overloaded + timedOut + closed + pending + inFlight.

import { quantileSorted, sorted } from '../bench/stats.js';

export interface DelaySummary {
  count: number;
  meanMs: number;
  maxMs: number;
  /** Percentiles over the most recent samples (a window of 4096). */
  p50Ms: number;
  p99Ms: number;
}

export interface BatcherStats {
  /** Calls to infer(). */
  received: number;
  /** Answered with outputs. */
  succeeded: number;
  /** Rejected because their batch failed in the session. */
  failed: number;
  /** Rejected at once with INPUT_INVALID (bad feeds or options). */
  invalid: number;
  /** Rejected at once with OVERLOADED because the queue was full. */
  overloaded: number;
  /** Answered with TIMEOUT: still queued when their deadline passed; never run. */
  timedOut: number;
  /** Rejected because the batcher was closed (before or while they waited). */
  closed: number;
  /** Waiting in the queue now. */
  pending: number;
  /** In the batch running now. */
  inFlight: number;
  /** Session runs (Triton's nv_inference_exec_count). */
  batches: number;
  /** Rows run (nv_inference_count); rows / batches is the mean batch size reached. */
  rows: number;
  /** Batch size in rows → number of batches of that size. */
  batchSizeHistogram: Record<number, number>;
  /** Time from infer() to the start of the request's batch, for requests that ran. */
  queueDelayMs: DelaySummary;
  /** Session run time of each batch that succeeded. */
  runMs: DelaySummary;
}

export type Outcome = 'succeeded' | 'failed' | 'invalid' | 'overloaded' | 'timedOut' | 'closed';

const WINDOW = 4096;

/** Running count, mean, max and a window of recent samples for percentiles. */
class DelayRecorder {
  private count = 0;
  private sumMs = 0;
  private maxMs = 0;
  private readonly window = new Float64Array(WINDOW);

  add(ms: number): void {
    this.window[this.count % WINDOW] = ms;
    this.count++;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  summary(): DelaySummary {
    if (this.count === 0) return { count: 0, meanMs: 0, maxMs: 0, p50Ms: 0, p99Ms: 0 };
    const asc = sorted(this.window.subarray(0, Math.min(this.count, WINDOW)));
    return { count: this.count, meanMs: this.sumMs / this.count, maxMs: this.maxMs, p50Ms: quantileSorted(asc, 0.5), p99Ms: quantileSorted(asc, 0.99) };
  }
}

export class BatcherStatsRecorder {
  received = 0;
  private readonly outcomes: Record<Outcome, number> = { succeeded: 0, failed: 0, invalid: 0, overloaded: 0, timedOut: 0, closed: 0 };
  private batches = 0;
  private rows = 0;
  private readonly histogram = new Map<number, number>();
  private readonly queueDelay = new DelayRecorder();
  private readonly run = new DelayRecorder();

  count(outcome: Outcome, n = 1): void {
    this.outcomes[outcome] += n;
  }

  batchStarted(rows: number, queueDelaysMs: readonly number[]): void {
    this.batches++;
    this.rows += rows;
    this.histogram.set(rows, (this.histogram.get(rows) ?? 0) + 1);
    for (const ms of queueDelaysMs) this.queueDelay.add(ms);
  }

  batchRan(runMs: number): void {
    this.run.add(runMs);
  }

  snapshot(pending: number, inFlight: number): BatcherStats {
    const histogram: Record<number, number> = {};
    for (const size of [...this.histogram.keys()].sort((a, b) => a - b)) histogram[size] = this.histogram.get(size)!;
    return {
      received: this.received,
      ...this.outcomes,
      pending,
      inFlight,
      batches: this.batches,
      rows: this.rows,
      batchSizeHistogram: histogram,
      queueDelayMs: this.queueDelay.summary(),
      runMs: this.run.summary(),
    };
  }
}
