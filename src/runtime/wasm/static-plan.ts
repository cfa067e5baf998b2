// A compiled execution plan for one set of input shapes: every value has a static shape and a slot in
// one arena inside WebAssembly memory; each node runs a prepared WebAssembly kernel on arena offsets,
// or the reference kernel on views of the arena (copying its result into the planned slot).

import { EdgeError } from '../../errors.js';
import { describeNode, type Model, type Node } from '../../ir/graph.js';
import { staticShape, verifyModel } from '../../ir/verify.js';
import { callKernel, opKey, type KernelContext, type OpDef, type OpTable } from '../../kernels/op-def.js';
import { DTYPES, type DataType, type TypedArray } from '../../tensor/dtype.js';
import { formatShape, sizeOf } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { callWithArgs, MAX_KERNEL_ARGS } from '../../kernels/wasm/call-args.js';
import { planArena, type ArenaPlan } from '../memory-plan.js';
import type { KernelPool } from '../threads/kernel-pool.js';
import type { PreparedKernel, WasmKernelTable, WasmKernels } from './kernel-def.js';
import type { ConstantCache } from './constant-cache.js';
import { ownedKernels, type OwnedKernels } from './owned-kernels.js';

interface Slot {
  name: string;
  /** Index of the arena buffer holding the data: shared by a value and its reshaped aliases. */
  storage: number;
  dtype: DataType;
  dims: number[];
  /** Byte offset in WebAssembly memory (arena base + planned offset). */
  offset: number;
  bytes: number;
}

interface WasmStep {
  node: Node;
  kernel: PreparedKernel;
  inputs: Int32Array;
  outputs: Int32Array;
  scratch: number;
  /** The node cut across threads: the kernel's arguments for each thread's share (share 0 runs here). */
  shares?: Float64Array[];
}

/**
 * Below this many multiply-accumulates a node runs whole on one thread: a handoff costs about a microsecond
 * (~15,000 MACs); measured on DS-CNN, 30,000 lost time and 60,000 gained 1.65x on 2 threads.
 */
const MIN_PARALLEL_MACS = 60_000;

interface RefStep {
  node: Node;
  op: OpDef;
  ctx: KernelContext;
  /** Slot index per input (-1: omitted or constant, see `constantInputs`). */
  inputs: number[];
  constantInputs: (Tensor | undefined)[];
  outputs: number[];
}

export interface StaticPlanStats {
  arena: ArenaPlan;
  /** Kernel chosen per node, in execution order. */
  kernels: { node: string; op: string; kernel: string }[];
}

/** Ops whose output is their input with other dims: they share its arena buffer and run nothing. */
const ALIAS_OPS = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity']);

/** Thrown by `buildStaticPlan` when a shape cannot be known before running (data-dependent ops). */
export class NotStaticError extends Error {}

export class StaticPlan {
  readonly stats: StaticPlanStats;
  private readonly steps: (WasmStep | RefStep)[] = [];
  private readonly slots: Slot[] = [];
  private readonly inputSlots: number[];
  private readonly outputSlots: number[];
  private views: TypedArray[] = [];
  private tensors: Tensor[] = [];
  private buffer: ArrayBuffer | undefined;
  /** The kernels through which this plan allocates: release() gives all of it back. */
  private readonly wasm: OwnedKernels;
  private released = false;

  constructor(
    wasm: WasmKernels,
    /** The session's packed weights, shared by its plans. */
    private readonly constants: ConstantCache,
    model: Model,
    inputNames: readonly string[],
    inputDims: readonly (readonly number[])[],
    ops: OpTable,
    wasmKernels: WasmKernelTable,
    private readonly pool?: KernelPool,
  ) {
    this.wasm = ownedKernels(wasm);
    try {
      const built = this.build(model, inputNames, inputDims, ops, wasmKernels);
      this.stats = built.stats;
      this.inputSlots = built.inputSlots;
      this.outputSlots = built.outputSlots;
    } catch (err) {
      this.wasm.releaseAll();
      throw err;
    }
  }

  /** Gives the plan's memory (arena, tables, parameter blocks) back to the heap; the plan must not run again. */
  release(): void {
    this.released = true;
    this.wasm.releaseAll();
    this.views = [];
    this.tensors = [];
    this.buffer = undefined;
  }

  /** False once released. */
  get live(): boolean {
    return !this.released;
  }

  /** A plan runs on itself (the executor's runner interface). */
  uses(plan: StaticPlan): boolean {
    return plan === this;
  }

