// InferenceSession: the public entry point, shaped like onnxruntime-web's (create, run, release).

import { debugLog } from '../env.js';
import { EdgeError } from '../errors.js';
import { readOnnx } from '../formats/onnx/reader.js';
import type { Dim, Model } from '../ir/graph.js';
import { verifyModel, type VerifiedGraph } from '../ir/verify.js';
import type { OpTable } from '../kernels/op-def.js';
import { optimizeModel } from '../passes/index.js';
import { referenceOps } from '../kernels/ref/index.js';
import type { DataType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { FeedValidator } from './feeds.js';
import { loadModelFile } from './load-file.js';
import { RefExecutor } from './ref-executor.js';
import { KernelPool } from './threads/kernel-pool.js';
import { loadWasmBackend, type WasmBackend } from './wasm/backend.js';
import { WasmExecutor } from './wasm/wasm-executor.js';
import type { StaticPlanStats } from './wasm/static-plan.js';

export interface SessionOptions {
  /** Kernel set: 'wasm' (WebAssembly kernels on a static memory plan) or 'ref' (TypeScript reference kernels). */
  backend?: 'wasm' | 'ref';
  /** 'all' (default) runs the graph passes at load (fusions, folding); 'disabled' runs the graph as given. */
  graphOptimizationLevel?: 'disabled' | 'all';
  /** Binds symbolic input dimensions to sizes, e.g. { batch: 1 }, so every shape becomes static. */
  freeDimensionOverrides?: Record<string, number>;
  /**
   * Threads one run may use (default 1). With N > 1 on the wasm backend, N − 1 workers share this thread's
   * WebAssembly memory and every large enough node (Conv, Gemm, MatMul) is cut into N shares run at once,
   * batch 1 included. This needs SharedArrayBuffer (in browsers, a cross-origin isolated page) and the
   * SIMD128 kernels; elsewhere, and on the ref backend, runs stay on one thread (EDGEINFER_DEBUG=1 says why).
   */
  intraOpNumThreads?: number;
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
  readonly backend: 'wasm' | 'ref';
  private readonly verified: VerifiedGraph;
  private readonly ref: RefExecutor;
  private readonly wasm: WasmExecutor | undefined;
  private readonly overridable: Set<string>;
  private readonly fetchAll: boolean[];
  private readonly feeds: FeedValidator;
  private pool: KernelPool | undefined;
  private released = false;

  private constructor(model: Model, ops: OpTable, backend: WasmBackend | undefined, pool?: KernelPool) {
    this.model = model;
    this.verified = verifyModel(model, ops);
    this.ref = new RefExecutor(model, this.verified, ops);
    this.inputNames = this.verified.feedInputs;
    this.outputNames = model.graph.outputs.map((o) => o.name);
    this.overridable = new Set(model.graph.inputs.filter((i) => model.graph.initializers.has(i.name)).map((i) => i.name));
    this.inputMetadata = this.inputNames.map((n) => this.metadata(n));
    this.outputMetadata = this.outputNames.map((n) => this.metadata(n));
    this.fetchAll = this.outputNames.map(() => true);
    this.feeds = new FeedValidator(this.inputNames, this.overridable, this.verified.types);
    // Models whose inputs can be overridden by feeds keep the reference path (their weights are not constants).
    this.wasm = backend && this.overridable.size === 0 ? new WasmExecutor(model, this.inputNames, ops, backend.kernels, backend.memory, pool) : undefined;
    this.pool = this.wasm ? pool : undefined;
    this.backend = backend ? 'wasm' : 'ref';
    if (this.wasm) unreleased.register(this, this.wasm, this);
  }

  /** Loads a model from a file path (Node), bytes, or an IR Model. */
  static async create(source: string | Uint8Array | ArrayBuffer | Model, options: SessionOptions = {}): Promise<InferenceSession> {
    const backend = options.backend ?? 'wasm';
    if (backend !== 'ref' && backend !== 'wasm') throw new EdgeError('INPUT_INVALID', `unknown backend '${String(backend)}'; available: wasm, ref`);
    const threads = options.intraOpNumThreads ?? 1;
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
      throw new EdgeError('INPUT_INVALID', `intraOpNumThreads must be an integer from 1 to 256, got ${String(threads)}`, { expected: '1..256', actual: threads });
    }
    const level = options.graphOptimizationLevel ?? 'all';
    if (level !== 'all' && level !== 'disabled') throw new EdgeError('INPUT_INVALID', `unknown graphOptimizationLevel '${String(level)}'; available: all, disabled`);
    let model: Model;
    if (typeof source === 'string') model = await loadModelFile(source);
    else if (source instanceof Uint8Array) model = readOnnx(source);
    else if (source instanceof ArrayBuffer) model = readOnnx(new Uint8Array(source));
    else if (source && typeof source === 'object' && 'graph' in source) model = source;
    else throw new EdgeError('INPUT_INVALID', 'InferenceSession.create() needs a file path, bytes or a Model');
    if (options.freeDimensionOverrides) model = bindDimensions(model, options.freeDimensionOverrides);
    if (level === 'all') model = optimizeModel(model, referenceOps);
    const kernelThreads = backend === 'wasm' && threads > 1 ? await startKernelThreads(threads) : undefined;
    const wasmBackend = backend === 'wasm' ? (kernelThreads?.backend ?? (await loadWasmBackend())) : undefined;
    const session = new InferenceSession(model, referenceOps, wasmBackend, kernelThreads?.pool);
    if (kernelThreads && !session.pool) await kernelThreads.pool.release(); // the model runs on the reference path
    return session;
  }

  /** Threads a run uses now: 1 unless intraOpNumThreads > 1 and workers run (see SessionOptions). */
  get intraOpNumThreads(): number {
    return this.pool?.threads ?? 1;
  }

  async run(feeds: Record<string, Tensor>, options?: RunOptions | string[]): Promise<Record<string, Tensor>> {
    return this.runSync(feeds, options);
  }

  /** Synchronous run: the same as run() without the promise (for tight benchmark loops). */
  runSync(feeds: Record<string, Tensor>, options?: RunOptions | string[]): Record<string, Tensor> {
    if (this.released) throw new EdgeError('INPUT_INVALID', 'run(): the session was released');
    const fetches = Array.isArray(options) ? options : (options?.fetches ?? this.outputNames);
    for (const f of fetches) {
      if (!this.outputNames.includes(f)) {
        throw new EdgeError('INPUT_INVALID', `fetch '${f}' is not an output of this model; its outputs are: ${this.outputNames.join(', ')}`, {
          expected: this.outputNames,
          actual: f,
        });
      }
    }
    this.feeds.validate(feeds);
    return this.runChecked(feeds, fetches);
  }

  /** One run; feeds and fetches already checked. */
  private runChecked(feeds: Record<string, Tensor>, fetches: readonly string[]): Record<string, Tensor> {
    if (!this.wasm) return this.ref.run(feeds, fetches);
    const all = fetches === this.outputNames;
    const tensors = this.wasm.run(feeds, all ? this.fetchAll : this.outputNames.map((n) => fetches.includes(n)));
    if (!tensors) return this.ref.run(feeds, fetches);
    const result: Record<string, Tensor> = {};
    let k = 0;
    for (const name of this.outputNames) if (all || fetches.includes(name)) result[name] = tensors[k++]!;
    return result;
  }

  /**
   * Median time of every step over `runs` runs on the wasm backend, in execution order: where the time
   * goes (per-op breakdown). Feeds are given in inputNames order.
   */
  profile(feeds: readonly Tensor[], runs = 100): { node: string; op: string; kernel: string; ms: number }[] {
    const record = Object.fromEntries(this.inputNames.map((n, i) => [n, feeds[i]!]));
    this.feeds.validate(record);
    const plan = this.wasm?.planFor(feeds.map((t) => t.dims));
    if (!plan) throw new EdgeError('INPUT_INVALID', 'profile() needs the wasm backend and static shapes');
    plan.run(feeds, this.fetchAll); // warm-up
    return plan.profile(feeds, runs);
  }

  /**
   * The wasm backend's static plan for these input dims (built now if needed): arena bytes and kernel
   * per node, for benchmarks and inspect. Undefined on the ref backend or for data-dependent shapes.
   */
  planStats(dims: readonly (readonly number[])[]): StaticPlanStats | undefined {
    if (!this.wasm) return undefined;
    // A batch run in chunks of rows: the plan of its largest chunk.
    const rows = this.wasm.chunkRows(dims)[0]!;
    return this.wasm.planFor(dims.map((d, i) => (i === 0 ? [rows, ...d.slice(1)] : d)))?.stats;
  }

  /** Ends the session: stops its worker threads, if any; later runs throw. */
  async release(): Promise<void> {
    this.released = true;
    // Its plans' memory (packed weights, arenas) goes back to the process-wide kernel heap.
    this.wasm?.release();
    unreleased.unregister(this);
    const pool = this.pool;
    this.pool = undefined;
    await pool?.release();
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

/** The shared-memory kernels and threads − 1 workers on them, or undefined (logged) where that cannot run. */
async function startKernelThreads(threads: number): Promise<{ backend: WasmBackend; pool: KernelPool } | undefined> {
  try {
    const backend = await loadWasmBackend({ shared: true });
    return { backend, pool: await KernelPool.start(backend.memory, threads - 1) };
  } catch (err) {
    debugLog(1, `intraOpNumThreads=${threads} unused: ${(err as Error).message}; running single-threaded`);
    return undefined;
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

/**
 * Sessions dropped without release(): their plans' memory goes back to the kernel heap when they are collected
 * (the heap serves the whole process; it would otherwise only grow).
 */
const unreleased = new FinalizationRegistry<WasmExecutor>((executor) => executor.release());
