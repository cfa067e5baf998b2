// Turns a BenchResult's latency histogram (bucket upper bounds + counts) into drawable bins:
// cleaned of non-finite entries, trimmed to the occupied range, merged when there are too many to see.

import { finite } from './format.js';

export interface Bin {
  loMs: number;
  hiMs: number;
  count: number;
}

export interface HistogramInput {
  upperMs: readonly number[];
  counts: readonly number[];
}

/** More bins than this are merged onto equal-width bins: a 600-px plot cannot show HDR's thousands. */
export const MAX_BINS = 60;

/**
 * Bins with their lower edges: a bucket starts where the previous one ends; the first starts at
 * the measured minimum when that lies inside it, else one bucket width lower (never below 0).
 * A bin may have zero width (every sample the same value); charts draw it with a minimum width.
 */
export function histogramBins(h: HistogramInput | undefined, minMs?: number): Bin[] {
  if (!h || !Array.isArray(h.upperMs) || !Array.isArray(h.counts)) return [];
  const raw: { upper: number; count: number }[] = [];
  const n = Math.min(h.upperMs.length, h.counts.length);
  for (let i = 0; i < n; i++) {
    const upper = finite(h.upperMs[i]);
    const count = finite(h.counts[i]);
    if (upper === undefined || count === undefined || count < 0) continue;
    raw.push({ upper, count });
  }
  raw.sort((a, b) => a.upper - b.upper);
  const bins: Bin[] = [];
  for (let i = 0; i < raw.length; i++) {
    const { upper, count } = raw[i]!;
    let lo: number;
    if (i > 0) lo = raw[i - 1]!.upper;
    else {
      const min = finite(minMs);
      const next = raw[1]?.upper;
      // min === upper is one distinct value (e.g. a single sample): a zero-width bin, drawn at that value.
      lo = min !== undefined && min <= upper ? min : next !== undefined ? upper - (next - upper) : 0;
      lo = Math.max(0, Math.min(lo, upper));
    }
    bins.push({ loMs: lo, hiMs: upper, count });
  }
  const first = bins.findIndex((b) => b.count > 0);
  if (first < 0) return [];
  let last = bins.length - 1;
  while (bins[last]!.count === 0) last--;
  return merge(bins.slice(first, last + 1));
}

function merge(bins: Bin[]): Bin[] {
  if (bins.length <= MAX_BINS) return bins;
  const lo = bins[0]!.loMs;
  const hi = bins[bins.length - 1]!.hiMs;
  const width = (hi - lo) / MAX_BINS;
  if (!(width > 0)) return [{ loMs: lo, hiMs: hi, count: bins.reduce((s, b) => s + b.count, 0) }];
  const out: Bin[] = Array.from({ length: MAX_BINS }, (_, i) => ({ loMs: lo + i * width, hiMs: lo + (i + 1) * width, count: 0 }));
  // Each source bucket lands whole in the bin holding its midpoint: counts are preserved exactly.
  for (const b of bins) {
    const i = Math.min(MAX_BINS - 1, Math.max(0, Math.floor(((b.loMs + b.hiMs) / 2 - lo) / width)));
    out[i]!.count += b.count;
  }
  return out;
}

/** Cumulative fraction at each bin's upper edge, starting from 0 at the first lower edge. */
export function cdfPoints(bins: readonly Bin[]): { ms: number; fraction: number }[] {
  const total = bins.reduce((s, b) => s + b.count, 0);
  if (bins.length === 0 || !(total > 0)) return [];
  const points = [{ ms: bins[0]!.loMs, fraction: 0 }];
  let cum = 0;
  for (const b of bins) {
    cum += b.count;
    points.push({ ms: b.hiMs, fraction: cum / total });
  }
  return points;
}

export interface CdfPoint {
  ms: number;
  fraction: number;
}

/**
 * The histogram's CDF threaded through the exact percentiles: the percentiles are anchors, and a
 * histogram point is kept only where it agrees with them (bucket edges are coarse; p50 is exact),
 * so the curve passes through the marked p50/p90/p99 instead of beside them.
 */
export function mergeCdf(anchors: readonly CdfPoint[], histogram: readonly CdfPoint[]): CdfPoint[] {
  const kept = histogram.filter((h) => {
    let below: CdfPoint | undefined;
    let above: CdfPoint | undefined;
    for (const a of anchors) {
      if (a.ms <= h.ms) below = a;
      if (a.ms >= h.ms && above === undefined) above = a;
    }
    return (!below || h.fraction >= below.fraction) && (!above || h.fraction <= above.fraction);
  });
  return [...anchors, ...kept].sort((a, b) => a.ms - b.ms || a.fraction - b.fraction);
}
