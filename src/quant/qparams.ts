// Quantization parameters from ranges (scale and zero point, per tensor or per channel), and the fixed-point
// requantization arithmetic of integer kernels (TFLite's QuantizeMultiplier and MultiplyByQuantizedMultiplier).

import { EdgeError } from '../errors.js';
import { axisLayout, roundHalfEven } from '../kernels/ref/quant-math.js';
import { normalizeAxis } from '../tensor/shape.js';
import type { QuantParams, Tensor } from '../tensor/tensor.js';
import type { TensorRange } from './observers/observer.js';

export type QuantDtype = 'int8' | 'uint8';

/** An integer grid [qmin, qmax]. */
export interface QuantGrid {
  qmin: number;
  qmax: number;
}

/**
 * Grids per dtype, as onnxruntime's get_qmin_qmax_for_qType: symmetric int8 drops -128 so that zero sits in the
 * middle; reduceRange keeps 7 bits (for x86 VPMADDUBSW, whose int16 sums can saturate).
 */
const GRIDS: Record<QuantDtype, Record<'full' | 'symmetric' | 'reduced' | 'reducedSymmetric', QuantGrid>> = {
  int8: {
    full: { qmin: -128, qmax: 127 },
    symmetric: { qmin: -127, qmax: 127 },
    reduced: { qmin: -64, qmax: 64 },
    reducedSymmetric: { qmin: -64, qmax: 64 },
  },
  uint8: {
    full: { qmin: 0, qmax: 255 },
    symmetric: { qmin: 0, qmax: 255 },
    reduced: { qmin: 0, qmax: 127 },
    reducedSymmetric: { qmin: 0, qmax: 127 },
  },
};

/** Smallest scale handed out (float32 epsilon, as PyTorch's observers): a range of width ~0 still gets a valid grid. */
export const MIN_SCALE = 2 ** -23;

export interface QParamsOptions {
  dtype?: QuantDtype;
  /** Zero point in the middle of the grid (0 for int8, 128 for uint8) and range [-a, a]. */
  symmetric?: boolean;
  /** 7-bit grids (onnxruntime's reduce_range). */
  reduceRange?: boolean;
}

export interface ScaleZeroPoint {
  /** A float32 value, > 0. */
  scale: number;
  zeroPoint: number;
}

export function quantGrid(dtype: QuantDtype, symmetric = false, reduceRange = false): QuantGrid {
  const grids = GRIDS[dtype];
  if (!grids) throw new EdgeError('QPARAMS_INVALID', `quantization dtype must be int8 or uint8, got '${String(dtype)}'`, { actual: dtype });
  return grids[reduceRange ? (symmetric ? 'reducedSymmetric' : 'reduced') : symmetric ? 'symmetric' : 'full'];
}

/**
 * Scale and zero point mapping `range` (widened to include 0, so zero is exactly representable) onto the grid:
 * asymmetric scale = (max - min) / (qmax - qmin), zero point = round(qmin - min / scale) clamped to the grid;
 * symmetric scale = 2a / (qmax - qmin) with a = max(|min|, |max|), zero point the grid's middle.
 */
export function qparamsFromRange(range: TensorRange, options: QParamsOptions = {}, where = 'range'): ScaleZeroPoint {
  const { min, max } = range;
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new EdgeError('QPARAMS_INVALID', `${where}: cannot quantize the range [${min}, ${max}]; it must be finite with min <= max`, {
      actual: range,
    });
  }
  const symmetric = options.symmetric ?? false;
  const { qmin, qmax } = quantGrid(options.dtype ?? 'int8', symmetric, options.reduceRange ?? false);
  let lo = Math.min(min, 0);
  let hi = Math.max(max, 0);
  if (symmetric) {
    hi = Math.max(-lo, hi);
    lo = -hi;
  }
  // float32 as stored in the model; the zero point is computed from the stored scale so that 0 maps exactly.
  const scale = Math.fround(Math.max((hi - lo) / (qmax - qmin), MIN_SCALE));
  const zero = symmetric ? roundHalfEven((qmin + qmax) / 2) : roundHalfEven(qmin - lo / scale);
  return { scale, zeroPoint: Math.min(Math.max(zero, qmin), qmax) };
}

/** Per-tensor parameters in the Tensor.quant form. */
export function tensorQParams(range: TensorRange, options: QParamsOptions = {}, where = 'range'): QuantParams {
  const p = qparamsFromRange(range, options, where);
  return { scale: Float32Array.of(p.scale), zeroPoint: Int32Array.of(p.zeroPoint) };
}

/** Min and max of each slice of `t` along `axis` (a weight's output channels); NaN or Inf is refused. */
export function channelRanges(t: Tensor, axis: number, where = 'weight'): TensorRange[] {
  const ax = normalizeAxis(axis, t.dims.length, where);
  const { outer, count, inner } = axisLayout(t.dims, ax);
  const data = t.toFloat32();
  const ranges = Array.from({ length: count }, () => ({ min: Infinity, max: -Infinity }));
  let i = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < count; c++) {
      const r = ranges[c]!;
      for (let j = 0; j < inner; j++, i++) {
        const v = data[i]!;
        if (v - v !== 0) {
          throw new EdgeError('QPARAMS_INVALID', `${where}: channel ${c} holds ${v} at flat index ${i}; weights must be finite to quantize`, {
            actual: v,
          });
        }
        if (v < r.min) r.min = v;
        if (v > r.max) r.max = v;
      }
    }
  }
  return ranges.map((r) => (r.min <= r.max ? r : { min: 0, max: 0 })); // empty channels
}

