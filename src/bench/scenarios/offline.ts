// MLPerf Offline: all samples available at once, run in batches of N (default 32); the metric is
// samples per second, plus a short sweep of throughput over batch sizes 1 … 32.

import { LatencyRecorder } from './latency-recorder.js';
import type { BlockStats, ScenarioOutcome, ScenarioRunner, ScenarioTarget } from './scenario.js';
import { singleStreamLoop } from './single-stream.js';

export const OFFLINE_SWEEP_BATCHES = [1, 2, 4, 8, 16, 32] as const;

export class Offline implements ScenarioRunner {
  readonly name = 'offline' as const;
  private readonly latency = new LatencyRecorder();
  private samples = 0;
  private elapsedMs = 0;
  private byBatch: { batch: number; throughputPerSec: number }[] | undefined;

  constructor(
    private readonly target: ScenarioTarget,
    readonly batch = 32,
    /** Time per batch size in the sweep. */
    private readonly sweepMs = 150,
  ) {}

  async warmup(): Promise<void> {
    singleStreamLoop(this.target.session, this.target.feeds.feeds(this.batch), new LatencyRecorder(), 100);
  }

  /** Back-to-back batches: with one query holding every sample, nothing waits between runs. */
  async runBlock(budgetMs: number): Promise<BlockStats> {
    const { queries, elapsedMs } = singleStreamLoop(this.target.session, this.target.feeds.feeds(this.batch), this.latency, budgetMs);
    this.samples += queries * this.batch;
    this.elapsedMs += elapsedMs;
    return { samples: queries * this.batch, elapsedMs, meanLatencyMs: elapsedMs / queries };
  }

  async finish(): Promise<void> {
    this.byBatch = [];
    for (const batch of OFFLINE_SWEEP_BATCHES) {
      const feeds = this.target.feeds.feeds(batch);
      this.target.session.runSync(feeds); // builds this batch size's plan, untimed
      const { queries, elapsedMs } = singleStreamLoop(this.target.session, feeds, new LatencyRecorder(), this.sweepMs);
      this.byBatch.push({ batch, throughputPerSec: (queries * batch * 1000) / elapsedMs });
    }
  }

  outcome(): ScenarioOutcome {
    return { latency: this.latency, samples: this.samples, elapsedMs: this.elapsedMs, throughputByBatch: this.byBatch };
  }
}
