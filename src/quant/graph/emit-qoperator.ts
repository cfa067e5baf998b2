// Static QOperator output with standard ONNX ops only: QLinearConv, QLinearMatMul (Gemm = QLinearMatMul +
// float bias Add), int8 Reshape/Flatten/MaxPool/...; every other op runs in float between DequantizeLinear and
// QuantizeLinear, inserted where a value crosses between the two worlds (QLinearAdd etc. are com.microsoft).
// before -> after:  y = Conv(x, W, B); z = Relu(y)  ->  xq = Q(x); zq = QLinearConv(xq, …, Wq, …, Bq); z = DQ(zq)

import type { Node } from '../../ir/graph.js';
import { Tensor } from '../../tensor/tensor.js';
import { activationQParams, type QParams } from '../weights.js';
import { SUFFIX, type GraphBuilder } from './builder.js';
import { isFloatActivation, type QuantContext } from './context.js';
import { finalName, planStatic, type FormatRules, type StaticPlan } from './plan.js';
import type { WeightedSite } from './sites.js';
import { quantizeSite } from './weighted.js';

export const QOPERATOR_RULES: FormatRules = {
  quantizes(ctx, node, role, site) {
    if (role.kind === 'weighted') {
      if (!site || site.transA) return false;
      // QLinearConv takes an int32 bias only: a bias that is not a per-channel constant keeps the Conv float.
      return node.op !== 'Conv' || !node.inputs[2] || site.bias !== undefined;
    }
    // An op moving int8 values: every output must be one of them (MaxPool with Indices stays float).
    const int8Op = role.kind === 'same-as-input' && role.int8FromOpset !== undefined && ctx.opset >= role.int8FromOpset;
    return int8Op && node.outputs.every((o) => !o || isFloatActivation(ctx, o));
  },
  // Gemm's bias is added in float after the QLinearMatMul, so its output is float.
  quantizedOutput: (node, role) => role.kind !== 'weighted' || node.op !== 'Gemm' || !node.inputs[2],
};

/** Values in int8 and float, converting lazily where a reader needs the other representation. */
class Values {
  private readonly int8 = new Map<string, string>();
  /** Values that exist only as int8 so far (their float name is not written yet). */
  private readonly int8Only = new Set<string>();

  constructor(
    private readonly b: GraphBuilder,
    private readonly params: (name: string) => QParams,
  ) {}

  /** The int8 name of a value, quantizing its float value on first need. */
  int8Of(name: string): string {
    let q = this.int8.get(name);
    if (!q) {
      q = this.b.name(`${name}${SUFFIX.quantized}`);
      const [s, z] = this.b.scalarParams(name, this.params(name));
      this.b.emit('QuantizeLinear', [name, s, z], [q]);
      this.int8.set(name, q);
    }
    return q;
  }

  /** The float name of a value (its own name), dequantizing its int8 value on first need. */
  floatOf(name: string): string {
    if (!this.int8Only.delete(name)) return name;
    const [s, z] = this.b.scalarParams(name, this.params(name));
    this.b.emit('DequantizeLinear', [this.int8.get(name)!, s, z], [name]);
    return name;
  }

  /** A fresh int8 name for a value that a quantized node produces. */
  produceInt8(name: string): string {
    const q = this.b.name(`${name}${SUFFIX.quantized}`);
    this.int8.set(name, q);
    this.int8Only.add(name);
    return q;
  }
}

interface Emit {
  ctx: QuantContext;
  b: GraphBuilder;
  plan: StaticPlan;
  values: Values;
}

/** Scale and zero point of a value, as the QLinear ops take them. */
function qparamInputs(e: Emit, name: string): [string, string] {
  return e.b.scalarParams(name, e.plan.params.get(name)!);
}

/** QLinearConv(x, W, B) with y's parameters. */
function emitConv(e: Emit, site: WeightedSite): void {
  const x = site.x;
  const y = finalName(e.plan, site.node.outputs[0]!);
  const { weight, bias } = quantizeSite(e.b, site, 'as-is', e.plan.params.get(x)!.scale);
  const inputs = [e.values.int8Of(x), ...qparamInputs(e, x), weight.data, weight.scale, weight.zeroPoint!, ...qparamInputs(e, y)];
  if (bias) inputs.push(bias.data);
  e.b.emit('QLinearConv', inputs, [e.values.produceInt8(y)], Object.fromEntries(site.node.attrs), `${site.node.name || y}_quant`);
}

