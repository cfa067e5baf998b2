// Fuses QDQ patterns into integer ops: DequantizeLinear inputs -> Conv / Gemm / MatMul / Add / AveragePool
// [-> Relu / Clip] -> QuantizeLinear becomes one edgeinfer.Q*Fixed node (int32 sums, requantization — float32 scales
// for Conv / Gemm, fixed point for Add and the pools — and the activation as a clamp); DQ -> MaxPool / Reshape / Flatten / Squeeze / Unsqueeze / Transpose -> Q with equal
// parameters runs the op on the int8 values. Anything else stays in float, its constant weights dequantized once here.
// A Gemm / MatMul on dequantized inputs whose output stays float becomes edgeinfer.QGemmToFloat.
// before -> after:  xd = DQ(xq, sx, zx); wd = DQ(wq, sw, zw); bd = DQ(bq, sb); t = Conv(xd, wd, bd); r = Relu(t); yq = Q(r, sy, zy)
//               ->  yq = edgeinfer.QLinearConvFixed[x_zero_point=zx, w_zero_point=zw, scale=f32(sx*sw/sy), y_zero_point=zy, output_min=zy](xq, wq, bq)

import { attrFloat, attrInt } from '../ir/attrs.js';
import { isDefaultDomain, type Attribute, type Model, type Node, type ValueType } from '../ir/graph.js';
import { verifyModel } from '../ir/verify.js';
import { callKernel } from '../kernels/op-def.js';
import { ADD_LEFT_SHIFT, QFUSED } from '../kernels/ref/qfused.js';
import { quantOps } from '../kernels/ref/quant.js';
import { roundHalfEven, saturateRound } from '../kernels/ref/quant-math.js';
import { EDGEINFER_DOMAIN } from '../kernels/ref/fused.js';
import { quantizeMultiplier } from '../quant/qparams.js';
import { DTYPES, type DataType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { eliminateDeadPass } from './eliminate-dead.js';
import { analyzeUses, isOp, nameAllocator, rewriteGraph, soleReader, withNode, type Pass, type PassContext, type Uses } from './graph-edit.js';

/** A value produced by DequantizeLinear with constant parameters. */
interface Dequantized {
  /** The quantized value the DequantizeLinear reads. */
  q: string;
  dtype: DataType;
  scale: Float32Array;
  zeroPoint: Int32Array;
  /** Axis of per-channel parameters (undefined: per tensor). */
  axis?: number;
  /** The quantized values when they are a constant (weights, biases). */
  constant?: Tensor;
}

/** What a rule sees: the model's facts and the matched nodes. */
interface Match {
  model: Model;
  types: Map<string, ValueType>;
  constants: Map<string, Tensor>;
  uses: Uses;
  base: Node;
  /** The Relu / Clip between the base op and the QuantizeLinear, if any. */
  act?: Node;
  out: { q: string; dtype: DataType; scale: number; zeroPoint: number };
  /** Reads input i of the base op as a DequantizeLinear output. */
  input(i: number): Dequantized | undefined;
  newName(base: string): string;
}

/** The fused node and the initializers it needs. */
interface Fused {
  node: Node;
  initializers?: [string, Tensor][];
}

type Rule = (m: Match) => Fused | undefined;

const ints = (value: ArrayLike<number>): Attribute => ({ type: 'ints', value: Array.from(value) });
const int = (value: number): Attribute => ({ type: 'int', value });

function constantOfType(constants: Map<string, Tensor>, name: string | undefined, dtypes: readonly DataType[]): Tensor | undefined {
  const t = name ? constants.get(name) : undefined;
  return t && dtypes.includes(t.type) ? t : undefined;
}

function dequantized(m: Omit<Match, 'input'>, name: string | undefined): Dequantized | undefined {
  const dq = name ? m.uses.producer.get(name) : undefined;
  if (!dq || !isOp(dq, 'DequantizeLinear')) return undefined;
  const scaleT = constantOfType(m.constants, dq.inputs[1], ['float32']);
  const zpName = dq.inputs[2];
  const zpT = zpName ? constantOfType(m.constants, zpName, ['int8', 'uint8', 'int32']) : undefined;
  const dtype = m.types.get(dq.inputs[0]!)?.dtype;
  // Blocked quantization (opset 21 block_size: 2-D scales) has no integer kernel here.
  if (!scaleT || scaleT.dims.length > 1 || (zpName && !zpT) || !dtype) return undefined;
  const scale = scaleT.toFloat32();
  if (!scale.every((s) => s > 0 && Number.isFinite(s))) return undefined;
  const zeroPoint = new Int32Array(scale.length);
  if (zpT) zpT.toNumbers().forEach((z, i) => (zeroPoint[i] = z));
  const rank = m.types.get(dq.inputs[0]!)?.shape?.length;
  let axis: number | undefined;
  if (scale.length > 1) {
    if (rank === undefined) return undefined;
    axis = attrInt(dq, 'axis', 1);
    if (axis < 0) axis += rank;
  }
  return { q: dq.inputs[0]!, dtype, scale, zeroPoint, axis, constant: m.constants.get(dq.inputs[0]!) };
}

/** Per-tensor parameters of an activation (a single scale and zero point). */
const perTensor = (d: Dequantized | undefined): d is Dequantized => d !== undefined && d.scale.length === 1 && !d.constant;

// ---------------------------------------------------------------------------------------------
// The activation between the base op and the QuantizeLinear, as bounds in the quantized domain
// ---------------------------------------------------------------------------------------------

/** Float bounds of the activation, or undefined when they are not constants. */
const ACTIVATION_BOUNDS: Record<string, (m: Match, act: Node) => [number, number] | undefined> = {
  Relu: () => [0, Infinity],
  Clip: (m, act) => {
    const opset = m.model.opsets.get('') ?? 1;
    if (opset < 11) return [attrFloat(act, 'min', -Infinity), attrFloat(act, 'max', Infinity)];
    const bound = (i: number, fallback: number) => {
      const name = act.inputs[i];
      if (!name) return fallback;
      const t = m.constants.get(name);
      return t && t.size === 1 ? t.toNumbers()[0]! : undefined;
    };
    const lo = bound(1, -Infinity);
    const hi = bound(2, Infinity);
    return lo === undefined || hi === undefined ? undefined : [lo, hi];
  },
};

/** The quantized output range: the dtype's grid narrowed by the activation (Q is monotonic, so Q(clip(v)) = clamp(Q(v))). */
function outputBounds(m: Match): [number, number] | undefined {
  const { min: qmin, max: qmax } = DTYPES[m.out.dtype] as { min: number; max: number };
  if (!m.act) return [qmin, qmax];
  const bounds = ACTIVATION_BOUNDS[m.act.op]?.(m, m.act);
  if (!bounds) return undefined;
  // As QuantizeLinear rounds: float32 division, ties to even.
  const q = (v: number) => saturateRound(Math.fround(v / m.out.scale), m.out.zeroPoint, qmin, qmax);
  const [lo, hi] = [q(bounds[0]), q(bounds[1])];
  return lo <= hi ? [lo, hi] : undefined; // Clip(min > max) stays in float
}

function requantAttrs(m: Match, reals: number[]): [string, Attribute][] | undefined {
  const bounds = outputBounds(m);
  if (!bounds) return undefined;
  const q = reals.map((r) => quantizeMultiplier(r));
  const same = q.every((v) => v.multiplier === q[0]!.multiplier && v.shift === q[0]!.shift);
  const list = same ? q.slice(0, 1) : q;
  return [
    ['multiplier', ints(list.map((v) => v.multiplier))],
    ['shift', ints(list.map((v) => v.shift))],
    ['y_zero_point', int(m.out.zeroPoint)],
    ['output_min', int(bounds[0])],
    ['output_max', int(bounds[1])],
  ];
}

/** Conv / Gemm requantization: float32 scales acc_scale / y_scale (undefined when one rounds to 0 or overflows). */
function scaleRequantAttrs(m: Match, reals: number[]): [string, Attribute][] | undefined {
  const bounds = outputBounds(m);
  const scale = reals.map((r) => Math.fround(r));
  if (!bounds || !scale.every((v) => v > 0 && Number.isFinite(v))) return undefined;
  return [
    ['scale', { type: 'floats', value: scale.every((v) => v === scale[0]) ? scale.slice(0, 1) : scale }],
    ['y_zero_point', int(m.out.zeroPoint)],
    ['output_min', int(bounds[0])],
    ['output_max', int(bounds[1])],
  ];
}

function fusedNode(m: Match, op: string, inputs: string[], attrs: [string, Attribute][], keep: readonly string[] = []): Node {
  const kept = [...m.base.attrs].filter(([k]) => keep.includes(k));
  return { op, domain: EDGEINFER_DOMAIN, name: m.base.name, inputs, outputs: [m.out.q], attrs: new Map([...kept, ...attrs]) };
}

// ---------------------------------------------------------------------------------------------
// Conv, Gemm, MatMul: int8 weights per tensor or per output channel, int32 bias at the accumulator's scale
// ---------------------------------------------------------------------------------------------

/** Per-channel values of a per-tensor or per-channel parameter. */
const expand = (v: ArrayLike<number>, n: number): number[] => Array.from({ length: n }, (_, i) => v[v.length === 1 ? 0 : i]!);

/**
 * The bias as int32 at the accumulator's scale x_scale * w_scale[c]: a DQ(int32) bias at that scale as it is,
 * any other (a DQ bias at another scale, a float constant) rounded onto it.
 */
function int32Bias(m: Match, i: number, accScale: number[]): { name: string; tensor?: Tensor } | undefined {
  const name = m.base.inputs[i];
  if (!name) return { name: '' };
  const n = accScale.length;
  const dq = m.input(i);
  let real: number[];
  if (dq) {
    if (!dq.constant || dq.dtype !== 'int32' || dq.constant.size !== n || dq.zeroPoint.some((z) => z !== 0)) return undefined;
    const scale = expand(dq.scale, n);
    const q = dq.constant.toNumbers();
    if (scale.every((s, c) => Math.abs(s - accScale[c]!) <= accScale[c]! * 2 ** -20)) {
      return dq.constant.dims.length === 1 ? { name: dq.q } : { name: m.newName(`${dq.q}_1d`), tensor: dq.constant.reshape([n]) };
    }
    real = q.map((v, c) => v * scale[c]!);
  } else {
    const t = constantOfType(m.constants, name, ['float32']);
    if (!t || t.size !== n) return undefined;
    real = t.toNumbers();
  }
  const values = real.map((v, c) => roundHalfEven(v / accScale[c]!));
  if (!values.every((v) => Number.isFinite(v) && Math.abs(v) < 2 ** 31)) return undefined;
  return { name: m.newName(`${name}_i32`), tensor: new Tensor('int32', Int32Array.from(values), [n]) };
}

interface WeightedParts {
  x: Dequantized;
  w: Dequantized;
  /** Output channels and their scale product x_scale * w_scale[c]. */
  accScale: number[];
}

/**
 * The activation input and the weight, quantized as the integer kernels expect; `axis` is the weight's output-channel
 * axis. A quantized output must have the input's dtype (a float one, m.out.dtype 'float32', any).
 */
function weightedParts(m: Match, axis: number, channels: number): WeightedParts | undefined {
  const x = m.input(0);
  const w = m.input(1);
  if (!perTensor(x) || (m.out.dtype !== 'float32' && x.dtype !== m.out.dtype) || !w?.constant || !['int8', 'uint8'].includes(w.dtype)) return undefined;
  if (w.axis !== undefined && (w.axis !== axis || w.scale.length !== channels)) return undefined;
  const ws = expand(w.scale, channels);
  return { x, w, accScale: ws.map((s) => x.scale[0]! * s) };
}

function weightedAttrs(m: Match, p: WeightedParts, xZeroName: string, gain = 1): [string, Attribute][] | undefined {
  const requant = scaleRequantAttrs(m, p.accScale.map((s) => (gain * s) / m.out.scale));
  const wz = p.w.zeroPoint.every((z) => z === p.w.zeroPoint[0]) ? p.w.zeroPoint.slice(0, 1) : p.w.zeroPoint;
  return requant && [[xZeroName, int(p.x.zeroPoint[0]!)], ['w_zero_point', ints(wz)], ...requant];
}

const CONV_ATTRS = ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides'];

const fuseConv: Rule = (m) => {
  const wShape = m.types.get(m.base.inputs[1] ?? '')?.shape;
  const M = wShape?.[0];
  if (typeof M !== 'number') return undefined;
  const p = weightedParts(m, 0, M);
  const bias = p && int32Bias(m, 2, p.accScale);
  const attrs = p && bias && weightedAttrs(m, p, 'x_zero_point');
  if (!p || !bias || !attrs) return undefined;
  return {
    node: fusedNode(m, QFUSED.conv, [p.x.q, p.w.q, bias.name], attrs, CONV_ATTRS),
    initializers: bias.tensor ? [[bias.name, bias.tensor]] : [],
  };
};

/** [N, K] -> [K, N] int8 weights (QGemmFixed reads w as [K, N]). */
function transposed(t: Tensor): Tensor {
  const [n, k] = t.dims as [number, number];
  const out = Tensor.zeros(t.type, [k, n]);
  const src = t.data as Int8Array;
  const dst = out.data as Int8Array;
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) dst[j * n + i] = src[i * k + j]!;
  return out;
}

