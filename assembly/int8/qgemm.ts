// Int8 GEMM y [M, N] = requant((A - aZero) [M, K] x (W - wZero) [K, N] + bias[N]) for Gemm / MatMul by constant weights:
// W packed once as int8 pairs over K (widened in registers), rows of A as i16 pairs splatted, int32 sums per column,
// then each column's own float32 requantization.

import { loadQ, QOut, Q_FLOAT_OUT, Q_UNSIGNED, requantFloat } from './requant';

/** Bytes of W [K, N] in layout n8k2b: [ceil(N/8)][ceil(K/2)][8 columns][2] int8. */
export function qs8_pack_n8k2b_bytes(k: i32, n: i32): i32 {
  return ((n + 7) >> 3) * ((k + 1) >> 1) * 16;
}

/** Packs W [K, N] (int8, or uint8 with Q_UNSIGNED) minus wZero[N] into layout n8k2b; every difference must fit int8. */
export function qs8_pack_n8k2b__kn(out: usize, w: usize, wZero: usize, k: i32, n: i32, flags: i32): void {
  const unsigned = (flags & Q_UNSIGNED) != 0;
  const kp2 = (k + 1) >> 1;
  for (let col = 0; col < n; col += 8) {
    for (let kp = 0; kp < kp2; kp++) {
      for (let j = 0; j < 8; j++) {
        let v0 = 0;
        let v1 = 0;
        if (col + j < n) {
          const z = load<i32>(wZero + (<usize>(col + j) << 2));
          v0 = loadQ(w + <usize>(2 * kp) * n + col + j, unsigned) - z;
          if (2 * kp + 1 < k) v1 = loadQ(w + <usize>(2 * kp + 1) * n + col + j, unsigned) - z;
        }
        store<i8>(out, <i8>v0);
        store<i8>(out, <i8>v1, 1);
        out += 2;
      }
    }
  }
}

/** Scratch bytes of qs8_gemm_n8k2b: four rows of A as i16 pairs and their int32 sums. */
export function qs8_gemm_scratch_bytes(k: i32, n: i32): i32 {
  return 4 * ((k + 1) >> 1) * 4 + 4 * ((n + 7) & ~7) * 4;
}

/**
 * y = requant((A - aZero) x W + bias). A [M, K] int8/uint8; W packed n8k2b; params: a QOut block whose per-channel
 * arrays hold N values (xZero is A's zero point); y [M, N] with rows QOut.ldy elements apart (0: N); scratch of qs8_gemm_scratch_bytes. With Q_FLOAT_OUT,
 * y is float32: f32(sum + bias) * scale[n], the scales at QOut.mult.
 */
export function qs8_gemm_n8k2b(a: usize, y: usize, wp: usize, params: usize, scratch: usize, m: i32, k: i32, n: i32): void {
  const out = changetype<QOut>(params);
  const unsigned = (out.flags & Q_UNSIGNED) != 0;
  const kp2 = (k + 1) >> 1;
  const n8 = (n + 7) & ~7;
  const rows = scratch;
  const sums = scratch + <usize>kp2 * 16;
  // A thread's share of the columns writes into rows of the whole y.
  const ldy = out.ldy != 0 ? <i32>out.ldy : n;
  for (let r = 0; r < m; r += 4) {
    const mr = min(4, m - r);
    // Rows of A as i16 pairs minus the zero point, [4][kp2] (missing rows and the odd K tail are 0).
    for (let i = 0; i < 4; i++) {
      const dst = rows + <usize>i * kp2 * 4;
      const src = a + <usize>(r + i) * k;
      for (let kk = 0; kk < 2 * kp2; kk++) {
        store<i16>(dst + (<usize>kk << 1), <i16>(i < mr && kk < k ? loadQ(src + kk, unsigned) - out.xZero : 0));
      }
    }
    if (ASC_FEATURE_SIMD && mr > 1) sumsRows4(rows, wp, sums, kp2, n8);
    else if (ASC_FEATURE_SIMD) sumsRow1(rows, wp, sums, kp2, n8);
    else sumsScalar(rows, wp, sums, kp2, n8, mr);
    for (let i = 0; i < mr; i++) {
      const sr = sums + <usize>i * n8 * 4;
      if ((out.flags & Q_FLOAT_OUT) != 0) {
        const yr = y + (<usize>(r + i) * ldy << 2);
        for (let j = 0; j < n; j++) {
          const at = <usize>j << 2;
          store<f32>(yr + at, <f32>(load<i32>(sr + at) + load<i32>(out.bias + at)) * load<f32>(out.mult + at));
        }
        continue;
      }
      const yr = y + <usize>(r + i) * ldy;
      for (let j = 0; j < n; j++) {
        const at = <usize>j << 2;
        const acc = load<i32>(sr + at) + load<i32>(out.bias + at);
        store<u8>(yr + j, <u8>requantFloat(acc, load<f32>(out.mult + at), out.zp, out.lo, out.hi));
      }
    }
  }
}

