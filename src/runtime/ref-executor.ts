// Runs a model on the reference kernels: node by node, each output a fresh tensor, intermediates
// dropped after their last reader. Slow on purpose, and the specification the fast backend must match.

import { EdgeError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import type { VerifiedGraph } from '../ir/verify.js';
import { callKernel, type OpTable } from '../kernels/op-def.js';
import type { Tensor } from '../tensor/tensor.js';
import { buildPlan, type ExecutionPlan } from './plan.js';

export class RefExecutor {
  private readonly plan: ExecutionPlan;

  constructor(
    private readonly model: Model,
    private readonly verified: VerifiedGraph,
    ops: OpTable,
  ) {
    this.plan = buildPlan(model, verified, ops);
  }

  run(feeds: Record<string, Tensor>, fetches: readonly string[]): Record<string, Tensor> {
    const values = new Map<string, Tensor>(this.verified.constants);
    for (const [name, t] of Object.entries(feeds)) values.set(name, t);
    for (const input of this.model.graph.inputs) {
      const init = this.model.graph.initializers.get(input.name);
      if (init && !values.has(input.name)) values.set(input.name, init);
    }
    for (const step of this.plan.steps) {
      const inputs = step.node.inputs.map((name) => (name ? values.get(name) : undefined));
      const outputs = callKernel(step.op, step.ctx, inputs);
      step.node.outputs.forEach((name, i) => {
        if (name && outputs[i]) values.set(name, outputs[i]!);
      });
      for (const name of step.release) values.delete(name);
    }
    const result: Record<string, Tensor> = {};
    for (const f of fetches) {
      const t = values.get(f);
      if (!t) throw new EdgeError('INTERNAL', `output '${f}' was not computed`);
      result[f] = t;
    }
    return result;
  }
}
