// Replaces nodes whose outputs are all known at load time (the verifier's folded constants) by
// initializers, then drops the nodes and initializers nothing reads any more.
// before -> after:  s = Shape(x[1,3]); n = Gather(s, 1); y = Reshape(x, c)  ->  n = initializer {3}; y = Reshape(x, c)

import type { Model, Node } from '../ir/graph.js';
import { verifyModel } from '../ir/verify.js';
import type { Tensor } from '../tensor/tensor.js';
import { eliminateDeadPass } from './eliminate-dead.js';
import { rewriteGraph, type Pass, type PassContext } from './graph-edit.js';

function foldConstants(model: Model, ctx: PassContext): Model {
  const { constants } = verifyModel(model, ctx.ops);
  const replace = new Map<Node, Node | null>();
  const initializers = new Map<string, Tensor>();
  for (const node of model.graph.nodes) {
    const outs = node.outputs.filter((o) => o);
    if (outs.length === 0 || !outs.every((o) => constants.has(o))) continue;
    replace.set(node, null);
    for (const o of outs) initializers.set(o, constants.get(o)!);
  }
  return eliminateDeadPass.run(rewriteGraph(model, replace, initializers), ctx);
}

export const foldConstantsPass: Pass = { name: 'fold-constants', run: foldConstants };
