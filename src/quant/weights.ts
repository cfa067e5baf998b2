// What the graph quantizer stores: activation parameters (asymmetric int8/uint8), quantized copies of weights
// (symmetric int8, per tensor or per channel) and of biases (int32 at the accumulator's scale). The scale and
// zero-point formulas are those of qparams.ts (onnxruntime's); this file applies them to the model's constants.

import { axisLayout, roundHalfEven } from '../kernels/ref/quant-math.js';
import { DTYPES } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { channelRanges, perChannelQParams, qparamsFromRange } from './qparams.js';

export type ActivationType = 'int8' | 'uint8';

/** A calibrated value range (what calibration records per tensor). */
export interface Range {
  min: number;
  max: number;
}

/** Per-tensor parameters of an activation: real = (q - zeroPoint) * scale. */
export interface QParams {
  scale: number;
  zeroPoint: number;
  dtype: ActivationType;
}

/** A constant quantized per tensor (scale of length 1) or along `axis`. */
export interface QuantizedConstant {
  data: Tensor;
  scale: Float32Array;
  zeroPoint: Int32Array;
  axis?: number;
}

/** Symmetric int8 weights use [-127, 127] so that -w is representable (onnxruntime's symmetric range). */
const WEIGHT_QMAX = 127;
const INT32_MAX = 2147483647;

/**
 * Asymmetric parameters of an activation: its range widened to include 0 (so 0 is exact, as padding needs),
 * scale = (max - min) / (qmax - qmin), zeroPoint = round(qmin - min / scale). Refuses NaN, infinite or reversed ranges.
 */
export function activationQParams(range: Range, dtype: ActivationType, tensor = 'tensor'): QParams {
  return { ...qparamsFromRange(range, { dtype }, `range of '${tensor}'`), dtype };
}

/** The real interval that parameters can represent: [(qmin - zp) * scale, (qmax - zp) * scale]. */
export function representable(p: QParams): Range {
  const { min: qmin, max: qmax } = DTYPES[p.dtype] as { min: number; max: number };
  return { min: (qmin - p.zeroPoint) * p.scale, max: (qmax - p.zeroPoint) * p.scale };
}

/** Scales of symmetric int8 quantization: max|w| / 127 per tensor (axis undefined) or per index of `axis`. */
export function weightScales(w: Tensor, axis: number | undefined, where = 'weight'): Float32Array {
  if (axis !== undefined) return perChannelQParams(w, { axis }, where).scale;
  const ranges = channelRanges(w.reshape([1, w.size]), 0, where);
  return Float32Array.of(qparamsFromRange(ranges[0]!, { symmetric: true }, where).scale);
}

/**
 * Symmetric int8 quantization of a float32 constant, per tensor (axis undefined) or per index of `axis`,
 * zero point 0. `minScale` raises scales (per channel, or one for the tensor) so that an int32 bias fits.
 */
export function quantizeWeight(w: Tensor, axis: number | undefined, minScale?: Float32Array, where = 'weight'): QuantizedConstant {
  const x = w.toFloat32();
  const { outer, count, inner } = axisLayout(w.dims, axis);
  const scale = weightScales(w, axis, where);
  if (minScale) for (let c = 0; c < count; c++) scale[c] = Math.max(scale[c]!, minScale[minScale.length > 1 ? c : 0]!);
  const q = new Int8Array(w.size);
  for (let o = 0, i = 0; o < outer; o++) {
    for (let c = 0; c < count; c++) {
      const s = scale[c]!;
      for (let j = 0; j < inner; j++, i++) q[i] = Math.max(-WEIGHT_QMAX, Math.min(WEIGHT_QMAX, roundHalfEven(Math.fround(x[i]! / s))));
    }
  }
  const data = new Tensor('int8', q, w.dims);
  const zeroPoint = new Int32Array(count);
  data.quant = { scale, zeroPoint, ...(axis === undefined ? {} : { axis }) };
  return { data, scale, zeroPoint, ...(axis === undefined ? {} : { axis }) };
}

/**
 * Lowest weight scale per channel (or one for the tensor) for which `bias / (inputScale * weightScale)`
 * fits in int32: a channel with tiny weights and a large bias would overflow otherwise.
 */
export function weightScaleFloor(bias: Tensor, inputScale: number, perChannel: boolean): Float32Array {
  const b = bias.toFloat32();
  const floor = new Float32Array(perChannel ? b.length : 1);
  for (let i = 0; i < b.length; i++) {
    const need = Math.abs(b[i]!) / (inputScale * INT32_MAX);
    const k = perChannel ? i : 0;
    floor[k] = Math.max(floor[k]!, need * (1 + 1e-6));
  }
  return floor;
}

/** int32 bias with scale inputScale * weightScale[c] and zero point 0: the scale of the int32 accumulator. */
export function quantizeBias(bias: Tensor, inputScale: number, weightScale: Float32Array): QuantizedConstant {
  const b = bias.toFloat32();
  const perChannel = weightScale.length > 1;
  const scale = new Float32Array(perChannel ? weightScale.length : 1);
  for (let c = 0; c < scale.length; c++) scale[c] = Math.fround(inputScale * weightScale[c]!);
  const q = new Int32Array(b.length);
  for (let i = 0; i < b.length; i++) {
    const v = roundHalfEven(Math.fround(b[i]! / scale[perChannel ? i : 0]!));
    q[i] = Math.max(-INT32_MAX - 1, Math.min(INT32_MAX, v));
  }
  const data = new Tensor('int32', q, bias.dims);
  const zeroPoint = new Int32Array(scale.length);
  const axis = perChannel ? 0 : undefined;
  data.quant = { scale, zeroPoint, ...(axis === undefined ? {} : { axis }) };
  return { data, scale, zeroPoint, ...(axis === undefined ? {} : { axis }) };
}
