// Per-node time of a model on the wasm backend: median over runs of each step of the static plan, with the
// kernel chosen, the output shape and, for Conv/Gemm/MatMul, the multiply-adds and GFLOP/s.
// Usage: npx tsx scripts/profile-model.ts <model.onnx> [batch] [runs]

import { InferenceSession } from '../src/runtime/session.js';
import { concreteDims } from '../src/cli/run.js';
import { randomTensor } from '../src/tensor/random.js';
import { loadModelFile } from '../src/runtime/load-file.js';
import { optimizeModel } from '../src/passes/index.js';
import { referenceOps } from '../src/kernels/ref/index.js';
import { staticShape, verifyModel } from '../src/ir/verify.js';
import type { Model, Node } from '../src/ir/graph.js';

const [path, batchText = '1', runsText = '200'] = process.argv.slice(2);
if (!path) {
  process.stderr.write('usage: npx tsx scripts/profile-model.ts <model.onnx> [batch] [runs]\n');
  process.exit(2);
}
const batch = Number(batchText);
const session = await InferenceSession.create(path);
const feeds = session.inputMetadata.map((m, i) => randomTensor(m.type, concreteDims(m, batch), i));
const rows = session.profile(feeds, Number(runsText));
const shapes = await nodeShapes(path, session.inputNames, feeds.map((f) => f.dims));

let total = 0;
let totalMacs = 0;
for (const r of rows) {
  total += r.ms;
  const s = shapes.get(r.node);
  totalMacs += s?.macs ?? 0;
  const rate = s?.macs ? `${((2 * s.macs) / r.ms / 1e6).toFixed(1).padStart(5)} GF/s` : ''.padStart(10);
  process.stdout.write(`${r.ms.toFixed(4).padStart(9)} ms ${rate}  ${r.op.padEnd(14)} ${r.kernel.padEnd(36)} ${(s?.shape ?? '').padEnd(16)} ${r.node}\n`);
}
process.stdout.write(`${total.toFixed(3).padStart(9)} ms ${((2 * totalMacs) / total / 1e6).toFixed(1).padStart(5)} GF/s  total (sum of per-step medians)\n`);

/** Output shape and multiply-adds of every node of the optimized graph, by name. */
async function nodeShapes(file: string, inputs: readonly string[], dims: readonly (readonly number[])[]): Promise<Map<string, { shape: string; macs?: number }>> {
  const model = optimizeModel(await loadModelFile(file), referenceOps);
  const bound: Model = {
    ...model,
    graph: {
      ...model.graph,
      inputs: model.graph.inputs.map((input) => {
        const i = inputs.indexOf(input.name);
        return i >= 0 && input.type ? { ...input, type: { ...input.type, shape: dims[i]!.slice() } } : input;
      }),
    },
  };
  const types = verifyModel(bound, referenceOps).types;
  const shapeOf = (name: string | undefined) => (name ? staticShape(types.get(name)?.shape) : undefined);
  const prod = (a: readonly number[]) => a.reduce((x, y) => x * y, 1);
  const macs = (node: Node): number | undefined => {
    const y = shapeOf(node.outputs[0]);
    const w = shapeOf(node.inputs[1]);
    if (!y || !w) return undefined;
    if (node.op.endsWith('Conv')) return prod(y) * prod(w.slice(1));
    if (node.op.endsWith('Gemm') || node.op === 'MatMul') return prod(y) * (w.length === 2 ? w[node.op.endsWith('Gemm') && node.attrs.get('transB')?.value ? 1 : 0]! : 0);
    return undefined;
  };
  return new Map(model.graph.nodes.map((n) => [n.name, { shape: (shapeOf(n.outputs[0]) ?? []).join('x'), macs: macs(n) }]));
}
