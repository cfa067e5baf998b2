// Removes nodes whose outputs nobody reads, initializers nobody reads, and value_info of values that no longer exist.
// before -> after:  y = Relu(x); z = Neg(x) [z unused]; W unused  ->  y = Relu(x)

import type { Model, Node } from '../ir/graph.js';
import { analyzeUses, type Pass } from './graph-edit.js';

function eliminateDead(model: Model): Model {
  const graph = model.graph;
  const uses = analyzeUses(graph);
  const count = new Map<string, number>();
  for (const [name, list] of uses.readers) count.set(name, list.length);
  const live = (name: string) => (count.get(name) ?? 0) > 0 || uses.graphOutputs.has(name) || uses.outerRefs.has(name);

  // Worklist from the nodes that are dead now; removing one may kill its producers.
  const dead = new Set<Node>();
  const work = graph.nodes.filter((n) => !n.outputs.some((o) => o && live(o)));
  while (work.length > 0) {
    const node = work.pop()!;
    if (dead.has(node)) continue;
    dead.add(node);
    for (const input of node.inputs) {
      if (!input) continue;
      count.set(input, count.get(input)! - 1);
      const p = uses.producer.get(input);
      if (p && !dead.has(p) && !p.outputs.some((o) => o && live(o))) work.push(p);
    }
  }
  const nodes = dead.size === 0 ? graph.nodes : graph.nodes.filter((n) => !dead.has(n));

  const inputNames = new Set(graph.inputs.map((i) => i.name));
  const initializers = new Map([...graph.initializers].filter(([name]) => live(name) || inputNames.has(name)));
  const defined = new Set([...initializers.keys(), ...inputNames]);
  for (const n of nodes) n.outputs.forEach((o) => o && defined.add(o));
  const valueInfo = new Map([...graph.valueInfo].filter(([name]) => defined.has(name)));

  if (dead.size === 0 && initializers.size === graph.initializers.size && valueInfo.size === graph.valueInfo.size) return model;
  return { ...model, graph: { ...graph, nodes, initializers, valueInfo } };
}

export const eliminateDeadPass: Pass = { name: 'eliminate-dead', run: eliminateDead };
