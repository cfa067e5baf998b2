// MLPerf MultiStream: a query of K samples (default 8) is due every interval; a query still running
// when the next is due delays it (counted as missed intervals). Metric: p99 of query latency.

import { EdgeError } from '../../errors.js';
import { LatencyRecorder } from './latency-recorder.js';
import { sleepUntil, type BlockStats, type ScenarioOutcome, type ScenarioRunner, type ScenarioTarget } from './scenario.js';
import { singleStreamLoop } from './single-stream.js';

export class MultiStream implements ScenarioRunner {
  readonly name = 'multi-stream' as const;
  private readonly latency = new LatencyRecorder();
  private samples = 0;
  private elapsedMs = 0;
  private queries = 0;
  private delayedQueries = 0;
  private missedIntervals = 0;

  constructor(
    private readonly target: ScenarioTarget,
    readonly batch = 8,
    private readonly intervalMs = 50,
  ) {
    if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) throw new EdgeError('INPUT_INVALID', `multi-stream: the interval must be a number of ms > 0, got ${intervalMs}`);
  }

  async warmup(): Promise<void> {
    singleStreamLoop(this.target.session, this.target.feeds.feeds(this.batch), new LatencyRecorder(), 100);
  }

  async runBlock(budgetMs: number): Promise<BlockStats> {
    const session = this.target.session;
    const feeds = this.target.feeds.feeds(this.batch);
    const start = performance.now();
    const end = start + budgetMs;
    let due = start;
    let queries = 0;
    let sumMs = 0;
    for (;;) {
      await sleepUntil(due);
      const t0 = performance.now();
      if (t0 >= end && queries > 0) break;
      session.runSync(feeds);
      const t1 = performance.now();
      this.latency.record(t1 - t0);
      sumMs += t1 - t0;
      queries++;
      // The grid stays on absolute times (no drift from timer lateness); a late query moves it.
      const next = due + this.intervalMs;
      if (t1 > next) {
        this.delayedQueries++;
        this.missedIntervals += Math.floor((t1 - due) / this.intervalMs);
        due = t1;
      } else {
        due = next;
      }
    }
    const elapsedMs = performance.now() - start;
    this.queries += queries;
    this.samples += queries * this.batch;
    this.elapsedMs += elapsedMs;
    return { samples: queries * this.batch, elapsedMs, meanLatencyMs: sumMs / queries };
  }

  async finish(): Promise<void> {}

  outcome(): ScenarioOutcome {
    return {
      latency: this.latency,
      samples: this.samples,
      elapsedMs: this.elapsedMs,
      multiStream: { samplesPerQuery: this.batch, intervalMs: this.intervalMs, queries: this.queries, delayedQueries: this.delayedQueries, missedIntervals: this.missedIntervals },
    };
  }
}
