// Entropy observer: the clipping threshold whose quantized distribution loses the least information, measured
// as KL(P || Q) over the histogram (TensorRT's "8-bit inference" method, onnxruntime's CalibrationMethod.Entropy).

import { EdgeError } from '../../errors.js';
import { clampToObserved, DEFAULT_BINS, HistogramObserver, occupiedBins, type HistogramSnapshot } from './histogram.js';
import type { TensorRange } from './observer.js';

export interface EntropyOptions {
  numBins?: number;
  /** Levels of the candidate quantized distribution: 128 (TensorRT, onnxruntime) or 255 (a full int8 grid). */
  numQuantizedBins?: number;
  /**
   * true: candidate windows are [-t, t] (the grid of symmetric quantization). false (default, as onnxruntime):
   * the window [-t, t] is cut to the side(s) holding data, so a post-ReLU tensor spends every level on [0, t].
   */
  symmetric?: boolean;
}

export function entropyObserver(options: EntropyOptions = {}): HistogramObserver {
  const bins = options.numBins ?? DEFAULT_BINS;
  const levels = options.numQuantizedBins ?? 128;
  if (!Number.isInteger(levels) || levels < 2 || levels > bins) {
    throw new EdgeError('INPUT_INVALID', `entropy observer: numQuantizedBins must be an integer in [2, numBins=${bins}], got ${levels}`, {
      actual: levels,
    });
  }
  const symmetric = options.symmetric ?? false;
  return new HistogramObserver(bins, (h) => entropyRange(h, levels, symmetric));
}

/**
 * The window of the candidate threshold t = j bins: bins [from, to) of the histogram (past its ends = empty bins).
 * `below` and `above` count the bins from 0 to the lowest and past the highest data.
 */
export function candidateWindow(z: number, below: number, above: number, j: number, symmetric: boolean): { from: number; to: number } {
  if (symmetric) return { from: z - j, to: z + j };
  return { from: z - Math.min(j, below), to: z + Math.min(j, above) };
}

export function entropyRange(h: HistogramSnapshot, levels: number, symmetric: boolean): TensorRange {
  if (h.total === 0 || h.binWidth === 0) return { min: 0, max: 0 };
  const { first, last } = occupiedBins(h);
  const z = h.zeroBin;
  const below = Math.max(0, z - first);
  const above = Math.max(0, last - z + 1);
  const reach = Math.max(below, above); // bins from 0 to the farthest data
  const full = candidateWindow(z, below, above, reach, symmetric);
  const w = h.binWidth;
  const observed = clampToObserved(h, { min: (full.from - z) * w, max: (full.to - z) * w });
  if (full.to - full.from < levels) return observed; // fewer bins than levels: nothing to learn from clipping

  const p = new Float64Array(full.to - full.from);
  const q = new Float64Array(full.to - full.from);
  const bucketSum = new Float64Array(levels);
  const bucketNonzero = new Float64Array(levels);
  const count = (i: number) => (i >= 0 && i < h.counts.length ? h.counts[i]! : 0);
  const cumulative = new Float64Array(h.counts.length + 1); // cumulative[i]: counts of the bins below i
  for (let i = 0; i < h.counts.length; i++) cumulative[i + 1] = cumulative[i]! + h.counts[i]!;

  let best = Infinity;
  let bestWindow = full;
  for (let j = 1; j <= reach; j++) {
    const { from, to } = candidateWindow(z, below, above, j, symmetric);
    const len = to - from;
    if (len < levels) continue;
    // P: the window's counts with the clipped mass piled onto its edge bins.
    const left = from > 0 ? cumulative[Math.min(from, h.counts.length)]! : 0;
    const right = h.total - cumulative[Math.min(Math.max(to, 0), h.counts.length)]!;
    bucketSum.fill(0);
    bucketNonzero.fill(0);
    for (let b = 0; b < len; b++) {
      const c = count(from + b);
      p[b] = c + (b === 0 ? left : 0) + (b === len - 1 ? right : 0);
      const k = Math.floor((b * levels) / len); // bins split as evenly as possible over the levels
      bucketSum[k]! += c; // Q quantizes the window without the outliers: clipping shows up as P's heavier edges
      if (p[b] !== 0) bucketNonzero[k]! += 1;
    }
    // Q: each level's count spread over the bins where P is nonzero (empty bins stay empty, as in TensorRT).
    for (let b = 0; b < len; b++) {
      const k = Math.floor((b * levels) / len);
      q[b] = p[b] !== 0 ? bucketSum[k]! / bucketNonzero[k]! : 0;
    }
    const kl = klDivergence(p.subarray(0, len), q.subarray(0, len));
    if (kl < best) {
      best = kl;
      bestWindow = { from, to };
    }
  }
  if (best === Infinity) return observed;
  const t = Math.max(z - bestWindow.from, bestWindow.to - z) * w;
  const window = symmetric ? { min: -t, max: t } : { min: (bestWindow.from - z) * w, max: (bestWindow.to - z) * w };
  return clampToObserved(h, window);
}

const SMOOTHING = 1e-4;

/**
 * KL(P || Q) of two count vectors after onnxruntime's smoothing: zero bins get a small count taken evenly from
 * the nonzero ones (sums unchanged), so log(P/Q) stays finite; Infinity when smoothing is impossible.
 */
export function klDivergence(p: Float64Array, q: Float64Array): number {
  const n = p.length;
  let zerosP = 0;
  let zerosQ = 0;
  let sumP = 0;
  let sumQ = 0;
  let minP = Infinity;
  let minQ = Infinity;
  for (let i = 0; i < n; i++) {
    const a = p[i]!;
    const b = q[i]!;
    if (a === 0) zerosP++;
    else if (a < minP) minP = a;
    if (b === 0) zerosQ++;
    else if (b < minQ) minQ = b;
    sumP += a;
    sumQ += b;
  }
  if (zerosP === n || zerosQ === n) return Infinity;
  const takeP = (SMOOTHING * zerosP) / (n - zerosP);
  const takeQ = (SMOOTHING * zerosQ) / (n - zerosQ);
  if (!(minP > takeP && minQ > takeQ)) return Infinity;
  let kl = 0;
  for (let i = 0; i < n; i++) {
    const a = p[i] === 0 ? SMOOTHING : p[i]! - takeP;
    const b = q[i] === 0 ? SMOOTHING : q[i]! - takeQ;
    kl += a * Math.log((a * sumQ) / (b * sumP));
  }
  return kl / sumP;
}
