// Building i16 pair planes for the dot_i16x8 kernels: two int8 rows (two channels, or two rows of one channel)
// widened, centred on the zero point and interleaved, so that one 16-byte load holds 4 outputs' (a, b) pairs.

import { loadQ } from './requant';

/**
 * dst[i] = (a[c] - zp, b[c] - zp) as two i16 for c = c0 + i * stride, i < count; a row pointer 0 reads as zeros.
 * Reads nothing past element c0 + (count - 1) * stride of each row (stride 2 may read the byte before c0).
 */
export function pairRow(dst: usize, a: usize, b: usize, c0: i32, count: i32, stride: i32, zp: i32, unsigned: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && a != 0 && b != 0 && count >= 8 && (stride == 1 || stride == 2)) {
    const z = i16x8.splat(<i16>zp);
    // Groups of 8; the last one overlaps the one before (same values stored twice) instead of a scalar tail.
    for (;;) {
      const last = i + 8 >= count;
      if (last) i = count - 8;
      let va: v128;
      let vb: v128;
      if (stride == 1) {
        const at = <usize>(c0 + i);
        va = unsigned ? v128.load8x8_u(a + at) : v128.load8x8_s(a + at);
        vb = unsigned ? v128.load8x8_u(b + at) : v128.load8x8_s(b + at);
      } else {
        // 16 bytes hold the 8 elements at even positions; the last group loads one byte earlier (odd positions) so
        // that it ends at the last element (reading before a row is harmless, past the tensor is not).
        const shift = last ? 1 : 0;
        const at = <usize>(c0 + 2 * i - shift);
        const ea = last
          ? v128.shuffle<u8>(v128.load(a + at), v128.load(a + at), 1, 3, 5, 7, 9, 11, 13, 15, 1, 3, 5, 7, 9, 11, 13, 15)
          : v128.shuffle<u8>(v128.load(a + at), v128.load(a + at), 0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14);
        const eb = last
          ? v128.shuffle<u8>(v128.load(b + at), v128.load(b + at), 1, 3, 5, 7, 9, 11, 13, 15, 1, 3, 5, 7, 9, 11, 13, 15)
          : v128.shuffle<u8>(v128.load(b + at), v128.load(b + at), 0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14);
        va = unsigned ? i16x8.extend_low_i8x16_u(ea) : i16x8.extend_low_i8x16_s(ea);
        vb = unsigned ? i16x8.extend_low_i8x16_u(eb) : i16x8.extend_low_i8x16_s(eb);
      }
      va = i16x8.sub(va, z);
      vb = i16x8.sub(vb, z);
      const d = dst + (<usize>i << 2);
      v128.store(d, v128.shuffle<i16>(va, vb, 0, 8, 1, 9, 2, 10, 3, 11));
      v128.store(d, v128.shuffle<i16>(va, vb, 4, 12, 5, 13, 6, 14, 7, 15), 16);
      if (last) return;
      i += 8;
    }
  }
  for (; i < count; i++) {
    const at = <usize>(c0 + i * stride);
    const d = dst + (<usize>i << 2);
    store<i16>(d, <i16>(a != 0 ? loadQ(a + at, unsigned) - zp : 0));
    store<i16>(d, <i16>(b != 0 ? loadQ(b + at, unsigned) - zp : 0), 2);
  }
}

/** Sets n pairs (4 bytes each) at dst to 0: memory.fill is a call into the engine in V8, so short runs are inline. */
@inline export function zeroPairs(dst: usize, n: i32): void {
  const bytes = <usize>max(n, 0) << 2;
  if (bytes >= 256) {
    memory.fill(dst, 0, bytes);
    return;
  }
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= bytes; i += 16) v128.store(dst + i, i32x4.splat(0));
  }
  for (; i < bytes; i += 4) store<i32>(dst + i, 0);
}

/** a / s for a >= 0: a shift for strides 1 and 2 (an integer division costs tens of cycles and this runs per row). */
@inline function divStride(a: i32, s: i32): i32 {
  return s == 1 ? a : s == 2 ? a >> 1 : a / s;
}

/**
 * One padded row of a pair plane split by column phase: for phase ph < sw, lp pairs j with padded column
 * j * sw + ph, i.e. input column j * sw + ph - pl of rows a and b (0: a zero row); zeros outside [0, w).
 */
export function pairPaddedRow(dst: usize, a: usize, b: usize, w: i32, lp: i32, sw: i32, pl: i32, zp: i32, unsigned: bool): void {
  for (let ph = 0; ph < sw; ph++) {
    const off = ph - pl;
    const jLo = min(lp, off >= 0 ? 0 : divStride(-off + sw - 1, sw));
    const jHi = max(jLo, min(lp, w - 1 - off >= 0 ? divStride(w - 1 - off, sw) + 1 : 0));
    zeroPairs(dst, jLo);
    if (a == 0 && b == 0) zeroPairs(dst + (<usize>jLo << 2), jHi - jLo);
    else pairRow(dst + (<usize>jLo << 2), a, b, jLo * sw + off, jHi - jLo, sw, zp, unsigned);
    zeroPairs(dst + (<usize>jHi << 2), lp - jHi);
    dst += <usize>lp << 2;
  }
}
