// Latency recording for every scenario: an HDR histogram (nanosecond units, 3 significant digits, so
// microsecond resolution and better) for percentiles, plus exact count/sum/min/max.

import { build, type JsHistogram } from 'hdr-histogram-js';
import type { BenchResult } from '../types.js';

// One hour in ns: no query takes longer; autoResize covers anything beyond.
const HIGHEST_NS = 3_600_000_000_000;
// Nanosecond units: tiny models run in well under a microsecond (simplenet: ~0.4 µs).
const NS_PER_MS = 1e6;

export class LatencyRecorder {
  count = 0;
  private sumMs = 0;
  private minMs = Infinity;
  private maxMs = 0;
  private readonly hist: JsHistogram;

  constructor() {
    // The JS histogram (not the wasm one): recording is a few array writes, no boundary crossing.
    this.hist = build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_NS, numberOfSignificantValueDigits: 3, useWebAssembly: false }) as JsHistogram;
  }

  record(ms: number): void {
    this.hist.recordValue(Math.round(ms * NS_PER_MS));
    this.count++;
    this.sumMs += ms;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** Records the first n latencies of a buffer the timed loop filled (kept out of the loop itself). */
  recordAll(latenciesMs: Float64Array, n: number): void {
    for (let i = 0; i < n; i++) this.record(latenciesMs[i]!);
  }

  /**
   * Records n groups of `groupSize` queries each, from the groups' total times: every query of a group
   * gets the group's mean, so counts, sums and throughput stay per query.
   */
  recordGroups(groupTotalsMs: Float64Array, n: number, groupSize: number): void {
    if (groupSize === 1) return this.recordAll(groupTotalsMs, n);
    for (let i = 0; i < n; i++) {
      const ms = groupTotalsMs[i]! / groupSize;
      this.hist.recordValueWithCount(Math.round(ms * NS_PER_MS), groupSize);
      this.count += groupSize;
      this.sumMs += groupTotalsMs[i]!;
      if (ms < this.minMs) this.minMs = ms;
      if (ms > this.maxMs) this.maxMs = ms;
    }
  }

  /** Adds another recorder's samples (several blocks or probes into one result). */
  add(other: LatencyRecorder): void {
    if (other.count === 0) return;
    this.hist.add(other.hist);
    this.count += other.count;
    this.sumMs += other.sumMs;
    this.minMs = Math.min(this.minMs, other.minMs);
    this.maxMs = Math.max(this.maxMs, other.maxMs);
  }

  get meanMs(): number {
    return this.count === 0 ? 0 : this.sumMs / this.count;
  }

  /** Percentile p ∈ [0, 100] in ms (HDR: within 0.1 % of the recorded value, clamped to the exact max). */
  percentileMs(p: number): number {
    if (this.count === 0) return 0;
    return Math.min(this.hist.getValueAtPercentile(p) / NS_PER_MS, this.maxMs);
  }

  summary(): BenchResult['latencyMs'] {
    if (this.count === 0) return { p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, mean: 0, min: 0, max: 0 };
    const p = (q: number) => this.percentileMs(q);
    return { p50: p(50), p90: p(90), p95: p(95), p99: p(99), p999: p(99.9), mean: this.meanMs, min: this.minMs, max: this.maxMs };
  }

  /** Counts in `buckets` log-spaced buckets from min to max (latency spreads over decades under load). */
  histogram(buckets = 24): BenchResult['latencyHistogram'] {
    if (this.count === 0) return { upperMs: [], counts: [] };
    const lo = Math.max(this.minMs, 1e-6);
    const hi = Math.max(this.maxMs, lo * 1.001);
    const ratio = Math.pow(hi / lo, 1 / buckets);
    const upperMs = Array.from({ length: buckets }, (_, i) => (i === buckets - 1 ? hi : lo * Math.pow(ratio, i + 1)));
    const counts = new Array<number>(buckets).fill(0);
    const it = this.hist.recordedValuesIterator;
    it.reset();
    while (it.hasNext()) {
      const v = it.next();
      const ms = v.valueIteratedTo / NS_PER_MS;
      let b = 0;
      while (b < buckets - 1 && ms > upperMs[b]!) b++;
      counts[b] += v.countAtValueIteratedTo;
    }
    return { upperMs, counts };
  }
}
