// The shared result contract of the measurement work: bench produces BenchResult, energy fills
// EnergyReport, report renders both. Field names carry their units.

export interface EnergyReport {
  source: 'measured' | 'estimated';
  microjoulesPerInference: number;
  method: string;            // e.g. 'RAPL package-0 energy_uj delta over the run' or 'op counts x Horowitz 45nm energy table, scaled to <device>'
  device: string;            // profile or meter name
  breakdown?: { op: string; microjoules: number }[]; // per op type, estimated only
}
export interface BenchResult {
  model: string; scenario: 'single-stream' | 'multi-stream' | 'server' | 'offline';
  batch: number; threads: number; backend: string;
  samples: number; durationMs: number;
  latencyMs: { p50: number; p90: number; p95: number; p99: number; p999: number; mean: number; min: number; max: number };
  latencyHistogram: { upperMs: number[]; counts: number[] };   // bucket upper bounds and counts
  throughputPerSec: number;
  coldStartMs: { read: number; parse: number; optimize: number; plan: number; firstInference: number; total: number };
  memory: { arenaBytes: number; peakRssBytes: number };
  energy: EnergyReport;
  perOp: { op: string; ms: number; microjoules?: number }[];          // per op type, from session.profile()
  throughputByBatch?: { batch: number; throughputPerSec: number }[];
  server?: {
    targetQps: number; achievedQps: number; maxBatchSize: number; maxQueueDelayMs: number; timeouts: number; rejected: number;
    /** Rows per session run → number of runs, over the timed run (the batcher's histogram). */
    batchSizeHistogram?: Record<number, number>;
    preferredBatchSizes?: number[];
    meanBatchSize?: number;
  };
  /** Harness mean latency over a bare runSync loop's, minus 1, in %: median of interleaved paired rounds. */
  harnessOverheadPct?: number;
  // Additions beyond the first contract (optional, so existing readers are unaffected):
  multiStream?: { samplesPerQuery: number; intervalMs: number; queries: number; delayedQueries: number; missedIntervals: number };
  /**
   * 95 % interval of harnessOverheadPct (distribution-free) and the rounds it comes from; the overhead
   * against a separately written inline runSync loop, and how much that loop and the bare reference differ
   * in this process (V8 compiles each loop on its own: code-layout noise, not harness work).
   */
  harnessOverheadInterval?: { loPct: number; hiPct: number; rounds: number; vsInlineLoopPct: number; bareSpreadPct: number };
  /**
   * How latencies were timed. 'grouped': one clock read per groupSize back-to-back queries (the clock
   * would be > 1 % of one query), each query recorded as its group's mean: percentiles are over group means.
   */
  timing?: { mode: 'per-query' | 'grouped'; groupSize: number; clockCostNs: number };
  peak?: { latencyBoundMs: number; peakQps: number; passed: boolean; finalRunPassed: boolean; probes: { qps: number; achievedQps: number; p99Ms: number; pass: boolean }[] };
}