export interface PerChannelOptions extends QParamsOptions {
  /** The output-channel axis: 0 for Conv ([M, C, kh, kw]) and Gemm with transB, 1 for MatMul ([K, N]). */
  axis?: number;
}

/**
 * Per-output-channel parameters of a float weight; defaults to symmetric int8 over axis 0, as onnxruntime's
 * per_channel=True with WeightSymmetric.
 */
export function perChannelQParams(weight: Tensor, options: PerChannelOptions = {}, where = 'weight'): QuantParams {
  const opts = { dtype: options.dtype ?? 'int8', symmetric: options.symmetric ?? true, reduceRange: options.reduceRange ?? false };
  const axis = normalizeAxis(options.axis ?? 0, weight.dims.length, where);
  const ranges = channelRanges(weight, axis, where);
  const scale = new Float32Array(ranges.length);
  const zeroPoint = new Int32Array(ranges.length);
  ranges.forEach((r, c) => {
    const p = qparamsFromRange(r, opts, `${where} channel ${c}`);
    scale[c] = p.scale;
    zeroPoint[c] = p.zeroPoint;
  });
  return { scale, zeroPoint, axis };
}

// ---------------------------------------------------------------------------------------------
// Fixed-point requantization: real multiplier ≈ multiplier * 2^(shift - 31), exact integer arithmetic
// ---------------------------------------------------------------------------------------------

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
const TWO_31 = 2147483648;

/** A Q31 multiplier in [2^30, 2^31) (or 0) and a power-of-two exponent: real ≈ multiplier * 2^(shift - 31). */
export interface QuantizedMultiplier {
  multiplier: number;
  shift: number;
}

/**
 * TFLite's QuantizeMultiplier: frexp the real multiplier into q in [0.5, 1) and an exponent, round q * 2^31 half
 * away from zero. Multipliers below 2^-32 become 0; above 2^30 they saturate. Negative, NaN or Inf is refused.
 */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (!(real >= 0) || !Number.isFinite(real)) {
    throw new EdgeError('QPARAMS_INVALID', `requantization multiplier must be finite and >= 0, got ${real}`, { actual: real });
  }
  if (real < 2 ** -33) return { multiplier: 0, shift: 0 }; // rounds to a shift below -31 in any case
  let shift = Math.floor(Math.log2(real)) + 1;
  let q = real * 2 ** -shift; // exact: scaling by a power of two
  // log2 may be off by one near powers of two; step q back into [0.5, 1).
  while (q >= 1) {
    q /= 2;
    shift++;
  }
  while (q < 0.5) {
    q *= 2;
    shift--;
  }
  let multiplier = Math.round(q * TWO_31); // q > 0, so half-up is half away from zero
  if (multiplier === TWO_31) {
    multiplier /= 2;
    shift++;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  if (shift > 30) return { multiplier: INT32_MAX, shift: 30 };
  return { multiplier, shift };
}

/**
 * gemmlowp's SaturatingRoundingDoublingHighMul: a*b / 2^31 rounded to nearest, bit for bit as
 * trunc((a*b + (ab >= 0 ? 2^30 : 1 - 2^30)) / 2^31) in C++ (so an exact negative half, -2.5, gives -2);
 * INT32_MIN * INT32_MIN saturates to INT32_MAX.
 * a*b needs 62 bits, so it is split: b = bHi * 2^16 + bLo keeps every partial product below 2^53.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const bLo = b & 0xffff;
  const bHi = b >> 16;
  const p1 = a * bHi; // |p1| <= 2^46
  const p0 = a * bLo; // |p0| < 2^47
  const nudge = a === 0 || b === 0 || a < 0 === b < 0 ? 1073741824 : 1 - 1073741824;
  // a*b + nudge = p1 * 2^16 + p0 + nudge = q1 * 2^31 + t, with p1 = q1 * 2^15 + r1.
  const q1 = Math.floor(p1 / 32768);
  const t = (p1 - q1 * 32768) * 65536 + p0 + nudge; // |t| < 2^48: exact
  const q2 = Math.floor(t / TWO_31);
  const floorQuotient = q1 + q2;
  const remainder = t - q2 * TWO_31;
  // C++ integer division truncates towards zero: a negative quotient with a remainder steps up by one.
  return floorQuotient < 0 && remainder !== 0 ? floorQuotient + 1 : floorQuotient;
}

/** gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded half away from zero, exponent in [0, 31]. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = 2 ** exponent - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * TFLite's MultiplyByQuantizedMultiplier: x * multiplier * 2^(shift - 31), rounded as TFLite does (a doubling
 * high multiply, then a rounding right shift). x and multiplier are int32, shift in [-31, 30]. A left shift
 * that overflows int32 saturates here (it is undefined behaviour in TFLite's C++).
 */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  let shifted = x * 2 ** left;
  if (shifted > INT32_MAX) shifted = INT32_MAX;
  else if (shifted < INT32_MIN) shifted = INT32_MIN;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(shifted, multiplier), right);
}
