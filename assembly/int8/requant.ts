// Requantization of int32 sums, bit for bit as the reference kernels (src/kernels/ref/qfused.ts): Conv and GEMM in
// float32 (round-half-even(f32(sum) * scale), XNNPACK's 'fp32' scheme: four SIMD instructions); Add and the pools in
// fixed point as TFLite's MultiplyByQuantizedMultiplier (a doubling high multiply rounding half up, then a rounding
// right shift).

/** Flag bit: the int8 tensors of a kernel call are uint8 (zero-extended on load, narrowed unsigned on store). */
export const Q_UNSIGNED: i32 = 1;
/** Flag bit of the GEMM: float32 output y = f32(sum + bias) * scale, with QOut.mult pointing at the float32 scales. */
export const Q_FLOAT_OUT: i32 = 2;

/**
 * The quantization parameters of a conv / GEMM node, a block of 8 int32 in memory written once by the glue
 * (`changetype` views it, nothing is allocated): pointers to the per-output-channel int32 bias and float32 scale
 * arrays (`mult`), the GEMM's output row stride in elements (`ldy`, 0: N; unused by the convolutions), the input and output
 * zero points, the output clamp and the flags (Q_UNSIGNED).
 */
@unmanaged export class QOut {
  bias: usize;
  mult: usize;
  ldy: usize;
  xZero: i32;
  zp: i32;
  lo: i32;
  hi: i32;
  flags: i32;
}

/** gemmlowp's SaturatingRoundingDoublingHighMul for b >= 0: floor((a * b + 2^30) / 2^31) (the nudges collapse to this). */
@inline export function srdhm(a: i32, b: i32): i32 {
  return <i32>((<i64>a * <i64>b + (1 << 30)) >> 31);
}

/** gemmlowp's RoundingDivideByPOT: x / 2^e rounded half away from zero, e in [0, 31]. */
@inline export function rdbpot(x: i32, e: i32): i32 {
  const mask = (1 << e) - 1;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + ((x & mask) > threshold ? 1 : 0);
}

/** x * 2^(shift - 31) * multiplier with TFLite's rounding; a left shift saturates first (multiplier >= 0). */
@inline export function mbqm(x: i32, multiplier: i32, shift: i32): i32 {
  if (shift > 0) {
    const wide = <i64>x << shift;
    x = wide > <i64>i32.MAX_VALUE ? i32.MAX_VALUE : wide < <i64>i32.MIN_VALUE ? i32.MIN_VALUE : <i32>wide;
    return srdhm(x, multiplier);
  }
  return rdbpot(srdhm(x, multiplier), -shift);
}

/** clamp(mbqm(acc) + zeroPoint, lo, hi). */
@inline export function requantScalar(acc: i32, multiplier: i32, shift: i32, zeroPoint: i32, lo: i32, hi: i32): i32 {
  return min(max(mbqm(acc, multiplier, shift) + zeroPoint, lo), hi);
}

/** Float32 requantization: clamp(nearest(f32(acc) * scale) + zp, lo, hi); clamping before rounding is the same (integer bounds). */
@inline export function requantFloat(acc: i32, scale: f32, zp: i32, lo: i32, hi: i32): i32 {
  const v = min(max(<f32>acc * scale, <f32>(lo - zp)), <f32>(hi - zp));
  return <i32>nearest<f32>(v) + zp;
}

/** 1.5 * 2^23: added to a float in [-2^22, 2^22], the sum's low mantissa bits are the value rounded half to even. */
export const ROUND_MAGIC: f32 = 12582912.0;
export const ROUND_MAGIC_BITS: i32 = 0x4b400000;

/** An int8 / uint8 element widened to i32. */
@inline export function loadQ(p: usize, unsigned: bool): i32 {
  return unsigned ? <i32>load<u8>(p) : <i32>load<i8>(p);
}

// ---------------------------------------------------------------------------------------------
// SIMD forms (compiled only where ASC_FEATURE_SIMD holds): four lanes, one multiplier and shift for all lanes
// ---------------------------------------------------------------------------------------------

/** srdhm per lane: 64-bit products, + 2^30, then the high words of (p << 1) (V8 on x64 has no 64-bit arithmetic right shift). */
@inline export function vsrdhm(a: v128, m: v128): v128 {
  const nudge = i64x2.splat(1 << 30);
  const lo = i64x2.shl(i64x2.add(i64x2.extmul_low_i32x4_s(a, m), nudge), 1);
  const hi = i64x2.shl(i64x2.add(i64x2.extmul_high_i32x4_s(a, m), nudge), 1);
  return v128.shuffle<i32>(lo, hi, 1, 3, 5, 7);
}

