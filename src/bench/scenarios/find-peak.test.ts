// findPeak on synthetic systems of known capacity: convergence, range ends, bounded probes.

import { describe, expect, it } from 'vitest';
import { findPeak, type PeakProbe } from './find-peak.js';

/** A system that meets the bound up to `capacity` QPS. */
const system = (capacity: number) => async (qps: number): Promise<PeakProbe> => ({ qps, achievedQps: qps, p99Ms: qps <= capacity ? 5 : 50, pass: qps <= capacity });

describe('findPeak', () => {
  it('brackets then bisects to within the tolerance below the true capacity', async () => {
    for (const [start, capacity] of [
      [10, 1234],
      [5000, 77],
      [100, 100.5],
    ] as const) {
      const r = await findPeak(system(capacity), { startQps: start, minQps: 1, maxQps: 1e6, tolerance: 0.02, maxProbes: 30 });
      expect(r.passed).toBe(true);
      expect(r.peakQps).toBeLessThanOrEqual(capacity);
      expect(r.peakQps).toBeGreaterThan(capacity / 1.02 - 1e-9);
      expect(r.probes.length).toBeLessThanOrEqual(30);
    }
  });

  it('stops at the range ends: nothing passes → minQps, everything passes → maxQps', async () => {
    const none = await findPeak(system(0), { startQps: 50, minQps: 2, maxQps: 400 });
    expect(none).toMatchObject({ peakQps: 2, passed: false });
    const all = await findPeak(system(Infinity), { startQps: 50, minQps: 2, maxQps: 400 });
    expect(all).toMatchObject({ peakQps: 400, passed: true });
    expect(all.probes.map((p) => p.qps)).toEqual([50, 100, 200, 400]);
  });

  it('never probes more than maxProbes times', async () => {
    const r = await findPeak(system(333), { startQps: 1, minQps: 1, maxQps: 1e9, maxProbes: 5, tolerance: 1e-9 });
    expect(r.probes).toHaveLength(5);
    expect(r.peakQps).toBeGreaterThanOrEqual(1);
  });
});
