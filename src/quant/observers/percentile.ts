// Percentile observer: clip where the histogram's cumulative mass reaches a percentile (onnxruntime's
// CalibrationMethod.Percentile: symmetric over |x| by default, or a two-sided cut).

import { EdgeError } from '../../errors.js';
import { clampToObserved, DEFAULT_BINS, HistogramObserver, type HistogramSnapshot } from './histogram.js';
import type { TensorRange } from './observer.js';

export interface PercentileOptions {
  /** Share of the values to keep, in percent (default 99.99). */
  percentile?: number;
  /** Cut |x| at the percentile (default, as onnxruntime) or cut (100 - p) / 2 percent from each side. */
  symmetric?: boolean;
  numBins?: number;
}

export function percentileObserver(options: PercentileOptions = {}): HistogramObserver {
  const percentile = options.percentile ?? 99.99;
  if (!(percentile > 0 && percentile <= 100)) {
    throw new EdgeError('INPUT_INVALID', `percentile observer: percentile must be in (0, 100], got ${percentile}`, { actual: percentile });
  }
  const symmetric = options.symmetric ?? true;
  return new HistogramObserver(options.numBins ?? DEFAULT_BINS, (h) => percentileRange(h, percentile, symmetric));
}

export function percentileRange(h: HistogramSnapshot, percentile: number, symmetric: boolean): TensorRange {
  if (h.total === 0 || h.binWidth === 0) return { min: 0, max: 0 };
  const w = h.binWidth;
  const z = h.zeroBin;
  const n = h.counts.length;
  if (symmetric) {
    // Fold the signed histogram into one of |x|: abs bin r is [r w, (r + 1) w), exact because 0 is an edge.
    const folded = new Float64Array(Math.max(z, n - z));
    for (let i = 0; i < n; i++) folded[i >= z ? i - z : z - 1 - i]! += h.counts[i]!;
    const t = valueAtMass(folded, 0, w, (percentile / 100) * h.total);
    return clampToObserved(h, { min: -t, max: t });
  }
  const cut = ((100 - percentile) / 200) * h.total;
  const start = -z * w;
  return clampToObserved(h, { min: valueAtMass(h.counts, start, w, cut), max: valueAtMass(h.counts, start, w, h.total - cut) });
}

/**
 * The value x below which `mass` of the histogram lies, interpolating linearly inside the bin where the
 * cumulative count crosses it (values are taken as spread evenly over a bin).
 */
export function valueAtMass(counts: Float64Array, start: number, width: number, mass: number): number {
  let cum = 0;
  let last = -1;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c === 0) continue;
    if (cum + c >= mass) return start + (i + Math.max(0, mass - cum) / c) * width;
    cum += c;
    last = i;
  }
  return start + (last + 1) * width;
}
