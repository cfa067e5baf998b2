// Helpers for the pass tests: run a model on the reference ops plus the fused ops, and show a rewrite as IR before/after.

import type { Model } from '../ir/graph.js';
import { printGraph } from '../ir/print.js';
import { verifyModel } from '../ir/verify.js';
import { callKernel, type OpTable } from '../kernels/op-def.js';
import { fusedOps } from '../kernels/ref/fused.js';
import { referenceOps } from '../kernels/ref/index.js';
import { buildPlan } from '../runtime/plan.js';
import type { Tensor } from '../tensor/tensor.js';

export const TEST_OPS: OpTable = { ...fusedOps, ...referenceOps };

/** The outputs of one run: the session's loop over the execution plan, with the fused ops available. */
export function runModel(model: Model, feeds: Record<string, Tensor>): Record<string, Tensor> {
  const verified = verifyModel(model, TEST_OPS);
  const values = new Map<string, Tensor>(verified.constants);
  for (const [name, t] of Object.entries(feeds)) values.set(name, t);
  for (const step of buildPlan(model, verified, TEST_OPS).steps) {
    const outs = callKernel(step.op, step.ctx, step.node.inputs.map((n) => (n ? values.get(n) : undefined)));
    step.node.outputs.forEach((n, i) => n && outs[i] && values.set(n, outs[i]!));
  }
  return Object.fromEntries(model.graph.outputs.map((o) => [o.name, values.get(o.name)!]));
}

/** The IR before and after a rewrite, typed by inference; printed so a test log shows what the pass did. */
export function showRewrite(title: string, before: Model, after: Model): string {
  const typed = (m: Model) => printGraph(m.graph, { types: verifyModel(m, TEST_OPS).types });
  const text = `--- ${title}: before\n${typed(before)}\n--- ${title}: after\n${typed(after)}`;
  console.log(text);
  return text;
}

/** Node ops in order, `domain.Op` outside the default domain. */
export function opsOf(model: Model): string[] {
  return model.graph.nodes.map((n) => (n.domain ? `${n.domain}.${n.op}` : n.op));
}

/** Largest |a - b| over two same-shaped float tensors. */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  const x = a.toNumbers();
  const y = b.toNumbers();
  if (x.length !== y.length) return Infinity;
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
}
