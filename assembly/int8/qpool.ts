// Int8 pools over NCHW planes: MaxPool (exact on the quantized values), AveragePool and GlobalAveragePool as
// int32 window sums of (x - zero point) requantized by the multiplier of x_scale / (y_scale * count).

import { loadQ, Q_UNSIGNED, requantScalar, vrequant } from './requant';

/** MaxPool over nc planes h x w into oh x ow; taps in the padding are skipped. */
export function qs8_maxpool2d(
  x: usize, y: usize, nc: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  pt: i32, pl: i32, oh: i32, ow: i32, flags: i32,
): void {
  const unsigned = (flags & Q_UNSIGNED) != 0;
  for (let p = 0; p < nc; p++) {
    const xp = x + <usize>p * h * w;
    const yp = y + <usize>p * oh * ow;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let best = unsigned ? 0 : -128;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            if (ix >= 0 && ix < w) best = max(best, loadQ(xp + iy * w + ix, unsigned));
          }
        }
        store<u8>(yp + oy * ow + ox, <u8>best);
      }
    }
  }
}

/**
 * AveragePool (dilation 1) over nc planes: y = requant(sum of (x - xZero) over the window) with the multiplier and
 * shift of the window's count (mults[count - 1], shifts[count - 1]); count is the taps inside the input, or inside
 * the padded input with countIncludePad. pt/pl/pb/pr are the pads.
 */
export function qs8_avgpool2d(
  x: usize, y: usize, nc: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32,
  pt: i32, pl: i32, pb: i32, pr: i32, oh: i32, ow: i32, countIncludePad: i32,
  xZero: i32, mults: usize, shifts: usize, yZero: i32, lo: i32, hi: i32, flags: i32,
): void {
  const unsigned = (flags & Q_UNSIGNED) != 0;
  const padded = countIncludePad != 0;
  for (let p = 0; p < nc; p++) {
    const xp = x + <usize>p * h * w;
    const yp = y + <usize>p * oh * ow;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - pt;
      const r0 = max(y0, 0);
      const r1 = min(y0 + kh, h);
      const rows = min(y0 + kh, padded ? h + pb : h) - max(y0, padded ? -pt : 0);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pl;
        const c0 = max(x0, 0);
        const c1 = min(x0 + kw, w);
        let sum = 0;
        for (let r = r0; r < r1; r++) {
          const row = xp + <usize>r * w;
          for (let c = c0; c < c1; c++) sum += loadQ(row + c, unsigned);
        }
        sum -= xZero * max(0, r1 - r0) * max(0, c1 - c0);
        const cols = min(x0 + kw, padded ? w + pr : w) - max(x0, padded ? -pl : 0);
        const count = max(1, max(0, rows) * max(0, cols));
        const at = <usize>(count - 1) << 2;
        store<u8>(yp + oy * ow + ox, <u8>requantScalar(sum, load<i32>(mults + at), load<i32>(shifts + at), yZero, lo, hi));
      }
    }
  }
}

/** GlobalAveragePool: y[p] = requant(sum of (x - xZero) over plane p of hw values) with the multiplier for count hw. */
export function qs8_global_avgpool(x: usize, y: usize, nc: i32, hw: i32, xZero: i32, mult: i32, shift: i32, yZero: i32, lo: i32, hi: i32, flags: i32): void {
  const unsigned = (flags & Q_UNSIGNED) != 0;
  const end = x + <usize>nc * hw;
  const offset = xZero * hw;
  let p = 0;
  if (ASC_FEATURE_SIMD) {
    // Four planes per requantization: 1280 channels of 3x3 or 7x7 spend more in the fixed-point multiply than in the sums.
    const m = i32x4.splat(mult);
    const zp = i32x4.splat(yZero);
    const vlo = i32x4.splat(lo);
    const vhi = i32x4.splat(hi);
    for (; p + 4 <= nc; p += 4) {
      const xp = x + <usize>p * hw;
      let v = i32x4.splat(planeSum(xp, hw, end, unsigned) - offset);
      v = i32x4.replace_lane(v, 1, planeSum(xp + <usize>hw, hw, end, unsigned) - offset);
      v = i32x4.replace_lane(v, 2, planeSum(xp + <usize>(2 * hw), hw, end, unsigned) - offset);
      v = i32x4.replace_lane(v, 3, planeSum(xp + <usize>(3 * hw), hw, end, unsigned) - offset);
      const q = i16x8.narrow_i32x4_s(vrequant(v, m, shift, zp, vlo, vhi), v);
      v128.store32_lane(y + p, unsigned ? i8x16.narrow_i16x8_u(q, q) : i8x16.narrow_i16x8_s(q, q), 0);
    }
  }
  for (; p < nc; p++) {
    store<u8>(y + p, <u8>requantScalar(planeSum(x + <usize>p * hw, hw, end, unsigned) - offset, mult, shift, yZero, lo, hi));
  }
}

/** Sum of the hw values of the plane at xp (which ends at or before `end`). */
@inline function planeSum(xp: usize, hw: i32, end: usize, unsigned: bool): i32 {
  let sum = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = i32x4.splat(0);
    for (; i + 16 <= hw; i += 16) acc = i32x4.add(acc, sum16(v128.load(xp + i), unsigned));
    // The last hw % 16 bytes in one load, the next plane's bytes masked to 0 (7x7 and 3x3 maps would otherwise go
    // byte by byte); the last plane, whose load would pass the end, takes the scalar loop.
    const rest = hw - i;
    if (rest > 0 && xp + <usize>i + 16 <= end) {
      const keep = i8x16.lt_u(i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), i8x16.splat(<i8>rest));
      acc = i32x4.add(acc, sum16(v128.and(v128.load(xp + i), keep), unsigned));
      i = hw;
    }
    sum = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
  }
  for (; i < hw; i++) sum += loadQ(xp + i, unsigned);
  return sum;
}

/** The sixteen bytes of v widened and summed into four i32 lanes. */
@inline function sum16(v: v128, unsigned: bool): v128 {
  const pairs = unsigned ? i16x8.extadd_pairwise_i8x16_u(v) : i16x8.extadd_pairwise_i8x16_s(v);
  return i32x4.extadd_pairwise_i16x8_s(pairs);
}
