// The server scenario's arrival schedule: exact offered rate, Poisson-like gaps, seeded.

import { describe, expect, it } from 'vitest';
import { EdgeError } from '../../errors.js';
import { poissonArrivals } from './poisson.js';

describe('poissonArrivals', () => {
  it('offers exactly the target rate over the window, in order, reproducibly', () => {
    const a = poissonArrivals(250, 4000, 7);
    expect(a.length).toBe(1000);
    for (let i = 1; i < a.length; i++) expect(a[i]).toBeGreaterThanOrEqual(a[i - 1]!);
    expect(a[0]).toBeGreaterThanOrEqual(0);
    expect(a[a.length - 1]).toBeLessThan(4000);
    expect(poissonArrivals(250, 4000, 7)).toEqual(a);
    expect(poissonArrivals(250, 4000, 8)).not.toEqual(a);
  });

  it('has exponential-looking gaps: coefficient of variation near 1 (a constant rate would give 0)', () => {
    const a = poissonArrivals(1000, 20000, 3);
    const gaps = Array.from(a.subarray(1), (t, i) => t - a[i]!);
    const mean = gaps.reduce((x, y) => x + y) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((x, g) => x + (g - mean) ** 2, 0) / gaps.length);
    expect(mean).toBeCloseTo(1, 1);
    expect(sd / mean).toBeGreaterThan(0.9);
    expect(sd / mean).toBeLessThan(1.1);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => poissonArrivals(0, 1000, 1)).toThrow(EdgeError);
    expect(() => poissonArrivals(Number.NaN, 1000, 1)).toThrow(/target QPS/);
  });
});
