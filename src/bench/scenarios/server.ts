// MLPerf Server: Poisson arrivals at a target QPS through the dynamic batcher; latency counts from each
// query's scheduled arrival, so queueing is included. Optionally finds the peak QPS within a p99 bound.

import { DynamicBatcher } from '../../batcher/index.js';
import { EdgeError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { BenchResult } from '../types.js';
import { findPeak, type PeakProbe } from './find-peak.js';
import { LatencyRecorder } from './latency-recorder.js';
import { poissonArrivals } from './poisson.js';
import { ownTurns, type Turns } from './serial-turns.js';
import { sleepUntil, type BlockStats, type ScenarioOutcome, type ScenarioRunner, type ScenarioTarget } from './scenario.js';
import { singleStreamLoop } from './single-stream.js';

export interface ServerOptions {
  /** Offered load; ignored (found) when findPeak is set. */
  targetQps?: number;
  maxBatchSize?: number;
  maxQueueDelayMs?: number;
  /** Row counts the batcher runs at once before the delay ends (Triton's preferred_batch_size). */
  preferredBatchSizes?: number[];
  /** Seed of the arrival schedule (LoadGen's schedule_rng_seed). */
  seed?: number;
  /** Per-request queue deadline in ms; absent: none. */
  deadlineMs?: number;
  /**
   * trialsPerProbe (default 1, LoadGen's single run): windows per probed rate, judged on their median p99,
   * so one preemption by another job on a shared machine does not end the climb.
   */
  findPeak?: { latencyBoundMs: number; probeMs: number; maxProbes?: number; trialsPerProbe?: number };
  /**
   * Every warm-up step and peak-search probe runs through these turns: scenarios sharing serialTurns()
   * (batch-1 serving and batching, in scripts/batcher-throughput.ts) alternate probes instead of overlapping.
   */
  turns?: Turns;
}

export interface WindowResult {
  scheduled: number;
  completed: number;
  timeouts: number;
  rejected: number;
  failed: number;
  /** From the window's start to the last answer (at least the window). */
  elapsedMs: number;
}

/**
 * Issues one request per arrival at its absolute time (never accumulated sleeps: a late wake-up issues
 * every arrival already due), records latency from the scheduled time, and waits for every answer.
 */
export async function serveWindow(
  batcher: DynamicBatcher,
  feeds: Record<string, Tensor>,
  arrivalsMs: Float64Array,
  windowMs: number,
  recorder: LatencyRecorder,
  deadlineMs?: number,
): Promise<WindowResult> {
  const result: WindowResult = { scheduled: arrivalsMs.length, completed: 0, timeouts: 0, rejected: 0, failed: 0, elapsedMs: 0 };
  const options = deadlineMs === undefined ? undefined : { deadlineMs };
  const answers: Promise<void>[] = [];
  const start = performance.now();
  let lastMs = start;
  let i = 0;
  const issue = (scheduledMs: number) =>
    batcher.infer(feeds, options).then(
      () => {
        lastMs = performance.now();
        recorder.record(lastMs - scheduledMs);
        result.completed++;
      },
      (err: unknown) => {
        lastMs = performance.now();
        const code = err instanceof EdgeError ? err.code : undefined;
        if (code === 'TIMEOUT') result.timeouts++;
        else if (code === 'OVERLOADED') result.rejected++;
        else result.failed++;
      },
    );
  while (i < arrivalsMs.length) {
    const now = performance.now();
    while (i < arrivalsMs.length && start + arrivalsMs[i]! <= now) answers.push(issue(start + arrivalsMs[i++]!));
    if (i < arrivalsMs.length) await sleepUntil(start + arrivalsMs[i]!);
  }
  await Promise.all(answers);
  result.elapsedMs = Math.max(windowMs, lastMs - start);
  return result;
}

/** p99 over every scheduled query, counting unanswered ones (timeouts, rejections) as infinitely late. */
export function p99WithLosses(recorder: LatencyRecorder, w: WindowResult): number {
  // The 99th of all scheduled queries is the (0.99 × scheduled / completed) quantile of the answered ones.
  const q = (0.99 * w.scheduled) / recorder.count;
  return recorder.count === 0 || q > 1 ? Infinity : recorder.percentileMs(q * 100);
}

/** Queries a find-peak probe aims for, so that its p99 is not simply its maximum. */
const MIN_PROBE_QUERIES = 200;

export class Server implements ScenarioRunner {
  readonly name = 'server' as const;
  readonly batch: number;
  private readonly latency = new LatencyRecorder();
  private readonly batcher: DynamicBatcher;
  private readonly maxBatchSize: number;
  private readonly maxQueueDelayMs: number;
  private targetQps: number;
  private samples = 0;
  private elapsedMs = 0;
  private timeouts = 0;
  private rejected = 0;
  private blocks = 0;
  private peak: BenchResult['peak'];

  constructor(
    private readonly target: ScenarioTarget,
    private readonly options: ServerOptions,
  ) {
    this.maxBatchSize = options.maxBatchSize ?? 8;
    this.maxQueueDelayMs = options.maxQueueDelayMs ?? 0;
    if (!options.findPeak && !(options.targetQps! > 0)) {
      throw new EdgeError('INPUT_INVALID', 'server: needs a target QPS > 0 (--target-qps) or a peak search (--find-peak --latency-bound-ms)');
    }
    if (options.findPeak && !(options.findPeak.latencyBoundMs > 0)) {
      throw new EdgeError('INPUT_INVALID', `server: the latency bound must be a number of ms > 0, got ${options.findPeak.latencyBoundMs}`);
    }
    this.targetQps = options.targetQps ?? 0;
    this.batcher = this.newBatcher();
    // A model without a symbolic batch dim is served one request per run.
    this.batch = this.batcher.packsRequests ? this.maxBatchSize : 1;
  }

  private newBatcher(): DynamicBatcher {
    return new DynamicBatcher(this.target.session, {
      maxBatchSize: this.maxBatchSize,
      maxQueueDelayMs: this.maxQueueDelayMs,
      preferredBatchSizes: this.options.preferredBatchSizes,
    });
  }

  async warmup(): Promise<void> {
    const turns = this.options.turns ?? ownTurns;
    await turns(async () => {
      // Every batch size the batcher can form gets its static plan now, not inside a timed window.
      for (let rows = 1; rows <= this.batch; rows++) this.target.session.runSync(this.target.feeds.feeds(rows));
      singleStreamLoop(this.target.session, this.target.feeds.feeds(1), new LatencyRecorder(), 50);
    });
    if (this.options.findPeak) await this.searchPeak(await turns(() => this.closedLoopMs(100)), turns);
  }

  /** Mean time of one request sent through the batcher with nothing else queued (batcher overhead included). */
  private async closedLoopMs(budgetMs: number): Promise<number> {
    const batcher = this.newBatcher();
    const feeds = this.target.feeds.feeds(1);
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < budgetMs) {
      await batcher.infer(feeds);
      n++;
    }
    const ms = (performance.now() - start) / n;
    await batcher.close();
    return ms;
  }

  private async searchPeak(requestMs: number, turns: Turns): Promise<void> {
    const { latencyBoundMs, probeMs, maxProbes, trialsPerProbe = 1 } = this.options.findPeak!;
    // The search starts at half the rate one-at-a-time serving sustains and may go up to what
    // full batches could reach if they cost no more than one request (4× headroom).
    const serviceQps = 1000 / requestMs;
    let seed = (this.options.seed ?? 1) * 7919;
    const probe = async (qps: number): Promise<PeakProbe> => {
      const trials: PeakProbe[] = [];
      // Each trial is its own turn: searches sharing the turns interleave at trial granularity.
      for (let t = 0; t < trialsPerProbe; t++) trials.push(await turns(() => this.probeOnce(qps, probeMs, latencyBoundMs, seed++)));
      trials.sort((a, b) => a.p99Ms - b.p99Ms);
      return trials[(trials.length - 1) >> 1]!;
    };
    const search = await findPeak(probe, {
      startQps: serviceQps / 2,
      minQps: Math.min(1, serviceQps / 100),
      maxQps: serviceQps * this.batch * 4,
      maxProbes,
    });
    this.targetQps = search.peakQps;
    // finalRunPassed is settled by the timed run at the peak (LoadGen's last step: the result must hold there too).
    this.peak = { latencyBoundMs, peakQps: search.peakQps, passed: search.passed, finalRunPassed: false, probes: search.probes };
  }

  /** One find-peak probe: a fresh batcher, Poisson arrivals at `qps` for a window, p99 counting losses. */
  private async probeOnce(qps: number, probeMs: number, latencyBoundMs: number, seed: number): Promise<PeakProbe> {
    // A request queued for twice the bound has failed it already: expire it so an overloaded probe drains fast.
    const deadlineMs = 2 * latencyBoundMs;
    const batcher = this.newBatcher();
    const recorder = new LatencyRecorder();
    // A p99 needs samples (LoadGen's min_query_count): low rates get a longer window, up to 4×.
    const windowMs = Math.min(4 * probeMs, Math.max(probeMs, (MIN_PROBE_QUERIES * 1000) / qps));
    const w = await serveWindow(batcher, this.target.feeds.feeds(1), poissonArrivals(qps, windowMs, seed), windowMs, recorder, deadlineMs);
    await batcher.close();
    const p99Ms = p99WithLosses(recorder, w);
    return { qps, achievedQps: (w.completed * 1000) / w.elapsedMs, p99Ms, pass: p99Ms <= latencyBoundMs };
  }

  async runBlock(budgetMs: number): Promise<BlockStats> {
    const arrivals = poissonArrivals(this.targetQps, budgetMs, (this.options.seed ?? 1) + this.blocks++);
    const block = new LatencyRecorder();
    const w = await serveWindow(this.batcher, this.target.feeds.feeds(1), arrivals, budgetMs, block, this.options.deadlineMs);
    this.latency.add(block);
    this.samples += w.completed;
    this.elapsedMs += w.elapsedMs;
    this.timeouts += w.timeouts;
    this.rejected += w.rejected;
    return { samples: w.completed, elapsedMs: w.elapsedMs, meanLatencyMs: block.meanMs };
  }

  async finish(): Promise<void> {
    await this.batcher.close();
  }

  outcome(): ScenarioOutcome {
    const achievedQps = this.elapsedMs > 0 ? (this.samples * 1000) / this.elapsedMs : 0;
    // The timed batcher only runs the timed blocks (find-peak probes use their own), so this is the run's mix.
    const stats = this.batcher.stats;
    return {
      latency: this.latency,
      samples: this.samples,
      elapsedMs: this.elapsedMs,
      server: {
        targetQps: this.targetQps,
        achievedQps,
        maxBatchSize: this.maxBatchSize,
        maxQueueDelayMs: this.maxQueueDelayMs,
        ...(this.options.preferredBatchSizes?.length ? { preferredBatchSizes: [...this.options.preferredBatchSizes] } : {}),
        timeouts: this.timeouts,
        rejected: this.rejected,
        batchSizeHistogram: { ...stats.batchSizeHistogram },
        meanBatchSize: stats.batches > 0 ? stats.rows / stats.batches : 0,
      },
      peak: this.peak && { ...this.peak, finalRunPassed: this.timeouts + this.rejected === 0 && this.latency.percentileMs(99) <= this.peak.latencyBoundMs },
    };
  }
}
