// Runs a model on the WebAssembly backend: one static plan per set of input shapes (built on first
// use, then cached), so a steady-state run allocates nothing but the output tensors it returns.

import type { Model } from '../../ir/graph.js';
import type { OpTable } from '../../kernels/op-def.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { KernelPool } from '../threads/kernel-pool.js';
import type { WasmKernelTable, WasmKernels } from './kernel-def.js';
import { NotStaticError, StaticPlan } from './static-plan.js';

/** Plans kept per session; a model fed many different shapes rebuilds the oldest. */
const MAX_PLANS = 8;

export class WasmExecutor {
  private readonly plans = new Map<string, StaticPlan>();
  private last: StaticPlan | undefined;
  private lastDims: (readonly number[])[] = [];
  private readonly feedList: Tensor[];

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
  }

  /** The plan for these input shapes (building it if needed); exposed for inspect and benchmarks. */
  planFor(dims: readonly (readonly number[])[]): StaticPlan | undefined {
    const key = dims.map((d) => d.join('x')).join(',');
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
    this.last = plan;
    this.lastDims = dims.map((d) => d.slice());
    return plan;
  }

  /** The outputs, or undefined when no static plan exists for these shapes (data-dependent shapes). */
  run(feeds: Record<string, Tensor>, fetch: readonly boolean[]): Tensor[] | undefined {
    for (let i = 0; i < this.inputNames.length; i++) this.feedList[i] = feeds[this.inputNames[i]!]!;
    // Same shapes as last time: no lookup, no allocation.
    const plan = this.last && sameDims(this.lastDims, this.feedList) ? this.last : this.planFor(this.feedList.map((t) => t.dims));
    return plan?.run(this.feedList, fetch);
  }
}

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
