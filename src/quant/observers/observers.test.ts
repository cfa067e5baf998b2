import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../tensor/random.js';
import { entropyRange, klDivergence } from './entropy.js';
import type { HistogramSnapshot } from './histogram.js';
import { createObserver, type CalibrationMethod } from './index.js';
import { MinMaxObserver } from './minmax.js';
import { mseRange } from './mse.js';
import { percentileRange, valueAtMass } from './percentile.js';

/** A hand-made histogram: bins of width 1 starting at -zeroBin. */
function hist(counts: number[], zeroBin: number, min: number, max: number): HistogramSnapshot {
  return { counts: Float64Array.from(counts), binWidth: 1, zeroBin, min, max, total: counts.reduce((a, b) => a + b, 0) };
}

function gaussian(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

describe('minmax observer', () => {
  it('keeps running extremes, or their moving average (hand-checked)', () => {
    const plain = new MinMaxObserver();
    const avg = new MinMaxObserver({ movingAverage: true, averagingConstant: 0.5 });
    for (const o of [plain, avg]) {
      o.observe(Float32Array.of(0, 1, 0.5));
      o.observe(Float32Array.of(-1, 3, NaN));
    }
    expect(plain.range()).toEqual({ min: -1, max: 3 });
    expect(avg.range()).toEqual({ min: -0.5, max: 2 }); // 0 + 0.5 (-1 - 0), 1 + 0.5 (3 - 1)
    expect(avg.skipped).toBe(1);
    expect(new MinMaxObserver({ symmetric: true }).range()).toEqual({ min: 0, max: 0 });
    const sym = new MinMaxObserver({ symmetric: true });
    sym.observe(Float32Array.of(-1, 3));
    expect(sym.range()).toEqual({ min: -3, max: 3 });
    expect(() => new MinMaxObserver({ averagingConstant: 0 })).toThrow(/averagingConstant/);
  });
});

describe('percentile (hand-checked)', () => {
  it('interpolates inside the bin where the cumulative mass crosses', () => {
    const counts = Float64Array.of(2, 0, 4, 4);
    expect(valueAtMass(counts, 0, 1, 4)).toBe(2.5); // 2 below bin 2, half of its 4
    expect(valueAtMass(counts, 0, 1, 0)).toBe(0);
    expect(valueAtMass(counts, 0, 1, 10)).toBe(4);
  });

  it('cuts |x| symmetrically, or each side apart', () => {
    // bins [-2,-1) [-1,0) [0,1) [1,2): 10, 40, 40, 10 values
    const h = hist([10, 40, 40, 10], 2, -2, 2);
    // |x| folds into [0,1): 80, [1,2): 20; 90% of 100 lies below 1 + 10/20
    expect(percentileRange(h, 90, true)).toEqual({ min: -1.5, max: 1.5 });
    // 5% (5 values) off each side: -2 + 5/10 and 2 - 5/10
    expect(percentileRange(h, 90, false)).toEqual({ min: -1.5, max: 1.5 });
    const skewed = hist([0, 0, 90, 10], 2, 0, 1.8);
    expect(percentileRange(skewed, 95, true)).toEqual({ min: 0, max: 1.5 }); // clamped to the observed min
  });
});

describe('entropy (hand-checked)', () => {
  it('computes KL(P||Q) of normalized counts', () => {
    expect(klDivergence(Float64Array.of(1, 1), Float64Array.of(1, 3))).toBeCloseTo(0.5 * Math.log(4 / 3), 12);
  });

  it('clips a far outlier from a decaying distribution', () => {
    // bins of width 1 from 0: a decaying mass in [0, 4) and one value in [15, 16)
    const counts = new Array<number>(16).fill(0);
    counts.splice(0, 4, 100, 50, 25, 12);
    counts[15] = 1;
    const h = hist(counts, 0, 0, 15.5);
    // Window [0, 4) with 4 levels reproduces P but for the clipped value on its last bin; every wider
    // window merges bins into levels and loses far more.
    expect(entropyRange(h, 4, false)).toEqual({ min: 0, max: 4 });
    // Symmetric windows spend half their levels on the empty negative side: [-4, 4) merges bins in pairs
    // (KL 0.055) while [-2, 2) keeps one bin per level and only misplaces the clipped mass (KL 0.039).
    expect(entropyRange(h, 4, true)).toEqual({ min: 0, max: 2 }); // [-2, 2] clamped to the data
  });

  it('keeps the whole range of a uniform distribution', () => {
    const h = hist(new Array<number>(64).fill(100), 0, 0, 64);
    expect(entropyRange(h, 16, false)).toEqual({ min: 0, max: 64 });
  });
});

describe('mse (hand-checked)', () => {
  it('trades rounding noise against clipping error', () => {
    // 1000 values in [0,1), one in [15,16); 3 steps (a 2-bit grid). Error of [0, t]:
    // t=16: 1001 (16/3)^2/12 = 2373; t=1: 1000 (1/3)^2/12 + 14.5^2 + 1/12 = 219.6;
    // t=2: 1000 (2/3)^2/12 + 13.5^2 + 1/12 = 219.4 (the minimum); t=3: 239.7
    const counts = new Array<number>(16).fill(0);
    counts[0] = 1000;
    counts[15] = 1;
    const h = hist(counts, 0, 0, 15.5);
    expect(mseRange(h, 3, false)).toEqual({ min: 0, max: 2 });
    // Symmetric [-t, t] doubles the step: t=1: 1000 (2/3)^2/12 + 14.5^2 + 1/12 = 247.4; t=2: 330.6
    expect(mseRange(h, 3, true)).toEqual({ min: 0, max: 1 });
    // With 255 steps the rounding noise is tiny and keeping the outlier costs less than clipping it.
    expect(mseRange(h, 255, false)).toEqual({ min: 0, max: 15.5 });
  });

  it('searches both ends of an asymmetric range', () => {
    const counts = new Array<number>(16).fill(0);
    counts[7] = 500; // [-1, 0)
    counts[8] = 500; // [0, 1)
    counts[0] = 1; // [-8, -7)
    counts[15] = 1; // [7, 8)
    const h = hist(counts, 8, -7.5, 7.5);
    // [-1, 1]: 1000 (2/3)^2/12 + 2 (6.5^2 + 1/12) = 121.7; [-2, 2]: 208.8; [-1, 2]: 155.9; [0, 1]: 171.3
    expect(mseRange(h, 3, false)).toEqual({ min: -1, max: 1 });
  });
});

describe('observers on a distribution with outliers', () => {
  // 1,000,000 values of N(0, 1) in 100 batches, plus one value at -30 and one at +30.
  const methods: CalibrationMethod[] = ['minmax', 'percentile', 'entropy', 'mse'];
  const observers = methods.map((m) => createObserver(m));
  const symmetric = methods.map((m) => createObserver(m, { symmetric: true }));
  const rnd = seededRandom(3);
  for (let b = 0; b < 100; b++) {
    const x = new Float32Array(10_000);
    for (let i = 0; i < x.length; i++) x[i] = gaussian(rnd);
    if (b === 10) x[5] = 30;
    if (b === 60) x[7] = -30;
    for (const o of [...observers, ...symmetric]) o.observe(x);
  }

  it('minmax keeps the outliers; percentile, entropy and mse clip them', () => {
    const ranges = Object.fromEntries(methods.map((m, i) => [m, observers[i]!.range()]));
    expect(ranges.minmax).toEqual({ min: -30, max: 30 });
    // 99.99% of |x| for N(0,1) lies below 3.89
    expect(ranges.percentile!.max).toBeCloseTo(3.89, 1);
    expect(ranges.percentile!.min).toBeCloseTo(-3.89, 1);
    expect(ranges.entropy!.max).toBeGreaterThan(2);
    expect(ranges.entropy!.max).toBeLessThan(6);
    expect(ranges.entropy!.min).toBeLessThan(-2);
    expect(ranges.entropy!.min).toBeGreaterThan(-6);
    // MSE of [-t, t] ~ 1e6 (2t/255)^2/12 + 2 (30 - t)^2 (the Gaussian tails beyond t are negligible),
    // minimal at t = 120 / (4 + 8e6 / (12 * 255^2)) = 8.40: the outliers are clipped to 8.4, not to ~4.
    expect(ranges.mse!.max).toBeCloseTo(8.4, 1);
    expect(ranges.mse!.min).toBeCloseTo(-8.4, 1);
  });

  it('symmetric variants give [-t, t] on symmetric data', () => {
    for (const [i, m] of methods.entries()) {
      const r = symmetric[i]!.range();
      expect(r.min, m).toBe(-r.max);
      if (m !== 'minmax') expect(r.max, m).toBeLessThan(9);
    }
  });

  it('an unknown method lists the available ones; bad options are refused', () => {
    expect(() => createObserver('kl')).toThrow("unknown calibration method 'kl'; available: minmax, percentile, entropy, mse");
    expect(() => createObserver('percentile', { percentile: 100.5 })).toThrow('percentile must be in (0, 100], got 100.5');
    expect(() => createObserver('entropy', { numBins: 64, numQuantizedBins: 128 })).toThrow('numQuantizedBins must be an integer in [2, numBins=64], got 128');
    expect(() => createObserver('mse', { numBins: 4 })).toThrow('bins must be an integer in [8, 1048576], got 4');
  });
});