/** Gemm (transA = 0, alpha > 0, bias C of N values scaled by beta) and MatMul by a constant [K, N] matrix. */
function fuseGemmLike(m: Match, transB: boolean, alpha: number, beta: number): Fused | undefined {
  const wShape = m.types.get(m.base.inputs[1] ?? '')?.shape;
  const aShape = m.types.get(m.base.inputs[0] ?? '')?.shape;
  if (!wShape || wShape.length !== 2 || !aShape || aShape.length < 2 || !(alpha > 0)) return undefined;
  const N = wShape[transB ? 0 : 1];
  if (typeof N !== 'number') return undefined;
  const p = weightedParts(m, transB ? 0 : 1, N);
  if (!p) return undefined;
  let bias = int32Bias(m, 2, p.accScale);
  if (bias && beta !== 1 && m.base.inputs[2]) {
    // beta scales the bias: round the scaled values onto the accumulator's scale once more.
    const b = bias.tensor ?? m.constants.get(bias.name)!;
    const values = b.toNumbers().map((v) => roundHalfEven(v * beta));
    if (!values.every((v) => Math.abs(v) < 2 ** 31)) return undefined;
    bias = { name: m.newName(`${bias.name}_beta`), tensor: new Tensor('int32', Int32Array.from(values), [N]) };
  }
  const attrs = bias && (m.out.dtype === 'float32' ? dequantAttrs(p, alpha) : weightedAttrs(m, p, 'a_zero_point', alpha));
  if (!bias || !attrs) return undefined;
  const inits: [string, Tensor][] = bias.tensor ? [[bias.name, bias.tensor]] : [];
  let w = p.w.q;
  if (transB) {
    w = m.newName(`${p.w.q}_kn`);
    inits.push([w, transposed(p.w.constant!)]);
  }
  return { node: fusedNode(m, m.out.dtype === 'float32' ? QFUSED.gemmToFloat : QFUSED.gemm, [p.x.q, w, bias.name], attrs), initializers: inits };
}

