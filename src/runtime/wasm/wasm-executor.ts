// Runs a model on the WebAssembly backend: one static plan per set of input shapes (built on first
// use, then cached), so a steady-state run allocates nothing but the output tensors it returns. A batch
// runs in chunks of rows whose sizes are powers of two (13 = 8 + 4 + 1), each on the plan for that many
// rows: however many batch sizes come (a dynamic batcher forms every size up to its maximum), a session
// keeps a handful of plans; and a chunk's activations stay in cache.

import type { Model } from '../../ir/graph.js';
import type { OpTable } from '../../kernels/op-def.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { KernelPool } from '../threads/kernel-pool.js';
import { batchSymbol, concatRows, sliceRows } from '../batch-rows.js';
import type { WasmKernelTable, WasmKernels } from './kernel-def.js';
import { ConstantCache } from './constant-cache.js';
import { NotStaticError, StaticPlan } from './static-plan.js';

/** Plans kept per session (batch chunks of 1, 2, 4 ... 128 rows fit); a model fed many other shapes rebuilds the oldest. */
const MAX_PLANS = 12;

/** Most rows in one chunk. */
const MAX_CHUNK_ROWS = 128;

/**
 * A chunk's arena stays within this (one row at least): layer by layer over a whole batch, activations larger
 * than the cache go to DRAM and back at every layer (MobileNetV2 at batch 32: 184 MB, 14% slower per sample
 * than batch 1); a chunk's stay in L2/L3. Also bounds the arena.
 */
const CHUNK_ARENA_BYTES = 8 * 1024 * 1024;

/** What runs one set of input shapes: their static plan, or chunks of rows on smaller plans. */
interface Runner {
  run(feeds: readonly Tensor[], fetch: readonly boolean[]): Tensor[];
  /** Whether it runs on this plan. */
  uses(plan: StaticPlan): boolean;
}

export class WasmExecutor {
  private readonly plans = new Map<string, StaticPlan>();
  /** Packed weights and the kernels chosen for them, shared by every plan. */
  private readonly constants: ConstantCache;
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
    this.constants = new ConstantCache(wasm);
    this.feedList = new Array<Tensor>(inputNames.length);
    const shapeInfo = (v: { name: string; type?: { shape?: readonly unknown[] } }) => ({ name: v.name, shape: (v.type?.shape ?? []).map((d) => (typeof d === 'number' || typeof d === 'string' ? d : '?')) });
    const inputs = model.graph.inputs.filter((i) => inputNames.includes(i.name)).map(shapeInfo);
    this.batched = batchSymbol(inputs, model.graph.outputs.map(shapeInfo)) !== undefined;
  }

  /** The whole-batch plan for these input shapes (building it if needed); exposed for inspect and benchmarks. */
  planFor(dims: readonly (readonly number[])[]): StaticPlan | undefined {
    const key = dimsKey(dims);
    let plan = this.plans.get(key);
    if (plan) {
      // Most recently used last: eviction takes the plan unused the longest.
      this.plans.delete(key);
      this.plans.set(key, plan);
      return plan;
    }
    if (this.plans.size >= MAX_PLANS) this.evict(this.plans.keys().next().value!);
    try {
      plan = new StaticPlan(this.wasm, this.constants, this.model, this.inputNames, dims, this.ops, this.kernels, this.pool);
    } catch (err) {
      if (err instanceof NotStaticError) return undefined;
      throw err;
    }
    this.plans.set(key, plan);
    return plan;
  }

  /** Gives every plan's memory and the packed weights back to the heap (the session is over); later runs build anew. */
  release(): void {
    for (const key of [...this.plans.keys()]) this.evict(key);
    this.runners.clear();
    this.last = undefined;
    this.constants.release();
  }

  /** Bytes the session holds in the kernels' heap: packed weights and the cached plans. */
  get heapBytes(): number {
    let bytes = this.constants.heapBytes;
    for (const plan of this.plans.values()) bytes += plan.heapBytes;
    return bytes;
  }

  /** Drops a plan and frees its memory, with every runner built on it (they would run on freed bytes). */
  private evict(key: string): void {
    const plan = this.plans.get(key)!;
    this.plans.delete(key);
    for (const [k, runner] of this.runners) if (runner?.uses(plan)) this.runners.delete(k);
    if (this.last?.uses(plan)) this.last = undefined;
    plan.release();
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

  /**
   * Rows of each chunk a batch of these shapes runs in: powers of two, largest first, each at most the rows
   * whose arena fits CHUNK_ARENA_BYTES; [n] (one run) for a power of two that fits, or a model without a batch dim.
   */
  chunkRows(dims: readonly (readonly number[])[]): number[] {
    const n = dims[0]?.[0] ?? 1;
    if (!this.batched || n <= 1) return [n];
    const perRow = this.planFor(dims.map((d) => [1, ...d.slice(1)]))?.stats.arena.arenaBytes;
    if (perRow === undefined) return [n];
    let most = 1;
    while (most * 2 <= MAX_CHUNK_ROWS && most * 2 * perRow <= CHUNK_ARENA_BYTES) most *= 2;
    const rows: number[] = [];
    for (let left = n; left > 0; ) {
      let size = most;
      while (size > left) size >>= 1;
      rows.push(size);
      left -= size;
    }
    return rows;
  }

  private runnerFor(dims: readonly (readonly number[])[]): Runner | undefined {
    const key = dimsKey(dims);
    if (!this.runners.has(key)) {
      const rows = this.chunkRows(dims);
      const plans = rows.length > 1 ? rows.map((r) => this.planFor(dims.map((d) => [r, ...d.slice(1)]))) : [];
      // Chunk sizes are fewer than MAX_PLANS, so building one should not evict another of the same run; if it did, run whole.
      const chunked = plans.length > 0 && plans.every((p) => p?.live === true);
      this.runners.set(key, chunked ? new ChunkedRun(rows, plans as StaticPlan[], this.model.graph.outputs.map((o) => o.name)) : null);
    }
    return this.runners.get(key) ?? this.planFor(dims);
  }
}

/** A batch run as consecutive chunks of the given row counts, each on its plan (resolved once), outputs put back together. */
class ChunkedRun implements Runner {
  constructor(
    private readonly rows: readonly number[],
    private readonly plans: readonly StaticPlan[],
    private readonly outputNames: readonly string[],
  ) {}

  uses(plan: StaticPlan): boolean {
    return this.plans.includes(plan);
  }

  run(feeds: readonly Tensor[], fetch: readonly boolean[]): Tensor[] {
    const parts: Tensor[][] = [];
    let start = 0;
    this.rows.forEach((rows, i) => {
      const chunk = feeds.map((t) => sliceRows(t, start, rows));
      parts.push(this.plans[i]!.run(chunk, fetch));
      start += rows;
    });
    const names = this.outputNames.filter((_, i) => fetch[i]);
    return names.map((name, j) => concatRows(name, parts[0]![j]!.type, parts.map((p) => p[j]!), this.rows));
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
