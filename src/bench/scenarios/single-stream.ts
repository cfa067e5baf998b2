// MLPerf SingleStream: one query (batch N, default 1) at a time, the next issued when the previous
// completes; latency percentiles from an HDR histogram, throughput = samples / elapsed.

import type { InferenceSession } from '../../runtime/session.js';
import type { Tensor } from '../../tensor/tensor.js';
import { LatencyRecorder } from './latency-recorder.js';
import type { BlockStats, ScenarioOutcome, ScenarioRunner, ScenarioTarget } from './scenario.js';

/** Latencies buffered per chunk; the chunk goes into the histogram with the clock stopped. */
const CHUNK = 16384;
const buffer = new Float64Array(CHUNK);
// Node defines the global `performance` as a getter: read it once, not twice per query.
const clock = performance;

/**
 * The timed loop, shared with the harness-overhead measurement and offline: preallocated feeds,
 * runSync, one performance.now() per query (each query ends where the next starts, as in
 * SingleStream), the latency stored in a preallocated buffer. HDR recording happens between chunks,
 * outside the timed spans, because at ~65 ns a record costs 15 % of a simplenet inference.
 */
export function singleStreamLoop(
  session: InferenceSession,
  feeds: Record<string, Tensor>,
  recorder: LatencyRecorder,
  budgetMs: number,
  maxQueries = Infinity,
): { queries: number; elapsedMs: number } {
  let queries = 0;
  let elapsedMs = 0;
  do {
    const start = clock.now();
    const left = budgetMs - elapsedMs;
    const limit = Math.min(CHUNK, maxQueries - queries);
    let prev = start;
    let n = 0;
    do {
      session.runSync(feeds);
      const now = clock.now();
      buffer[n++] = now - prev;
      prev = now;
    } while (n < limit && prev - start < left);
    elapsedMs += prev - start;
    queries += n;
    recorder.recordAll(buffer, n);
  } while (elapsedMs < budgetMs && queries < maxQueries);
  return { queries, elapsedMs };
}

export class SingleStream implements ScenarioRunner {
  readonly name: ScenarioRunner['name'] = 'single-stream';
  protected readonly latency = new LatencyRecorder();
  protected samples = 0;
  protected elapsedMs = 0;

  constructor(
    protected readonly target: ScenarioTarget,
    readonly batch = 1,
  ) {}

  async warmup(): Promise<void> {
    // Builds the plan, then enough runs for the JIT to settle (TFLite's warmup_min_secs, shortened).
    singleStreamLoop(this.target.session, this.target.feeds.feeds(this.batch), new LatencyRecorder(), 100);
  }

  async runBlock(budgetMs: number): Promise<BlockStats> {
    const { queries, elapsedMs } = singleStreamLoop(this.target.session, this.target.feeds.feeds(this.batch), this.latency, budgetMs);
    this.samples += queries * this.batch;
    this.elapsedMs += elapsedMs;
    return { samples: queries * this.batch, elapsedMs, meanLatencyMs: elapsedMs / queries };
  }

  async finish(): Promise<void> {}

  outcome(): ScenarioOutcome {
    return { latency: this.latency, samples: this.samples, elapsedMs: this.elapsedMs };
  }
}
