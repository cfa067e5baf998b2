// chooseTiming's rule (per query unless a clock read shows, then power-of-two groups) and the clock
// cost measurement, on numbers and a fake clock: no real timing is asserted.

import { describe, expect, it } from 'vitest';
import { fakeClock } from './fake-clock.js';
import { chooseTiming, describeTiming, GROUP_CLOCK_FRACTION, MAX_CLOCK_FRACTION, MAX_GROUP_SIZE, measureClockCostNs } from './query-timing.js';

describe('chooseTiming', () => {
  it('times each query when a clock read is at most 1 % of it', () => {
    expect(chooseTiming(40, 0.4)).toEqual({ mode: 'per-query', groupSize: 1, clockCostNs: 40 }); // resnet8-like: 0.01 %
    // 40 ns read + 4000 ns query measured: exactly 1 %, not more.
    expect(chooseTiming(40, 0.00404).mode).toBe('per-query');
  });

  it('groups sub-microsecond queries so that one read is under GROUP_CLOCK_FRACTION of a group', () => {
    const t = chooseTiming(40, 0.00034); // simplenet-like: 300 ns query + 40 ns read
    expect(t.mode).toBe('grouped');
    expect(Math.log2(t.groupSize) % 1).toBe(0);
    expect(40 / (t.groupSize * 300)).toBeLessThanOrEqual(GROUP_CLOCK_FRACTION);
    expect(40 / ((t.groupSize / 2) * 300)).toBeGreaterThan(GROUP_CLOCK_FRACTION); // the smallest such power of two
    expect(GROUP_CLOCK_FRACTION).toBeLessThan(MAX_CLOCK_FRACTION);
    expect(t.clockCostNs).toBe(40);
  });

  it('caps the group size', () => {
    expect(chooseTiming(40, 0.00004)).toMatchObject({ mode: 'grouped', groupSize: MAX_GROUP_SIZE });
  });

  it('says in words what a grouped latency is', () => {
    expect(describeTiming(chooseTiming(40, 0.00034), 0.00034)).toMatch(/per 64 back-to-back queries.*group means/);
    expect(describeTiming(chooseTiming(40, 0.4), 0.4)).toMatch(/^per query/);
  });
});

describe('measureClockCostNs', () => {
  it('returns the cost of one read', () => {
    expect(measureClockCostNs(fakeClock(37), 1000, 5)).toBeCloseTo(37, 6);
  });
});
