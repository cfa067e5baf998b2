// A streaming histogram with a fixed number of bins: batches that fall outside its range re-bin it
// (exactly, by merging whole bins), so memory stays O(bins) however many values are observed.

import { EdgeError } from '../../errors.js';
import { finiteExtent, type Observer, type TensorRange } from './observer.js';

/**
 * A histogram whose bin i covers [(i - zeroBin) * binWidth, (i - zeroBin + 1) * binWidth): zero is always a bin
 * edge, so the grids of symmetric and asymmetric quantization both line up with it and a signed histogram folds
 * exactly into a histogram of |x|. binWidth 0 means every observed value was 0 (or none was observed).
 */
export interface HistogramSnapshot {
  counts: Float64Array;
  binWidth: number;
  zeroBin: number;
  /** Extremes of the finite values observed (0 and 0 when none was). */
  min: number;
  max: number;
  /** Sum of counts. */
  total: number;
}

export const DEFAULT_BINS = 2048;

export class StreamingHistogram {
  readonly bins: number;
  private counts: Float64Array;
  private spare: Float64Array; // the re-binning target, swapped with counts: no allocation after construction
  private binWidth = 0;
  private zeroBin = 0;
  private pendingZeros = 0; // values seen while every value was 0 (no width to bin them with yet)
  private lo = Infinity;
  private hi = -Infinity;
  private totalCount = 0;
  private skippedCount = 0;
  /** How many times the histogram was re-binned to a wider range (for tests and debugging). */
  rebins = 0;

  constructor(bins = DEFAULT_BINS) {
    if (!Number.isInteger(bins) || bins < 8 || bins > 1 << 20) {
      throw new EdgeError('INPUT_INVALID', `histogram: bins must be an integer in [8, 1048576], got ${bins}`, { actual: bins });
    }
    this.bins = bins;
    this.counts = new Float64Array(bins);
    this.spare = new Float64Array(bins);
  }

  get count(): number {
    return this.totalCount;
  }

  get skipped(): number {
    return this.skippedCount;
  }

