// Runs a model on the WebAssembly backend: one static plan per set of input shapes (built on first
// use, then cached), so a steady-state run allocates nothing but the output tensors it returns. A batch
// whose activations would not stay in cache runs in chunks of rows, each on the plan for that many rows.

import type { Model } from '../../ir/graph.js';
import type { OpTable } from '../../kernels/op-def.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { KernelPool } from '../threads/kernel-pool.js';
import { batchSymbol, concatRows, sliceRows } from '../batch-rows.js';
import type { WasmKernelTable, WasmKernels } from './kernel-def.js';
import { NotStaticError, StaticPlan } from './static-plan.js';

/** Plans kept per session; a model fed many different shapes rebuilds the oldest. */
const MAX_PLANS = 8;

/**
 * A batch whose arena would pass this runs in chunks of rows whose arena stays within it: layer by layer over
 * a whole batch, activations larger than the cache go to DRAM and back at every layer (MobileNetV2 at batch
 * 32: 184 MB, 14% slower per sample than batch 1); a chunk's stay in L2/L3. Also bounds the arena.
 */
const CHUNK_ARENA_BYTES = 8 * 1024 * 1024;

/** What runs one set of input shapes: their static plan, or chunks of rows on smaller plans. */
interface Runner {
  run(feeds: readonly Tensor[], fetch: readonly boolean[]): Tensor[];
}

export class WasmExecutor {
  private readonly plans = new Map<string, StaticPlan>();
  private readonly runners = new Map<string, Runner | null>();
  private last: Runner | undefined;
  private lastDims: (readonly number[])[] = [];
  private readonly feedList: Tensor[];
  /** Whether dim 0 of every input and output is one symbolic batch (runs can then be cut into row chunks). */
  private readonly batched: boolean;

  constructor(
    private readonly model: Model,
    private readonly inputNames: readonly string[],
    private readonly ops: OpTable,
    private readonly kernels: WasmKernelTable,
    private readonly wasm: WasmKernels,
    /** Intra-op threads: nodes with a partition run cut across them. */
    private readonly pool?: KernelPool,
  ) {
    this.feedList = new Array<Tensor>(inputNames.length);
    const shapeInfo = (v: { name: string; type?: { shape?: readonly unknown[] } }) => ({ name: v.name, shape: (v.type?.shape ?? []).map((d) => (typeof d === 'number' || typeof d === 'string' ? d : '?')) });
    const inputs = model.graph.inputs.filter((i) => inputNames.includes(i.name)).map(shapeInfo);
    this.batched = batchSymbol(inputs, model.graph.outputs.map(shapeInfo)) !== undefined;
  }

  /** The whole-batch plan for these input shapes (building it if needed); exposed for inspect and benchmarks. */
  planFor(dims: readonly (readonly number[])[]): StaticPlan | undefined {
    const key = dimsKey(dims);
    let plan = this.plans.get(key);
    if (!plan) {
      if (this.plans.size >= MAX_PLANS) this.plans.delete(this.plans.keys().next().value!);
      try {
        plan = new StaticPlan(this.wasm, this.model, this.inputNames, dims, this.ops, this.kernels, this.pool);
      } catch (err) {
        if (err instanceof NotStaticError) return undefined;
        throw err;
      }
      this.plans.set(key, plan);
    }
    return plan;
  }

  /** The outputs, or undefined when no static plan exists for these shapes (data-dependent shapes). */
  run(feeds: Record<string, Tensor>, fetch: readonly boolean[]): Tensor[] | undefined {
    for (let i = 0; i < this.inputNames.length; i++) this.feedList[i] = feeds[this.inputNames[i]!]!;
    // Same shapes as last time: no lookup, no allocation.
    if (!this.last || !sameDims(this.lastDims, this.feedList)) {
      const dims = this.feedList.map((t) => t.dims);
      this.last = this.runnerFor(dims);
      this.lastDims = dims.map((d) => d.slice());
    }
    return this.last?.run(this.feedList, fetch);
  }

  /** Rows per chunk for a batch of these shapes: the whole batch unless its arena would pass CHUNK_ARENA_BYTES. */
  chunkRows(dims: readonly (readonly number[])[]): number {
    const n = dims[0]?.[0] ?? 1;
    if (!this.batched || n <= 1) return n;
    const perRow = this.planFor(dims.map((d) => [1, ...d.slice(1)]))?.stats.arena.arenaBytes;
    if (perRow === undefined) return n;
    return Math.max(1, Math.min(n, Math.floor(CHUNK_ARENA_BYTES / Math.max(1, perRow))));
  }

  private runnerFor(dims: readonly (readonly number[])[]): Runner | undefined {
    const key = dimsKey(dims);
    if (!this.runners.has(key)) {
      const n = dims[0]?.[0] ?? 1;
      const rows = this.chunkRows(dims);
      this.runners.set(key, rows < n ? new ChunkedRun(this, rows, this.model.graph.outputs.map((o) => o.name)) : null);
    }
    return this.runners.get(key) ?? this.planFor(dims);
  }
}

/** A batch run as consecutive chunks of `rows` rows (the last may be shorter), outputs put back together. */
class ChunkedRun implements Runner {
  constructor(
    private readonly executor: WasmExecutor,
    private readonly rows: number,
    private readonly outputNames: readonly string[],
  ) {}

  run(feeds: readonly Tensor[], fetch: readonly boolean[]): Tensor[] {
    const n = feeds[0]!.dims[0]!;
    const parts: Tensor[][] = [];
    const counts: number[] = [];
    for (let start = 0; start < n; start += this.rows) {
      const rows = Math.min(this.rows, n - start);
      const chunk = feeds.map((t) => sliceRows(t, start, rows));
      parts.push(this.executor.planFor(chunk.map((t) => t.dims))!.run(chunk, fetch));
      counts.push(rows);
    }
    const names = this.outputNames.filter((_, i) => fetch[i]);
    return names.map((name, j) => concatRows(name, parts[0]![j]!.type, parts.map((p) => p[j]!), counts));
  }
}

const dimsKey = (dims: readonly (readonly number[])[]) => dims.map((d) => d.join('x')).join(',');

function sameDims(a: readonly (readonly number[])[], feeds: readonly Tensor[]): boolean {
  if (a.length !== feeds.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = feeds[i]!.dims;
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}
