// Folds an inference BatchNormalization into the Conv, Gemm or MatMul (constant weights) before it:
// per output channel s = γ/√(σ²+ε), w' = w·s, b' = (b−μ)·s + β. New weight tensors; the old ones are left untouched.
// before -> after:  t = Conv(x, W, B); y = BatchNormalization(t, γ, β, μ, σ²)  ->  y = Conv(x, W', B')
//                   t = Gemm(x, W, C); y = BatchNormalization(t, …)           ->  y = Gemm(x, W', C') with beta=1
//                   t = MatMul(x[M,K], W[K,N]); y = BatchNormalization(t, …)   ->  y = Gemm(x, W', b')

import { attrFloat, attrInt } from '../ir/attrs.js';
import { isDefaultDomain, type Graph, type Model, type Node, type ValueType } from '../ir/graph.js';
import type { NumberArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import {
  analyzeUses,
  constantOf,
  inferTypes,
  isOp,
  nameAllocator,
  rewriteGraph,
  soleReader,
  withNode,
  type Pass,
  type PassContext,
} from './graph-edit.js';

/** Weights are rewritten in these types only (halves would round twice). */
const FOLD_TYPES = new Set(['float32', 'float64']);

/** The BatchNormalization as y = x·scale[c] + shift[c]. */
interface ChannelAffine {
  scale: Float64Array;
  shift: Float64Array;
}

interface FoldSite {
  graph: Graph;
  base: Node;
  bn: Node;
  bnAffine: ChannelAffine;
  opset: number;
  newName: (base: string) => string;
  types: () => Map<string, ValueType>;
}

interface Folded {
  node: Node;
  initializers: [string, Tensor][];
}

/** The BN's per-channel affine map when it is an inference BN with constant parameters; undefined otherwise. */
function channelAffine(graph: Graph, bn: Node, opset: number): ChannelAffine | undefined {
  if (bn.outputs.slice(1).some((o) => o)) return undefined;
  if (attrInt(bn, 'training_mode', 0) !== 0 || (opset < 9 && attrInt(bn, 'spatial', 1) !== 1)) return undefined;
  const params = bn.inputs.slice(1, 5).map((name) => constantOf(graph, name));
  if (params.length !== 4 || params.some((p) => !p || p.size !== params[0]!.size)) return undefined;
  const [gamma, beta, mean, variance] = params.map((p) => p!.toNumbers());
  const eps = attrFloat(bn, 'epsilon', 1e-5);
  const n = gamma!.length;
  const scale = new Float64Array(n);
  const shift = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    scale[c] = gamma![c]! / Math.sqrt(variance![c]! + eps);
    shift[c] = beta![c]! - mean![c]! * scale[c]!;
  }
  return { scale, shift };
}

/** A copy of w with every slice along `axis` multiplied by its channel's scale (w seen as outer x channels x inner). */
function scaleAlong(w: Tensor, axis: number, scale: Float64Array): Tensor {
  const out = Tensor.zeros(w.type, w.dims, 'fold-batchnorm');
  const src = w.data as NumberArray;
  const dst = out.data as NumberArray;
  const channels = w.dims[axis]!;
  const inner = w.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < src.length; i++) dst[i] = src[i]! * scale[Math.floor(i / inner) % channels]!;
  return out;
}

/** A bias of one value per channel: b·scale + shift (b = 0 when absent). */
function affineBias(dtype: Tensor['type'], b: Tensor | undefined, f: ChannelAffine): Tensor {
  const values = b ? b.toNumbers() : undefined;
  return Tensor.fromNumbers(dtype, f.scale.map((s, c) => (values ? values[c]! * s : 0) + f.shift[c]!), [f.scale.length]);
}

/** Conv: W is [M, C/group, k…]; the output channel is W's axis 0. */
function foldIntoConv(site: FoldSite): Folded | undefined {
  const { graph, base, bnAffine: f } = site;
  const w = constantOf(graph, base.inputs[1]);
  const b = base.inputs[2] ? constantOf(graph, base.inputs[2]) : undefined;
  if (!w || !FOLD_TYPES.has(w.type) || w.dims[0] !== f.scale.length || (base.inputs[2] && !b)) return undefined;
  const wName = site.newName(`${base.inputs[1]}_bn`);
  const bName = site.newName(`${base.inputs[2] || base.outputs[0]}_bn_bias`);
  return {
    node: withNode(base, { inputs: [base.inputs[0]!, wName, bName], outputs: [site.bn.outputs[0]!] }),
    initializers: [
      [wName, scaleAlong(w, 0, f.scale)],
      [bName, affineBias(w.type, b, f)],
    ],
  };
}

