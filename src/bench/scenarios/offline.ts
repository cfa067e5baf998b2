// MLPerf Offline: all samples available at once, run in batches of N (default 32); the metric is
// samples per second, plus a short sweep of throughput over batch sizes 1 … 32.

import { LatencyRecorder } from './latency-recorder.js';
import type { ScenarioOutcome, ScenarioTarget } from './scenario.js';
import { probeTiming, SingleStream, singleStreamLoop } from './single-stream.js';

export const OFFLINE_SWEEP_BATCHES = [1, 2, 4, 8, 16, 32] as const;

/** Back-to-back batches: single-stream's loop with one query holding every sample, so nothing waits between runs. */
export class Offline extends SingleStream {
  override readonly name = 'offline';
  private byBatch: { batch: number; throughputPerSec: number }[] | undefined;

  constructor(
    target: ScenarioTarget,
    batch = 32,
    /** Time per batch size in the sweep. */
    private readonly sweepMs = 150,
  ) {
    super(target, batch);
  }

  override async finish(): Promise<void> {
    this.byBatch = [];
    for (const batch of OFFLINE_SWEEP_BATCHES) {
      const feeds = this.target.feeds.feeds(batch);
      // Untimed: builds this batch size's plan, and groups the runs if a clock read would show.
      const { groupSize } = probeTiming(this.target.session, feeds, Math.min(20, this.sweepMs / 5), this.clock);
      const { queries, elapsedMs } = singleStreamLoop(this.target.session, feeds, new LatencyRecorder(), this.sweepMs, { groupSize, clock: this.clock });
      this.byBatch.push({ batch, throughputPerSec: (queries * batch * 1000) / elapsedMs });
    }
  }

  override outcome(): ScenarioOutcome {
    return { ...super.outcome(), throughputByBatch: this.byBatch };
  }
}
