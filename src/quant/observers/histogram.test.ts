import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../tensor/random.js';
import { lowerEdge, StreamingHistogram } from './histogram.js';

describe('StreamingHistogram', () => {
  it('bins a first batch with 0 on an edge (hand-checked)', () => {
    const h = new StreamingHistogram(8);
    h.add(Float32Array.of(-4, 3, 0.5, -0.5));
    const s = h.snapshot();
    // span 7 over 8 bins would not fit [-4, 3] with 0 on an edge; 7 bins of width 1 do.
    expect(s.binWidth).toBe(1);
    expect(s.zeroBin).toBe(4);
    expect(Array.from(s.counts)).toEqual([1, 0, 0, 1, 1, 0, 0, 1]);
    expect([s.min, s.max, s.total]).toEqual([-4, 3, 4]);
  });

  it('re-bins exactly when a batch exceeds the range (hand-checked)', () => {
    const h = new StreamingHistogram(8);
    h.add(Float32Array.of(-4, 3, 0.5, -0.5));
    h.add(Float32Array.of(9));
    const s = h.snapshot();
    // k = 2: bins of width 2 from -4: [-4,-2) [-2,0) [0,2) [2,4) [4,6) [6,8) [8,10) [10,12)
    expect(s.binWidth).toBe(2);
    expect(s.zeroBin).toBe(2);
    expect(lowerEdge(s, 0)).toBe(-4);
    expect(Array.from(s.counts)).toEqual([1, 1, 1, 1, 0, 0, 1, 0]);
    expect(h.rebins).toBe(1);
  });

  it('keeps all-zero batches until a range appears, and skips NaN/Inf', () => {
    const h = new StreamingHistogram(16);
    h.add(new Float32Array(5));
    h.add(Float32Array.of(NaN, Infinity, -Infinity));
    expect(h.snapshot().binWidth).toBe(0);
    h.add(Float32Array.of(-2, 2));
    const s = h.snapshot();
    expect(s.total).toBe(7);
    expect(h.skipped).toBe(3);
    expect(s.counts[s.zeroBin]).toBe(5);
  });

  it('places all-negative data below a zero bin at the top', () => {
    const h = new StreamingHistogram(8);
    h.add(Float32Array.of(-3, -1));
    const s = h.snapshot();
    expect(s.zeroBin).toBe(7);
    expect(s.counts[0]).toBe(1);
  });

  it('stays O(bins) over 10,000 batches of a growing range and equals a direct binning at the final width', () => {
    const bins = 256;
    const h = new StreamingHistogram(bins);
    const counts = h.snapshot().counts;
    const batch = (b: number, rnd: () => number) => {
      const x = new Float32Array(32);
      const spread = 1 + b / 50; // the range keeps growing, forcing re-bins
      for (let i = 0; i < x.length; i++) x[i] = (rnd() * 2 - 0.7) * spread;
      return x;
    };
    let rnd = seededRandom(7);
    for (let b = 0; b < 10_000; b++) h.add(batch(b, rnd));
    const s = h.snapshot();
    expect(s.counts.length).toBe(bins);
    expect(counts.length).toBe(bins);
    expect(s.total).toBe(320_000);
    expect(s.counts.reduce((a, c) => a + c, 0)).toBe(320_000);
    expect(h.rebins).toBeGreaterThan(3);
    expect(h.rebins).toBeLessThan(20); // each re-bin at least doubles the width

    // Re-binning merged whole bins only: the result is what binning every value at the final width gives.
    const direct = new Float64Array(bins);
    rnd = seededRandom(7);
    for (let b = 0; b < 10_000; b++) {
      for (const v of batch(b, rnd)) direct[Math.min(bins - 1, Math.max(0, Math.floor(v / s.binWidth) + s.zeroBin))]! += 1;
    }
    let moved = 0;
    for (let i = 0; i < bins; i++) moved += Math.abs(direct[i]! - s.counts[i]!);
    expect(moved).toBeLessThanOrEqual(2); // at most a value sitting on an edge, within float rounding
    // At least half the bins still hold data: widening by the smallest integer factor keeps resolution.
    expect(lowerEdge(s, bins) - lowerEdge(s, 0)).toBeLessThan(2 * (s.max - Math.min(0, s.min)));
  });

  it('refuses absurd bin counts', () => {
    expect(() => new StreamingHistogram(3)).toThrow(/bins must be an integer/);
  });
});
