// MLPerf SingleStream: one query (batch N, default 1) at a time, the next issued when the previous
// completes; latency percentiles from an HDR histogram, throughput = samples / elapsed.

import type { Tensor } from '../../tensor/tensor.js';
import { LatencyRecorder } from './latency-recorder.js';
import { chooseTiming, measureClockCostNs, perQueryTiming, type Clock, type QueryTiming } from './query-timing.js';
import type { BlockStats, ScenarioOutcome, ScenarioRunner, ScenarioTarget } from './scenario.js';

/** Clock reads buffered per chunk; the chunk goes into the histogram with the clock stopped. */
const CHUNK = 16384;
const buffer = new Float64Array(CHUNK);

/** What the timed loop needs of a session (an InferenceSession, or a fake one in tests). */
export interface SyncRunner {
  runSync(feeds: Record<string, Tensor>): unknown;
}

export interface LoopOptions {
  /** Stop after this many queries even if budget is left. */
  maxQueries?: number;
  /** Back-to-back queries per clock read (1: per-query timing); each is recorded as the group's mean. */
  groupSize?: number;
  /** Node defines the global `performance` as a getter: it is read once per call, not per query. */
  clock?: Clock;
  /**
   * No clock read inside (one per chunk) and nothing recorded: the bare reference of the harness-overhead
   * measurement, running the very same compiled loop, so the two differ only by the harness's work.
   */
  untimed?: boolean;
}

/**
 * `count` back-to-back runs: the body of a timed group and the whole of the bare loop the harness is
 * compared with, so that both run the same compiled code and differ only by the clock reads.
 */
export function runQueries(session: SyncRunner, feeds: Record<string, Tensor>, count: number): void {
  for (let q = 0; q < count; q++) session.runSync(feeds);
}

/**
 * The timed loop, shared with the harness-overhead measurement and offline: preallocated feeds,
 * runSync, one clock read per group of queries (each group ends where the next starts, as in
 * SingleStream), the group's time stored in a preallocated buffer. HDR recording happens between
 * chunks, outside the timed spans, because at ~65 ns a record costs 15 % of a simplenet inference.
 */
export function singleStreamLoop(
  session: SyncRunner,
  feeds: Record<string, Tensor>,
  recorder: LatencyRecorder,
  budgetMs: number,
  { maxQueries = Infinity, groupSize = 1, clock = performance, untimed = false }: LoopOptions = {},
): { queries: number; elapsedMs: number } {
  let queries = 0;
  let elapsedMs = 0;
  do {
    const remaining = maxQueries - queries;
    // The last group may be short, so that a query count is met exactly.
    const size = remaining < groupSize ? remaining : groupSize;
    const limit = Math.min(CHUNK, Math.floor(remaining / size));
    const left = budgetMs - elapsedMs;
    const start = clock.now();
    let prev = start;
    let n = 0;
    do {
      runQueries(session, feeds, size);
      if (!untimed) {
        const now = clock.now();
        buffer[n] = now - prev;
        prev = now;
      }
      n++;
    } while (n < limit && prev - start < left);
    if (untimed) prev = clock.now();
    elapsedMs += prev - start;
    queries += n * size;
    if (!untimed) recorder.recordGroups(buffer, n, size);
  } while (elapsedMs < budgetMs && queries < maxQueries);
  return { queries, elapsedMs };
}

/**
 * Runs per-query for about `probeMs` (warming the JIT and the plan), then picks the timing: grouped when
 * one clock read is more than 1 % of the median query.
 */
export function probeTiming(session: SyncRunner, feeds: Record<string, Tensor>, probeMs: number, clock: Clock = performance): QueryTiming {
  const probe = new LatencyRecorder();
  singleStreamLoop(session, feeds, probe, probeMs, { clock });
  return chooseTiming(measureClockCostNs(clock), probe.percentileMs(50));
}

export class SingleStream implements ScenarioRunner {
  readonly name: ScenarioRunner['name'] = 'single-stream';
  protected readonly latency = new LatencyRecorder();
  protected samples = 0;
  protected elapsedMs = 0;
  /** Decided at warm-up; per-query until then. */
  protected timing: QueryTiming = perQueryTiming(0);

  constructor(
    protected readonly target: ScenarioTarget,
    readonly batch = 1,
    protected readonly clock: Clock = performance,
  ) {}

  async warmup(): Promise<void> {
    // Builds the plan, then enough runs for the JIT to settle (TFLite's warmup_min_secs, shortened).
    this.timing = probeTiming(this.target.session, this.target.feeds.feeds(this.batch), 100, this.clock);
  }

  async runBlock(budgetMs: number): Promise<BlockStats> {
    const { queries, elapsedMs } = singleStreamLoop(this.target.session, this.target.feeds.feeds(this.batch), this.latency, budgetMs, {
      groupSize: this.timing.groupSize,
      clock: this.clock,
    });
    this.samples += queries * this.batch;
    this.elapsedMs += elapsedMs;
    return { samples: queries * this.batch, elapsedMs, meanLatencyMs: elapsedMs / queries };
  }

  async finish(): Promise<void> {}

  outcome(): ScenarioOutcome {
    return { latency: this.latency, samples: this.samples, elapsedMs: this.elapsedMs, timing: this.timing };
  }
}
