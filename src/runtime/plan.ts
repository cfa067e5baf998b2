// The execution plan: the nodes still to run after load-time folding, with each value's last use so
// intermediate tensors are dropped as soon as nothing reads them.

import type { Model, Node } from '../ir/graph.js';
import type { VerifiedGraph } from '../ir/verify.js';
import { opKey, type KernelContext, type OpDef, type OpTable } from '../kernels/op-def.js';

export interface PlannedNode {
  node: Node;
  op: OpDef;
  ctx: KernelContext;
  /** Values whose last reader is this node: released after it runs. */
  release: string[];
}

export interface ExecutionPlan {
  steps: PlannedNode[];
}

export function buildPlan(model: Model, verified: VerifiedGraph, ops: OpTable): ExecutionPlan {
  const outputs = new Set(model.graph.outputs.map((o) => o.name));
  const steps: PlannedNode[] = verified.order
    .filter((node) => !node.outputs.every((o) => !o || verified.constants.has(o)))
    .map((node) => ({ node, op: ops[opKey(node)]!, ctx: { node, opset: verified.opset }, release: [] }));

  const lastUse = new Map<string, number>();
  steps.forEach((s, i) => s.node.inputs.forEach((name) => name && lastUse.set(name, i)));
  for (const [name, i] of lastUse) {
    if (!outputs.has(name) && !verified.constants.has(name)) steps[i]!.release.push(name);
  }
  return { steps };
}
