// Removes Identity and inference-mode Dropout: readers of the copy read the original instead.
// before -> after:  a = Relu(x); b = Identity(a); c = Dropout(b); y = Neg(c)  ->  a = Relu(x); y = Neg(a)
// When the copy is a graph output, the original's producer is renamed to the output name instead.

import type { Graph, Model, Node } from '../ir/graph.js';
import { analyzeUses, constantOf, isOp, withNode, type Pass, type Uses } from './graph-edit.js';

/** Dropout computes a copy when training_mode (input 2, opset 12+) is absent or a constant false, and its mask is unused. */
function isInferenceDropout(node: Node, graph: Graph, uses: Uses, opset: number): boolean {
  if (!isOp(node, 'Dropout')) return false;
  const mask = node.outputs[1];
  if (mask && (uses.readers.has(mask) || uses.graphOutputs.has(mask) || uses.outerRefs.has(mask))) return false;
  if (opset < 12 || !node.inputs[2]) return true;
  const training = constantOf(graph, node.inputs[2]);
  return training !== undefined && training.size === 1 && training.toNumbers()[0] === 0;
}

function eliminateIdentity(model: Model): Model {
  const graph = model.graph;
  const opset = model.opsets.get('') ?? 1;
  const uses = analyzeUses(graph);
  const alias = new Map<string, string>(); // copy -> original
  const rename = new Map<string, string>(); // producer output -> graph output name
  const removed = new Set<Node>();
  const resolve = (name: string): string => {
    let n = name;
    for (let a = alias.get(n); a !== undefined; a = alias.get(n)) n = a;
    return rename.get(n) ?? n;
  };

  for (const node of graph.nodes) {
    if (!isOp(node, 'Identity') && !isInferenceDropout(node, graph, uses, opset)) continue;
    const [x, y] = [node.inputs[0], node.outputs[0]];
    if (!x || !y || uses.outerRefs.has(y)) continue;
    if (!uses.graphOutputs.has(y)) {
      alias.set(y, x);
      removed.add(node);
      continue;
    }
    // y must keep its name: give it to the value the copy reads, when that value is a node output used nowhere else by name.
    let src = x;
    for (let a = alias.get(src); a !== undefined; a = alias.get(src)) src = a;
    if (!uses.producer.has(src) || rename.has(src) || uses.graphOutputs.has(src) || uses.outerRefs.has(src)) continue;
    rename.set(src, y);
    removed.add(node);
  }
  if (removed.size === 0) return model;

  const nodes: Node[] = [];
  for (const node of graph.nodes) {
    if (removed.has(node)) continue;
    const inputs = node.inputs.map((i) => (i ? resolve(i) : i));
    const outputs = node.outputs.map((o) => rename.get(o) ?? o);
    const changed = inputs.some((v, i) => v !== node.inputs[i]) || outputs.some((v, i) => v !== node.outputs[i]);
    nodes.push(changed ? withNode(node, { inputs, outputs }) : node);
  }
  return { ...model, graph: { ...graph, nodes } };
}

export const eliminateIdentityPass: Pass = { name: 'eliminate-identity', run: eliminateIdentity };
