// Energy per run from meter deltas, for the benchmark scenarios: read, run N times (reading the meter as often as
// it needs), read again, divide; optionally minus the idle energy of the same duration.

import { EdgeError } from '../../errors.js';
import type { EnergyReport } from '../types.js';
import type { EnergyMeter } from './meter.js';

export interface MeasureOptions {
  /**
   * Measure idle power for this long first (sleeping, meter read at its interval) and subtract idle power ×
   * run time: the energy the runs added. 0 (default): the whole meter delta, idle and other processes included.
   */
  idleMs?: number;
  /** Clock in ms (tests); performance.now by default. */
  nowMs?: () => number;
  /** Sleeps without busy-waiting (tests); Atomics.wait by default. */
  sleepMs?: (ms: number) => void;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
const defaultSleep = (ms: number): void => void Atomics.wait(sleepCell, 0, 0, ms);

function checkRuns(runs: number): void {
  if (!Number.isInteger(runs) || runs < 1) {
    throw new EdgeError('INPUT_INVALID', `measureEnergy: runs must be a positive integer, got ${runs}`, { expected: '>= 1', actual: runs });
  }
}

/** Idle power in µJ per ms, sampled over idleMs; 0 when idleMs is 0. */
function idlePower(meter: EnergyMeter, idleMs: number, now: () => number, sleep: (ms: number) => void): number {
  if (!(idleMs > 0)) return 0;
  const e0 = meter.read();
  const t0 = now();
  while (now() - t0 < idleMs) {
    sleep(Math.min(meter.sampleIntervalMs, idleMs - (now() - t0)));
    meter.read();
  }
  return (meter.read() - e0) / (now() - t0);
}

/** µJ per run of a synchronous fn (e.g. session.runSync), from the meter's delta over `runs` runs. */
export function measureEnergy(meter: EnergyMeter, fn: () => void, runs: number, options: MeasureOptions = {}): number {
  checkRuns(runs);
  const now = options.nowMs ?? (() => performance.now());
  const idle = idlePower(meter, options.idleMs ?? 0, now, options.sleepMs ?? defaultSleep);
  const e0 = meter.read();
  const t0 = now();
  let lastRead = t0;
  for (let i = 0; i < runs; i++) {
    fn();
    // Read between runs only when due: a power meter needs samples, a read costs a file access.
    if (now() - lastRead >= meter.sampleIntervalMs) {
      meter.read();
      lastRead = now();
    }
  }
  const deltaUj = meter.read() - e0;
  return (deltaUj - idle * (now() - t0)) / runs;
}

/** µJ per run of an asynchronous fn (e.g. session.run or a batcher call). */
export async function measureEnergyAsync(meter: EnergyMeter, fn: () => Promise<unknown>, runs: number, options: MeasureOptions = {}): Promise<number> {
  checkRuns(runs);
  const now = options.nowMs ?? (() => performance.now());
  const idle = idlePower(meter, options.idleMs ?? 0, now, options.sleepMs ?? defaultSleep);
  const e0 = meter.read();
  const t0 = now();
  let lastRead = t0;
  for (let i = 0; i < runs; i++) {
    await fn();
    if (now() - lastRead >= meter.sampleIntervalMs) {
      meter.read();
      lastRead = now();
    }
  }
  return (meter.read() - e0 - idle * (now() - t0)) / runs;
}

/** The EnergyReport of a measurement: labelled `measured`, named after the meter and its method. */
export function measuredEnergyReport(meter: EnergyMeter, microjoulesPerInference: number, options: { idleSubtracted?: boolean } = {}): EnergyReport {
  return {
    source: 'measured',
    microjoulesPerInference,
    method: options.idleSubtracted ? `${meter.method}, minus idle power over the same time` : meter.method,
    device: meter.name,
  };
}
