// Tests of measureEnergy: µJ per run from meter deltas, reads between runs when due, idle power subtracted on request.

import { describe, expect, it } from 'vitest';
import { EdgeError } from '../../errors.js';
import { FakeSysfs } from './fake-sysfs.js';
import { measuredEnergyReport, measureEnergy, measureEnergyAsync } from './measure.js';
import type { EnergyMeter } from './meter.js';
import { openEnergyMeter } from './open-meter.js';

/** A meter over a simulated machine: idle power plus 5 µJ per run, each run taking 2 ms of a fake clock. */
function simulated(idleUjPerMs: number, sampleIntervalMs: number) {
  const sim = { clockMs: 0, runUj: 0, reads: 0 };
  const meter: EnergyMeter = {
    name: 'fake',
    method: 'fake counter',
    sampleIntervalMs,
    read: () => {
      sim.reads++;
      return sim.runUj + idleUjPerMs * sim.clockMs;
    },
  };
  const run = () => {
    sim.runUj += 5;
    sim.clockMs += 2;
  };
  const options = { nowMs: () => sim.clockMs, sleepMs: (ms: number) => void (sim.clockMs += ms) };
  return { sim, meter, run, options };
}

describe('measureEnergy', () => {
  it('divides the meter delta by the runs, idle included by default', () => {
    const { meter, run, options } = simulated(0.5, 1000);
    expect(measureEnergy(meter, run, 10, options)).toBeCloseTo(5 + 0.5 * 2, 9);
  });

  it('subtracts idle power measured beforehand when asked', () => {
    const { sim, meter, run, options } = simulated(0.5, 10);
    expect(measureEnergy(meter, run, 10, { ...options, idleMs: 50 })).toBeCloseTo(5, 9);
    expect(sim.clockMs).toBe(50 + 20);
  });

  it('reads the meter between runs at its sample interval', () => {
    const { sim, meter, run, options } = simulated(0, 4);
    measureEnergy(meter, run, 10, options);
    // one read at start, one every 2 runs (4 ms), one at the end
    expect(sim.reads).toBe(1 + 5 + 1);
  });

  it('measures asynchronous runs', async () => {
    const { meter, run, options } = simulated(0, 1000);
    expect(await measureEnergyAsync(meter, async () => run(), 4, options)).toBe(5);
  });

  it('refuses a run count that is not a positive integer', () => {
    const { meter, run } = simulated(0, 1000);
    expect(() => measureEnergy(meter, run, 0)).toThrow(EdgeError);
    expect(() => measureEnergy(meter, run, 2.5)).toThrow(/runs must be a positive integer, got 2.5/);
  });

  it('labels the report as measured, after the meter', () => {
    const { meter } = simulated(0, 1000);
    expect(measuredEnergyReport(meter, 12.5, { idleSubtracted: true })).toEqual({
      source: 'measured',
      microjoulesPerInference: 12.5,
      method: 'fake counter, minus idle power over the same time',
      device: 'fake',
    });
  });

  it('measures through a fake RAPL counter that wraps during the runs', () => {
    const fs = new FakeSysfs();
    try {
      const zone = 'class/powercap/intel-rapl:0';
      let raw = 950;
      fs.write(`${zone}/name`, 'package-0').write(`${zone}/max_energy_range_uj`, 1000).write(`${zone}/energy_uj`, raw);
      const meter = openEnergyMeter(fs.root, fs.io)!;
      const run = () => void fs.write(`${zone}/energy_uj`, (raw = (raw + 30) % 1000));
      // 30 µJ per run; the counter wraps after the second run; a read after every run (interval 0) sees each wrap
      expect(measureEnergy({ ...meter, read: () => meter.read(), sampleIntervalMs: 0 }, run, 40)).toBe(30);
    } finally {
      fs.dispose();
    }
  });

  it('sleeps for real with the default sleep (short)', () => {
    const { meter, run } = simulated(0, 5);
    expect(measureEnergy(meter, run, 3, { idleMs: 12 })).toBe(5);
  });
});
