// Tests of the benchmark statistics against hand-computed and numpy/R reference values.

import { describe, expect, it } from 'vitest';
import { EdgeError } from '../errors.js';
import { seededRandom } from '../tensor/random.js';
import { mean, median, medianInterval, pairedRatio, percentile, quantileSorted, summarize } from './stats.js';

describe('order statistics', () => {
  it('median of odd and even counts, input left unsorted', () => {
    const xs = [5, 1, 4, 2, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 4, 2, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('percentiles interpolate like numpy.percentile', () => {
    const xs = Array.from({ length: 10 }, (_, i) => i + 1); // 1..10
    // numpy.percentile(range(1, 11), [0, 25, 90, 99, 100]) = [1, 3.25, 9.1, 9.91, 10]
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile(xs, 25)).toBeCloseTo(3.25, 12);
    expect(percentile(xs, 90)).toBeCloseTo(9.1, 12);
    expect(percentile(xs, 99)).toBeCloseTo(9.91, 12);
    expect(percentile(xs, 100)).toBe(10);
    expect(quantileSorted([10, 20], 0.5)).toBe(15);
  });

  it('p99 of 1000 samples sees the tail that the median ignores', () => {
    const xs = new Array<number>(1000).fill(1);
    for (let i = 0; i < 20; i++) xs[i * 50] = 100; // 2 % slow outliers
    const s = summarize(xs);
    expect(s.median).toBe(1);
    expect(s.p99).toBe(100);
    expect(s.mean).toBeCloseTo((980 + 2000) / 1000, 12);
    expect(s.n).toBe(1000);
    expect(s.min).toBe(1);
    expect(s.max).toBe(100);
  });

  it('mean', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
  });

  it('refuses empty input, NaN and out-of-range percentiles with EdgeError', () => {
    expect(() => median([])).toThrow(EdgeError);
    expect(() => median([])).toThrow(/no samples/);
    expect(() => summarize([1, NaN])).toThrow(/sample 1 is NaN/);
    expect(() => percentile([1, 2], 101)).toThrow(/q must be in \[0, 1\]/);
  });
});

describe('medianInterval (distribution-free, binomial order statistics)', () => {
  it('uses the textbook ranks: n=10 → (2, 9), n=100 → (40, 61) at 95 %', () => {
    const ten = Array.from({ length: 10 }, (_, i) => i + 1);
    const ci10 = medianInterval(ten);
    expect([ci10.lo, ci10.hi]).toEqual([2, 9]);
    expect(ci10.confidence).toBeCloseTo(1 - 2 * (11 / 1024), 12); // 0.978515625
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    const ci100 = medianInterval(hundred);
    expect([ci100.lo, ci100.hi]).toEqual([40, 61]);
    expect(ci100.confidence).toBeGreaterThanOrEqual(0.95);
  });

  it('reports the real, lower coverage when there are too few samples', () => {
    const ci = medianInterval([3, 1, 2]);
    expect([ci.lo, ci.hi]).toEqual([1, 3]);
    expect(ci.confidence).toBeCloseTo(0.75, 12); // 1 - 2/8
    expect(medianInterval([4]).confidence).toBe(0);
  });

  it('handles 100 000 samples without underflow', () => {
    const rand = seededRandom(7);
    const xs = Array.from({ length: 100_000 }, () => rand());
    const ci = medianInterval(xs);
    expect(ci.lo).toBeLessThan(0.5);
    expect(ci.hi).toBeGreaterThan(0.5);
    expect(ci.hi - ci.lo).toBeLessThan(0.01);
    expect(ci.confidence).toBeGreaterThanOrEqual(0.95);
  });
});

describe('pairedRatio', () => {
  it('recovers a constant speed ratio through machine-wide drift that hides it in raw medians', () => {
    // The machine slows down 4x half way through; engine a is always 2x faster than b in the same round.
    const load = Array.from({ length: 21 }, (_, r) => (r < 10 ? 1 : 4));
    const a = load.map((l) => 1 * l);
    const b = load.map((l) => 2 * l);
    const p = pairedRatio(a, b);
    expect(p.ratio).toBeCloseTo(0.5, 12);
    expect(p.lo).toBeCloseTo(0.5, 12);
    expect(p.hi).toBeCloseTo(0.5, 12);
    expect(p.pairs).toBe(21);
  });

  it('is symmetric: ratio(a, b) = 1 / ratio(b, a), also for an even number of rounds', () => {
    const rand = seededRandom(3);
    const a = Array.from({ length: 8 }, () => 1 + rand());
    const b = Array.from({ length: 8 }, () => 2 + rand());
    const ab = pairedRatio(a, b);
    const ba = pairedRatio(b, a);
    expect(ab.ratio * ba.ratio).toBeCloseTo(1, 12);
    expect(ab.lo * ba.hi).toBeCloseTo(1, 12);
    expect(ab.ratio).toBeLessThan(1);
    expect(ab.lo).toBeLessThanOrEqual(ab.ratio);
    expect(ab.hi).toBeGreaterThanOrEqual(ab.ratio);
  });

  it('one noisy round does not move the ratio', () => {
    const a = [10, 10, 10, 10, 10, 10, 500];
    const b = [20, 20, 20, 20, 20, 20, 20];
    expect(pairedRatio(a, b).ratio).toBeCloseTo(0.5, 12);
  });

  it('refuses rounds that do not pair up and non-positive times', () => {
    expect(() => pairedRatio([1, 2], [1])).toThrow(/2 rounds against 1/);
    expect(() => pairedRatio([1, 0], [1, 1])).toThrow(/round 1 has a non-positive value/);
  });
});
