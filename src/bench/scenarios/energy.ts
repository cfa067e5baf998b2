// Energy per inference for a bench result: measured with the machine's meter when one is readable
// (a separate untimed loop, so the latency loop stays bare), else estimated from op counts; always labelled.

import type { ValueType } from '../../ir/graph.js';
import type { InferenceSession } from '../../runtime/session.js';
import type { Tensor } from '../../tensor/tensor.js';
import { estimateEnergy, measureEnergy, measuredEnergyReport, openEnergyMeter } from '../energy/index.js';
import type { EnergyReport } from '../types.js';

/** The estimate's profile when none is named: the closest built-in to the machine running the bench. */
export const DEFAULT_DEVICE = 'x86-laptop-core';

export interface BenchEnergyOptions {
  device?: string;
  /** Rows per run. */
  batch: number;
  /** Value types with static shapes for this batch (for the estimate). */
  types: ReadonlyMap<string, ValueType>;
  /** Mean time of one run, to size the measured loop. */
  runMs: number;
}

/** About a second of runs: long enough for RAPL's millisecond updates, bounded for tiny models. */
const MEASURE_MS = 1000;

export function benchEnergy(session: InferenceSession, feeds: Record<string, Tensor>, options: BenchEnergyOptions): EnergyReport {
  const meter = openEnergyMeter();
  if (meter) {
    const runs = Math.round(Math.min(1e5, Math.max(10, MEASURE_MS / Math.max(options.runMs, 1e-3))));
    const perRunUj = measureEnergy(meter, () => session.runSync(feeds), runs);
    return measuredEnergyReport(meter, perRunUj / options.batch);
  }
  const e = estimateEnergy(session.model, options.types, { device: options.device ?? DEFAULT_DEVICE, batch: options.batch });
  // The contract's fields only: the per-node details would swamp the JSON.
  return { source: e.source, microjoulesPerInference: e.microjoulesPerInference, method: e.method, device: e.device, breakdown: e.breakdown };
}
