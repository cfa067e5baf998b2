// InferenceSession: the public entry point, shaped like onnxruntime-web's (create, run, release).

import { EdgeError } from '../errors.js';
import { readOnnx } from '../formats/onnx/reader.js';
import type { Dim, Model } from '../ir/graph.js';
import { verifyModel, type VerifiedGraph } from '../ir/verify.js';
import { callKernel, type OpTable } from '../kernels/op-def.js';
import { referenceOps } from '../kernels/ref/index.js';
import type { DataType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { validateFeeds } from './feeds.js';
import { loadModelFile } from './load-file.js';
import { buildPlan, type ExecutionPlan } from './plan.js';

export interface SessionOptions {
  /** Kernel set: 'ref' (TypeScript reference kernels). */
  backend?: 'ref';
  /** Binds symbolic input dimensions to sizes, e.g. { batch: 1 }, so every shape becomes static. */
  freeDimensionOverrides?: Record<string, number>;
}

export interface RunOptions {
  /** Output names to compute (default: all graph outputs). */
  fetches?: string[];
}

export interface ValueMetadata {
  name: string;
  isTensor: true;
  type: DataType;
  /** Sizes, symbolic names ('batch'), or '?' where unknown. */
  shape: (number | string)[];
}

export class InferenceSession {
  readonly model: Model;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly ValueMetadata[];
  readonly outputMetadata: readonly ValueMetadata[];
  private readonly verified: VerifiedGraph;
  private readonly plan: ExecutionPlan;
  private readonly overridable: Set<string>;
  private released = false;

  private constructor(model: Model, ops: OpTable) {
    this.model = model;
    this.verified = verifyModel(model, ops);
    this.plan = buildPlan(model, this.verified, ops);
    this.inputNames = this.verified.feedInputs;
    this.outputNames = model.graph.outputs.map((o) => o.name);
    this.overridable = new Set(model.graph.inputs.filter((i) => model.graph.initializers.has(i.name)).map((i) => i.name));
    this.inputMetadata = this.inputNames.map((n) => this.metadata(n));
    this.outputMetadata = this.outputNames.map((n) => this.metadata(n));
  }

  /** Loads a model from a file path (Node), bytes, or an IR Model. */
  static async create(source: string | Uint8Array | ArrayBuffer | Model, options: SessionOptions = {}): Promise<InferenceSession> {
    const backend = options.backend ?? 'ref';
    if (backend !== 'ref') throw new EdgeError('INPUT_INVALID', `unknown backend '${String(backend)}'; available: ref`);
    let model: Model;
    if (typeof source === 'string') model = await loadModelFile(source);
    else if (source instanceof Uint8Array) model = readOnnx(source);
    else if (source instanceof ArrayBuffer) model = readOnnx(new Uint8Array(source));
    else if (source && typeof source === 'object' && 'graph' in source) model = source;
    else throw new EdgeError('INPUT_INVALID', 'InferenceSession.create() needs a file path, bytes or a Model');
    if (options.freeDimensionOverrides) model = bindDimensions(model, options.freeDimensionOverrides);
    return new InferenceSession(model, referenceOps);
  }

  async run(feeds: Record<string, Tensor>, options: RunOptions | string[] = {}): Promise<Record<string, Tensor>> {
    return this.runSync(feeds, options);
  }

  /** Synchronous run: the same as run() without the promise (for tight benchmark loops). */
  runSync(feeds: Record<string, Tensor>, options: RunOptions | string[] = {}): Record<string, Tensor> {
    if (this.released) throw new EdgeError('INPUT_INVALID', 'run(): the session was released');
    const fetches = Array.isArray(options) ? options : (options.fetches ?? this.outputNames);
    for (const f of fetches) {
      if (!this.outputNames.includes(f)) {
        throw new EdgeError('INPUT_INVALID', `fetch '${f}' is not an output of this model; its outputs are: ${this.outputNames.join(', ')}`, {
          expected: this.outputNames,
          actual: f,
        });
      }
    }
    validateFeeds(feeds, this.verified.feedInputs, this.overridable, this.verified.types);

    const values = new Map<string, Tensor>(this.verified.constants);
    for (const [name, t] of Object.entries(feeds)) values.set(name, t);
    for (const name of this.overridable) if (!values.has(name)) values.set(name, this.model.graph.initializers.get(name)!);

    for (const step of this.plan.steps) {
      const inputs = step.node.inputs.map((name) => (name ? values.get(name) : undefined));
      const outputs = callKernel(step.op, step.ctx, inputs);
      step.node.outputs.forEach((name, i) => {
        if (name && outputs[i]) values.set(name, outputs[i]!);
      });
      for (const name of step.release) values.delete(name);
    }

    const result: Record<string, Tensor> = {};
    for (const f of fetches) {
      const t = values.get(f);
      if (!t) throw new EdgeError('INTERNAL', `output '${f}' was not computed`);
      result[f] = t;
    }
    return result;
  }

  async release(): Promise<void> {
    this.released = true;
  }

  /** Types and shapes of every value after inference (for tools such as inspect). */
  get valueTypes(): ReadonlyMap<string, { dtype: DataType; shape?: Dim[] }> {
    return this.verified.types;
  }

  /** Values computed at load time. */
  get constants(): ReadonlyMap<string, Tensor> {
    return this.verified.constants;
  }

  private metadata(name: string): ValueMetadata {
    const t = this.verified.types.get(name);
    if (!t) throw new EdgeError('INTERNAL', `no type for '${name}'`);
    return { name, isTensor: true, type: t.dtype, shape: (t.shape ?? []).map((d) => d ?? '?') };
  }
}

function bindDimensions(model: Model, sizes: Record<string, number>): Model {
  for (const [name, size] of Object.entries(sizes)) {
    if (!Number.isInteger(size) || size < 0) throw new EdgeError('INPUT_INVALID', `freeDimensionOverrides: '${name}' must be a non-negative integer, got ${size}`);
  }
  const inputs = model.graph.inputs.map((input) => {
    const shape = input.type?.shape;
    if (!input.type || !shape) return input;
    return { ...input, type: { ...input.type, shape: shape.map((d) => (typeof d === 'string' && d in sizes ? sizes[d] : d)) } };
  });
  return { ...model, graph: { ...model.graph, inputs } };
}
