// A Conv / Gemm / MatMul seen by the quantizer: its activation input, its constant weight (with the axis
// of per-channel scales), or a second activation for MatMul, and its bias when it can become int32.

import { attrFloat, attrInt } from '../../ir/attrs.js';
import type { Node } from '../../ir/graph.js';
import { opKey } from '../../ir/graph.js';
import type { Tensor } from '../../tensor/tensor.js';
import { floatConstant, isFloatActivation, type QuantContext } from './context.js';
import { QUANT_ROLES } from './roles.js';

export interface WeightedSite {
  node: Node;
  /** The activation input (A of Gemm / MatMul, x of Conv). */
  x: string;
  /** The constant weight, absent when MatMul's B is an activation (`b`). */
  weight?: { name: string; tensor: Tensor; axis: number | undefined };
  b?: string;
  /** A constant bias of one value per output channel (1-D, so its int32 copy takes per-axis scales on axis 0). */
  bias?: { name: string; tensor: Tensor };
  /** Gemm only: alpha, beta, transA. */
  alpha: number;
  beta: number;
  transA: boolean;
}

/** The site of a weighted node, or undefined when the node does not fit (non-float, non-constant weight, odd ranks). */
export function weightedSite(ctx: QuantContext, node: Node): WeightedSite | undefined {
  const role = QUANT_ROLES[opKey(node)];
  if (role?.kind !== 'weighted') return undefined;
  const x = node.inputs[0];
  if (!isFloatActivation(ctx, x)) return undefined;
  const wName = node.inputs[role.weight!]!;
  const w = floatConstant(ctx, wName);
  const isGemm = node.op === 'Gemm';
  const site: WeightedSite = {
    node,
    x,
    alpha: isGemm ? attrFloat(node, 'alpha', 1) : 1,
    beta: isGemm ? attrFloat(node, 'beta', 1) : 1,
    transA: isGemm && attrInt(node, 'transA', 0) !== 0,
  };
  if (!w) {
    // Only MatMul multiplies two activations; Conv and Gemm with a fed weight stay float.
    if (!role.activationWeight || !isFloatActivation(ctx, wName)) return undefined;
    return { ...site, b: wName };
  }
  const rank = w.dims.length;
  if (rank < role.weightRanks!.min || rank > role.weightRanks!.max) return undefined;
  const perChannel = ctx.options.perChannel && rank >= 2;
  site.weight = { name: wName, tensor: w, axis: perChannel ? role.channelAxis!(node, rank) : undefined };
  const channels = w.dims[role.channelAxis!(node, rank)]!;
  const biasName = role.bias === undefined ? undefined : node.inputs[role.bias];
  const bias = floatConstant(ctx, biasName);
  // A bias of [N] or [1, N] is one value per output channel; other shapes (scalar, [M, N]) stay float.
  if (bias && bias.size === channels && bias.dims.length >= 1 && bias.dims.slice(0, -1).every((d) => d === 1)) {
    site.bias = { name: biasName!, tensor: bias.dims.length === 1 ? bias : bias.reshape([channels]) };
  }
  return site;
}
