// Arithmetic work of one node: multiply-accumulates by operand class (from shapes, zero-weight MACs left out when
// sparsity-aware) and other operations per element, by dtype class. One rule per op type, in a table.

import { attrInt, attrInts, attrString } from '../../ir/attrs.js';
import { nodeMacs } from '../../ir/cost.js';
import { opKey, type Node, type ValueType } from '../../ir/graph.js';
import type { Tensor } from '../../tensor/tensor.js';
import { ACCUMULATOR, ARITH_CLASS, type ArithClass, type PrimitiveOp } from './horowitz-45nm.js';
import { nonZeroFraction } from './weight-density.js';

export interface NodeWork {
  /** MACs performed, by operand class. */
  macs: Map<ArithClass, number>;
  /** MACs with every weight counted, zero or not. */
  denseMacs: number;
  /** Operations other than MACs. */
  ops: Map<PrimitiveOp, number>;
  /** Renames a buffer: no arithmetic, no memory traffic (Reshape, Identity, Shape…). */
  alias: boolean;
  /** Costed by the fallback rule (one add per output element): the op has no rule yet. */
  fallback: boolean;
}

/** What a rule may ask about its node; shapes are static (the estimator checks before). */
export interface NodeView {
  node: Node;
  types: ReadonlyMap<string, ValueType>;
  constant(name: string): Tensor | undefined;
  sparsityAware: boolean;
}

/**
 * A transcendental function (exp, tanh, erf, sqrt…) costed as a range reduction plus a degree-6–7 polynomial:
 * 8 multiplies and 8 adds. An assumption; vendors' libraries differ.
 */
export const TRANSCENDENTAL = { mult: 8, add: 8 } as const;

class Tally implements NodeWork {
  macs = new Map<ArithClass, number>();
  denseMacs = 0;
  ops = new Map<PrimitiveOp, number>();
  alias = false;
  fallback = false;
  constructor(readonly v: NodeView) {}

  elems(name: string | undefined): number {
    const shape = name ? this.v.types.get(name)?.shape : undefined;
    return shape ? shape.reduce<number>((a, d) => a * (d as number), 1) : 0;
  }
  cls(name: string | undefined): ArithClass {
    const t = name ? this.v.types.get(name) : undefined;
    return t ? ARITH_CLASS[t.dtype] : 'f32';
  }
  get out(): number {
    return this.elems(this.v.node.outputs[0]);
  }
  get outCls(): ArithClass {
    return this.cls(this.v.node.outputs[0]);
  }
  mac(cls: ArithClass, macs: number, dense: number): void {
    this.macs.set(cls, (this.macs.get(cls) ?? 0) + macs);
    this.denseMacs += dense;
  }
  op(cls: ArithClass, kind: 'add' | 'mult', n: number): void {
    if (n <= 0) return;
    const key: PrimitiveOp = `${cls}.${kind}`;
    this.ops.set(key, (this.ops.get(key) ?? 0) + n);
  }
  /** add/mult/transcendental counts, each done n times, in class cls. */
  each(cls: ArithClass, n: number, s: OpsPerElement): void {
    const trans = s.trans ?? 0;
    this.op(cls, 'add', n * ((s.add ?? 0) + trans * TRANSCENDENTAL.add));
    this.op(cls, 'mult', n * ((s.mult ?? 0) + trans * TRANSCENDENTAL.mult));
  }
  /** Non-zero fraction of the first constant among inputs `at` (1 when none, or when not sparsity-aware). */
  density(at: number[], zeroPoint?: number, axis?: number): number {
    if (!this.v.sparsityAware) return 1;
    for (const i of at) {
      const w = this.v.constant(this.v.node.inputs[i] ?? '');
      if (w) return nonZeroFraction(w, zeroPoint === undefined ? undefined : this.v.constant(this.v.node.inputs[zeroPoint] ?? ''), axis);
    }
    return 1;
  }
}

type Rule = (t: Tally) => void;

interface OpsPerElement {
  add?: number;
  mult?: number;
  trans?: number;
}

/** Ops per output element, in the output's class (or the first input's: comparisons output bool). */
const perOut =
  (s: OpsPerElement, clsOf: 'out' | 'in' = 'out'): Rule =>
  (t) =>
    t.each(clsOf === 'out' ? t.outCls : t.cls(t.v.node.inputs[0]), t.out, s);

/** Ops per input element (reductions, global pools), plus optional ops per output element. */
const perIn =
  (s: OpsPerElement, outS: OpsPerElement = {}): Rule =>
  (t) => {
    const cls = t.cls(t.v.node.inputs[0]);
    t.each(cls, t.elems(t.v.node.inputs[0]), s);
    t.each(cls, t.out, outS);
  };

/** Variadic ops (Sum, Max, Min, Mean): one op per output element per extra input. */
const variadic =
  (s: OpsPerElement, outS: OpsPerElement = {}): Rule =>
  (t) => {
    t.each(t.outCls, t.out * Math.max(1, t.v.node.inputs.filter(Boolean).length - 1), s);
    t.each(t.outCls, t.out, outS);
  };