  /** Bytes this plan holds in the kernels' heap (its arena, tables and parameter blocks; not the shared weights). */
  get heapBytes(): number {
    return this.wasm.ownedBytes;
  }

  private assertLive(): void {
    // Its memory may belong to another plan by now: running would read and write someone else's bytes.
    if (this.released) throw new EdgeError('INTERNAL', 'a released static plan was run');
  }

  private build(
    model: Model,
    inputNames: readonly string[],
    inputDims: readonly (readonly number[])[],
    ops: OpTable,
    wasmKernels: WasmKernelTable,
  ): { stats: StaticPlanStats; inputSlots: number[]; outputSlots: number[] } {
    const bound = bindInputs(model, inputNames, inputDims);
    const verified = verifyModel(bound, ops);
    const opset = verified.opset;
    const slotOf = new Map<string, number>();
    const lifetimes: { name: string; bytes: number; firstStep: number; lastStep: number }[] = [];
    const kernels: StaticPlanStats['kernels'] = [];
    const order = verified.order.filter((n) => !n.outputs.every((o) => !o || verified.constants.has(o)));
    const lastStep = order.length;
    /** Scratch layout of each WebAssembly step (one offset per share), from its kernel and the pool. */
    const layouts = new Map<WasmStep, { offsets: number[]; bytes: number }>();

    const addSlot = (name: string, firstStep: number): number => {
      const type = verified.types.get(name);
      const dims = staticShape(type?.shape);
      if (!type || !dims) throw new NotStaticError(`value '${name}' has no static shape ${formatShape((type?.shape ?? []).map((d) => d ?? '?'))}`);
      const bytes = sizeOf(dims) * DTYPES[type.dtype].bytes;
      slotOf.set(name, this.slots.length);
      this.slots.push({ name, storage: lifetimes.length, dtype: type.dtype, dims, offset: 0, bytes });
      lifetimes.push({ name, bytes, firstStep, lastStep: firstStep });
      return this.slots.length - 1;
    };
    const use = (name: string, step: number) => {
      const i = slotOf.get(name)!;
      const life = lifetimes[this.slots[i]!.storage]!;
      life.lastStep = Math.max(life.lastStep, step);
      return i;
    };
    const alias = (name: string, of: number) => {
      const type = verified.types.get(name);
      const dims = staticShape(type?.shape);
      if (!type || !dims) throw new NotStaticError(`value '${name}' has no static shape`);
      slotOf.set(name, this.slots.length);
      this.slots.push({ ...this.slots[of]!, name, dims });
    };

    const inputSlots = inputNames.map((name) => addSlot(name, 0));
    order.forEach((node, step) => {
      if (ALIAS_OPS.has(opKey(node)) && node.inputs[0] && slotOf.has(node.inputs[0]) && node.outputs[0] && node.outputs.length === 1) {
        alias(node.outputs[0], use(node.inputs[0], step));
        kernels.push({ node: node.name, op: node.op, kernel: 'alias (no copy)' });
        return;
      }
      const constant = (i: number) => (node.inputs[i] ? verified.constants.get(node.inputs[i]!) : undefined);
      const inputSlots = node.inputs.map((name) => (name && !verified.constants.has(name) ? use(name, step) : -1));
      const outputSlots = node.outputs.map((name) => (name ? addSlot(name, step) : -1));
      const factory = wasmKernels[opKey(node)];
      const prepared = factory?.({
        node,
        opset,
        inputs: node.inputs.map((n) => (n ? verified.types.get(n) : undefined)),
        outputs: node.outputs.map((n) => verified.types.get(n)!),
        constant,
        wasm: this.wasm,
        once: (key, make) => this.constants.once(node, key, make),
      });
      if (prepared) {
        // A node cut across threads gets one scratch per share.
        const layout = shareScratch(prepared, this.sharesOf(prepared));
        const scratchBytes = layout.bytes;
        const scratchSlot = scratchBytes > 0 ? this.slots.length : -1;
        if (scratchSlot >= 0) {
          this.slots.push({ name: `${node.name}#scratch`, storage: lifetimes.length, dtype: 'uint8', dims: [scratchBytes], offset: 0, bytes: scratchBytes });
          lifetimes.push({ name: `${node.name}#scratch`, bytes: scratchBytes, firstStep: step, lastStep: step });
        }
        const wasmStep: WasmStep = { node, kernel: prepared, inputs: Int32Array.from(inputSlots), outputs: Int32Array.from(outputSlots), scratch: scratchSlot };
        this.steps.push(wasmStep);
        layouts.set(wasmStep, layout);
        const shares = layout.offsets.length;
        kernels.push({ node: node.name, op: node.op, kernel: shares > 1 ? `${prepared.name} (${shares} threads)` : prepared.name });
      } else {
        const constantInputs = node.inputs.map((_, i) => constant(i));
        this.steps.push({ node, op: ops[opKey(node)]!, ctx: { node, opset }, inputs: inputSlots, constantInputs, outputs: outputSlots });
        kernels.push({ node: node.name, op: node.op, kernel: 'reference' });
      }
    });
    const outputNames = model.graph.outputs.map((o) => o.name);
    const outputSlots = outputNames.map((name) => {
      const i = slotOf.get(name);
      if (i === undefined) throw new NotStaticError(`output '${name}' is a constant`);
      lifetimes[this.slots[i]!.storage]!.lastStep = lastStep;
      return i;
    });

    const arena = planArena(lifetimes);
    const base = this.wasm.alloc(Math.max(arena.arenaBytes, 16), 16);
    for (const slot of this.slots) slot.offset = base + arena.placements[slot.storage]!.offset;
    // Slot indices become byte offsets for the WebAssembly steps.
    for (const s of this.steps) {
      if (!('kernel' in s)) continue;
      s.inputs = s.inputs.map((i) => (i < 0 ? -1 : this.slots[i]!.offset));
      s.outputs = s.outputs.map((i) => (i < 0 ? -1 : this.slots[i]!.offset));
      s.scratch = s.scratch < 0 ? 0 : this.slots[s.scratch]!.offset;
      const layout = layouts.get(s)!;
      if (layout.offsets.length > 1) s.shares = shareArgs(s.kernel, s.inputs, s.outputs, s.scratch, layout.offsets);
    }
    return { stats: { arena, kernels }, inputSlots, outputSlots };
  }

