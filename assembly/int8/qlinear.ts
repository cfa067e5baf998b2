// Per-tensor QuantizeLinear (float32 -> int8 / uint8) and DequantizeLinear (int8 / uint8 -> float32) at the edges
// of an integer graph, bit for bit as the reference: float32 division, ties to even, saturation, NaN -> qmin.

import { loadQ, Q_UNSIGNED, ROUND_MAGIC, ROUND_MAGIC_BITS } from './requant';

/** y[i] = clamp(nearest(x[i] / scale) + zeroPoint, qmin, qmax), NaN -> qmin; the range follows flags. */
export function qs8_quantize_f32(x: usize, y: usize, n: i32, scale: f32, zeroPoint: i32, flags: i32): void {
  const unsigned = (flags & Q_UNSIGNED) != 0;
  const qmin = unsigned ? 0 : -128;
  const qmax = unsigned ? 255 : 127;
  // Clamping the rounded value to [qmin - zp, qmax - zp] in float first keeps the integer conversion in range.
  const lo = <f32>(qmin - zeroPoint);
  const hi = <f32>(qmax - zeroPoint);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const s = f32x4.splat(scale);
    const vlo = f32x4.splat(lo);
    const vhi = f32x4.splat(hi);
    const zp = i32x4.splat(ROUND_MAGIC_BITS - zeroPoint);
    for (; i + 16 <= n; i += 16) {
      let q0 = quantize4(v128.load(x + (<usize>i << 2)), s, vlo, vhi, zp);
      let q1 = quantize4(v128.load(x + (<usize>i << 2), 16), s, vlo, vhi, zp);
      const h0 = i16x8.narrow_i32x4_s(q0, q1);
      q0 = quantize4(v128.load(x + (<usize>i << 2), 32), s, vlo, vhi, zp);
      q1 = quantize4(v128.load(x + (<usize>i << 2), 48), s, vlo, vhi, zp);
      const h1 = i16x8.narrow_i32x4_s(q0, q1);
      v128.store(y + i, unsigned ? i8x16.narrow_i16x8_u(h0, h1) : i8x16.narrow_i16x8_s(h0, h1));
    }
  }
  for (; i < n; i++) {
    const r = nearest<f32>(load<f32>(x + (<usize>i << 2)) / scale);
    // NaN fails both comparisons: it becomes lo, i.e. qmin.
    const c = r <= hi ? (r >= lo ? r : lo) : r > hi ? hi : lo;
    store<u8>(y + i, <u8>(<i32>c + zeroPoint));
  }
}

/**
 * Clamped first (the same as rounding first, the bounds being integers), then rounded half to even by adding
 * 1.5 * 2^23: the float's low bits are the integer, and its bits minus (ROUND_MAGIC_BITS - zp) the output. pmax(lo, ·)
 * first turns NaN into lo (qmin), as the scalar path does. Five instructions where nearest + trunc_sat took twelve.
 */
@inline function quantize4(v: v128, s: v128, lo: v128, hi: v128, bias: v128): v128 {
  const c = f32x4.pmin(hi, f32x4.pmax(lo, f32x4.div(v, s)));
  return i32x4.sub(f32x4.add(c, f32x4.splat(ROUND_MAGIC)), bias);
}

/** y[i] = float32(x[i] - zeroPoint) * scale. */
export function qs8_dequantize_f32(x: usize, y: usize, n: i32, scale: f32, zeroPoint: i32, flags: i32): void {
  const unsigned = (flags & Q_UNSIGNED) != 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const s = f32x4.splat(scale);
    const zp = i32x4.splat(zeroPoint);
    for (; i + 8 <= n; i += 8) {
      const h = unsigned ? v128.load8x8_u(x + i) : v128.load8x8_s(x + i);
      const lo = f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_low_i16x8_s(h), zp));
      const hi = f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_high_i16x8_s(h), zp));
      v128.store(y + (<usize>i << 2), f32x4.mul(lo, s));
      v128.store(y + (<usize>i << 2), f32x4.mul(hi, s), 16);
    }
  }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), <f32>(loadQ(x + i, unsigned) - zeroPoint) * scale);
}
