// Size of a built model: multiply-accumulates per sample (from shapes inferred at batch 1) and parameters.

import { nodeMacs } from '../../src/ir/cost.js';
import type { Model } from '../../src/ir/graph.js';
import { verifyModel } from '../../src/ir/verify.js';
import { referenceOps } from '../../src/kernels/ref/index.js';

/** BatchNorm running statistics are buffers, not parameters (as torch counts them). */
const BUFFER = /\.running_(mean|var)$/;

export function modelStats(model: Model): { macs: number; params: number } {
  const atBatch1: Model = {
    ...model,
    graph: { ...model.graph, inputs: model.graph.inputs.map((i) => ({ ...i, type: { ...i.type!, shape: i.type!.shape!.map((d) => (typeof d === 'number' ? d : 1)) } })) },
  };
  const { types } = verifyModel(atBatch1, referenceOps);
  const macs = model.graph.nodes.reduce((sum, n) => sum + (nodeMacs(n, types) ?? 0), 0);
  let params = 0;
  for (const [name, t] of model.graph.initializers) if (!BUFFER.test(name)) params += t.size;
  return { macs, params };
}