/** rdbpot per lane by the same exponent e in [0, 31]. */
@inline export function vrdbpot(x: v128, e: i32): v128 {
  const mask = (1 << e) - 1;
  const threshold = i32x4.sub(i32x4.splat(mask >> 1), i32x4.shr_s(x, 31)); // + 1 where x < 0
  const round = i32x4.gt_s(v128.and(x, i32x4.splat(mask)), threshold); // -1 where it rounds up
  return i32x4.sub(i32x4.shr_s(x, e), round);
}

/** x << s per lane, saturating to int32 (s in [1, 30]). */
@inline export function vshlSat(x: v128, s: i32): v128 {
  const over = i32x4.gt_s(x, i32x4.splat(i32.MAX_VALUE >> s));
  const under = i32x4.lt_s(x, i32x4.splat(i32.MIN_VALUE >> s));
  const shifted = v128.bitselect(i32x4.splat(i32.MAX_VALUE), i32x4.shl(x, s), over);
  return v128.bitselect(i32x4.splat(i32.MIN_VALUE), shifted, under);
}

/** mbqm per lane (one multiplier, one shift) + zero point, clamped to [lo, hi] (splatted). */
@inline export function vrequant(acc: v128, m: v128, shift: i32, zp: v128, lo: v128, hi: v128): v128 {
  let v: v128;
  if (shift > 0) v = vsrdhm(vshlSat(acc, shift), m);
  else v = vrdbpot(vsrdhm(acc, m), -shift);
  return i32x4.min_s(i32x4.max_s(i32x4.add(v, zp), lo), hi);
}

/** vrequantFloat's lower bound: lo - zp as float32 lanes. */
@inline export function vqLow(out: QOut): v128 {
  return f32x4.splat(<f32>(out.lo - out.zp));
}

/** vrequantFloat's upper bound: hi - zp as float32 lanes. */
@inline export function vqHigh(out: QOut): v128 {
  return f32x4.splat(<f32>(out.hi - out.zp));
}

/** vrequantFloat's bias from the rounded float's bits to the output value: ROUND_MAGIC's bits minus the zero point. */
@inline export function vqBias(out: QOut): v128 {
  return i32x4.splat(ROUND_MAGIC_BITS - out.zp);
}

/**
 * requantFloat per lane with per-lane scales: f32 product clamped to [lo - zp, hi - zp] (so |v| <= 510), rounded by
 * adding ROUND_MAGIC, then the float's bits minus (ROUND_MAGIC_BITS - zp) are the output value.
 */
@inline export function vrequantFloat(acc: v128, scale: v128, low: v128, high: v128, bias: v128): v128 {
  return vrequantFloatMagic(acc, scale, low, high, f32x4.splat(ROUND_MAGIC), bias);
}

/** vrequantFloat with ROUND_MAGIC's lanes given (a kernel whose loop V8 would re-splat them in loads them once). */
@inline export function vrequantFloatMagic(acc: v128, scale: v128, low: v128, high: v128, magic: v128, bias: v128): v128 {
  const v = f32x4.pmin(f32x4.pmax(f32x4.mul(f32x4.convert_i32x4_s(acc), scale), low), high);
  return i32x4.sub(f32x4.add(v, magic), bias);
}

/** Eight clamped i32 lanes (a: 0-3, b: 4-7) as bytes in lanes 0-7; values are already in the output's range. */
@inline export function vnarrow8(a: v128, b: v128, unsigned: bool): v128 {
  const h = i16x8.narrow_i32x4_s(a, b);
  return unsigned ? i8x16.narrow_i16x8_u(h, h) : i8x16.narrow_i16x8_s(h, h);
}

/** Stores the first `count` (0..8) byte lanes of v at p. */
@inline export function vstoreBytes(p: usize, v: v128, count: i32): void {
  if (count >= 8) {
    v128.store64_lane(p, v, 0);
    return;
  }
  if (count >= 4) {
    v128.store32_lane(p, v, 0);
    if (count >= 6) {
      v128.store16_lane(p, v, 2, 4);
      if (count == 7) v128.store8_lane(p, v, 6, 6);
    } else if (count == 5) {
      v128.store8_lane(p, v, 4, 4);
    }
    return;
  }
  if (count >= 2) {
    v128.store16_lane(p, v, 0);
    if (count == 3) v128.store8_lane(p, v, 2, 2);
  } else if (count == 1) {
    v128.store8_lane(p, v, 0);
  }
}