/** C broadcast to [rows, N] times beta, with rows = 1 unless C has a row per sample. */
function gemmBiasRows(c: Tensor | undefined, beta: number, n: number): { rows: number; at: (i: number, j: number) => number } {
  if (!c || beta === 0) return { rows: 1, at: () => 0 };
  const v = c.toNumbers();
  const [r, k] = c.dims.length === 2 ? [c.dims[0]!, c.dims[1]!] : [1, c.dims[0] ?? 1];
  return { rows: r, at: (i, j) => beta * v[(r === 1 ? 0 : i) * k + (k === 1 ? 0 : j)]! };
}

/** Gemm: Y = alpha·A'·B' + beta·C; the BN channel is Y's column, i.e. B's axis 1 (or 0 when transB). */
function foldIntoGemm(site: FoldSite): Folded | undefined {
  const { graph, base, bnAffine: f } = site;
  const w = constantOf(graph, base.inputs[1]);
  const c = base.inputs[2] ? constantOf(graph, base.inputs[2]) : undefined;
  if (!w || !FOLD_TYPES.has(w.type) || w.dims.length !== 2 || (base.inputs[2] && !c)) return undefined;
  const axis = attrInt(base, 'transB', 0) !== 0 ? 0 : 1;
  const n = f.scale.length;
  if (w.dims[axis] !== n || (c && (c.dims.length > 2 || ![1, n].includes(c.dims[c.dims.length - 1] ?? 1)))) return undefined;
  const bias = gemmBiasRows(c, attrFloat(base, 'beta', 1), n);
  const values = new Float64Array(bias.rows * n);
  for (let i = 0; i < bias.rows; i++) for (let j = 0; j < n; j++) values[i * n + j] = bias.at(i, j) * f.scale[j]! + f.shift[j]!;
  const wName = site.newName(`${base.inputs[1]}_bn`);
  const cName = site.newName(`${base.inputs[2] || base.outputs[0]}_bn_bias`);
  const node = withNode(base, { inputs: [base.inputs[0]!, wName, cName], outputs: [site.bn.outputs[0]!] });
  node.attrs.set('beta', { type: 'float', value: 1 });
  return {
    node,
    initializers: [
      [wName, scaleAlong(w, axis, f.scale)],
      [cName, Tensor.fromNumbers(w.type, values, bias.rows === 1 ? [n] : [bias.rows, n])],
    ],
  };
}

/** A 2-D MatMul with constant [K, N] weights becomes a Gemm with the BN as its bias. */
function foldIntoMatMul(site: FoldSite): Folded | undefined {
  const { graph, base, bnAffine: f } = site;
  const w = constantOf(graph, base.inputs[1]);
  if (!w || !FOLD_TYPES.has(w.type) || w.dims.length !== 2 || w.dims[1] !== f.scale.length || site.opset < 7) return undefined;
  if (site.types().get(base.inputs[0]!)?.shape?.length !== 2) return undefined; // BN's channel is axis 1 only for 2-D products
  const wName = site.newName(`${base.inputs[1]}_bn`);
  const cName = site.newName(`${base.outputs[0]}_bn_bias`);
  return {
    node: { op: 'Gemm', domain: '', name: base.name, inputs: [base.inputs[0]!, wName, cName], outputs: [site.bn.outputs[0]!], attrs: new Map() },
    initializers: [
      [wName, scaleAlong(w, 1, f.scale)],
      [cName, affineBias(w.type, undefined, f)],
    ],
  };
}

/** How a BN folds into each producer op. */
const FOLDERS: Record<string, (site: FoldSite) => Folded | undefined> = {
  Conv: foldIntoConv,
  Gemm: foldIntoGemm,
  MatMul: foldIntoMatMul,
};

function foldBatchNorm(model: Model, ctx: PassContext): Model {
  const graph = model.graph;
  const opset = model.opsets.get('') ?? 1;
  const uses = analyzeUses(graph);
  const newName = nameAllocator(graph);
  let types: Map<string, ValueType> | undefined;
  const replace = new Map<Node, Node | null>();
  const initializers = new Map<string, Tensor>();
  for (const bn of graph.nodes) {
    if (!isOp(bn, 'BatchNormalization') || !bn.inputs[0]) continue;
    const base = uses.producer.get(bn.inputs[0]);
    const folder = base && isDefaultDomain(base.domain) && Object.hasOwn(FOLDERS, base.op) ? FOLDERS[base.op] : undefined;
    if (!base || !folder || base.outputs[0] !== bn.inputs[0] || soleReader(uses, bn.inputs[0]) !== bn) continue;
    const bnAffine = channelAffine(graph, bn, opset);
    if (!bnAffine) continue;
    const folded = folder({ graph, base, bn, bnAffine, opset, newName, types: () => (types ??= inferTypes(model, ctx)) });
    if (!folded) continue;
    replace.set(base, null);
    replace.set(bn, folded.node);
    for (const [name, t] of folded.initializers) initializers.set(name, t);
  }
  return rewriteGraph(model, replace, initializers);
}

export const foldBatchNormPass: Pass = { name: 'fold-batchnorm', run: foldBatchNorm };
