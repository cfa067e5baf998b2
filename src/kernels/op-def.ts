// What every operator provides: type/shape inference for the IR and a reference kernel.

import { EdgeError, type EdgeErrorCode } from '../errors.js';
import { describeNode, type Node, type ValueType } from '../ir/graph.js';
import type { Tensor } from '../tensor/tensor.js';

export interface KernelContext {
  node: Node;
  /** Opset version of the node's domain in the model (semantics change across versions). */
  opset: number;
}

export interface InferContext extends KernelContext {
  /** The value of input i when it is known at load time (initializer or folded constant). */
  constant(i: number): Tensor | undefined;
}

export interface OpDef {
  /**
   * Output types from input types (undefined = omitted optional input). Shapes may hold symbolic
   * names or undefined dims; an output whose rank depends on data has no shape. Throws EdgeError
   * on a type or rank mismatch.
   */
  infer(ctx: InferContext, inputs: (ValueType | undefined)[]): ValueType[];
  /** Computes the outputs; throws EdgeError for shapes or values the op does not accept. */
  run(ctx: KernelContext, inputs: (Tensor | undefined)[]): Tensor[];
}

export type OpTable = Record<string, OpDef>;

/** An EdgeError that names the node: `Conv 'stem/conv': weight has 3 dims, expected 4`. */
export function nodeError(
  ctx: KernelContext,
  code: EdgeErrorCode,
  message: string,
  extra: { expected?: unknown; actual?: unknown; input?: string } = {},
): EdgeError {
  return new EdgeError(code, `${describeNode(ctx.node)}: ${message}`, {
    op: ctx.node.op,
    node: ctx.node.name,
    ...extra,
  });
}

/** Returns input i or throws a clear error when a required input is missing. */
export function required<T>(ctx: KernelContext, inputs: (T | undefined)[], i: number, what: string): T {
  const v = inputs[i];
  if (v === undefined) throw nodeError(ctx, 'MODEL_INVALID', `required input ${i} (${what}) is missing`);
  return v;
}

/** Runs a kernel; anything it throws that is not an EdgeError is a bug, reported as INTERNAL with the node named. */
export function callKernel(op: OpDef, ctx: KernelContext, inputs: (Tensor | undefined)[]): Tensor[] {
  try {
    return op.run(ctx, inputs);
  } catch (err) {
    if (err instanceof EdgeError) throw err;
    throw new EdgeError('INTERNAL', `${describeNode(ctx.node)}: kernel failed: ${(err as Error).message}`, {
      op: ctx.node.op,
      node: ctx.node.name,
      cause: err,
    });
  }
}

export { opKey } from '../ir/graph.js';
