// Static QDQ output: QuantizeLinear -> DequantizeLinear after every planned activation, int8 weights and int32
// biases behind a DequantizeLinear, float ops unchanged (a runtime fuses DQ -> op -> Q into an integer kernel).
// before -> after:  y = Conv(x, W, B); z = Relu(y)
//                   ->  xq = Q(x); xd = DQ(xq); z = Conv(xd, DQ(Wq), DQ(Bq)); zq = Q(z); zd = DQ(zq)

import type { Attribute, Node } from '../../ir/graph.js';
import { quantizeWeight } from '../weights.js';
import { SUFFIX, type GraphBuilder } from './builder.js';
import { floatConstant, type QuantContext } from './context.js';
import { finalName, planStatic, type FormatRules, type StaticPlan } from './plan.js';
import type { Role } from './roles.js';
import type { WeightedSite } from './sites.js';
import { quantizeSite } from './weighted.js';

/** QDQ expresses every role: all planned nodes are quantized and produce quantized outputs. */
export const QDQ_RULES: FormatRules = {
  quantizes: () => true,
  quantizedOutput: () => true,
};

const one: Attribute = { type: 'float', value: 1 };

/** Points a weighted node at its dequantized weight and bias; returns its attributes (alpha / beta folded). */
function weightedInputs(b: GraphBuilder, plan: StaticPlan, role: Role, site: WeightedSite, inputs: string[]): Map<string, Attribute> {
  const attrs = new Map(site.node.attrs);
  if (!site.weight) return attrs;
  const inputScale = plan.params.get(site.x)!.scale;
  const { weight, bias } = quantizeSite(b, site, 'as-is', inputScale);
  inputs[role.weight!] = b.dequantize(weight);
  if (site.alpha !== 1) attrs.set('alpha', one);
  if (bias) {
    inputs[role.bias!] = b.dequantize(bias);
    if (site.beta !== 1) attrs.set('beta', one);
  }
  return attrs;
}

/** Constant float inputs of Add / Mul / Concat become per-tensor int8 weights (as onnxruntime quantizes initializers). */
function genericInputs(ctx: QuantContext, b: GraphBuilder, node: Node, inputs: string[]): void {
  node.inputs.forEach((name, i) => {
    const t = floatConstant(ctx, name);
    if (t) inputs[i] = b.dequantize(b.quantized(`${name}|tensor`, name, () => quantizeWeight(t, undefined, undefined, `constant '${name}'`)));
  });
}

export function emitQdq(ctx: QuantContext, b: GraphBuilder): void {
  const plan = planStatic(ctx, QDQ_RULES);
  const graphOutputs = ctx.uses.graphOutputs;
  /** The DequantizeLinear output that readers of a quantized value read instead of it. */
  const dequantized = new Map<string, string>();

  const addQdq = (name: string, source: string): void => {
    const [scale, zeroPoint] = b.scalarParams(name, plan.params.get(name)!);
    const q = b.name(`${name}${SUFFIX.quantized}`);
    // A graph output keeps its name on the DequantizeLinear; its producer writes `source` instead.
    const out = source === name ? b.name(`${name}${SUFFIX.dequantized}`) : name;
    b.emit('QuantizeLinear', [source, scale, zeroPoint], [q]);
    b.emit('DequantizeLinear', [q, scale, zeroPoint], [out]);
    dequantized.set(name, out);
  };

  for (const input of ctx.model.graph.inputs) if (plan.params.has(input.name)) addQdq(input.name, input.name);
  for (const node of ctx.order) {
    if (plan.removed.has(node)) continue;
    const entry = plan.roles.get(node);
    // Every reader, quantized or not, reads the dequantized value (onnxruntime's layout): the float value is gone.
    const inputs = node.inputs.map((i) => (i && dequantized.get(i)) || i);
    let attrs = node.attrs;
    if (entry?.site) attrs = weightedInputs(b, plan, entry.role, entry.site, inputs);
    else if (entry?.role.kind === 'generic') genericInputs(ctx, b, node, inputs);
    const finals = node.outputs.map((o) => (o ? finalName(plan, o) : o));
    const outputs = finals.map((o) => (o && plan.params.has(o) && graphOutputs.has(o) ? b.name(`${o}_float`) : o));
    b.keep(node, inputs, outputs, attrs);
    finals.forEach((o, k) => o && plan.params.has(o) && addQdq(o, outputs[k]!));
  }
}