/** Pools: the kernel window per output element. */
const pooled =
  (s: OpsPerElement, outS: OpsPerElement = {}): Rule =>
  (t) => {
    const k = (attrInts(t.v.node, 'kernel_shape') ?? [1]).reduce((a, b) => a * b, 1);
    t.each(t.outCls, t.out * k, s);
    t.each(t.outCls, t.out, outS);
  };

interface MacSpec {
  /** Inputs that may hold the weight (the first constant one is used for sparsity). */
  weight: number[];
  zeroPoint?: number;
  zeroPointAxis?: number;
  bias?: number;
  /** Integer ops with float requantization of every output (QLinear*). */
  requantize?: boolean;
  /** Operand class from the first input (integer ops) rather than the output. */
  classFromInput?: boolean;
}

const macs =
  (s: MacSpec): Rule =>
  (t) => {
    const dense = nodeMacs(t.v.node, t.v.types) ?? 0;
    const cls = s.classFromInput ? t.cls(t.v.node.inputs[0]) : t.outCls;
    t.mac(cls, dense * t.density(s.weight, s.zeroPoint, s.zeroPointAxis), dense);
    if (s.bias !== undefined && t.v.node.inputs[s.bias]) t.op(ACCUMULATOR[cls], 'add', t.out);
    if (s.requantize) t.each('f32', t.out, { mult: 1, add: 2 });
  };

/** Recurrent ops: MACs over W and R (their joint density), then the gate activations of every step. */
const recurrent =
  (gates: number): Rule =>
  (t) => {
    const dense = nodeMacs(t.v.node, t.v.types) ?? 0;
    const [w, r] = [1, 2].map((i) => t.v.constant(t.v.node.inputs[i] ?? ''));
    const nz = (x: Tensor | undefined) => (x ? (t.v.sparsityAware ? nonZeroFraction(x) : 1) * x.size : 0);
    const density = w && r ? (nz(w) + nz(r)) / (w.size + r.size) : 1;
    t.mac(t.outCls, dense * density, dense);
    const x = t.v.types.get(t.v.node.inputs[0]!)?.shape as number[] | undefined;
    const dirs = attrString(t.v.node, 'direction', 'forward') === 'bidirectional' ? 2 : 1;
    const hidden = attrInt(t.v.node, 'hidden_size', 0);
    const steps = x && x.length === 3 ? x[0]! * x[1]! : 0;
    t.each(t.outCls, steps * dirs * hidden * gates, { trans: 1, add: 2, mult: 1 });
  };

const alias: Rule = (t) => void (t.alias = true);
const copy: Rule = () => undefined;