/** QGemmToFloat's attributes: the zero points and the float32 scale of each column's sums, alpha * a_scale * w_scale[n]. */
function dequantAttrs(p: WeightedParts, alpha: number): [string, Attribute][] {
  const wz = p.w.zeroPoint.every((z) => z === p.w.zeroPoint[0]) ? p.w.zeroPoint.slice(0, 1) : p.w.zeroPoint;
  const scale = p.accScale.map((s) => Math.fround(alpha * s));
  return [
    ['a_zero_point', int(p.x.zeroPoint[0]!)],
    ['w_zero_point', ints(wz)],
    ['scale', { type: 'floats', value: scale.every((v) => v === scale[0]) ? scale.slice(0, 1) : scale }],
  ];
}

const fuseGemm: Rule = (m) => {
  if (attrInt(m.base, 'transA', 0) !== 0 || (m.types.get(m.base.inputs[0] ?? '')?.shape?.length ?? 0) !== 2) return undefined;
  return fuseGemmLike(m, attrInt(m.base, 'transB', 0) !== 0, attrFloat(m.base, 'alpha', 1), attrFloat(m.base, 'beta', 1));
};

const fuseMatMul: Rule = (m) => fuseGemmLike(m, false, 1, 1);

// ---------------------------------------------------------------------------------------------
// Add (TFLite's quantized Add) and average pools
// ---------------------------------------------------------------------------------------------

