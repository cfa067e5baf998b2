// What every pass shares: the Pass contract and small helpers to read and rebuild a graph without
// mutating the input model (nodes are replaced, never edited; initializer maps are copied).

import type { Graph, Model, Node, ValueType } from '../ir/graph.js';
import { isDefaultDomain } from '../ir/graph.js';
import { verifyModel } from '../ir/verify.js';
import type { OpTable } from '../kernels/op-def.js';
import type { Tensor } from '../tensor/tensor.js';

export interface PassContext {
  /** Op table that covers the model (the reference ops plus the fused ops). */
  ops: OpTable;
}

/** A rewrite of a model into an equivalent one; returns the input model itself when nothing changed. */
export interface Pass {
  name: string;
  run(model: Model, ctx: PassContext): Model;
}

/** Who reads what: readers per value name (a node reading a value twice is listed twice). */
export interface Uses {
  readers: Map<string, Node[]>;
  producer: Map<string, Node>;
  graphOutputs: Set<string>;
  /** Names read from inside subgraph attributes (If/Loop bodies): never renamed or removed. */
  outerRefs: Set<string>;
}

export function analyzeUses(graph: Graph): Uses {
  const readers = new Map<string, Node[]>();
  const producer = new Map<string, Node>();
  for (const node of graph.nodes) {
    for (const input of node.inputs) {
      if (!input) continue;
      const list = readers.get(input);
      if (list) list.push(node);
      else readers.set(input, [node]);
    }
    for (const out of node.outputs) if (out) producer.set(out, node);
  }
  return { readers, producer, graphOutputs: new Set(graph.outputs.map((o) => o.name)), outerRefs: subgraphReferences(graph) };
}

/** Value names that nodes inside subgraph attributes read (a superset of their outer-scope references). */
export function subgraphReferences(graph: Graph): Set<string> {
  const refs = new Set<string>();
  const stack: Graph[] = [];
  const pushAttrs = (node: Node) => {
    for (const a of node.attrs.values()) {
      if (a.type === 'graph') stack.push(a.value as Graph);
      else if (a.type === 'graphs') stack.push(...(a.value as Graph[]));
    }
  };
  graph.nodes.forEach(pushAttrs);
  while (stack.length > 0) {
    const g = stack.pop()!;
    for (const node of g.nodes) {
      node.inputs.forEach((i) => i && refs.add(i));
      pushAttrs(node);
    }
    g.outputs.forEach((o) => refs.add(o.name));
  }
  return refs;
}

/**
 * The node that alone reads `name`, when `name` is an intermediate value whose only use is one input
 * of one node: the condition for folding its producer into that reader.
 */
export function soleReader(uses: Uses, name: string): Node | undefined {
  const list = uses.readers.get(name);
  if (!list || list.length !== 1 || uses.graphOutputs.has(name) || uses.outerRefs.has(name)) return undefined;
  return list[0];
}

/** An initializer that no feed can override: a true constant. */
export function constantOf(graph: Graph, name: string | undefined): Tensor | undefined {
  if (!name || graph.inputs.some((i) => i.name === name)) return undefined;
  return graph.initializers.get(name);
}

/** `op` in the default ONNX domain. */
export function isOp(node: Node, op: string): boolean {
  return node.op === op && isDefaultDomain(node.domain);
}

/** Inferred types of all values (the verifier's shape inference). */
export function inferTypes(model: Model, ctx: PassContext): Map<string, ValueType> {
  return verifyModel(model, ctx.ops).types;
}

/** Fresh value names: `base`, `base_1`, … avoiding every name in use. */
export function nameAllocator(graph: Graph): (base: string) => string {
  const taken = new Set<string>([...graph.initializers.keys(), ...graph.inputs.map((i) => i.name), ...graph.outputs.map((o) => o.name)]);
  for (const n of graph.nodes) for (const v of [...n.inputs, ...n.outputs]) if (v) taken.add(v);
  return (base) => {
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  };
}

/**
 * Applies node replacements: each key node becomes its value (null removes it). Returns a new model
 * with a new graph; `initializers` (new entries) are added to a copy of the initializer map.
 */
export function rewriteGraph(model: Model, replace: Map<Node, Node | null>, initializers: Map<string, Tensor> = new Map()): Model {
  if (replace.size === 0 && initializers.size === 0) return model;
  const graph = model.graph;
  const nodes: Node[] = [];
  for (const node of graph.nodes) {
    const r = replace.has(node) ? replace.get(node)! : node;
    if (r) nodes.push(r);
  }
  const inits = new Map(graph.initializers);
  for (const [k, t] of initializers) inits.set(k, t);
  return { ...model, graph: { ...graph, nodes, initializers: inits } };
}

/** A copy of `node` with some fields replaced (attributes copied, so the original is never touched). */
export function withNode(node: Node, changes: Partial<Node>): Node {
  return { ...node, attrs: new Map(node.attrs), ...changes };
}
