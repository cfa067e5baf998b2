// Topological order of a graph's nodes (Kahn's algorithm: iterative, so 200k-node graphs need no deep stack).

import { EdgeError } from '../errors.js';
import { describeNode, type Graph, type Node } from './graph.js';

/** Nodes in an order where every input is produced before it is read; throws on a cycle. */
export function topologicalOrder(graph: Graph): Node[] {
  const producer = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((o) => o && producer.set(o, i)));

  const pending = new Int32Array(graph.nodes.length);
  const consumers: number[][] = graph.nodes.map(() => []);
  graph.nodes.forEach((n, i) => {
    const seen = new Set<number>();
    for (const input of n.inputs) {
      const p = input ? producer.get(input) : undefined;
      if (p === undefined || seen.has(p)) continue;
      seen.add(p);
      pending[i]!++;
      consumers[p]!.push(i);
    }
  });

  const order: Node[] = [];
  const ready: number[] = [];
  for (let i = 0; i < graph.nodes.length; i++) if (pending[i] === 0) ready.push(i);
  // Take ready nodes in file order so the result is deterministic and close to the exporter's order.
  for (let head = 0; head < ready.length; head++) {
    const i = ready[head]!;
    order.push(graph.nodes[i]!);
    for (const c of consumers[i]!) if (--pending[c]! === 0) ready.push(c);
  }
  if (order.length !== graph.nodes.length) {
    const stuck = graph.nodes.filter((_, i) => pending[i]! > 0);
    const names = stuck.slice(0, 5).map(describeNode).join(', ');
    throw new EdgeError('MODEL_INVALID', `graph '${graph.name}' has a cycle through ${stuck.length} nodes: ${names}${stuck.length > 5 ? ', …' : ''}`, {
      details: stuck.map((n) => n.name),
    });
  }
  return order;
}
