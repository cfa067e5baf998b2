// MSE observer: the clipping range that minimizes the expected squared quantization error over the histogram
// (rounding noise inside the range, clipping error outside), as PyTorch's HistogramObserver searches by L2 error.

import { quantGrid, type QuantDtype } from '../qparams.js';
import { clampToObserved, DEFAULT_BINS, HistogramObserver, occupiedBins, type HistogramSnapshot } from './histogram.js';
import type { TensorRange } from './observer.js';

export interface MseOptions {
  numBins?: number;
  /** Search [-t, t] only (the grid of symmetric quantization); default false: lower and upper ends apart. */
  symmetric?: boolean;
  /** The grid the range will be quantized to, which sets the step count (default int8). */
  dtype?: QuantDtype;
}

export function mseObserver(options: MseOptions = {}): HistogramObserver {
  const symmetric = options.symmetric ?? false;
  const { qmin, qmax } = quantGrid(options.dtype ?? 'int8', symmetric);
  return new HistogramObserver(options.numBins ?? DEFAULT_BINS, (h) => mseRange(h, qmax - qmin, symmetric));
}

/**
 * Expected squared error of quantizing the histogram to [a, b] with `steps` steps: a value inside rounds with
 * error ~ uniform over one step (step^2 / 12); a value of bin centre c outside is clipped with error (c - edge)^2
 * plus the bin's own spread (width^2 / 12). Candidates a, b are bin edges, so prefix sums of n, n c and n c^2
 * give each candidate in O(1).
 */
export function mseRange(h: HistogramSnapshot, steps: number, symmetric: boolean): TensorRange {
  if (h.total === 0 || h.binWidth === 0) return { min: 0, max: 0 };
  const { first, last } = occupiedBins(h);
  const w = h.binWidth;
  const z = h.zeroBin;
  const below = Math.max(0, z - first); // bins under 0 up to the lowest data
  const above = Math.max(0, last - z + 1); // bins from 0 past the highest data
  // Prefix sums over bins first..last, indexed from `first`: S[k] sums bins first .. first + k - 1.
  const span = last - first + 1;
  const n = new Float64Array(span + 1);
  const nc = new Float64Array(span + 1);
  const ncc = new Float64Array(span + 1);
  for (let k = 0; k < span; k++) {
    const cnt = h.counts[first + k]!;
    const c = (first + k - z + 0.5) * w;
    n[k + 1] = n[k]! + cnt;
    nc[k + 1] = nc[k]! + cnt * c;
    ncc[k + 1] = ncc[k]! + cnt * c * c;
  }
  const at = (bin: number) => Math.min(Math.max(bin - first, 0), span); // prefix index of a bin boundary
  const spread = (w * w) / 12;
  // Squared clipping error of the bins in [fromBin, toBin) to the value `edge`.
  const clipped = (fromBin: number, toBin: number, edge: number) => {
    const i = at(fromBin);
    const j = at(toBin);
    const cnt = n[j]! - n[i]!;
    return ncc[j]! - ncc[i]! - 2 * edge * (nc[j]! - nc[i]!) + edge * edge * cnt + spread * cnt;
  };
  const error = (lowBins: number, highBins: number) => {
    const a = -lowBins * w;
    const b = highBins * w;
    const step = (b - a) / steps;
    const inside = n[at(z + highBins)]! - n[at(z - lowBins)]!;
    return (inside * step * step) / 12 + clipped(first, z - lowBins, a) + clipped(z + highBins, last + 1, b);
  };

  if (symmetric) {
    const reach = Math.max(below, above);
    let best = { low: reach, high: reach, err: error(reach, reach) }; // ties keep the wider range
    for (let j = 1; j < reach; j++) {
      const e = error(j, j);
      if (e < best.err) best = { low: j, high: j, err: e };
    }
    const t = Math.max(best.low, best.high) * w;
    return clampToObserved(h, { min: -t, max: t });
  }
  let best = { low: below, high: above, err: error(below, above) };
  for (let i = 0; i <= below; i++) {
    for (let j = i === 0 ? 1 : 0; j <= above; j++) {
      const e = error(i, j);
      if (e < best.err) best = { low: i, high: j, err: e };
    }
  }
  return clampToObserved(h, { min: -best.low * w, max: best.high * w });
}