/** QLinearMatMul(A, B) for MatMul and Gemm; Gemm's bias (times beta) is added in float afterwards. */
function emitMatMul(e: Emit, site: WeightedSite): void {
  const node = site.node;
  const y = finalName(e.plan, node.outputs[0]!);
  const a = [e.values.int8Of(site.x), ...qparamInputs(e, site.x)];
  let bInputs: string[];
  if (site.weight) {
    const { weight } = quantizeSite(e.b, site, 'matrix');
    bInputs = [weight.data, weight.scale, weight.zeroPoint!];
  } else bInputs = [e.values.int8Of(site.b!), ...qparamInputs(e, site.b!)];
  const bias = node.op === 'Gemm' ? node.inputs[2] : undefined;
  if (!bias) {
    e.b.emit('QLinearMatMul', [...a, ...bInputs, ...qparamInputs(e, y)], [e.values.produceInt8(y)], {}, `${node.name || y}_quant`);
    return;
  }
  // The product before the bias has no calibrated range: y's range shifted by the bias's bounds holds it.
  const mm = e.b.name(`${y}_MatMul`);
  const [s, z] = e.b.scalarParams(mm, productParams(e, site, y, bias));
  const mmQ = e.b.name(`${mm}${SUFFIX.quantized}`);
  e.b.emit('QLinearMatMul', [...a, ...bInputs, s, z], [mmQ], {}, `${node.name || y}_quant`);
  e.b.emit('DequantizeLinear', [mmQ, s, z], [mm]);
  e.b.emit('Add', [mm, scaledBias(e, site, e.values.floatOf(bias))], [y], {}, `${node.name || y}_bias`);
}

/** Parameters of Gemm's product A·B: y = A·B + beta·C, so A·B lies in [y.min - max(beta·C), y.max - min(beta·C)]. */
function productParams(e: Emit, site: WeightedSite, y: string, bias: string): QParams {
  const range = e.ctx.ranges.get(y)!;
  const c = e.ctx.constants.get(bias);
  if (!c) return e.plan.params.get(y)!;
  const values = c.toFloat32().map((v) => v * site.beta);
  const lo = values.reduce((m, v) => Math.min(m, v), Infinity);
  const hi = values.reduce((m, v) => Math.max(m, v), -Infinity);
  return activationQParams({ min: range.min - hi, max: range.max - lo }, e.ctx.options.activationType, `${y} (before the bias)`);
}

/** beta·C as a value: C itself when beta is 1, a scaled copy of a constant C, or a Mul of a fed one. */
function scaledBias(e: Emit, site: WeightedSite, bias: string): string {
  if (site.beta === 1) return bias;
  const c = e.ctx.constants.get(bias);
  if (c) return e.b.initializer(`${bias}_beta`, new Tensor('float32', c.toFloat32().map((v) => v * site.beta), c.dims));
  const beta = e.b.initializer(`${bias}_beta_value`, new Tensor('float32', [site.beta], []));
  const out = e.b.name(`${bias}_beta`);
  e.b.emit('Mul', [bias, beta], [out], {}, `${bias}_beta`);
  return out;
}

/** An int8-capable op on its quantized input: its outputs reuse the input's parameters. */
function emitInt8Move(e: Emit, node: Node): void {
  const inputs = node.inputs.map((name, i) => (i === 0 ? e.values.int8Of(name) : name && e.values.floatOf(name)));
  const outputs = node.outputs.map((o) => (o ? e.values.produceInt8(finalName(e.plan, o)) : o));
  e.b.keep(node, inputs, outputs);
}

const WEIGHTED: Record<string, (e: Emit, site: WeightedSite) => void> = {
  Conv: emitConv,
  Gemm: emitMatMul,
  MatMul: emitMatMul,
};

export function emitQOperator(ctx: QuantContext, b: GraphBuilder): void {
  const plan = planStatic(ctx, QOPERATOR_RULES);
  const e: Emit = { ctx, b, plan, values: new Values(b, (name) => plan.params.get(name)!) };
  for (const node of ctx.order) {
    if (plan.removed.has(node)) continue;
    const entry = plan.roles.get(node);
    if (entry?.site) WEIGHTED[node.op]!(e, entry.site);
    else if (entry) emitInt8Move(e, node);
    else {
      const inputs = node.inputs.map((name) => name && e.values.floatOf(name));
      b.keep(node, inputs, node.outputs.map((o) => (o ? finalName(plan, o) : o)));
    }
  }
  for (const output of ctx.model.graph.outputs) e.values.floatOf(output.name);
}