  /** Runs with feeds already validated against the plan's input shapes. */
  run(feeds: readonly Tensor[], fetch: readonly boolean[]): Tensor[] {
    this.assertLive();
    this.refreshViews();
    for (let i = 0; i < this.inputSlots.length; i++) copyInto(this.views[this.inputSlots[i]!]!, feeds[i]!);
    for (const step of this.steps) {
      if ('kernel' in step) {
        try {
          this.runStep(step);
        } catch (err) {
          throw new EdgeError('INTERNAL', `${describeNode(step.node)}: WebAssembly kernel ${step.kernel.name} failed: ${(err as Error).message}`, {
            node: step.node.name,
            op: step.node.op,
            cause: err,
          });
        }
        continue;
      }
      this.runReference(step);
    }
    const result: Tensor[] = [];
    for (let i = 0; i < this.outputSlots.length; i++) {
      if (!fetch[i]) continue;
      const slot = this.outputSlots[i]!;
      const s = this.slots[slot]!;
      result.push(new Tensor(s.dtype, this.views[slot]!.slice(), s.dims));
    }
    return result;
  }

  /** Median time of each step over `runs` runs (per-op breakdown for inspect, bench and EDGEINFER_DEBUG=3). */
  profile(feeds: readonly Tensor[], runs: number): { node: string; op: string; kernel: string; ms: number }[] {
    this.assertLive();
    const times = this.steps.map(() => [] as number[]);
    for (let r = 0; r < runs; r++) {
      this.refreshViews();
      this.inputSlots.forEach((slot, i) => copyInto(this.views[slot]!, feeds[i]!));
      this.steps.forEach((step, i) => {
        const t0 = performance.now();
        if ('kernel' in step) this.runStep(step);
        else this.runReference(step);
        times[i]!.push(performance.now() - t0);
      });
    }
    return this.steps.map((step, i) => {
      const sorted = times[i]!.sort((a, b) => a - b);
      return { node: step.node.name, op: step.node.op, kernel: 'kernel' in step ? step.kernel.name : 'reference', ms: sorted[sorted.length >> 1] ?? 0 };
    });
  }

  /** Threads a prepared kernel is cut across: 1 unless a pool runs and the node is large enough to pay. */
  private sharesOf(kernel: PreparedKernel): number {
    const p = kernel.partition;
    if (!this.pool || !p || p.macs < MIN_PARALLEL_MACS) return 1;
    return Math.min(this.pool.threads, p.units);
  }

