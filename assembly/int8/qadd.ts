// Int8 elementwise Add of two same-shaped tensors, as TFLite: each input centred, shifted left by `leftShift`,
// rescaled onto the common scale 2 * max(s_a, s_b) by its fixed-point multiplier, summed, then requantized.

import { loadQ, mbqm, Q_UNSIGNED, vnarrow8, vrdbpot, vrequant } from './requant';

/**
 * The input rescaling srdhm((x - z) << L, m) in int32 lanes only: with S = 31 - L and m = mh * 2^S + ml it is
 * (x - z) * mh + ((x - z) * ml + 2^(S-1)) >> S, exact while |x - z| <= 255 and 8 <= L <= 22.
 */
@inline function vscaleInput(d: v128, mh: v128, ml: v128, half: v128, s: i32, shift: i32): v128 {
  const v = i32x4.add(i32x4.mul(d, mh), i32x4.shr_s(i32x4.add(i32x4.mul(d, ml), half), s));
  return vrdbpot(v, -shift);
}

/** The four i32 quarters of 16 int8 / uint8 lanes, each minus zp. */
@inline function widen4(v: v128, zp: v128, unsigned: bool, part: i32): v128 {
  const h = part < 2 ? (unsigned ? i16x8.extend_low_i8x16_u(v) : i16x8.extend_low_i8x16_s(v)) : unsigned ? i16x8.extend_high_i8x16_u(v) : i16x8.extend_high_i8x16_s(v);
  const w = (part & 1) == 0 ? i32x4.extend_low_i16x8_s(h) : i32x4.extend_high_i16x8_s(h);
  return i32x4.sub(w, zp);
}

/**
 * y[i] = clamp(mbqm(mbqm((a[i] - aZero) << L, aMult, aShift) + mbqm((b[i] - bZero) << L, bMult, bShift), yMult, yShift)
 * + yZero, lo, hi) for n elements; y may be a or b.
 */
export function qs8_vadd(
  a: usize, b: usize, y: usize, n: i32,
  aZero: i32, aMult: i32, aShift: i32, bZero: i32, bMult: i32, bShift: i32, leftShift: i32,
  yMult: i32, yShift: i32, yZero: i32, lo: i32, hi: i32, flags: i32,
): void {
  const unsigned = (flags & Q_UNSIGNED) != 0;
  let i = 0;
  if (ASC_FEATURE_SIMD && leftShift >= 8 && leftShift <= 22 && aShift <= 0 && bShift <= 0) {
    const s = 31 - leftShift;
    const half = i32x4.splat(1 << (s - 1));
    const lowMask = (1 << s) - 1;
    const amh = i32x4.splat(aMult >> s);
    const aml = i32x4.splat(aMult & lowMask);
    const bmh = i32x4.splat(bMult >> s);
    const bml = i32x4.splat(bMult & lowMask);
    const az = i32x4.splat(aZero);
    const bz = i32x4.splat(bZero);
    const ym = i32x4.splat(yMult);
    const yz = i32x4.splat(yZero);
    const vlo = i32x4.splat(lo);
    const vhi = i32x4.splat(hi);
    for (; i + 16 <= n; i += 16) {
      const va = v128.load(a + i);
      const vb = v128.load(b + i);
      let q0 = vrequant(i32x4.add(vscaleInput(widen4(va, az, unsigned, 0), amh, aml, half, s, aShift), vscaleInput(widen4(vb, bz, unsigned, 0), bmh, bml, half, s, bShift)), ym, yShift, yz, vlo, vhi);
      let q1 = vrequant(i32x4.add(vscaleInput(widen4(va, az, unsigned, 1), amh, aml, half, s, aShift), vscaleInput(widen4(vb, bz, unsigned, 1), bmh, bml, half, s, bShift)), ym, yShift, yz, vlo, vhi);
      const lo8 = vnarrow8(q0, q1, unsigned);
      q0 = vrequant(i32x4.add(vscaleInput(widen4(va, az, unsigned, 2), amh, aml, half, s, aShift), vscaleInput(widen4(vb, bz, unsigned, 2), bmh, bml, half, s, bShift)), ym, yShift, yz, vlo, vhi);
      q1 = vrequant(i32x4.add(vscaleInput(widen4(va, az, unsigned, 3), amh, aml, half, s, aShift), vscaleInput(widen4(vb, bz, unsigned, 3), bmh, bml, half, s, bShift)), ym, yShift, yz, vlo, vhi);
      const hi8 = vnarrow8(q0, q1, unsigned);
      v128.store(y + i, v128.shuffle<i64>(lo8, hi8, 0, 2));
    }
  }
  for (; i < n; i++) {
    const sa = mbqm((loadQ(a + i, unsigned) - aZero) << leftShift, aMult, aShift);
    const sb = mbqm((loadQ(b + i, unsigned) - bZero) << leftShift, bMult, bShift);
    store<u8>(y + i, <u8>min(max(mbqm(sa + sb, yMult, yShift) + yZero, lo), hi));
  }
}

/** Bytes of a qs8_vadd lookup table: one output per pair of input bytes. */
export const QADD_LUT_BYTES: i32 = 65536;

/**
 * Fills table[(a << 8) | b] (a, b the raw input bytes) with qs8_vadd's result for that pair, computed by qs8_vadd
 * itself a row at a time; scratch holds 512 bytes.
 */
export function qs8_vadd_lut_build(
  table: usize, scratch: usize,
  aZero: i32, aMult: i32, aShift: i32, bZero: i32, bMult: i32, bShift: i32, leftShift: i32,
  yMult: i32, yShift: i32, yZero: i32, lo: i32, hi: i32, flags: i32,
): void {
  const rowA = scratch;
  const rowB = scratch + 256;
  for (let i = 0; i < 256; i++) store<u8>(rowB + i, <u8>i);
  for (let a = 0; a < 256; a++) {
    memory.fill(rowA, <u8>a, 256);
    qs8_vadd(rowA, rowB, table + (<usize>a << 8), 256, aZero, aMult, aShift, bZero, bMult, bShift, leftShift, yMult, yShift, yZero, lo, hi, flags);
  }
}

/** y[i] = table[(a[i] << 8) | b[i]] for n bytes: the whole Add as one lookup per element (the table stays in L1/L2). */
export function qs8_vadd_lut(a: usize, b: usize, y: usize, n: i32, table: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = <usize>i;
    const y0 = load<u8>(table + ((<usize>load<u8>(a + p) << 8) | <usize>load<u8>(b + p)));
    const y1 = load<u8>(table + ((<usize>load<u8>(a + p, 1) << 8) | <usize>load<u8>(b + p, 1)));
    const y2 = load<u8>(table + ((<usize>load<u8>(a + p, 2) << 8) | <usize>load<u8>(b + p, 2)));
    const y3 = load<u8>(table + ((<usize>load<u8>(a + p, 3) << 8) | <usize>load<u8>(b + p, 3)));
    store<u32>(y + p, <u32>y0 | (<u32>y1 << 8) | (<u32>y2 << 16) | (<u32>y3 << 24));
  }
  for (; i < n; i++) store<u8>(y + i, load<u8>(table + ((<usize>load<u8>(a + i) << 8) | <usize>load<u8>(b + i))));
}
