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
  server?: { targetQps: number; achievedQps: number; maxBatchSize: number; maxQueueDelayMs: number; timeouts: number; rejected: number };
  harnessOverheadPct?: number;
  // Additions beyond the first contract (optional, so existing readers are unaffected):
  multiStream?: { samplesPerQuery: number; intervalMs: number; queries: number; delayedQueries: number; missedIntervals: number };
  peak?: { latencyBoundMs: number; peakQps: number; passed: boolean; finalRunPassed: boolean; probes: { qps: number; achievedQps: number; p99Ms: number; pass: boolean }[] };
}
