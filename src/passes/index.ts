// The graph optimizer: runs the rewrites in order on a topologically sorted copy of the model.
// EDGEINFER_DEBUG=1 prints the node count after each pass and the optimized graph on stderr.

import { debugLevel } from '../env.js';
import type { Model } from '../ir/graph.js';
import { printGraph } from '../ir/print.js';
import { verifyModel } from '../ir/verify.js';
import type { OpTable } from '../kernels/op-def.js';
import { fusedOps } from '../kernels/ref/fused.js';
import { eliminateDeadPass } from './eliminate-dead.js';
import { eliminateIdentityPass } from './eliminate-identity.js';
import { foldBatchNormPass } from './fold-batchnorm.js';
import { foldConstantsPass } from './fold-constants.js';
import { fuseActivationPass } from './fuse-activation.js';
import { fuseMatMulAddPass } from './fuse-matmul-add.js';
import { fuseQdqPass } from './fuse-qdq.js';
import type { Pass } from './graph-edit.js';

export type { Pass, PassContext } from './graph-edit.js';

/**
 * Order matters: copies go first so patterns see through them; QDQ patterns fuse into integer ops before
 * constant folding would turn the weights' DequantizeLinear into float weights; constant folding turns Constant nodes
 * into initializers that the fusions need; MatMul+Add becomes Gemm before BN folding, which must see
 * the Conv/Gemm before its activation is fused; dead weights (replaced by folded ones) go last.
 */
export const PASSES: readonly Pass[] = [
  eliminateIdentityPass,
  fuseQdqPass,
  foldConstantsPass,
  fuseMatMulAddPass,
  foldBatchNormPass,
  fuseActivationPass,
  eliminateDeadPass,
];

export interface OptimizeOptions {
  /** Passes to run (default: PASSES). */
  passes?: readonly Pass[];
  /** Called after each pass (tests, tools). */
  onPass?: (pass: Pass, model: Model) => void;
}

/** An equivalent, optimized model; the input model is not modified. `ops` must cover the model's ops. */
export function optimizeModel(model: Model, ops: OpTable, options: OptimizeOptions = {}): Model {
  const ctx = { ops: { ...fusedOps, ...ops } };
  const debug = debugLevel() >= 1;
  // Sorting first also verifies the input: a bad model fails here with the verifier's message.
  let current: Model = { ...model, graph: { ...model.graph, nodes: verifyModel(model, ctx.ops).order } };
  const before = model.graph.nodes.length;
  for (const pass of options.passes ?? PASSES) {
    current = pass.run(current, ctx);
    options.onPass?.(pass, current);
    if (debug) process.stderr.write(`[edgeinfer] pass ${pass.name}: ${current.graph.nodes.length} nodes\n`);
  }
  if (debug) {
    const types = verifyModel(current, ctx.ops).types;
    process.stderr.write(`[edgeinfer] optimized graph (${before} -> ${current.graph.nodes.length} nodes)\n${printGraph(current.graph, { types })}\n`);
  }
  return current;
}
