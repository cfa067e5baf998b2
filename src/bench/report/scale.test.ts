// Scales and ticks of the report charts: nice steps, degenerate domains, log axes, no NaN coordinates.

import { describe, expect, it } from 'vitest';
import { EdgeError } from '../../errors.js';
import { latencyScale, linearScale, logScale, niceStep, px, widenDomain } from './scale.js';

describe('report scales', () => {
  it('picks 1-2-5 steps', () => {
    expect(niceStep(10, 5)).toBe(2);
    expect(niceStep(0.32, 4)).toBeCloseTo(0.1, 12);
    expect(niceStep(3000, 5)).toBe(500);
    expect(niceStep(3500, 5)).toBe(1000);
    expect(niceStep(0, 5)).toBe(1);
  });

  it('maps a nice domain onto the range and labels its ticks', () => {
    const s = linearScale(0, 3370, 250, 50);
    expect(s.domain).toEqual([0, 3500]);
    expect(s(0)).toBe(250);
    expect(s(3500)).toBe(50);
    expect(s.ticks.map((t) => s.label(t))).toEqual(['0', '500', '1000', '1500', '2000', '2500', '3000', '3500']);
  });

  it('widens empty domains instead of dividing by zero', () => {
    expect(widenDomain(0, 0)).toEqual([0, 1]);
    expect(widenDomain(3.2, 3.2)[0]).toBeLessThan(3.2);
    expect(widenDomain(Number.NaN, 1)).toEqual([0, 1]);
    for (const s of [linearScale(0, 0, 0, 100), linearScale(5, 5, 0, 100, { nice: false }), linearScale(0, 1, 0, 100, { integer: true })]) {
      expect(Number.isFinite(s(s.domain[0])) && Number.isFinite(s(s.domain[1]))).toBe(true);
      expect(s.ticks.length).toBeGreaterThan(1);
      expect(s.ticks.every(Number.isFinite)).toBe(true);
    }
    expect(linearScale(0, 1, 0, 100, { integer: true }).ticks).toEqual([0, 1]);
  });

  it('puts log ticks at 1, 2, 5 x 10^k and thins them over many decades', () => {
    const s = logScale(1.5, 32, 0, 100);
    expect(s.ticks).toEqual([2, 5, 10, 20]);
    expect(s(1.5)).toBeCloseTo(0, 9);
    expect(s(32)).toBeCloseTo(100, 9);
    expect(logScale(0.001, 1e4, 0, 100).ticks).toEqual([0.001, 0.01, 0.1, 1, 10, 100, 1000, 10000]);
  });

  it('chooses log only for wide latency spreads and widens a single value', () => {
    expect(latencyScale(1, 4, 0, 100).log).toBe(false);
    expect(latencyScale(1, 40, 0, 100).log).toBe(true);
    const one = latencyScale(3.2, 3.2, 0, 100);
    expect(one.domain[0]).toBeCloseTo(3.04, 9);
    expect(one.ticks.map((t) => one.label(t))).toEqual(['3.1', '3.2', '3.3']);
  });

  it('refuses to write a non-finite coordinate', () => {
    expect(px(1.234567)).toBe('1.23');
    expect(px(-0.001)).toBe('0');
    expect(() => px(Number.NaN)).toThrow(EdgeError);
    expect(() => px(Infinity)).toThrow(/non-finite coordinate/);
  });
});
