// Per-layer quantization error: SQNR (dB) and cosine similarity of every quantized tensor against its
// float counterpart, over calibration data. Worst layer first, as JSON and as a readable table.

import type { Model } from '../ir/graph.js';
import { InferenceSession } from '../runtime/session.js';
import { dequantize } from './dequantize.js';
import type { FeedRecord } from './calibration-data.js';
import { SUFFIX } from './graph/builder.js';

/** `w_q` (or `w_q_2` when the name was taken) is the quantized form of initializer `w`. */
const QUANTIZED_SUFFIX = new RegExp(`${SUFFIX.quantized}(_\\d+)?$`);

export interface LayerError {
  /** Name of the float tensor in the original model. */
  tensor: string;
  kind: 'activation' | 'weight';
  /** 10·log10(Σ signal² / Σ (signal − quantized)²); Infinity when exact. */
  sqnrDb: number;
  cosine: number;
  elements: number;
}

class ErrorAccumulator {
  signal = 0;
  noise = 0;
  dot = 0;
  qq = 0;
  elements = 0;

  add(reference: Float32Array, quantized: Float32Array): void {
    for (let i = 0; i < reference.length; i++) {
      const a = reference[i]!;
      const b = quantized[i]!;
      this.signal += a * a;
      this.noise += (a - b) * (a - b);
      this.dot += a * b;
      this.qq += b * b;
    }
    this.elements += reference.length;
  }

  result(tensor: string, kind: LayerError['kind']): LayerError {
    const sqnrDb = this.noise === 0 ? Infinity : 10 * Math.log10(this.signal / this.noise);
    const denom = Math.sqrt(this.signal * this.qq);
    return { tensor, kind, sqnrDb, cosine: denom === 0 ? (this.noise === 0 ? 1 : 0) : this.dot / denom, elements: this.elements };
  }
}

/**
 * Pairs of (float tensor, its dequantized counterpart) in a QDQ model: every DequantizeLinear whose input
 * is produced by a QuantizeLinear of a float tensor that the float model also has.
 */
export function quantizedPairs(floatModel: Model, quantModel: Model): { activations: [string, string][]; weights: [string, string][] } {
  const floatNames = new Set<string>([...floatModel.graph.initializers.keys(), ...floatModel.graph.inputs.map((i) => i.name)]);
  for (const n of floatModel.graph.nodes) n.outputs.forEach((o) => o && floatNames.add(o));
  const quantizeOf = new Map<string, string>(); // Q output → float input
  for (const n of quantModel.graph.nodes) if (n.op === 'QuantizeLinear' && n.inputs[0]) quantizeOf.set(n.outputs[0]!, n.inputs[0]);
  const activations: [string, string][] = [];
  const weights: [string, string][] = [];
  const seen = new Set<string>();
  for (const n of quantModel.graph.nodes) {
    if (n.op !== 'DequantizeLinear' || !n.inputs[0] || !n.outputs[0]) continue;
    // A quantized graph output is produced as `<name>_float` and its final DequantizeLinear keeps `<name>`.
    const q = quantizeOf.get(n.inputs[0]);
    const source = q && !floatNames.has(q) && q.endsWith('_float') ? q.slice(0, -'_float'.length) : q;
    if (source && floatNames.has(source) && !seen.has(source)) {
      seen.add(source);
      activations.push([source, n.outputs[0]]);
      continue;
    }
    // A constant (weight or bias) stored quantized: matched to the float initializer it replaced by name.
    const base = n.inputs[0].replace(QUANTIZED_SUFFIX, '');
    if (quantModel.graph.initializers.has(n.inputs[0]) && floatModel.graph.initializers.has(base) && !seen.has(base)) {
      seen.add(base);
      weights.push([base, n.outputs[0]]);
    }
  }
  return { activations, weights };
}

/** Runs both models over the samples and measures the error of every quantized tensor, worst first. */
export async function quantizationErrors(
  floatModel: Model,
  quantModel: Model,
  samples: AsyncIterable<FeedRecord> | Iterable<FeedRecord>,
): Promise<LayerError[]> {
  const { activations, weights } = quantizedPairs(floatModel, quantModel);
  const withOutputs = (m: Model, names: string[]): Model => {
    const outputs = [...m.graph.outputs];
    for (const name of names) if (!outputs.some((o) => o.name === name)) outputs.push({ name });
    return { ...m, graph: { ...m.graph, outputs } };
  };
  const opts = { graphOptimizationLevel: 'disabled' as const };
  const floatSession = await InferenceSession.create(withOutputs(floatModel, activations.map(([f]) => f)), opts);
  const quantSession = await InferenceSession.create(withOutputs(quantModel, activations.map(([, q]) => q)), opts);
  const acc = new Map(activations.map(([f]) => [f, new ErrorAccumulator()]));
  try {
    for await (const feeds of samples) {
      const a = floatSession.runSync(feeds, activations.map(([f]) => f));
      const b = quantSession.runSync(feeds, activations.map(([, q]) => q));
      for (const [f, q] of activations) acc.get(f)!.add(a[f]!.toFloat32(), b[q]!.toFloat32());
    }
  } finally {
    await floatSession.release();
    await quantSession.release();
  }
  const results = activations.map(([f]) => acc.get(f)!.result(f, 'activation'));
  for (const [f, q] of weights) {
    const w = new ErrorAccumulator();
    w.add(floatModel.graph.initializers.get(f)!.toFloat32(), dequantize(quantModel, q));
    results.push(w.result(f, 'weight'));
  }
  return results.sort((x, y) => x.sqnrDb - y.sqnrDb);
}

/** The error table as text: one line per tensor, worst first. */
export function formatErrorTable(errors: readonly LayerError[]): string {
  const rows = errors.map((e) => `${e.tensor.padEnd(48)} ${e.kind.padEnd(10)} ${(Number.isFinite(e.sqnrDb) ? e.sqnrDb.toFixed(2) : 'inf').padStart(8)} ${e.cosine.toFixed(6)}`);
  return [`${'tensor'.padEnd(48)} ${'kind'.padEnd(10)} ${'SQNR dB'.padStart(8)} cosine`, ...rows].join('\n') + '\n';
}
