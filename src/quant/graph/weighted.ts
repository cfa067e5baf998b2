// The constants of a weighted node in int8/int32: its weight (Gemm's alpha folded in, optionally laid out
// as a [K, N] matrix for the MatMul-based integer ops) and its bias at the accumulator's scale.

import { attrInt } from '../../ir/attrs.js';
import { Tensor } from '../../tensor/tensor.js';
import { quantizeBias, quantizeWeight, weightScaleFloor, weightScales } from '../weights.js';
import type { GraphBuilder, QuantizedRef } from './builder.js';
import type { WeightedSite } from './sites.js';

/** 'as-is' keeps the node's weight layout (QDQ, weight-only); 'matrix' gives Gemm's B as [K, N] (QLinearMatMul, MatMulInteger). */
export type WeightLayout = 'as-is' | 'matrix';

export interface SiteConstants {
  weight: QuantizedRef;
  /** int32 bias, present when an input scale was given and the site has a per-channel-shaped constant bias. */
  bias?: QuantizedRef;
}

/** The float weight to quantize, with alpha folded in, and the axis of its per-channel scales. */
function weightTensor(site: WeightedSite, layout: WeightLayout): { tensor: Tensor; axis: number | undefined } {
  const { tensor: w, axis } = site.weight!;
  // QLinearMatMul / MatMulInteger take per-column parameters of a 2-D B only: batched weights get one scale.
  if (layout === 'matrix' && w.dims.length !== 2) return { tensor: w, axis: undefined };
  if (site.node.op !== 'Gemm' || (layout === 'as-is' && site.alpha === 1)) return { tensor: w, axis };
  const transB = attrInt(site.node, 'transB', 0) !== 0;
  const [r, c] = w.dims as [number, number];
  const src = w.toFloat32();
  if (layout === 'as-is') return { tensor: new Tensor('float32', src.map((v) => v * site.alpha), w.dims), axis };
  // [K, N] with output channels on axis 1.
  const [K, N] = transB ? [c, r] : [r, c];
  const out = new Float32Array(w.size);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) out[k * N + n] = (transB ? src[n * c + k]! : src[k * c + n]!) * site.alpha;
  return { tensor: new Tensor('float32', out, [K, N]), axis: axis === undefined ? undefined : 1 };
}

/** Gemm's bias times beta (folded so the node can run with beta = 1); the bias itself otherwise. */
function biasValues(site: WeightedSite): Tensor {
  const b = site.bias!.tensor;
  return site.beta === 1 ? b : new Tensor('float32', b.toFloat32().map((v) => v * site.beta), b.dims);
}

/**
 * Quantizes the site's weight, and its bias when `inputScale` is known (bias scale = input scale × weight
 * scale, so integer kernels add it to the int32 accumulator as is). Cached: a shared weight is stored once.
 */
export function quantizeSite(b: GraphBuilder, site: WeightedSite, layout: WeightLayout, inputScale?: number): SiteConstants {
  const { tensor, axis } = weightTensor(site, layout);
  const withBias = inputScale !== undefined && site.bias !== undefined;
  const bias = withBias ? biasValues(site) : undefined;
  // A weight scale is raised only when its int32 bias would overflow; then the copy is specific to this input scale.
  const floor = bias ? weightScaleFloor(bias, inputScale!, axis !== undefined) : undefined;
  const where = `weight '${site.weight!.name}'`;
  const binds = floor !== undefined && weightScales(tensor, axis, where).some((s, c) => floor[floor.length > 1 ? c : 0]! > s);
  const key = `${site.weight!.name}|${axis}|${layout}|${site.alpha}${binds ? `|${inputScale}` : ''}`;
  const weight = b.quantized(key, site.weight!.name, () => quantizeWeight(tensor, axis, binds ? floor : undefined, where));
  if (!bias) return { weight };
  const biasKey = `${site.bias!.name}|${weight.data}|${inputScale}|${site.beta}`;
  return { weight, bias: b.quantized(biasKey, site.bias!.name, () => quantizeBias(bias, inputScale!, weight.values.scale)) };
}