const fuseAdd: Rule = (m) => {
  const a = m.input(0);
  const b = m.input(1);
  if (!a || !b || a.scale.length !== 1 || b.scale.length !== 1 || a.dtype !== m.out.dtype || b.dtype !== m.out.dtype) return undefined;
  const twiceMax = 2 * Math.max(a.scale[0]!, b.scale[0]!);
  const qa = quantizeMultiplier(a.scale[0]! / twiceMax);
  const qb = quantizeMultiplier(b.scale[0]! / twiceMax);
  const requant = requantAttrs(m, [twiceMax / (2 ** ADD_LEFT_SHIFT * m.out.scale)]);
  if (!requant) return undefined;
  const attrs: [string, Attribute][] = [
    ['a_zero_point', int(a.zeroPoint[0]!)],
    ['a_multiplier', int(qa.multiplier)],
    ['a_shift', int(qa.shift)],
    ['b_zero_point', int(b.zeroPoint[0]!)],
    ['b_multiplier', int(qb.multiplier)],
    ['b_shift', int(qb.shift)],
    ['left_shift', int(ADD_LEFT_SHIFT)],
    ...requant,
  ];
  return { node: fusedNode(m, QFUSED.add, [a.q, b.q], attrs) };
};

const POOL_ATTRS = ['auto_pad', 'ceil_mode', 'count_include_pad', 'kernel_shape', 'pads', 'strides'];

