// Reference kernels of the fused ops the graph passes create (edgeinfer.FusedConv, edgeinfer.FusedGemm):
// the reference Conv or Gemm followed by the reference activation, so a fused graph computes exactly what the unfused one did.

import { attrFloats, attrString } from '../../ir/attrs.js';
import type { Attribute, Node, ValueType } from '../../ir/graph.js';
import { Tensor } from '../../tensor/tensor.js';
import { nodeError, type KernelContext, type OpDef, type OpTable } from '../op-def.js';
import { convOps } from './conv.js';
import { elementwiseOps } from './elementwise.js';
import { matmulOps } from './matmul.js';

/** Domain of the ops that passes create. */
export const EDGEINFER_DOMAIN = 'edgeinfer';

/**
 * Activations that may follow a Conv or Gemm inside one fused node, with the attributes that become
 * `activation_params` in order. Clip's params are [min, max]; from opset 11 they are inputs of Clip.
 */
export interface FusedActivation {
  params: readonly { attr: string; fallback: number }[];
  /** Params are Clip bounds: inputs 1 and 2 of the activation from opset 11, attributes before. */
  bounds?: true;
}

export const FUSED_ACTIVATIONS: Readonly<Record<string, FusedActivation>> = {
  Relu: { params: [] },
  Sigmoid: { params: [] },
  Tanh: { params: [] },
  HardSwish: { params: [] },
  LeakyRelu: { params: [{ attr: 'alpha', fallback: 0.01 }] },
  HardSigmoid: { params: [{ attr: 'alpha', fallback: 0.2 }, { attr: 'beta', fallback: 0.5 }] },
  Clip: { params: [{ attr: 'min', fallback: -Infinity }, { attr: 'max', fallback: Infinity }], bounds: true },
};

/** The fused op that carries each base op plus an activation. */
export const FUSED_BASE_OPS: Readonly<Record<string, string>> = {
  Conv: 'FusedConv',
  Gemm: 'FusedGemm',
  // Binary ops with an activation: the residual Add + Relu of ResNets runs as one pass over memory.
  Add: 'FusedAdd',
  Sub: 'FusedSub',
  Mul: 'FusedMul',
  Div: 'FusedDiv',
};

interface Activation {
  op: OpDef;
  node: Node;
  /** Extra inputs after the data (Clip's bounds from opset 11). */
  extra: (dtype: Tensor['type']) => (Tensor | undefined)[];
}

/** Rebuilds the activation node from `activation` and `activation_params`; throws MODEL_INVALID when they are wrong. */
function activationOf(ctx: KernelContext): Activation {
  const name = attrString(ctx.node, 'activation');
  const spec = name !== undefined && Object.hasOwn(FUSED_ACTIVATIONS, name) ? FUSED_ACTIVATIONS[name] : undefined;
  if (name === undefined || !spec) {
    throw nodeError(ctx, 'MODEL_INVALID', `activation is ${name === undefined ? 'missing' : `'${name}'`}, expected one of ${Object.keys(FUSED_ACTIVATIONS).join(', ')}`, {
      expected: Object.keys(FUSED_ACTIVATIONS),
      actual: name,
    });
  }
  const params = attrFloats(ctx.node, 'activation_params') ?? [];
  if (params.length !== spec.params.length) {
    throw nodeError(ctx, 'MODEL_INVALID', `activation ${name} takes ${spec.params.length} activation_params, got ${params.length}`, {
      expected: spec.params.length,
      actual: params.length,
    });
  }
  const asInputs = spec.bounds === true && ctx.opset >= 11;
  const attrs = new Map<string, Attribute>();
  if (!asInputs) spec.params.forEach((p, i) => Number.isFinite(params[i]) && attrs.set(p.attr, { type: 'float', value: params[i]! }));
  const node: Node = { op: name, domain: '', name: ctx.node.name, inputs: [], outputs: [], attrs };
  // An infinite bound is an omitted one.
  const extra = (dtype: Tensor['type']) =>
    asInputs ? params.map((v) => (Number.isFinite(v) ? Tensor.fromNumbers(dtype, [v], []) : undefined)) : [];
  return { op: elementwiseOps[name]!, node, extra };
}

function fusedOp(base: OpDef): OpDef {
  return {
    infer(ctx, inputs): ValueType[] {
      activationOf(ctx);
      return base.infer(ctx, inputs);
    },
    run(ctx, inputs): Tensor[] {
      const act = activationOf(ctx);
      const [y] = base.run(ctx, inputs);
      return act.op.run({ node: act.node, opset: ctx.opset }, [y, ...act.extra(y!.type)]);
    },
  };
}

export const fusedOps: OpTable = {
  [`${EDGEINFER_DOMAIN}.FusedConv`]: fusedOp(convOps.Conv!),
  [`${EDGEINFER_DOMAIN}.FusedGemm`]: fusedOp(matmulOps.Gemm!),
  [`${EDGEINFER_DOMAIN}.FusedAdd`]: fusedOp(elementwiseOps.Add!),
  [`${EDGEINFER_DOMAIN}.FusedSub`]: fusedOp(elementwiseOps.Sub!),
  [`${EDGEINFER_DOMAIN}.FusedMul`]: fusedOp(elementwiseOps.Mul!),
  [`${EDGEINFER_DOMAIN}.FusedDiv`]: fusedOp(elementwiseOps.Div!),
};
