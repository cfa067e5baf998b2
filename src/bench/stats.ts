// Benchmark statistics: order statistics over stored samples, and a paired ratio for engines
// measured in interleaved rounds (robust to a noisy machine because both sides see the same noise).

import { EdgeError } from '../errors.js';

export interface Summary {
  n: number;
  min: number;
  max: number;
  mean: number;
  median: number;
  p90: number;
  p99: number;
}

export interface Interval {
  lo: number;
  hi: number;
  /** Coverage actually achieved (order statistics give discrete levels; few pairs give less than asked). */
  confidence: number;
}

export interface PairedRatio extends Interval {
  /** Median over rounds of a[r] / b[r]; < 1 means a took less time than b. */
  ratio: number;
  pairs: number;
}

function checkSamples(xs: ArrayLike<number>, where: string): void {
  if (xs.length === 0) throw new EdgeError('INPUT_INVALID', `${where}: no samples`);
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i]!)) throw new EdgeError('INPUT_INVALID', `${where}: sample ${i} is ${xs[i]}, expected a finite number`);
  }
}

/** A sorted copy (ascending); the input is left as it is. */
export function sorted(xs: ArrayLike<number>): Float64Array {
  return Float64Array.from(xs).sort();
}

/**
 * Quantile q ∈ [0, 1] of ascending samples, interpolating between the two nearest ranks
 * (R's type 7, numpy's default), so results agree with numpy.percentile.
 */
export function quantileSorted(asc: ArrayLike<number>, q: number): number {
  checkSamples(asc, 'quantile');
  if (!(q >= 0 && q <= 1)) throw new EdgeError('INPUT_INVALID', `quantile: q must be in [0, 1], got ${q}`);
  const pos = q * (asc.length - 1);
  const i = Math.floor(pos);
  const frac = pos - i;
  return frac === 0 ? asc[i]! : asc[i]! + frac * (asc[i + 1]! - asc[i]!);
}

/** Percentile p ∈ [0, 100] of unsorted samples. */
export function percentile(xs: ArrayLike<number>, p: number): number {
  checkSamples(xs, 'percentile');
  return quantileSorted(sorted(xs), p / 100);
}

export function median(xs: ArrayLike<number>): number {
  return percentile(xs, 50);
}

export function mean(xs: ArrayLike<number>): number {
  checkSamples(xs, 'mean');
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i]!;
  return sum / xs.length;
}

export function summarize(xs: ArrayLike<number>): Summary {
  checkSamples(xs, 'summarize');
  const asc = sorted(xs);
  return {
    n: asc.length,
    min: asc[0]!,
    max: asc[asc.length - 1]!,
    mean: mean(asc),
    median: quantileSorted(asc, 0.5),
    p90: quantileSorted(asc, 0.9),
    p99: quantileSorted(asc, 0.99),
  };
}

/**
 * Distribution-free confidence interval of the median: [x_(k), x_(n-k+1)] with the largest k whose
 * coverage is still ≥ the level asked. No normality assumed: latencies are skewed and heavy-tailed.
 * With fewer than 6 samples no k reaches 95 %; the full range is returned with its real coverage.
 */
export function medianInterval(xs: ArrayLike<number>, confidence = 0.95): Interval {
  checkSamples(xs, 'medianInterval');
  if (!(confidence > 0 && confidence < 1)) throw new EdgeError('INPUT_INVALID', `medianInterval: confidence must be in (0, 1), got ${confidence}`);
  const asc = sorted(xs);
  const n = asc.length;
  // Coverage of [x_(k), x_(n-k+1)] (1-based) is 1 - 2·P(X ≤ k-1), X ~ Binomial(n, 1/2). The pmf is
  // walked in log space (n = 10^5 samples would underflow 0.5^n) and accumulated as k grows.
  const logHalfPowN = n * Math.log(0.5);
  let logChoose = 0; // log C(n, 0)
  let cdfBelowK = Math.exp(logHalfPowN); // P(X ≤ 0)
  let k = 1;
  while (k + 1 <= Math.floor((n + 1) / 2)) {
    logChoose += Math.log((n - k + 1) / k);
    const cdfAtK = cdfBelowK + Math.exp(logChoose + logHalfPowN); // P(X ≤ k)
    if (1 - 2 * cdfAtK < confidence) break;
    cdfBelowK = cdfAtK;
    k++;
  }
  return { lo: asc[k - 1]!, hi: asc[n - k]!, confidence: Math.max(0, 1 - 2 * cdfBelowK) };
}

/**
 * Paired ratio of two engines measured in the same rounds: a[r] and b[r] are each engine's
 * statistic (e.g. block median) in round r. Per-round ratios cancel slow drifts of the machine
 * (another job starting, thermal limits) that a ratio of overall medians would pick up. Computed
 * on log ratios so that pairedRatio(a, b).ratio === 1 / pairedRatio(b, a).ratio.
 */
export function pairedRatio(a: ArrayLike<number>, b: ArrayLike<number>, confidence = 0.95): PairedRatio {
  checkSamples(a, 'pairedRatio (a)');
  checkSamples(b, 'pairedRatio (b)');
  if (a.length !== b.length) throw new EdgeError('INPUT_INVALID', `pairedRatio: ${a.length} rounds against ${b.length}; rounds must pair up`, { expected: a.length, actual: b.length });
  const logs = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    if (!(a[i]! > 0 && b[i]! > 0)) throw new EdgeError('INPUT_INVALID', `pairedRatio: round ${i} has a non-positive value (${a[i]}, ${b[i]})`);
    logs[i] = Math.log(a[i]! / b[i]!);
  }
  const ci = medianInterval(logs, confidence);
  return { ratio: Math.exp(median(logs)), lo: Math.exp(ci.lo), hi: Math.exp(ci.hi), confidence: ci.confidence, pairs: a.length };
}