function fusePool(op: string): Rule {
  return (m) => {
    const x = m.input(0);
    if (!perTensor(x) || x.dtype !== m.out.dtype || m.types.get(x.q)?.shape?.length !== 4) return undefined;
    const dilations = m.base.attrs.get('dilations')?.value as number[] | undefined;
    if (dilations?.some((d) => d !== 1)) return undefined;
    const requant = requantAttrs(m, [x.scale[0]! / m.out.scale]);
    return requant && { node: fusedNode(m, op, [x.q], [['x_zero_point', int(x.zeroPoint[0]!)], ...requant], POOL_ATTRS) };
  };
}

// ---------------------------------------------------------------------------------------------
// Ops that only move or select values: with the same parameters on both sides, they run on the int8 values
// ---------------------------------------------------------------------------------------------

const passThrough: Rule = (m) => {
  const x = m.input(0);
  if (m.act || !perTensor(x) || x.dtype !== m.out.dtype || m.base.outputs.filter(Boolean).length !== 1) return undefined;
  if (x.scale[0] !== m.out.scale || x.zeroPoint[0] !== m.out.zeroPoint) return undefined;
  return { node: withNode(m.base, { inputs: [x.q, ...m.base.inputs.slice(1)], outputs: [m.out.q] }) };
};

/** Base ops (default domain) and how each fuses with its DequantizeLinear inputs and QuantizeLinear output. */
const RULES: Readonly<Record<string, Rule>> = {
  Conv: fuseConv,
  Gemm: fuseGemm,
  MatMul: fuseMatMul,
  Add: fuseAdd,
  AveragePool: fusePool(QFUSED.averagePool),
  GlobalAveragePool: fusePool(QFUSED.globalAveragePool),
  MaxPool: passThrough,
  Reshape: passThrough,
  Flatten: passThrough,
  Squeeze: passThrough,
  Unsqueeze: passThrough,
  Transpose: passThrough,
};

/** Ops whose float output can come from integer sums: edgeinfer.QGemmToFloat. */
const FLOAT_OUTPUT_RULES: Readonly<Record<string, Rule>> = { Gemm: fuseGemm, MatMul: fuseMatMul };

/** The QuantizeLinear's per-tensor constant parameters. */
function outputOf(q: Node, types: Map<string, ValueType>, constants: Map<string, Tensor>): Match['out'] | undefined {
  const scale = constantOfType(constants, q.inputs[1], ['float32']);
  const zp = q.inputs[2] ? constantOfType(constants, q.inputs[2], ['int8', 'uint8']) : undefined;
  const dtype = types.get(q.outputs[0]!)?.dtype;
  if (!scale || scale.size !== 1 || (q.inputs[2] && (!zp || zp.size !== 1)) || !dtype) return undefined;
  const s = scale.toNumbers()[0]!;
  if (!(s > 0) || !Number.isFinite(s)) return undefined;
  return { q: q.outputs[0]!, dtype, scale: s, zeroPoint: zp ? zp.toNumbers()[0]! : 0 };
}