  add(values: Float32Array): void {
    const e = finiteExtent(values);
    this.skippedCount += e.skipped;
    if (e.finite === 0) return;
    this.lo = Math.min(this.lo, e.min);
    this.hi = Math.max(this.hi, e.max);
    this.totalCount += e.finite;
    // The histogram always spans 0: quantized ranges always include it.
    const mn = Math.min(0, e.min);
    const mx = Math.max(0, e.max);
    if (this.binWidth === 0) {
      if (mn === mx) {
        this.pendingZeros += e.finite;
        return;
      }
      this.start(mn, mx);
    } else if (!this.fits(mn, mx)) {
      this.widen(mn, mx);
    }
    const counts = this.counts;
    const inv = 1 / this.binWidth;
    const z = this.zeroBin;
    const last = this.bins - 1;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v - v !== 0) continue;
      let b = Math.floor(v * inv) + z;
      if (b < 0) b = 0; // rounding at the outermost edges only
      else if (b > last) b = last;
      counts[b]! += 1;
    }
  }

  /** A copy of the current state. */
  snapshot(): HistogramSnapshot {
    return {
      counts: this.counts.slice(),
      binWidth: this.binWidth,
      zeroBin: this.zeroBin,
      min: this.totalCount > 0 ? this.lo : 0,
      max: this.totalCount > 0 ? this.hi : 0,
      total: this.totalCount,
    };
  }

  private relBin(v: number, width: number): number {
    return Math.floor(v / width);
  }

  private fits(mn: number, mx: number): boolean {
    return this.relBin(mn, this.binWidth) >= -this.zeroBin && this.relBin(mx, this.binWidth) <= this.bins - 1 - this.zeroBin;
  }

  /** First range: the narrowest of three widths that holds [mn, mx] with 0 on an edge (the last always does). */
  private start(mn: number, mx: number): void {
    const span = mx - mn;
    for (const div of [this.bins, this.bins - 1, this.bins - 2]) {
      const w = span / div;
      const low = this.relBin(mn, w);
      const high = this.relBin(mx, w);
      if (high - low + 1 <= this.bins || div === this.bins - 2) {
        this.binWidth = w;
        this.zeroBin = Math.min(Math.max(-low, 0), this.bins - 1);
        break;
      }
    }
    this.counts[this.zeroBin]! += this.pendingZeros; // zeros land in the bin [0, w)
    this.pendingZeros = 0;
  }

  /**
   * Widens the bins by the smallest integer factor k that makes the occupied bins and [mn, mx] fit. Every old
   * bin then lies inside exactly one new bin (0 stays an edge), so merging loses nothing but resolution.
   */
  private widen(mn: number, mx: number): void {
    const n = this.bins;
    const z = this.zeroBin;
    let first = 0;
    while (first < n - 1 && this.counts[first] === 0) first++;
    let last = n - 1;
    while (last > 0 && this.counts[last] === 0) last--;
    const w = this.binWidth;
    let k = Math.max(2, Math.floor((mx - mn) / (n * w)));
    let low = 0;
    let high = 0;
    for (;; k++) {
      low = Math.min(Math.floor((first - z) / k), this.relBin(mn, k * w));
      high = Math.max(Math.floor((last - z) / k), this.relBin(mx, k * w));
      if (high - low + 1 <= n) break;
    }
    // Spare bins become headroom on the side(s) that hold data, so the next wider batch may still fit.
    const slack = n - (high - low + 1);
    const lead = this.lo >= 0 ? 0 : this.hi <= 0 ? slack : Math.floor(slack / 2);
    const newZero = -low + lead;
    const out = this.spare;
    out.fill(0);
    for (let i = first; i <= last; i++) {
      const c = this.counts[i]!;
      if (c !== 0) out[Math.floor((i - z) / k) + newZero]! += c;
    }
    this.spare = this.counts;
    this.counts = out;
    this.binWidth = k * w;
    this.zeroBin = newZero;
    this.rebins++;
  }
}

/** An observer that fills a streaming histogram and derives its range from it with `rangeOf`. */
export class HistogramObserver implements Observer {
  readonly histogram: StreamingHistogram;
  private readonly rangeOf: (h: HistogramSnapshot) => TensorRange;
  private cached: TensorRange | undefined;

  constructor(bins: number, rangeOf: (h: HistogramSnapshot) => TensorRange) {
    this.histogram = new StreamingHistogram(bins);
    this.rangeOf = rangeOf;
  }

  get count(): number {
    return this.histogram.count;
  }

  get skipped(): number {
    return this.histogram.skipped;
  }

  observe(values: Float32Array): void {
    this.histogram.add(values);
    this.cached = undefined;
  }

  /** Cached until the next observe(): the threshold searches cost O(bins^2). */
  range(): TensorRange {
    this.cached ??= this.rangeOf(this.histogram.snapshot());
    return { ...this.cached };
  }
}

/** Edges of a snapshot's bins: the lower edge of bin i. */
export function lowerEdge(h: HistogramSnapshot, i: number): number {
  return (i - h.zeroBin) * h.binWidth;
}

/** First and last bins holding any count ([0, -1] when empty). */
export function occupiedBins(h: HistogramSnapshot): { first: number; last: number } {
  let first = 0;
  while (first < h.counts.length && h.counts[first] === 0) first++;
  let last = h.counts.length - 1;
  while (last >= 0 && h.counts[last] === 0) last--;
  return { first, last };
}

/**
 * Clamps a proposed range to the observed values (widened to include 0, as every quantized range is): a
 * threshold beyond the data only wastes grid steps.
 */
export function clampToObserved(h: HistogramSnapshot, r: TensorRange): TensorRange {
  return { min: Math.max(r.min, Math.min(h.min, 0)), max: Math.min(r.max, Math.max(h.max, 0)) };
}
