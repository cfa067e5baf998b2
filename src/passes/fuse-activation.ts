// Fuses an activation that alone reads a Conv or Gemm output into one edgeinfer.FusedConv / FusedGemm node
// carrying the base op's attributes plus `activation` and `activation_params` (as onnxruntime's com.microsoft FusedConv).
// before -> after:  t = Conv[pads=…](x, W, B); y = Clip(t, 0, 6)  ->  y = edgeinfer.FusedConv[pads=…, activation="Clip", activation_params=[0,6]](x, W, B)

import { attrFloat } from '../ir/attrs.js';
import { isDefaultDomain, type Graph, type Model, type Node } from '../ir/graph.js';
import { EDGEINFER_DOMAIN, FUSED_ACTIVATIONS, FUSED_BASE_OPS, type FusedActivation } from '../kernels/ref/fused.js';
import { analyzeUses, constantOf, rewriteGraph, soleReader, withNode, type Pass } from './graph-edit.js';

function lookup<T>(table: Readonly<Record<string, T>>, node: Node): T | undefined {
  return isDefaultDomain(node.domain) && Object.hasOwn(table, node.op) ? table[node.op] : undefined;
}

/** The activation's parameters as floats; undefined when a Clip bound is not a constant scalar. */
function activationParams(graph: Graph, act: Node, spec: FusedActivation, opset: number): number[] | undefined {
  if (!spec.bounds || opset < 11) return spec.params.map((p) => attrFloat(act, p.attr, p.fallback));
  const params: number[] = [];
  for (let i = 0; i < spec.params.length; i++) {
    const name = act.inputs[i + 1];
    if (!name) {
      params.push(spec.params[i]!.fallback);
      continue;
    }
    const t = constantOf(graph, name);
    if (!t || t.size !== 1) return undefined;
    params.push(t.toNumbers()[0]!);
  }
  return params;
}

function fuseActivation(model: Model): Model {
  const graph = model.graph;
  const opset = model.opsets.get('') ?? 1;
  const uses = analyzeUses(graph);
  const replace = new Map<Node, Node | null>();
  for (const act of graph.nodes) {
    const spec = lookup(FUSED_ACTIVATIONS, act);
    const base = act.inputs[0] ? uses.producer.get(act.inputs[0]) : undefined;
    const fusedOp = base && lookup(FUSED_BASE_OPS, base);
    if (!spec || !base || !fusedOp || replace.has(base) || soleReader(uses, act.inputs[0]!) !== act) continue;
    const params = activationParams(graph, act, spec, opset);
    if (!params) continue;
    const fused = withNode(base, { op: fusedOp, domain: EDGEINFER_DOMAIN, outputs: [act.outputs[0]!] });
    fused.attrs.set('activation', { type: 'string', value: act.op });
    if (params.length > 0) fused.attrs.set('activation_params', { type: 'floats', value: params });
    replace.set(base, null);
    replace.set(act, fused);
  }
  const out = rewriteGraph(model, replace);
  if (out === model || model.opsets.has(EDGEINFER_DOMAIN)) return out;
  return { ...out, opsets: new Map([...model.opsets, [EDGEINFER_DOMAIN, 1]]) };
}

export const fuseActivationPass: Pass = { name: 'fuse-activation', run: fuseActivation };
