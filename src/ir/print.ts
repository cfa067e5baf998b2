// A graph as readable text, one node per line: `y: float32[1,8] = Op[attrs](x[1,4], w[8,4])`.
// Used by `inspect --optimized`, the pass tests (IR before/after) and EDGEINFER_DEBUG.

import type { AttrType, AttrValue, Attribute, Dim, Graph, Node, ValueType } from './graph.js';
import { isDefaultDomain } from './graph.js';
import type { Tensor } from '../tensor/tensor.js';

export interface PrintOptions {
  /** Inferred types of values (e.g. `verifyModel(...).types`); initializers are typed from their tensors. */
  types?: ReadonlyMap<string, ValueType>;
  /** Longest list printed in full; longer ones end with `…(n)`. */
  maxListItems?: number;
}

/** The whole graph: a header line, inputs, outputs, then one line per node in the graph's order. */
export function printGraph(graph: Graph, options: PrintOptions = {}): string {
  const lines = [`graph '${graph.name}': ${graph.nodes.length} nodes, ${graph.initializers.size} initializers`];
  const typeOf = (name: string) => valueType(graph, name, options.types);
  for (const input of graph.inputs) {
    const overridable = graph.initializers.has(input.name);
    lines.push(`  input  ${input.name}: ${formatType(input.type ?? typeOf(input.name))}${overridable ? ' (has a default initializer)' : ''}`);
  }
  for (const output of graph.outputs) lines.push(`  output ${output.name}: ${formatType(typeOf(output.name) ?? output.type)}`);
  for (const node of graph.nodes) lines.push(`  ${printNode(node, graph, options)}`);
  return lines.join('\n');
}

/** One node: `outputs = Op[attrs](inputs)`, outputs with dtype and shape, inputs with shape, `# name` at the end. */
export function printNode(node: Node, graph: Graph, options: PrintOptions = {}): string {
  const max = options.maxListItems ?? 8;
  const typeOf = (name: string) => valueType(graph, name, options.types);
  const outs = node.outputs.map((o) => (o ? `${o}: ${formatType(typeOf(o))}` : '_')).join(', ');
  const ins = node.inputs.map((i) => (i ? `${i}${formatShape(typeOf(i)?.shape)}` : '_')).join(', ');
  const op = isDefaultDomain(node.domain) ? node.op : `${node.domain}.${node.op}`;
  const attrs = [...node.attrs].map(([k, a]) => `${k}=${formatAttr(a, max)}`).join(', ');
  return `${outs} = ${op}${attrs ? `[${attrs}]` : ''}(${ins})${node.name ? `  # ${node.name}` : ''}`;
}

function valueType(graph: Graph, name: string, types?: ReadonlyMap<string, ValueType>): ValueType | undefined {
  const init = graph.initializers.get(name);
  if (init) return { dtype: init.type, shape: init.dims.slice() };
  const declared = (list: Graph['inputs']) => list.find((v) => v.name === name)?.type;
  return types?.get(name) ?? graph.valueInfo.get(name) ?? declared(graph.inputs) ?? declared(graph.outputs);
}

export function formatType(type: ValueType | undefined): string {
  return type ? `${type.dtype}${formatShape(type.shape)}` : '?';
}

function formatShape(shape: Dim[] | undefined): string {
  return shape ? `[${shape.map((d) => d ?? '?').join(',')}]` : '';
}

/** Floats with at most 6 significant digits: 1e-5, not 9.999999747378752e-6. */
function formatNumber(v: number): string {
  return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : String(Number(v.toPrecision(6)));
}

function formatList(values: readonly unknown[], max: number, item: (v: unknown) => string): string {
  const shown = values.slice(0, max).map(item).join(',');
  return values.length > max ? `[${shown},…(${values.length})]` : `[${shown}]`;
}

function formatTensor(t: Tensor, max: number): string {
  if (t.size === 1) return `${t.type}${formatShape(t.dims.slice())}{${formatNumber(t.toNumbers()[0]!)}}`;
  return `tensor ${t.type}${formatShape(t.dims.slice())}${t.size <= max ? `{${t.toNumbers().map(formatNumber).join(',')}}` : ''}`;
}

/** How each attribute type prints. */
const ATTR_FORMATS: Record<AttrType, (v: AttrValue, max: number) => string> = {
  float: (v) => formatNumber(v as number),
  int: (v) => formatNumber(v as number),
  string: (v) => JSON.stringify(v),
  floats: (v, max) => formatList(v as number[], max, (x) => formatNumber(x as number)),
  ints: (v, max) => formatList(v as number[], max, (x) => formatNumber(x as number)),
  strings: (v, max) => formatList(v as string[], max, (x) => JSON.stringify(x)),
  tensor: (v, max) => formatTensor(v as Tensor, max),
  tensors: (v, max) => formatList(v as Tensor[], max, (x) => formatTensor(x as Tensor, max)),
  graph: (v) => `graph '${(v as Graph).name}' (${(v as Graph).nodes.length} nodes)`,
  graphs: (v, max) => formatList(v as Graph[], max, (x) => `graph '${(x as Graph).name}'`),
};

function formatAttr(a: Attribute, max: number): string {
  return ATTR_FORMATS[a.type](a.value, max);
}
