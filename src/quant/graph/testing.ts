// Helpers for the quantizer's tests: min/max ranges of every float value over some feeds (a plain calibration
// pass on the reference backend), runs of a model, and error measures.

import type { Model } from '../../ir/graph.js';
import { InferenceSession } from '../../runtime/session.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Range } from '../weights.js';

const REF = { backend: 'ref', graphOptimizationLevel: 'disabled' } as const;

/** The model with every float value computed at run time as an output (what a calibrator observes). */
export async function withAllOutputs(model: Model): Promise<Model> {
  const s = await InferenceSession.create(model, REF);
  const names = new Set<string>(s.inputNames);
  for (const n of model.graph.nodes) for (const o of n.outputs) if (o && !s.constants.has(o)) names.add(o);
  const outputs = [...names].filter((n) => s.valueTypes.get(n)?.dtype === 'float32').map((name) => ({ name, type: { dtype: 'float32' as const } }));
  return { ...model, graph: { ...model.graph, outputs } };
}

/** Min/max of every float value (graph inputs included) over the feeds. */
export async function minMaxRanges(model: Model, feeds: Record<string, Tensor>[]): Promise<Map<string, Range>> {
  const s = await InferenceSession.create(await withAllOutputs(model), REF);
  const ranges = new Map<string, Range>();
  const observe = (name: string, t: Tensor) => {
    if (t.type !== 'float32') return;
    const r = ranges.get(name) ?? { min: Infinity, max: -Infinity };
    for (const v of t.data as Float32Array) {
      if (v < r.min) r.min = v;
      if (v > r.max) r.max = v;
    }
    ranges.set(name, r);
  };
  for (const f of feeds) {
    for (const [name, t] of Object.entries(f)) observe(name, t);
    for (const [name, t] of Object.entries(s.runSync(f))) observe(name, t);
  }
  return ranges;
}

/** Runs a model on the reference backend, as given (no graph optimization). */
export async function runRef(model: Model, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  return (await InferenceSession.create(model, REF)).runSync(feeds);
}

/** Signal-to-quantization-noise ratio in dB of `test` against `reference`. */
export function sqnrDb(reference: ArrayLike<number>, test: ArrayLike<number>): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < reference.length; i++) {
    signal += reference[i]! ** 2;
    noise += (reference[i]! - test[i]!) ** 2;
  }
  return noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
}

/** Node ops in order, `domain.Op` outside the default domain. */
export function opCounts(model: Model): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of model.graph.nodes) {
    const k = n.domain ? `${n.domain}.${n.op}` : n.op;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}
