// Numpy broadcasting for n-ary elementwise kernels: the output is walked in contiguous runs, each input
// with its own start offset and a step of 0 (repeated) or 1 (contiguous) inside the run.

import { sameShape, sizeOf } from '../../tensor/shape.js';
import { nodeError, type KernelContext } from '../op-def.js';

export interface BroadcastPlan {
  /** Output dims. */
  dims: number[];
  size: number;
  /** Length of each innermost run of the output. */
  run: number;
  /** Per input, its step inside a run: 1 when it advances, 0 when one value is repeated. */
  steps: number[];
  /** Outer dims (size-1 dims dropped, compatible neighbours merged) and per input its strides over them. */
  outer: number[];
  outerStrides: number[][];
}

/**
 * Plans the broadcast of `shapes` (numpy rules). With `target`, the output has exactly those dims and every
 * input must broadcast to them (unidirectional broadcasting, e.g. PRelu's slope).
 */
export function planBroadcast(ctx: KernelContext, shapes: readonly (readonly number[])[], target?: readonly number[]): BroadcastPlan {
  const dims = target ? target.slice() : broadcastOf(ctx, shapes);
  if (target) {
    for (const s of shapes) {
      if (!sameShape(broadcastOf(ctx, [target, s]), target)) {
        throw nodeError(ctx, 'SHAPE_MISMATCH', `shape [${s.join(',')}] cannot be broadcast to [${target.join(',')}]`, {
          expected: target,
          actual: s,
        });
      }
    }
  }
  const size = sizeOf(dims);
  // Strides of every input over the output dims, 0 where the input is broadcast.
  const strides = shapes.map((s) => {
    const out = new Array<number>(dims.length).fill(0);
    let stride = 1;
    for (let i = s.length - 1; i >= 0; i--) {
      out[dims.length - s.length + i] = s[i] === 1 ? 0 : stride;
      stride *= s[i]!;
    }
    return out;
  });
  // Drop size-1 dims, then merge a dim into its outer neighbour when every input is laid out the same way
  // across both (both contiguous or both repeated): e.g. [N,C,H,W] + [1,C,1,1] walks as [N,C] runs of H*W.
  const merged: number[] = [];
  const mergedStrides: number[][] = shapes.map(() => []);
  for (let d = 0; d < dims.length; d++) {
    const n = dims[d]!;
    if (n === 1) continue;
    const last = merged.length - 1;
    const canMerge = last >= 0 && strides.every((st, k) => mergedStrides[k]![last] === st[d]! * n);
    if (canMerge) {
      merged[last] = merged[last]! * n;
      strides.forEach((st, k) => (mergedStrides[k]![last] = st[d]!));
    } else {
      merged.push(n);
      strides.forEach((st, k) => mergedStrides[k]!.push(st[d]!));
    }
  }
  const run = merged.length > 0 ? merged.pop()! : 1;
  const steps = mergedStrides.map((st) => (st.length > 0 ? st.pop()! : 0));
  return { dims, size, run: size === 0 ? 0 : run, steps, outer: merged, outerStrides: mergedStrides };
}

/**
 * Calls `visit(outStart, starts)` for each run of the output, in order; `starts[k]` is input k's offset at
 * the run's first element. The callback runs once per run, not per element.
 */
export function forEachRun(plan: BroadcastPlan, visit: (outStart: number, starts: readonly number[]) => void): void {
  if (plan.size === 0) return;
  const { outer, outerStrides, run } = plan;
  const inputs = outerStrides.length;
  const index = new Array<number>(outer.length).fill(0);
  const starts = new Array<number>(inputs).fill(0);
  const runs = plan.size / run;
  for (let r = 0, out = 0; r < runs; r++, out += run) {
    visit(out, starts);
    // Odometer step over the outer dims.
    for (let d = outer.length - 1; d >= 0; d--) {
      index[d]!++;
      for (let k = 0; k < inputs; k++) starts[k]! += outerStrides[k]![d]!;
      if (index[d]! < outer[d]!) break;
      for (let k = 0; k < inputs; k++) starts[k]! -= outerStrides[k]![d]! * outer[d]!;
      index[d] = 0;
    }
  }
}

/** Element storage read and written generically (any typed array: numbers, bigints or raw half bits). */
export type Slots = { [i: number]: number | bigint };

/** Copies `data` (of shape `dims`) broadcast into `out` (of shape `plan.dims`), element bits unchanged. */
export function broadcastInto(ctx: KernelContext, data: Slots, dims: readonly number[], out: Slots, outDims: readonly number[]): void {
  const plan = planBroadcast(ctx, [dims], outDims);
  const { run } = plan;
  const step = plan.steps[0]!;
  forEachRun(plan, (o, starts) => {
    let i = starts[0]!;
    for (let j = 0; j < run; j++, i += step) out[o + j] = data[i]!;
  });
}

function broadcastOf(ctx: KernelContext, shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      if (d === out[o] || d === 1) continue;
      if (out[o] !== 1) {
        throw nodeError(ctx, 'SHAPE_MISMATCH', `shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')} cannot be broadcast`, {
          actual: shapes,
        });
      }
      out[o] = d;
    }
  }
  return out;
}

/** out[i] = f(a[ia], b[ib]) over a two-input plan; `out` may be `a` itself when `a` already has the output's shape. */
export function binaryInto<T, R>(
  plan: BroadcastPlan,
  a: ArrayLike<T>,
  b: ArrayLike<T>,
  out: { [i: number]: R },
  f: (x: T, y: T) => R,
): void {
  const { run } = plan;
  const sa = plan.steps[0]!;
  const sb = plan.steps[1]!;
  forEachRun(plan, (o, starts) => {
    let ia = starts[0]!;
    let ib = starts[1]!;
    for (let i = 0; i < run; i++, ia += sa, ib += sb) out[o + i] = f(a[ia]!, b[ib]!);
  });
}
