// What the quantizer does with each op type: a table (as onnxruntime's QDQ registry), asked by the planner
// and the emitters instead of branching on op names.

import { attrFloat, attrInt } from '../../ir/attrs.js';
import type { Node } from '../../ir/graph.js';
import type { Tensor } from '../../tensor/tensor.js';

/**
 * - weighted: a constant weight (int8 + DequantizeLinear) and quantized activations in and out;
 * - activation: Relu/Clip, folded into a quantized producer (its output range becomes the producer's);
 * - generic: every float input and output gets its own parameters (Add, Mul, Concat, ...);
 * - same-as-input: moves or selects values, so its outputs reuse the parameters of its quantized input.
 */
export type RoleKind = 'weighted' | 'activation' | 'generic' | 'same-as-input';

export interface Role {
  kind: RoleKind;
  /** weighted: input index of the weight and of the optional bias. */
  weight?: number;
  bias?: number;
  /** weighted: axis of the weight that indexes output channels (per-channel scales), given the weight's rank. */
  channelAxis?: (node: Node, weightRank: number) => number;
  /** weighted: the weight ranks the op's integer forms take. */
  weightRanks?: { min: number; max: number };
  /** weighted: the "weight" may be a second activation (MatMul of two activations), quantized like one. */
  activationWeight?: boolean;
  /** same-as-input: the ONNX opset from which the op accepts int8/uint8 tensors (QOperator runs it on int8). */
  int8FromOpset?: number;
  /** activation: the interval it clamps to, or undefined when its bounds are not constants. */
  bounds?: (node: Node, opset: number, constant: (name: string) => Tensor | undefined) => Bounds | undefined;
}

export interface Bounds {
  lo: number;
  hi: number;
}

const SAME_AS_INPUT: Role = { kind: 'same-as-input' };
const GENERIC: Role = { kind: 'generic' };
const int8Move = (opset: number): Role => ({ kind: 'same-as-input', int8FromOpset: opset });

export const QUANT_ROLES: Readonly<Record<string, Role>> = {
  Conv: { kind: 'weighted', weight: 1, bias: 2, channelAxis: () => 0, weightRanks: { min: 3, max: Infinity } },
  // Gemm's B is [N, K] with transB, [K, N] without: output channels are rows or columns (onnxruntime's axes).
  Gemm: { kind: 'weighted', weight: 1, bias: 2, channelAxis: (n) => (attrInt(n, 'transB', 0) ? 0 : 1), weightRanks: { min: 2, max: 2 } },
  // MatMul's B is [..., K, N]: output channels are the last axis (onnxruntime uses 1, the same for 2-D B).
  MatMul: { kind: 'weighted', weight: 1, channelAxis: (_n, rank) => rank - 1, weightRanks: { min: 1, max: Infinity }, activationWeight: true },
  Relu: { kind: 'activation', bounds: () => ({ lo: 0, hi: Infinity }) },
  Clip: { kind: 'activation', bounds: clipBounds },
  Add: GENERIC,
  Mul: GENERIC,
  Concat: GENERIC,
  GlobalAveragePool: GENERIC,
  LeakyRelu: GENERIC,
  Sigmoid: GENERIC,
  Softmax: GENERIC,
  AveragePool: SAME_AS_INPUT,
  Resize: SAME_AS_INPUT,
  Slice: SAME_AS_INPUT,
  Gather: SAME_AS_INPUT,
  Split: SAME_AS_INPUT,
  MaxPool: int8Move(12),
  Reshape: int8Move(5),
  Flatten: int8Move(9),
  Transpose: int8Move(1),
  Squeeze: int8Move(1),
  Unsqueeze: int8Move(1),
};

/** Clip's bounds: attributes before opset 11, optional constant inputs from 11 (absent = unbounded). */
function clipBounds(node: Node, opset: number, constant: (name: string) => Tensor | undefined): Bounds | undefined {
  if (opset < 11) return { lo: attrFloat(node, 'min', -Infinity), hi: attrFloat(node, 'max', Infinity) };
  const bound = (i: number, fallback: number): number | undefined => {
    const name = node.inputs[i];
    if (!name) return fallback;
    const t = constant(name);
    return t && t.size === 1 ? t.toNumbers()[0] : undefined;
  };
  const lo = bound(1, -Infinity);
  const hi = bound(2, Infinity);
  return lo === undefined || hi === undefined ? undefined : { lo, hi };
}
