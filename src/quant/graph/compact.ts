// Makes a quantized model small on disk without changing what it computes: identical constants stored once
// (the all-zero weight zero points of every layer with the same channel count, repeated scales), the value
// names the quantizer made up shortened (`/blocks.3/Relu_output_0_scale` -> `s7`), no value_info (every type
// is inferred from standard ops) and no node doc strings. On a small model such as DS-CNN these generated
// names and repeated constants are a third of the int8 file.
// before -> after:  DQ(w1_q, w1_scale, w1_zp); DQ(w2_q, w2_scale, w2_zp) [w1_zp == w2_zp]
//                   ->  DQ(w0, s0, z0); DQ(w1, s1, z0)

import type { Model, Node } from '../../ir/graph.js';
import { subgraphReferences } from '../../passes/graph-edit.js';
import type { Tensor } from '../../tensor/tensor.js';
import { SUFFIX } from './builder.js';

/** Prefix of a short name, from the suffix the builder gave the long one: q(uantized), d(equantized), s(cale), z(ero point). */
const SHORT_PREFIX: [RegExp, string][] = [
  [new RegExp(`${SUFFIX.dequantized}(_\\d+)?$`), 'd'],
  [new RegExp(`${SUFFIX.quantized}(_\\d+)?$`), 'q'],
  [new RegExp(`${SUFFIX.scale}(_\\d+)?$`), 's'],
  [new RegExp(`${SUFFIX.zeroPoint}(_\\d+)?$`), 'z'],
];

function bytesOf(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** FNV-1a over the bytes: a cheap key; equal keys are confirmed byte by byte. */
function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** For every initializer equal to an earlier one (dtype, dims and bytes), the earlier one's name. */
function duplicateInitializers(initializers: ReadonlyMap<string, Tensor>, pinned: ReadonlySet<string>): Map<string, string> {
  const firstByKey = new Map<string, string[]>();
  const replace = new Map<string, string>();
  for (const [name, t] of initializers) {
    if (pinned.has(name)) continue;
    const bytes = bytesOf(t);
    const key = `${t.type}|${t.dims.join(',')}|${fnv1a(bytes)}`;
    const candidates = firstByKey.get(key) ?? [];
    const same = candidates.find((c) => sameBytes(bytesOf(initializers.get(c)!), bytes));
    if (same) replace.set(name, same);
    else firstByKey.set(key, [...candidates, name]);
  }
  return replace;
}

/**
 * Shortens the names in `quantized` that `original` does not have (the quantizer's), and stores identical
 * initializers once. Names of the float model (activations, graph inputs and outputs) are kept, so the int8
 * model still reads like the float one. A model with subgraphs (If / Loop bodies that may refer to outer
 * names) is only stripped of value_info and doc strings.
 */
export function compactQuantizedModel(quantized: Model, original: Model): Model {
  const graph = quantized.graph;
  const stripped = (nodes: Node[]): Node[] => nodes.map(({ doc: _doc, ...n }) => n);
  if (subgraphReferences(graph).size > 0) return { ...quantized, graph: { ...graph, nodes: stripped(graph.nodes), valueInfo: new Map() } };

  const pinned = new Set([...graph.inputs.map((v) => v.name), ...graph.outputs.map((v) => v.name)]);
  const rename = duplicateInitializers(graph.initializers, pinned);

  const known = new Set<string>([...original.graph.initializers.keys(), ...original.graph.inputs.map((v) => v.name)]);
  for (const n of original.graph.nodes) for (const v of [...n.inputs, ...n.outputs]) if (v) known.add(v);
  const taken = new Set<string>([...known, ...pinned, ...graph.initializers.keys()]);
  for (const n of graph.nodes) for (const v of n.outputs) if (v) taken.add(v);
  const counters = new Map<string, number>();
  const shortName = (long: string): string => {
    const prefix = SHORT_PREFIX.find(([re]) => re.test(long))?.[1] ?? 't';
    let name: string;
    do {
      const k = counters.get(prefix) ?? 0;
      counters.set(prefix, k + 1);
      name = `${prefix}${k.toString(36)}`;
    } while (taken.has(name));
    taken.add(name);
    return name;
  };
  const renameOnce = (name: string): void => {
    if (name && !rename.has(name) && !known.has(name) && !pinned.has(name)) rename.set(name, shortName(name));
  };
  // Initializers first, then values in node order: names follow the order a reader meets them.
  for (const name of graph.initializers.keys()) renameOnce(name);
  for (const n of graph.nodes) for (const v of n.outputs) renameOnce(v);
  // A duplicate points at its kept initializer's final name.
  const final = (name: string): string => {
    const to = rename.get(name);
    if (to === undefined) return name;
    return graph.initializers.has(to) ? final(to) : to; // `to` is a kept initializer (itself maybe renamed) or a short name
  };

  const initializers = new Map<string, Tensor>();
  for (const [name, t] of graph.initializers) {
    const target = rename.get(name);
    if (target === undefined) initializers.set(name, t);
    else if (!graph.initializers.has(target)) initializers.set(target, t); // renamed, not a duplicate
  }
  const nodes = stripped(graph.nodes).map((n) => ({ ...n, inputs: n.inputs.map((v) => (v ? final(v) : v)), outputs: n.outputs.map((v) => (v ? final(v) : v)) }));
  return { ...quantized, graph: { ...graph, nodes, initializers, valueInfo: new Map() } };
}