/** Four rows: per pair of K, four splats of A against 8 columns of W widened from one 16-byte load. */
function sumsRows4(rows: usize, wp: usize, sums: usize, kp2: i32, n8: i32): void {
  const rowBytes = <usize>kp2 << 2;
  for (let col = 0; col < n8; col += 8) {
    let c00 = i32x4.splat(0);
    let c01 = i32x4.splat(0);
    let c10 = i32x4.splat(0);
    let c11 = i32x4.splat(0);
    let c20 = i32x4.splat(0);
    let c21 = i32x4.splat(0);
    let c30 = i32x4.splat(0);
    let c31 = i32x4.splat(0);
    let pa = rows;
    let pw = wp + <usize>(col >> 3) * kp2 * 16;
    for (let kp = 0; kp < kp2; kp++) {
      const wv = v128.load(pw);
      const w0 = i16x8.extend_low_i8x16_s(wv);
      const w1 = i16x8.extend_high_i8x16_s(wv);
      let av = v128.load32_splat(pa);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(av, w0));
      c01 = i32x4.add(c01, i32x4.dot_i16x8_s(av, w1));
      av = v128.load32_splat(pa + rowBytes);
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(av, w0));
      c11 = i32x4.add(c11, i32x4.dot_i16x8_s(av, w1));
      av = v128.load32_splat(pa + 2 * rowBytes);
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(av, w0));
      c21 = i32x4.add(c21, i32x4.dot_i16x8_s(av, w1));
      av = v128.load32_splat(pa + 3 * rowBytes);
      c30 = i32x4.add(c30, i32x4.dot_i16x8_s(av, w0));
      c31 = i32x4.add(c31, i32x4.dot_i16x8_s(av, w1));
      pa += 4;
      pw += 16;
    }
    const at = <usize>col << 2;
    const rs = <usize>n8 << 2;
    v128.store(sums + at, c00);
    v128.store(sums + at, c01, 16);
    v128.store(sums + rs + at, c10);
    v128.store(sums + rs + at, c11, 16);
    v128.store(sums + 2 * rs + at, c20);
    v128.store(sums + 2 * rs + at, c21, 16);
    v128.store(sums + 3 * rs + at, c30);
    v128.store(sums + 3 * rs + at, c31, 16);
  }
}

/** One row (a matrix-vector product): 16 columns per step for four independent sums. */
function sumsRow1(row: usize, wp: usize, sums: usize, kp2: i32, n8: i32): void {
  const panelBytes = <usize>kp2 << 4;
  let col = 0;
  for (; col + 16 <= n8; col += 16) {
    let c0 = i32x4.splat(0);
    let c1 = i32x4.splat(0);
    let c2 = i32x4.splat(0);
    let c3 = i32x4.splat(0);
    let pa = row;
    let pw = wp + <usize>(col >> 3) * panelBytes;
    for (let kp = 0; kp < kp2; kp++) {
      const av = v128.load32_splat(pa);
      const wv = v128.load(pw);
      const wu = v128.load(pw + panelBytes);
      c0 = i32x4.add(c0, i32x4.dot_i16x8_s(av, i16x8.extend_low_i8x16_s(wv)));
      c1 = i32x4.add(c1, i32x4.dot_i16x8_s(av, i16x8.extend_high_i8x16_s(wv)));
      c2 = i32x4.add(c2, i32x4.dot_i16x8_s(av, i16x8.extend_low_i8x16_s(wu)));
      c3 = i32x4.add(c3, i32x4.dot_i16x8_s(av, i16x8.extend_high_i8x16_s(wu)));
      pa += 4;
      pw += 16;
    }
    const at = sums + (<usize>col << 2);
    v128.store(at, c0);
    v128.store(at, c1, 16);
    v128.store(at, c2, 32);
    v128.store(at, c3, 48);
  }
  for (; col < n8; col += 8) {
    let c0 = i32x4.splat(0);
    let c1 = i32x4.splat(0);
    let pa = row;
    let pw = wp + <usize>(col >> 3) * panelBytes;
    for (let kp = 0; kp < kp2; kp++) {
      const av = v128.load32_splat(pa);
      const wv = v128.load(pw);
      c0 = i32x4.add(c0, i32x4.dot_i16x8_s(av, i16x8.extend_low_i8x16_s(wv)));
      c1 = i32x4.add(c1, i32x4.dot_i16x8_s(av, i16x8.extend_high_i8x16_s(wv)));
      pa += 4;
      pw += 16;
    }
    const at = sums + (<usize>col << 2);
    v128.store(at, c0);
    v128.store(at, c1, 16);
  }
}

function sumsScalar(rows: usize, wp: usize, sums: usize, kp2: i32, n8: i32, mr: i32): void {
  for (let i = 0; i < mr; i++) {
    for (let col = 0; col < n8; col++) {
      let acc: i32 = 0;
      let pa = rows + <usize>i * kp2 * 4;
      let pw = wp + <usize>(col >> 3) * kp2 * 16 + ((<usize>col & 7) << 1);
      for (let kp = 0; kp < kp2; kp++) {
        acc += <i32>load<i16>(pa) * <i32>load<i8>(pw) + <i32>load<i16>(pa, 2) * <i32>load<i8>(pw, 1);
        pa += 4;
        pw += 16;
      }
      store<i32>(sums + (<usize>(i * n8 + col) << 2), acc);
    }
  }
}