  /** Runs a WebAssembly step: whole here, or one share here and the others on the pool's workers at once. */
  private runStep(step: WasmStep): void {
    const shares = step.shares;
    const pool = this.pool;
    if (!shares || !pool || pool.threads < shares.length) {
      step.kernel.run(step.inputs, step.outputs, step.scratch);
      return;
    }
    const kernel = step.kernel.partition!.kernel;
    const fn = this.wasm.fn[kernel] as (...args: number[]) => unknown;
    for (let k = 1; k < shares.length; k++) pool.post(k - 1, kernel, shares[k]!);
    callWithArgs(fn, shares[0]!);
    // A worker that failed or stopped leaves its share to this thread.
    for (let k = 1; k < shares.length; k++) if (!pool.finish(k - 1)) callWithArgs(fn, shares[k]!);
  }

  private runReference(step: RefStep): void {
    const inputs = step.inputs.map((slot, i) => (slot >= 0 ? this.tensors[slot] : step.constantInputs[i]));
    const outputs = callKernel(step.op, step.ctx, inputs);
    step.outputs.forEach((slot, i) => {
      if (slot < 0) return;
      const t = outputs[i];
      const s = this.slots[slot]!;
      if (!t || t.type !== s.dtype || t.size !== sizeOf(s.dims)) {
        throw new EdgeError('INTERNAL', `${describeNode(step.node)}: output ${i} is ${t?.type} ${formatShape(t?.dims ?? [])}, planned ${s.dtype} ${formatShape(s.dims)}`);
      }
      copyInto(this.views[slot]!, t);
    });
  }

  /** WebAssembly memory growth detaches old views: rebuild them when the buffer changed. */
  private refreshViews(): void {
    const buffer = this.wasm.memory.buffer;
    if (buffer === this.buffer) return;
    this.buffer = buffer;
    this.views = this.slots.map((s) => new DTYPES[s.dtype].array(buffer, s.offset, sizeOf(s.dims)));
    this.tensors = this.slots.map((s, i) => new Tensor(s.dtype, this.views[i]!, s.dims));
  }
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** Units [begin, end) of each of `shares` near-equal contiguous ranges. */
function shareRanges(units: number, shares: number): [number, number][] {
  return Array.from({ length: shares }, (_, k) => [Math.floor((k * units) / shares), Math.floor(((k + 1) * units) / shares)]);
}

/**
 * Where each share's scratch starts (from the step's scratch), and the bytes of them all: a share needs what
 * its own narrowed geometry needs, which can be more than the whole node's (a blocked kernel takes more rows
 * per block when it has fewer channels); at least the whole node's, for runs that do not cut it.
 */
function shareScratch(kernel: PreparedKernel, shares: number): { offsets: number[]; bytes: number } {
  const p = kernel.partition;
  if (shares <= 1 || !p) return { offsets: [0], bytes: align16(kernel.scratchBytes) };
  const offsets: number[] = [];
  let bytes = 0;
  for (const [begin, end] of shareRanges(p.units, shares)) {
    offsets.push(bytes);
    bytes += align16(p.scratchBytes?.(begin, end) ?? kernel.scratchBytes);
  }
  return { offsets, bytes: Math.max(bytes, align16(kernel.scratchBytes)) };
}

/** The kernel's arguments for each share (near-equal contiguous ranges of its units), each at its own scratch offset. */
function shareArgs(kernel: PreparedKernel, inputs: Int32Array, outputs: Int32Array, scratch: number, offsets: readonly number[]): Float64Array[] {
  const p = kernel.partition!;
  return shareRanges(p.units, offsets.length).map(([begin, end], k) => {
    const args = new Float64Array(MAX_KERNEL_ARGS);
    args.set(p.args(inputs, outputs, scratch + offsets[k]!, begin, end));
    return args;
  });
}

function copyInto(view: TypedArray, t: Tensor): void {
  (view as Float32Array).set(t.data as Float32Array);
}

/** The model with its graph inputs' shapes replaced by concrete ones. */
function bindInputs(model: Model, names: readonly string[], dims: readonly (readonly number[])[]): Model {
  const byName = new Map(names.map((n, i) => [n, dims[i]!]));
  const inputs = model.graph.inputs.map((input) => {
    const d = byName.get(input.name);
    return d && input.type ? { ...input, type: { ...input.type, shape: d.slice() } } : input;
  });
  return { ...model, graph: { ...model.graph, inputs } };
}
