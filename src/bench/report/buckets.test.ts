// Histogram buckets → drawable bins and CDF points, including empty, single-sample and HDR-sized input.

import { describe, expect, it } from 'vitest';
import { cdfPoints, histogramBins, MAX_BINS, mergeCdf } from './buckets.js';

describe('histogram bins', () => {
  it('gives each bucket its lower edge and trims empty ends', () => {
    const bins = histogramBins({ upperMs: [1, 2, 3, 4, 5], counts: [0, 3, 5, 0, 0] }, 0.5);
    expect(bins).toEqual([
      { loMs: 1, hiMs: 2, count: 3 },
      { loMs: 2, hiMs: 3, count: 5 },
    ]);
  });

  it('starts the first bucket at the minimum, or one bucket width lower, never below zero', () => {
    expect(histogramBins({ upperMs: [2, 3], counts: [1, 1] }, 1.5)[0]!.loMs).toBe(1.5);
    expect(histogramBins({ upperMs: [2, 3], counts: [1, 1] })[0]!.loMs).toBe(1);
    expect(histogramBins({ upperMs: [1, 5], counts: [1, 1] })[0]!.loMs).toBe(0);
  });

  it('makes one sample a zero-width bin at its value', () => {
    expect(histogramBins({ upperMs: [3.2], counts: [1] }, 3.2)).toEqual([{ loMs: 3.2, hiMs: 3.2, count: 1 }]);
  });

  it('drops non-finite and negative entries and tolerates mismatched lengths', () => {
    const bins = histogramBins({ upperMs: [1, Number.NaN, 3, 4], counts: [2, 7, -1, 4, 9] }, 0);
    expect(bins.map((b) => [b.loMs, b.hiMs, b.count])).toEqual([[0, 1, 2], [1, 4, 4]]);
    expect(histogramBins({ upperMs: [], counts: [] })).toEqual([]);
    expect(histogramBins({ upperMs: [1, 2], counts: [0, 0] })).toEqual([]);
    expect(histogramBins(undefined)).toEqual([]);
  });

  it('merges thousands of buckets onto MAX_BINS, keeping every count', () => {
    const upperMs = Array.from({ length: 2000 }, (_, i) => 1 + i * 0.01);
    const counts = upperMs.map((_, i) => (i * 7) % 13);
    const bins = histogramBins({ upperMs, counts }, 0.99);
    expect(bins.length).toBe(MAX_BINS);
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(counts.reduce((s, c) => s + c, 0));
  });

  it('builds a CDF from 0 to 1', () => {
    const pts = cdfPoints(histogramBins({ upperMs: [1, 2, 3], counts: [1, 2, 1] }, 0.5));
    expect(pts).toEqual([
      { ms: 0.5, fraction: 0 },
      { ms: 1, fraction: 0.25 },
      { ms: 2, fraction: 0.75 },
      { ms: 3, fraction: 1 },
    ]);
    expect(cdfPoints([])).toEqual([]);
  });

  it('threads the histogram CDF through the exact percentiles', () => {
    const anchors = [
      { ms: 1, fraction: 0 },
      { ms: 1.2, fraction: 0.5 },
      { ms: 3, fraction: 1 },
    ];
    // The bucket edge at 1.5 ms says 93 %: consistent. The one at 1.1 ms says 60 %, above p50 at 1.2 ms: dropped.
    const hist = [
      { ms: 1, fraction: 0 },
      { ms: 1.1, fraction: 0.6 },
      { ms: 1.5, fraction: 0.93 },
      { ms: 3, fraction: 1 },
    ];
    expect(mergeCdf(anchors, hist).map((p) => [p.ms, p.fraction])).toEqual([
      [1, 0],
      [1, 0],
      [1.2, 0.5],
      [1.5, 0.93],
      [3, 1],
      [3, 1],
    ]);
    expect(mergeCdf([], hist)).toEqual(hist);
  });
});
