// Synthetic BenchResults for the report's tests and for previewing the page: seeded, with the
// shapes the harness produces (log-spaced histogram, per-op profile, estimated energy breakdown).

import { quantileSorted } from '../stats.js';
import { seededRandom as rng } from '../../tensor/random.js';
import type { BenchResult } from '../types.js';

/** Log-normal latencies around medianMs with a small slow tail (GC pauses, scheduler). */
function latencies(n: number, medianMs: number, seed: number): Float64Array {
  const r = rng(seed);
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    xs[i] = medianMs * Math.exp(0.12 * z) * (r() < 0.01 ? 3 + 4 * r() : 1);
  }
  return xs.sort();
}

/** Log-spaced buckets from min to max, as LatencyRecorder.histogram builds them. */
function histogram(asc: Float64Array, buckets = 24): BenchResult['latencyHistogram'] {
  const lo = asc[0]!;
  const hi = Math.max(asc[asc.length - 1]!, lo * 1.001);
  const ratio = Math.pow(hi / lo, 1 / buckets);
  const upperMs = Array.from({ length: buckets }, (_, i) => (i === buckets - 1 ? hi : lo * ratio ** (i + 1)));
  const counts = new Array<number>(buckets).fill(0);
  for (const v of asc) {
    let b = 0;
    while (b < buckets - 1 && v > upperMs[b]!) b++;
    counts[b]!++;
  }
  return { upperMs, counts };
}

const OPS: readonly { op: string; share: number }[] = [
  { op: 'Conv', share: 0.71 },
  { op: 'Gemm', share: 0.08 },
  { op: 'Relu', share: 0.06 },
  { op: 'Add', share: 0.05 },
  { op: 'MaxPool', share: 0.04 },
  { op: 'GlobalAveragePool', share: 0.03 },
  { op: 'Softmax', share: 0.02 },
  { op: 'Reshape', share: 0.01 },
];

export interface SampleOptions {
  model: string;
  medianMs: number;
  samples?: number;
  seed?: number;
  energyUjPerMs?: number;
  arenaBytes?: number;
}

export function sampleResult(o: SampleOptions): BenchResult {
  const n = o.samples ?? 2000;
  const xs = latencies(n, o.medianMs, o.seed ?? 1);
  const q = (p: number) => quantileSorted(xs, p);
  const mean = xs.reduce((s, v) => s + v, 0) / n;
  const ujPerMs = o.energyUjPerMs ?? 9000;
  const energy = mean * ujPerMs;
  return {
    model: o.model,
    scenario: 'single-stream',
    batch: 1,
    threads: 1,
    backend: 'wasm',
    samples: n,
    durationMs: n * mean,
    latencyMs: { p50: q(0.5), p90: q(0.9), p95: q(0.95), p99: q(0.99), p999: q(0.999), mean, min: xs[0]!, max: xs[n - 1]! },
    latencyHistogram: histogram(xs),
    throughputPerSec: 1000 / mean,
    coldStartMs: { read: 2.1, parse: 6.4, optimize: 3.3, plan: 1.2, firstInference: o.medianMs * 2.5, total: 13 + o.medianMs * 2.5 },
    memory: { arenaBytes: o.arenaBytes ?? 1_572_864, peakRssBytes: 88_000_000 + (o.arenaBytes ?? 1_572_864) },
    energy: {
      source: 'estimated',
      microjoulesPerInference: energy,
      method: 'op counts x Horowitz 45nm energy table, scaled to laptop-x86',
      device: 'laptop-x86',
      breakdown: OPS.map((p) => ({ op: p.op, microjoules: energy * p.share })),
    },
    perOp: OPS.map((p) => ({ op: p.op, ms: mean * p.share, microjoules: energy * p.share })),
    throughputByBatch: [1, 2, 4, 8, 16].map((batch) => ({ batch, throughputPerSec: (1000 / mean) * batch / (1 + 0.35 * Math.log2(batch)) })),
  };
}

/** The degenerate case: one sample, zero energy (a meter too coarse for one run), no sweep, no profile. */
export function degenerateResult(model: string): BenchResult {
  const ms = 3.2;
  return {
    model,
    scenario: 'single-stream',
    batch: 1,
    threads: 1,
    backend: 'ref',
    samples: 1,
    durationMs: ms,
    latencyMs: { p50: ms, p90: ms, p95: ms, p99: ms, p999: ms, mean: ms, min: ms, max: ms },
    latencyHistogram: { upperMs: [ms], counts: [1] },
    throughputPerSec: 1000 / ms,
    coldStartMs: { read: 0, parse: 0, optimize: 0, plan: 0, firstInference: ms, total: ms },
    memory: { arenaBytes: 0, peakRssBytes: 0 },
    energy: { source: 'measured', microjoulesPerInference: 0, method: 'RAPL package-0 energy_uj delta over the run', device: 'intel-rapl:0' },
    perOp: [],
  };
}
