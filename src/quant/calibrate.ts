// Calibration: runs a model over sample feeds and gives every float activation one observer, returning one
// range per tensor. Intermediate values are seen by running a copy of the model whose outputs include them.

import { EdgeError } from '../errors.js';
import { readOnnx } from '../formats/onnx/reader.js';
import type { Model } from '../ir/graph.js';
import { verifyModel } from '../ir/verify.js';
import { referenceOps } from '../kernels/ref/index.js';
import { loadModelFile } from '../runtime/load-file.js';
import { InferenceSession } from '../runtime/session.js';
import { DTYPES } from '../tensor/dtype.js';
import type { FeedRecord } from './calibration-data.js';
import { createObserver, type CalibrationMethod, type ObserverOptions } from './observers/index.js';
import type { Observer, TensorRange } from './observers/observer.js';

export interface CalibrationProgress {
  /** Feed records run so far. */
  done: number;
  /** Records in all, when the source knows (CalibrationData.count). */
  total?: number;
}

export interface CalibrateOptions extends ObserverOptions {
  /** Default 'minmax'. */
  method?: CalibrationMethod;
  /** Tensors to observe (default: the graph's float inputs and every float value a node computes). */
  tensors?: readonly string[];
  /** Called after each feed record. */
  onProgress?: (progress: CalibrationProgress) => void;
  /** Kernels that run the calibration passes (default 'wasm'). */
  backend?: 'wasm' | 'ref';
}

/** A model: its IR, a file path or ONNX bytes. */
export type ModelSource = Model | string | Uint8Array;

/** Samples: a CalibrationData, any (async) iterable of feed records; `count` is used for progress when present. */
export type CalibrationSamples = (AsyncIterable<FeedRecord> | Iterable<FeedRecord>) & { count?: number };

/** Ranges of the observed tensors, in execution order. */
export async function calibrate(
  model: ModelSource,
  samples: CalibrationSamples,
  options: CalibrateOptions = {},
): Promise<Map<string, TensorRange>> {
  const observers = await calibrateObservers(model, samples, options);
  return new Map([...observers].map(([name, o]) => [name, o.range()]));
}

/** As calibrate(), returning the observers themselves (histograms stay inspectable). */
export async function calibrateObservers(
  model: ModelSource,
  samples: CalibrationSamples,
  options: CalibrateOptions = {},
): Promise<Map<string, Observer>> {
  const ir = typeof model === 'string' ? await loadModelFile(model) : model instanceof Uint8Array ? readOnnx(model) : model;
  const method = options.method ?? 'minmax';
  const names = observedTensors(ir, options.tensors);
  const observers = new Map(names.map((n) => [n, createObserver(method, options)] as const));

  // Unoptimized, so that every observed name still exists (as onnxruntime calibrates with ORT_DISABLE_ALL).
  const session = await InferenceSession.create(withOutputs(ir, names), {
    backend: options.backend ?? 'wasm',
    graphOptimizationLevel: 'disabled',
  });
  const inputs = new Set(session.inputNames);
  const total = typeof samples.count === 'number' ? samples.count : undefined;
  let done = 0;
  try {
    for await (const feeds of samples) {
      let results: FeedRecord;
      try {
        results = await session.run(feeds);
      } catch (err) {
        const e = err instanceof EdgeError ? err : new EdgeError('INTERNAL', String((err as Error)?.message ?? err));
        throw new EdgeError(e.code, `calibration sample ${done}: ${e.message}`, { cause: err, input: e.input, node: e.node, op: e.op });
      }
      for (const [name, observer] of observers) {
        const t = inputs.has(name) ? feeds[name] : results[name];
        if (t) observer.observe(t.toFloat32());
      }
      done++;
      options.onProgress?.({ done, total });
    }
  } finally {
    await session.release();
  }
  if (done === 0) throw new EdgeError('INPUT_INVALID', 'calibration needs at least one sample; the data yielded none');
  return observers;
}

/**
 * The float values worth a range, in execution order: fed graph inputs and node outputs, minus values known at
 * load time (weights get per-channel parameters from their values instead). Explicit names are checked.
 */
export function observedTensors(model: Model, requested?: readonly string[]): string[] {
  const verified = verifyModel(model, referenceOps);
  const isFloat = (name: string) => {
    const t = verified.types.get(name);
    return t !== undefined && DTYPES[t.dtype].isFloat;
  };
  const candidates = [...verified.feedInputs, ...verified.order.flatMap((n) => n.outputs)].filter((n) => n && !verified.constants.has(n));
  if (!requested) return candidates.filter(isFloat);

  const known = new Set(candidates);
  const unknown = requested.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    const why = (n: string) => (verified.constants.has(n) ? `'${n}' (a constant)` : `'${n}'`);
    throw new EdgeError('INPUT_INVALID', `cannot observe ${unknown.map(why).join(', ')}: not a value the model computes or is fed`, {
      details: unknown,
    });
  }
  const notFloat = requested.filter((n) => !isFloat(n));
  if (notFloat.length > 0) {
    const list = notFloat.map((n) => `'${n}' (${verified.types.get(n)?.dtype})`).join(', ');
    throw new EdgeError('DTYPE_MISMATCH', `cannot observe ${list}: only float tensors are calibrated`, {
      details: notFloat,
    });
  }
  return [...new Set(requested)];
}

/** A copy of the model whose graph outputs also include `names` (graph inputs are read from the feeds). */
function withOutputs(model: Model, names: readonly string[]): Model {
  const graph = model.graph;
  const inputs = new Set(graph.inputs.map((i) => i.name));
  const present = new Set(graph.outputs.map((o) => o.name));
  const added = names.filter((n) => !present.has(n) && !inputs.has(n)).map((name) => ({ name }));
  return { ...model, graph: { ...graph, outputs: [...graph.outputs, ...added] } };
}
