// Static quantization plan: which nodes are quantized, which activations get which parameters, and which
// Relu/Clip fold into their producer — walked in execution order, as onnxruntime's QDQ quantizer does.

import { EdgeError } from '../../errors.js';
import { opKey, type Node } from '../../ir/graph.js';
import { soleReader } from '../../passes/graph-edit.js';
import { activationQParams, representable, type QParams } from '../weights.js';
import { isExcluded, isFloatActivation, type QuantContext } from './context.js';
import { QUANT_ROLES, type Role, type RoleKind } from './roles.js';
import { weightedSite, type WeightedSite } from './sites.js';

/** What an output format can express in integers. */
export interface FormatRules {
  /** The node (of this role) is rewritten into quantized form. */
  quantizes(ctx: QuantContext, node: Node, role: Role, site: WeightedSite | undefined): boolean;
  /** The rewritten node produces its output quantized (so a Relu/Clip after it can fold into it). */
  quantizedOutput(node: Node, role: Role, site: WeightedSite | undefined): boolean;
}

export interface StaticPlan {
  /** Quantized nodes with their role (and their site for weighted ones). */
  roles: Map<Node, { role: Role; site?: WeightedSite }>;
  /** Activation parameters by value name (names after folding). */
  params: Map<string, QParams>;
  /** Relu/Clip nodes folded into their producer. */
  removed: Set<Node>;
  /** A producer output renamed to the output of the activation folded into it (chains resolved by `finalName`). */
  renamed: Map<string, string>;
}

export function finalName(plan: StaticPlan, name: string): string {
  let n = name;
  for (let next = plan.renamed.get(n); next !== undefined; next = plan.renamed.get(n)) n = next;
  return n;
}

interface Walk {
  ctx: QuantContext;
  rules: FormatRules;
  plan: StaticPlan;
  /** Requested values; null when no calibrated range exists (reported together at the end). */
  requested: Map<string, QParams | null>;
  /** Values that take their parameters from their input (same-as-input ops). */
  inherited: Set<string>;
  /** Values a rewritten node produces quantized with parameters of their own: a Relu/Clip after them may fold. */
  quantizedOutputs: Set<string>;
}

function request(w: Walk, name: string): void {
  if (w.requested.has(name)) return;
  const range = w.ctx.ranges.get(name);
  w.requested.set(name, range ? activationQParams(range, w.ctx.options.activationType, name) : null);
}

/** A graph output left in float (QDQ without quantizeGraphOutputs): its producer reads quantized inputs, writes float. */
function keepsFloat(w: Walk, name: string): boolean {
  const o = w.ctx.options;
  return o.format === 'qdq' && !o.quantizeGraphOutputs && w.ctx.uses.graphOutputs.has(name);
}

/** One planner per role kind: decides and records what happens to the node. */
const PLANNERS: Record<RoleKind, (w: Walk, node: Node, role: Role) => void> = {
  weighted(w, node, role) {
    const site = weightedSite(w.ctx, node);
    if (!site || !w.rules.quantizes(w.ctx, node, role, site)) return;
    request(w, site.x);
    if (site.b) request(w, site.b);
    const out = node.outputs[0]!;
    if (!keepsFloat(w, out)) {
      request(w, out);
      if (w.rules.quantizedOutput(node, role, site)) w.quantizedOutputs.add(out);
    }
    w.plan.roles.set(node, { role, site });
  },
  generic(w, node, role) {
    if (!w.rules.quantizes(w.ctx, node, role, undefined)) return;
    const outs = node.outputs.filter((o) => isFloatActivation(w.ctx, o));
    if (outs.length === 0) return;
    for (const i of node.inputs) if (isFloatActivation(w.ctx, i)) request(w, i);
    for (const o of outs) {
      if (keepsFloat(w, o)) continue;
      request(w, o);
      w.quantizedOutputs.add(o);
    }
    w.plan.roles.set(node, { role });
  },
  'same-as-input'(w, node, role) {
    const input = node.inputs[0]!;
    // Only values already quantized move through quantized (onnxruntime's rule without ForceQuantizeNoInputCheck).
    if (!w.requested.has(input) || !w.rules.quantizes(w.ctx, node, role, undefined)) return;
    const p = w.requested.get(input)!; // null (no range) is reported once, for the input
    for (const o of node.outputs) {
      if (!isFloatActivation(w.ctx, o)) continue; // e.g. MaxPool's int64 Indices
      w.requested.set(o, p);
      w.inherited.add(o);
    }
    w.plan.roles.set(node, { role });
  },
  activation(w, node, role) {
    const input = node.inputs[0]!;
    const out = node.outputs[0]!;
    if (!w.requested.has(input) || keepsFloat(w, out)) return; // a float input or a float graph output: the activation stays float
    if (w.quantizedOutputs.has(input) && foldable(w, node, role)) {
      // before -> after:  t = Conv(...); y = Relu(t); Q(y)  ->  y = Conv(...); Q(y) with y's range
      w.requested.delete(input);
      w.quantizedOutputs.delete(input);
      request(w, out);
      w.quantizedOutputs.add(out);
      w.plan.removed.add(node);
      w.plan.renamed.set(input, out);
      return;
    }
    if (!w.rules.quantizes(w.ctx, node, role, undefined)) return;
    request(w, out);
    w.quantizedOutputs.add(out);
    w.plan.roles.set(node, { role });
  },
};

/**
 * A Relu/Clip folds into its producer when it is the producer's only reader and quantizing with its output
 * range clamps exactly as it does: the representable interval lies within its bounds (within half a step).
 */
function foldable(w: Walk, node: Node, role: Role): boolean {
  const input = node.inputs[0]!;
  if (soleReader(w.ctx.uses, input) !== node || !isFloatActivation(w.ctx, node.outputs[0])) return false;
  const range = w.ctx.ranges.get(node.outputs[0]!);
  const bounds = role.bounds?.(node, w.ctx.opset, (n) => w.ctx.constants.get(n));
  if (!range || !bounds || !(range.max > range.min)) return false;
  const p = activationQParams(range, w.ctx.options.activationType, node.outputs[0]);
  const r = representable(p);
  return r.min >= bounds.lo - p.scale / 2 && r.max <= bounds.hi + p.scale / 2;
}

/** Plans static quantization; throws QPARAMS_INVALID listing every value that needs a range and has none. */
export function planStatic(ctx: QuantContext, rules: FormatRules): StaticPlan {
  const plan: StaticPlan = { roles: new Map(), params: new Map(), removed: new Set(), renamed: new Map() };
  const walk: Walk = { ctx, rules, plan, requested: new Map(), inherited: new Set(), quantizedOutputs: new Set() };
  for (const node of ctx.order) {
    if (isExcluded(ctx, node)) continue;
    const role = QUANT_ROLES[opKey(node)];
    if (role) PLANNERS[role.kind](walk, node, role);
  }
  const missing: string[] = [];
  for (const [name, p] of walk.requested) {
    if (p) plan.params.set(name, p);
    else if (!walk.inherited.has(name)) missing.push(name);
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 8).map((n) => `'${n}'`).join(', ');
    throw new EdgeError(
      'QPARAMS_INVALID',
      `static quantization needs a calibrated range for ${missing.length} value${missing.length > 1 ? 's' : ''} that ${missing.length > 1 ? 'have' : 'has'} none: ${shown}${missing.length > 8 ? ', …' : ''}`,
      { details: missing },
    );
  }
  return plan;
}
