// What the planner and the emitters read about the float model: its nodes in order, value types,
// load-time constants, who reads what, the calibrated ranges and the validated options.

import type { Model, Node, ValueType } from '../../ir/graph.js';
import type { Uses } from '../../passes/graph-edit.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { ActivationType, Range } from '../weights.js';

export type QuantFormat = 'qdq' | 'qoperator';
export type QuantMode = 'static' | 'dynamic' | 'weight-only';

export interface ResolvedOptions {
  format: QuantFormat;
  mode: QuantMode;
  perChannel: boolean;
  activationType: ActivationType;
  weightType: 'int8';
  excludeNodes: ReadonlySet<string>;
  excludeOpTypes: ReadonlySet<string>;
  /** Quantize the graph's outputs too (QDQ only; when false the model's outputs stay float). */
  quantizeGraphOutputs: boolean;
}

export interface QuantContext {
  model: Model;
  /** Nodes in execution order. */
  order: Node[];
  types: ReadonlyMap<string, ValueType>;
  /** Values known at load time that no feed can override (initializers, Constant outputs, folded values). */
  constants: ReadonlyMap<string, Tensor>;
  uses: Uses;
  opset: number;
  options: ResolvedOptions;
  ranges: ReadonlyMap<string, Range>;
}

export function isExcluded(ctx: QuantContext, node: Node): boolean {
  return ctx.options.excludeNodes.has(node.name) || ctx.options.excludeOpTypes.has(node.op);
}

/** A float32 constant (the only weights quantized: halves and doubles are left alone). */
export function floatConstant(ctx: QuantContext, name: string | undefined): Tensor | undefined {
  const t = name ? ctx.constants.get(name) : undefined;
  return t?.type === 'float32' ? t : undefined;
}

/** A float32 value computed at run time (what activation quantization applies to). */
export function isFloatActivation(ctx: QuantContext, name: string | undefined): name is string {
  return !!name && !ctx.constants.has(name) && ctx.types.get(name)?.dtype === 'float32';
}
