// Fuses a 2-D MatMul and the Add of a constant bias into one Gemm (C = bias, broadcast to [M, N]).
// before -> after:  t = MatMul(a[M,K], w[K,N]); y = Add(t, b[N])  ->  y = Gemm(a, w, b)

import type { Dim, Model, Node, ValueType } from '../ir/graph.js';
import { analyzeUses, constantOf, inferTypes, isOp, rewriteGraph, soleReader, type Pass, type PassContext } from './graph-edit.js';

/** Gemm computes in these types exactly as MatMul + Add do (up to the rounding of the intermediate). */
const GEMM_TYPES = new Set(['float32', 'float64']);

/** The bias broadcasts unidirectionally to [M, N] (what Gemm's C accepts) without growing the output. */
function biasFits(bias: readonly number[], m: Dim, n: Dim): boolean {
  if (bias.length > 2) return false;
  const [bm, bn] = bias.length === 2 ? bias : [1, bias[0] ?? 1];
  return (bm === 1 || bm === m) && (bn === 1 || bn === n);
}

function isMatrix(t: ValueType | undefined): t is ValueType & { shape: Dim[] } {
  return t?.shape?.length === 2 && GEMM_TYPES.has(t.dtype);
}

function fuseMatMulAdd(model: Model, ctx: PassContext): Model {
  const graph = model.graph;
  if ((model.opsets.get('') ?? 1) < 7) return model; // Gemm needs unidirectional broadcasting of C (opset 7)
  const uses = analyzeUses(graph);
  let types: Map<string, ValueType> | undefined;
  const replace = new Map<Node, Node | null>();
  for (const add of graph.nodes) {
    if (!isOp(add, 'Add') || add.inputs.length !== 2) continue;
    for (const side of [0, 1]) {
      const mm = uses.producer.get(add.inputs[side]!);
      const bias = constantOf(graph, add.inputs[1 - side]);
      if (!mm || !bias || !isOp(mm, 'MatMul') || replace.has(mm) || soleReader(uses, mm.outputs[0]!) !== add) continue;
      types ??= inferTypes(model, ctx);
      const [a, b, y] = [types.get(mm.inputs[0]!), types.get(mm.inputs[1]!), types.get(mm.outputs[0]!)];
      if (!isMatrix(a) || !isMatrix(b) || !isMatrix(y) || bias.type !== y.dtype || !biasFits(bias.dims, y.shape[0], y.shape[1])) continue;
      replace.set(mm, null);
      replace.set(add, {
        op: 'Gemm',
        domain: '',
        name: mm.name || add.name,
        inputs: [mm.inputs[0]!, mm.inputs[1]!, add.inputs[1 - side]!],
        outputs: [add.outputs[0]!],
        attrs: new Map(),
      });
      break;
    }
  }
  return rewriteGraph(model, replace);
}

export const fuseMatMulAddPass: Pass = { name: 'fuse-matmul-add', run: fuseMatMulAdd };