function fuseQdq(model: Model, ctx: PassContext): Model {
  const graph = model.graph;
  const { types, constants } = verifyModel(model, ctx.ops);
  const uses = analyzeUses(graph);
  const newName = nameAllocator(graph);
  const replace = new Map<Node, Node | null>();
  const initializers = new Map<string, Tensor>();
  const sole = (name: string | undefined, reader: Node) => name !== undefined && soleReader(uses, name) === reader;

  for (const q of graph.nodes) {
    if (!isOp(q, 'QuantizeLinear') || !q.outputs[0]) continue;
    const out = outputOf(q, types, constants);
    let base = q.inputs[0] ? uses.producer.get(q.inputs[0]) : undefined;
    if (!out || !base || !sole(q.inputs[0], q)) continue;
    let act: Node | undefined;
    if (isOp(base, 'Relu') || isOp(base, 'Clip')) {
      act = base;
      base = act.inputs[0] ? uses.producer.get(act.inputs[0]) : undefined;
      if (!base || !sole(act.inputs[0], act)) continue;
    }
    const rule = isDefaultDomain(base.domain) && Object.hasOwn(RULES, base.op) ? RULES[base.op] : undefined;
    if (!rule || replace.has(base)) continue;
    const facts = { model, types, constants, uses, base, act, out, newName };
    const fused = rule({ ...facts, input: (i: number) => dequantized(facts, base.inputs[i]) });
    if (!fused) continue;
    replace.set(base, null);
    if (act) replace.set(act, null);
    replace.set(q, fused.node);
    for (const [name, t] of fused.initializers ?? []) initializers.set(name, t);
  }
  // Gemm / MatMul on dequantized inputs whose output stays float (the logits): integer sums, dequantized once.
  for (const base of graph.nodes) {
    const rule = isDefaultDomain(base.domain) && Object.hasOwn(FLOAT_OUTPUT_RULES, base.op) ? FLOAT_OUTPUT_RULES[base.op] : undefined;
    const y = base.outputs[0];
    if (!rule || replace.has(base) || !y || types.get(y)?.dtype !== 'float32') continue;
    const facts = { model, types, constants, uses, base, act: undefined, out: { q: y, dtype: 'float32' as DataType, scale: 1, zeroPoint: 0 }, newName };
    const fused = rule({ ...facts, input: (i: number) => dequantized(facts, base.inputs[i]) });
    if (!fused) continue;
    replace.set(base, fused.node);
    for (const [name, t] of fused.initializers ?? []) initializers.set(name, t);
  }
  foldWeightDequantize(model, uses, constants, replace, initializers);
  if (replace.size === 0) return model;
  const out = eliminateDeadPass.run(rewriteGraph(model, replace, initializers), ctx);
  return out.opsets.has(EDGEINFER_DOMAIN) || !hasFusedOp(out) ? out : { ...out, opsets: new Map([...out.opsets, [EDGEINFER_DOMAIN, 1]]) };
}

const hasFusedOp = (m: Model) => m.graph.nodes.some((n) => n.domain === EDGEINFER_DOMAIN);

/**
 * A DequantizeLinear of a constant weight that feeds an op left in float (e.g. a classifier whose logits stay float)
 * would run on every inference when the weight is above the verifier's load-time folding limit (fold-constants does
 * the smaller ones): its float values become an initializer here.
 */
function foldWeightDequantize(model: Model, uses: Uses, constants: Map<string, Tensor>, replace: Map<Node, Node | null>, initializers: Map<string, Tensor>): void {
  const opset = model.opsets.get('') ?? 1;
  for (const dq of model.graph.nodes) {
    const out = dq.outputs[0];
    if (!isOp(dq, 'DequantizeLinear') || replace.has(dq) || !out || constants.has(out) || uses.graphOutputs.has(out)) continue;
    const inputs = dq.inputs.map((i) => (i ? constants.get(i) : undefined));
    if (dq.inputs.some((name, i) => name && !inputs[i])) continue; // a parameter computed at run time
    if (!(uses.readers.get(out) ?? []).some((r) => !replace.has(r))) continue; // only fused nodes read it
    replace.set(dq, null);
    initializers.set(out, callKernel(quantOps.DequantizeLinear!, { node: dq, opset }, inputs)[0]!);
  }
}

export const fuseQdqPass: Pass = { name: 'fuse-qdq', run: fuseQdq };
