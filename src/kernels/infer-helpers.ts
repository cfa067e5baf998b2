// Building blocks for shape inference with symbolic and unknown dimensions.

import type { Dim, ValueType } from '../ir/graph.js';
import type { DataType } from '../tensor/dtype.js';
import { nodeError, required, type InferContext, type KernelContext } from './op-def.js';

/** Output i has the type of input i (unary ops). */
export function sameAsInput(index = 0) {
  return (ctx: InferContext, inputs: (ValueType | undefined)[]): ValueType[] => [required(ctx, inputs, index, 'X')];
}

/** Broadcast of symbolic shapes: unknown where it cannot be decided statically. */
export function broadcastDims(ctx: KernelContext, shapes: (Dim[] | undefined)[]): Dim[] | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const all = shapes as Dim[][];
  const rank = Math.max(0, ...all.map((s) => s.length));
  const out: Dim[] = new Array<Dim>(rank).fill(1);
  for (const s of all) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      out[o] = broadcastDim(ctx, out[o], s[i], all);
    }
  }
  return out;
}

function broadcastDim(ctx: KernelContext, a: Dim, b: Dim, all: Dim[][]): Dim {
  if (a === b) return a;
  if (a === 1) return b;
  if (b === 1) return a;
  if (typeof a === 'number' && typeof b === 'number') {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `shapes ${all.map((s) => `[${s.join(',')}]`).join(' and ')} cannot be broadcast`, {
      actual: all,
    });
  }
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return undefined;
}

/** Checks that every present input has the same dtype as the first and returns it. */
export function commonDtype(ctx: KernelContext, inputs: (ValueType | undefined)[], indices?: number[]): DataType {
  const idx = indices ?? inputs.map((_, i) => i);
  let dtype: DataType | undefined;
  for (const i of idx) {
    const t = inputs[i];
    if (!t) continue;
    if (dtype === undefined) dtype = t.dtype;
    else if (t.dtype !== dtype) {
      throw nodeError(ctx, 'DTYPE_MISMATCH', `input ${i} is ${t.dtype}, expected ${dtype} like input ${idx[0]}`, {
        expected: dtype,
        actual: t.dtype,
      });
    }
  }
  if (dtype === undefined) throw nodeError(ctx, 'MODEL_INVALID', 'has no inputs');
  return dtype;
}

/** Throws unless the input's rank (when known) is one of `ranks`. */
export function expectRank(ctx: KernelContext, t: ValueType | undefined, ranks: number[], what: string): void {
  if (!t?.shape) return;
  if (!ranks.includes(t.shape.length)) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `${what} has ${t.shape.length} dims, expected ${ranks.join(' or ')}`, {
      expected: ranks,
      actual: t.shape.length,
    });
  }
}

/** A dim known as a number, or undefined. */
export function staticDim(d: Dim): number | undefined {
  return typeof d === 'number' ? d : undefined;
}

/** Integer values of a constant input (e.g. a Reshape shape), when known at load time. */
export function constantInts(ctx: InferContext, i: number): number[] | undefined {
  const t = ctx.constant(i);
  return t ? t.toNumbers() : undefined;
}