const ELEMENTWISE: Record<string, Rule> = {};
const set = (ops: string[], rule: Rule) => ops.forEach((op) => (ELEMENTWISE[op] = rule));
set(['Add', 'Sub', 'Relu', 'Abs', 'Neg', 'Sign', 'Floor', 'Ceil', 'Round', 'ThresholdedRelu', 'Cast', 'CastLike', 'Where'], perOut({ add: 1 }));
set(['Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'And', 'Or', 'Xor', 'Not', 'IsNaN', 'IsInf'], perOut({ add: 1 }, 'in'));
// Division and reciprocal costed as one multiply (by a reciprocal estimate): an assumption, dividers cost more.
set(['Mul', 'Div', 'Reciprocal'], perOut({ mult: 1 }));
set(['Clip'], perOut({ add: 2 }));
set(['LeakyRelu', 'PRelu'], perOut({ add: 1, mult: 1 }));
set(['HardSigmoid'], perOut({ add: 3, mult: 1 }));
set(['HardSwish'], perOut({ add: 3, mult: 2 }));
set(['Softsign'], perOut({ add: 2, mult: 1 }));
set(['Mod'], perOut({ add: 1, mult: 2 }));
set(['Exp', 'Log', 'Sqrt', 'Erf', 'Tanh', 'Softplus', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh'], perOut({ trans: 1 }));
set(['Sigmoid', 'Elu', 'Celu', 'Selu'], perOut({ trans: 1, add: 1, mult: 1 }));
set(['Gelu'], perOut({ trans: 1, add: 1, mult: 3 }));
set(['Pow'], perOut({ trans: 2, mult: 1 }));
set(['Sum', 'Max', 'Min'], variadic({ add: 1 }));
set(['Mean'], variadic({ add: 1 }, { mult: 1 }));

const RULES: Record<string, Rule> = {
  ...ELEMENTWISE,
  Conv: macs({ weight: [1], bias: 2 }),
  ConvTranspose: macs({ weight: [1], bias: 2 }),
  Gemm: macs({ weight: [1, 0], bias: 2 }),
  MatMul: macs({ weight: [1, 0] }),
  QLinearConv: macs({ weight: [3], zeroPoint: 5, zeroPointAxis: 0, bias: 8, requantize: true, classFromInput: true }),
  QLinearMatMul: macs({ weight: [3], zeroPoint: 5, zeroPointAxis: -1, requantize: true, classFromInput: true }),
  ConvInteger: macs({ weight: [1], zeroPoint: 3, zeroPointAxis: 0, classFromInput: true }),
  MatMulInteger: macs({ weight: [1], zeroPoint: 3, zeroPointAxis: -1, classFromInput: true }),
  RNN: recurrent(1),
  GRU: recurrent(3),
  LSTM: recurrent(4),
  // Inference BatchNormalization is a per-channel scale and shift once its constants are combined.
  BatchNormalization: perOut({ add: 1, mult: 1 }),
  InstanceNormalization: perOut({ add: 3, mult: 2 }),
  LayerNormalization: perOut({ add: 3, mult: 2 }),
  Softmax: perOut({ trans: 1, add: 2, mult: 1 }),
  LogSoftmax: perOut({ trans: 1, add: 2, mult: 1 }),
  Hardmax: perOut({ add: 1 }),
  MaxPool: pooled({ add: 1 }),
  AveragePool: pooled({ add: 1 }, { mult: 1 }),
  LpPool: pooled({ add: 1, mult: 1 }, { trans: 1 }),
  GlobalMaxPool: perIn({ add: 1 }),
  GlobalAveragePool: perIn({ add: 1 }, { mult: 1 }),
  GlobalLpPool: perIn({ add: 1, mult: 1 }, { trans: 1 }),
  ReduceSum: perIn({ add: 1 }),
  ReduceMean: perIn({ add: 1 }, { mult: 1 }),
  ReduceMax: perIn({ add: 1 }),
  ReduceMin: perIn({ add: 1 }),
  ReduceProd: perIn({ mult: 1 }),
  ReduceSumSquare: perIn({ add: 1, mult: 1 }),
  ReduceLogSumExp: perIn({ trans: 1, add: 2 }, { trans: 1 }),
  ArgMax: perIn({ add: 1 }),
  ArgMin: perIn({ add: 1 }),
  TopK: perIn({ add: 2 }),
  CumSum: perOut({ add: 1 }),
  QuantizeLinear: perOut({ mult: 1, add: 3 }, 'in'), // scale, round, add zero point, clamp
  DequantizeLinear: (t) => {
    t.op('i32', 'add', t.out); // subtract the zero point
    t.op(t.outCls, 'mult', t.out);
  },
  DynamicQuantizeLinear: perIn({ add: 2 }, { mult: 1, add: 3 }), // min/max pass, then quantize
  Resize: resize,
  Upsample: resize,
  ...Object.fromEntries(['Transpose', 'Concat', 'Split', 'Slice', 'Pad', 'Gather', 'GatherElements', 'Expand', 'Tile', 'DepthToSpace', 'SpaceToDepth', 'ConstantOfShape', 'Range', 'NonZero'].map((op) => [op, copy])),
  ...Object.fromEntries(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout', 'Shape', 'Size', 'Constant'].map((op) => [op, alias])),
};

/** Interpolation taps per output element: nearest copies, linear blends 2 per axis (4 in 2-D), cubic 4 per axis. */
function resize(t: Tally): void {
  const mode = attrString(t.v.node, 'mode', 'nearest');
  const taps = mode === 'linear' || mode === 'bilinear' ? 4 : mode === 'cubic' ? 16 : 0;
  t.each(t.outCls, t.out, { add: taps, mult: taps });
}

// Fused ops: the base op, then the activation named by the node on every output element.
const fused =
  (base: Rule): Rule =>
  (t) => {
    base(t);
    const act = ELEMENTWISE[attrString(t.v.node, 'activation', '')];
    act?.(t);
  };
for (const op of ['Conv', 'Gemm', 'Add', 'Sub', 'Mul', 'Div']) RULES[`edgeinfer.Fused${op}`] = fused(RULES[op]!);

// The integer ops the QDQ fusion creates (kernels/ref/qfused.ts): int8 MACs, int32 bias, fixed-point requantization.
Object.assign(RULES, {
  'edgeinfer.QLinearConvFixed': macs({ weight: [1], bias: 2, requantize: true, classFromInput: true }),
  'edgeinfer.QGemmFixed': macs({ weight: [1], bias: 2, requantize: true, classFromInput: true }),
  'edgeinfer.QGemmToFloat': macs({ weight: [1], bias: 2, requantize: true, classFromInput: true }),
  // Both inputs rescaled to a common scale, added, requantized (TFLite's quantized Add).
  'edgeinfer.QAddFixed': perOut({ add: 4, mult: 3 }),
  'edgeinfer.QAveragePoolFixed': pooled({ add: 1 }, { mult: 1 }),
  'edgeinfer.QGlobalAveragePoolFixed': perIn({ add: 1 }, { mult: 1 }),
});

/** The work of one node; an op without a rule costs one add per output element and is flagged. */
export function nodeWork(view: NodeView): NodeWork {
  const t = new Tally(view);
  const rule = RULES[opKey(view.node)];
  if (rule) rule(t);
  else {
    t.fallback = true;
    t.each(t.outCls, t.out, { add: 1 });
  }
  return t;
}
