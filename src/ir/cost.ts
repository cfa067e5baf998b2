// Work per node: multiply-accumulates from inferred shapes, one formula per op type (a table).

import { attrInt, attrString } from './attrs.js';
import { opKey, type Dim, type Node, type ValueType } from './graph.js';

type Types = ReadonlyMap<string, ValueType>;

function dims(types: Types, name: string | undefined): number[] | undefined {
  const s = name ? types.get(name)?.shape : undefined;
  return s && s.every((d: Dim) => typeof d === 'number') ? (s as number[]) : undefined;
}
const prod = (a: readonly number[]) => a.reduce((x, y) => x * y, 1);

const MAC_FORMULAS: Record<string, (node: Node, types: Types) => number | undefined> = {
  Conv: (node, types) => {
    const w = dims(types, node.inputs[1]);
    const y = dims(types, node.outputs[0]);
    // each output element sums over C/group input channels × kernel window = w[1] × prod(w[2:])
    return w && y ? prod(y) * prod(w.slice(1)) : undefined;
  },
  ConvTranspose: (node, types) => {
    const x = dims(types, node.inputs[0]);
    const w = dims(types, node.inputs[1]);
    return x && w ? prod(x) * prod(w.slice(1)) : undefined;
  },
  MatMul: (node, types) => {
    const a = dims(types, node.inputs[0]);
    const y = dims(types, node.outputs[0]);
    return a && y ? prod(y) * a[a.length - 1]! : undefined;
  },
  Gemm: (node, types) => {
    const a = dims(types, node.inputs[0]);
    const y = dims(types, node.outputs[0]);
    if (!a || !y || a.length !== 2) return undefined;
    return prod(y) * (attrInt(node, 'transA', 0) ? a[0]! : a[1]!);
  },
  LSTM: (node, types) => recurrentMacs(node, types, 4),
  GRU: (node, types) => recurrentMacs(node, types, 3),
  RNN: (node, types) => recurrentMacs(node, types, 1),
};
MAC_FORMULAS.QLinearConv = (node, types) => {
  const w = dims(types, node.inputs[3]);
  const y = dims(types, node.outputs[0]);
  return w && y ? prod(y) * prod(w.slice(1)) : undefined;
};
MAC_FORMULAS.ConvInteger = MAC_FORMULAS.Conv;
MAC_FORMULAS['edgeinfer.FusedConv'] = MAC_FORMULAS.Conv;
MAC_FORMULAS['edgeinfer.FusedGemm'] = MAC_FORMULAS.Gemm;
// The integer ops the QDQ fusion creates: Conv weights as Conv's; Gemm weights stored [K, N] (a MatMul).
MAC_FORMULAS['edgeinfer.QLinearConvFixed'] = MAC_FORMULAS.Conv;
MAC_FORMULAS['edgeinfer.QGemmFixed'] = MAC_FORMULAS.MatMul;
MAC_FORMULAS['edgeinfer.QGemmToFloat'] = MAC_FORMULAS.MatMul;
MAC_FORMULAS.MatMulInteger = MAC_FORMULAS.MatMul;
MAC_FORMULAS.QLinearMatMul = (node, types) => {
  const a = dims(types, node.inputs[0]);
  const y = dims(types, node.outputs[0]);
  return a && y ? prod(y) * a[a.length - 1]! : undefined;
};

function recurrentMacs(node: Node, types: Types, gates: number): number | undefined {
  const x = dims(types, node.inputs[0]);
  const hidden = attrInt(node, 'hidden_size');
  if (!x || hidden === undefined || x.length !== 3) return undefined;
  const directions = attrString(node, 'direction', 'forward') === 'bidirectional' ? 2 : 1;
  const steps = x[0]! * x[1]!; // seq × batch, whichever the layout
  return directions * steps * gates * hidden * (x[2]! + hidden);
}

/** Multiply-accumulates of one node, or undefined when its shapes are not static or it has none. */
export function nodeMacs(node: Node, types: Types): number | undefined {
  return MAC_FORMULAS[opKey(node)]?.(node, types);
}
