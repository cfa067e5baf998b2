// How a timed loop reads the clock: once per query, or once per group of k back-to-back queries when a
// clock read would be a visible part of one query (Google Benchmark times batches of iterations for the
// same reason). Grouped latencies are group means, so their percentiles are percentiles of means.

import type { BenchResult } from '../types.js';

export type QueryTiming = NonNullable<BenchResult['timing']>;

export interface Clock {
  now(): number;
}

/** Most of a query's measured time a clock read may take before queries are timed in groups. */
export const MAX_CLOCK_FRACTION = 0.01;
/**
 * Share of a group's time its one clock read is sized to: well under MAX_CLOCK_FRACTION, because the
 * loop around the reads and the JIT's code layout add about as much again on sub-microsecond models.
 */
export const GROUP_CLOCK_FRACTION = 0.0025;
/** Largest group: beyond it a group mean hides too much (and no model runs in < 1 ns). */
export const MAX_GROUP_SIZE = 1024;

export function perQueryTiming(clockCostNs: number): QueryTiming {
  return { mode: 'per-query', groupSize: 1, clockCostNs };
}

/**
 * Nanoseconds one clock read costs: the median over `rounds` of the mean of `reads` back-to-back reads
 * (a median, because another job on the machine can stretch any single round).
 */
export function measureClockCostNs(clock: Clock = performance, reads = 20_000, rounds = 9): number {
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = clock.now();
    for (let i = 0; i < reads; i++) clock.now();
    perRound.push(((clock.now() - t0) * 1e6) / (reads + 1));
  }
  perRound.sort((a, b) => a - b);
  return perRound[rounds >> 1]!;
}

/**
 * Per-query timing unless a clock read costs more than MAX_CLOCK_FRACTION of the median query; then
 * the smallest power-of-two group whose one clock read stays under GROUP_CLOCK_FRACTION of the group.
 * `medianQueryMs` is measured with per-query timing, so one clock read is taken off it first.
 */
export function chooseTiming(clockCostNs: number, medianQueryMs: number): QueryTiming {
  const queryNs = Math.max(medianQueryMs * 1e6 - clockCostNs, 1e-3);
  if (!(clockCostNs > MAX_CLOCK_FRACTION * queryNs)) return perQueryTiming(clockCostNs);
  const needed = clockCostNs / (GROUP_CLOCK_FRACTION * queryNs);
  const groupSize = Math.min(MAX_GROUP_SIZE, 2 ** Math.ceil(Math.log2(needed)));
  return { mode: 'grouped', groupSize, clockCostNs };
}

/** One line for the text report: what a latency figure is and why. */
export function describeTiming(t: QueryTiming, medianQueryMs: number): string {
  const share = t.clockCostNs / (medianQueryMs * 1e6);
  // Three decimals for slow models, whose share would otherwise print as 0.0 %.
  const pct = Number.isFinite(share) ? `${(share * 100).toFixed(share < 0.001 ? 3 : 1)} %` : '?';
  const cost = `a clock read costs ${t.clockCostNs.toFixed(0)} ns, ${pct} of a query`;
  if (t.mode === 'per-query') return `per query (${cost})`;
  return `grouped: one clock read per ${t.groupSize} back-to-back queries (${cost}); percentiles are over group means`;
}
