// The contract of a WebAssembly-backed kernel: prepare once per static shape (validate, size scratch; weights
// packed once per session through ctx.once), then run with arena byte offsets only — no allocation, no validation.

import type { Node, ValueType } from '../../ir/graph.js';
import type { KernelName } from '../../kernels/wasm/kernel-functions.js';
import type { Tensor } from '../../tensor/tensor.js';

/** The WebAssembly module: kernel functions, its memory and an allocator for weights and arenas. */
export type { WasmKernels } from '../../kernels/wasm/module.js';
import type { WasmKernels } from '../../kernels/wasm/module.js';

export interface WasmKernelContext {
  node: Node;
  opset: number;
  /** Static types of the node's inputs ('' inputs are undefined). */
  inputs: (ValueType | undefined)[];
  outputs: ValueType[];
  /** Value of input i when it is a load-time constant (weights, biases, shapes). */
  constant(i: number): Tensor | undefined;
  /** Allocations through it belong to the plan being built: they are freed with it. */
  wasm: WasmKernels;
  /**
   * What the node's constants alone determine (weights packed for a kernel, the kernel chosen for them), made once
   * per session and shared by all its plans: `make` allocates through the `wasm` it is given, held until the session
   * is released. `key` names what is made; the node is implied.
   */
  once<T>(key: string, make: (wasm: WasmKernels) => T): T;
}

/**
 * A node's work cut into independent units (output channels in blocks of 4, batch rows, ...) that threads run
 * in contiguous ranges at the same time, each calling the same kernel on its own range: the intra-op threads
 * (runtime/threads/kernel-pool.ts) hand a range's arguments to another thread's instance of the shared build.
 */
export interface KernelPartition {
  kernel: KernelName;
  units: number;
  /** Multiply-accumulates of the whole node: a node too small to pay for a handoff stays on one thread. */
  macs: number;
  /**
   * The kernel's arguments for units [begin, end) (at most MAX_KERNEL_ARGS), computed once per plan; `scratch`
   * is this range's own scratch (scratchBytes of it).
   */
  args(inputs: Int32Array, outputs: Int32Array, scratch: number, begin: number, end: number): number[];
  /** Scratch bytes of the range [begin, end) (default: the whole node's scratchBytes). */
  scratchBytes?(begin: number, end: number): number;
}

export interface PreparedKernel {
  /** Name of the implementation chosen (e.g. f32_gemm_4x8__wasmsimd), for EDGEINFER_DEBUG and inspect. */
  name: string;
  /** Scratch bytes needed while the kernel runs (placed in the arena, live for this step only). */
  scratchBytes: number;
  /**
   * Runs the node. `inputs[i]` is the arena offset of input i, or -1 when it is a constant the kernel
   * captured at prepare time; `outputs[i]` likewise; `scratch` is the scratch offset.
   */
  run(inputs: Int32Array, outputs: Int32Array, scratch: number): void;
  /** How the work can be cut across threads; absent: the node runs on one thread. */
  partition?: KernelPartition;
}

/** Returns undefined when this kernel cannot run the node as configured (the reference kernel runs it). */
export type WasmKernelFactory = (ctx: WasmKernelContext) => PreparedKernel | undefined;

export type WasmKernelTable = Record<string, WasmKernelFactory>;
