// Register-blocked f32 GEMM, C[M,N] = A[M,K]·B[K,N] (+ bias) -> activation, on 4x8 tiles of f32x4 accumulators:
// f32_gemm_4x8 takes B packed n8 (Gemm/MatMul weights); f32_gemm_pa_4x8 takes A packed gm4 (Conv weights) and streams B rows.

import { ACT_CLIP, ACT_NONE, ACT_RELU, sact, vact } from './activation';
import { vloadPartial, vmadd, vstorePartial } from './vmath';

// Bias modes of f32_gemm_4x8 (mirrored in src/kernels/wasm/codes.ts).
export const BIAS_NONE: i32 = 0;
/** bias[M], one value per row of C. */
export const BIAS_ROW: i32 = 1;
/** bias[N], one value per column of C. */
export const BIAS_COL: i32 = 2;

// Rows of A per block: the block's A rows stay in L2 while every B panel streams past them.
const A_BLOCK_BYTES: i32 = 256 * 1024;

/** Activations other than none/ReLU/Clip, out of line: one copy of their code for every tile. */
function actOutOfLine(v: v128, act: i32, p0: v128, p1: v128): v128 {
  return vact(v, act, p0, p1);
}

/** Adds the row bias and the column biases, applies the activation and stores the first nr of 8 floats at p. */
@inline function finishRow(p: usize, lo: v128, hi: v128, rowBias: v128, q0: v128, q1: v128, nr: i32, act: i32, p0: v128, p1: v128): void {
  lo = f32x4.add(f32x4.add(lo, rowBias), q0);
  hi = f32x4.add(f32x4.add(hi, rowBias), q1);
  // The common epilogues inline (they are one or two instructions), the others through a call.
  if (act == ACT_RELU) {
    lo = f32x4.pmax(lo, f32x4.splat(0));
    hi = f32x4.pmax(hi, f32x4.splat(0));
  } else if (act == ACT_CLIP) {
    lo = f32x4.pmin(f32x4.pmax(lo, p0), p1);
    hi = f32x4.pmin(f32x4.pmax(hi, p0), p1);
  } else if (act != ACT_NONE) {
    lo = actOutOfLine(lo, act, p0, p1);
    hi = actOutOfLine(hi, act, p0, p1);
  }
  if (nr >= 8) {
    v128.store(p, lo);
    v128.store(p, hi, 16);
  } else if (nr > 4) {
    v128.store(p, lo);
    vstorePartial(p + 16, hi, nr - 4);
  } else {
    vstorePartial(p, lo, nr);
  }
}

@inline function rowBiasV(rb: usize, r: i32, mr: i32): v128 {
  return rb != 0 && r < mr ? v128.load32_splat(rb + (<usize>r << 2)) : f32x4.splat(0);
}

/**
 * One 4x8 tile of C at c: rows of A at a0..a3 (stepping aStep bytes per k), 8 columns of B at b (stepping
 * bStep bytes per k). Stores mr rows and nr columns; rb/cb point at the row/column biases or are 0.
 * With partialB, only the first nr columns of B are read (B rows read in place, at the right edge).
 */
@inline function tile4x8(
  k: i32, a0: usize, a1: usize, a2: usize, a3: usize, aStep: usize, b: usize, bStep: usize,
  c: usize, ldcBytes: usize, mr: i32, nr: i32, rb: usize, cb: usize, act: i32, p0: f32, p1: f32, partialB: bool,
): void {
  if (ASC_FEATURE_SIMD) {
    let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    for (let kk = 0; kk < k; kk++) {
      const b0 = partialB ? vloadPartial(b, nr) : v128.load(b);
      const b1 = partialB ? (nr > 4 ? vloadPartial(b + 16, nr - 4) : f32x4.splat(0)) : v128.load(b, 16);
      const x0 = v128.load32_splat(a0);
      c00 = vmadd(x0, b0, c00);
      c01 = vmadd(x0, b1, c01);
      const x1 = v128.load32_splat(a1);
      c10 = vmadd(x1, b0, c10);
      c11 = vmadd(x1, b1, c11);
      const x2 = v128.load32_splat(a2);
      c20 = vmadd(x2, b0, c20);
      c21 = vmadd(x2, b1, c21);
      const x3 = v128.load32_splat(a3);
      c30 = vmadd(x3, b0, c30);
      c31 = vmadd(x3, b1, c31);
      a0 += aStep;
      a1 += aStep;
      a2 += aStep;
      a3 += aStep;
      b += bStep;
    }
    const q0 = cb != 0 ? vloadPartial(cb, nr) : f32x4.splat(0);
    const q1 = cb != 0 && nr > 4 ? vloadPartial(cb + 16, nr - 4) : f32x4.splat(0);
    const v0 = f32x4.splat(p0);
    const v1 = f32x4.splat(p1);
    finishRow(c, c00, c01, rowBiasV(rb, 0, mr), q0, q1, nr, act, v0, v1);
    if (mr > 1) finishRow(c + ldcBytes, c10, c11, rowBiasV(rb, 1, mr), q0, q1, nr, act, v0, v1);
    if (mr > 2) finishRow(c + 2 * ldcBytes, c20, c21, rowBiasV(rb, 2, mr), q0, q1, nr, act, v0, v1);
    if (mr > 3) finishRow(c + 3 * ldcBytes, c30, c31, rowBiasV(rb, 3, mr), q0, q1, nr, act, v0, v1);
  } else {
    tile4x4Scalar(k, a0, a1, a2, a3, aStep, b, bStep, c, ldcBytes, mr, min(nr, 4), rb, cb, act, p0, p1);
    if (nr > 4) {
      tile4x4Scalar(k, a0, a1, a2, a3, aStep, b + 16, bStep, c + 16, ldcBytes, mr, nr - 4, rb, cb != 0 ? cb + 16 : 0, act, p0, p1);
    }
  }
}

/** Scalar build: half of a 4x8 tile, 16 accumulators in locals. */
function tile4x4Scalar(
  k: i32, a0: usize, a1: usize, a2: usize, a3: usize, aStep: usize, b: usize, bStep: usize,
  c: usize, ldcBytes: usize, mr: i32, nr: i32, rb: usize, cb: usize, act: i32, p0: f32, p1: f32,
): void {
  let c00: f32 = 0, c01: f32 = 0, c02: f32 = 0, c03: f32 = 0;
  let c10: f32 = 0, c11: f32 = 0, c12: f32 = 0, c13: f32 = 0;
  let c20: f32 = 0, c21: f32 = 0, c22: f32 = 0, c23: f32 = 0;
  let c30: f32 = 0, c31: f32 = 0, c32: f32 = 0, c33: f32 = 0;
  for (let kk = 0; kk < k; kk++) {
    const b0 = load<f32>(b), b1 = load<f32>(b, 4), b2 = load<f32>(b, 8), b3 = load<f32>(b, 12);
    const x0 = load<f32>(a0), x1 = load<f32>(a1), x2 = load<f32>(a2), x3 = load<f32>(a3);
    c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3;
    c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3;
    c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2; c23 += x2 * b3;
    c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2; c33 += x3 * b3;
    a0 += aStep;
    a1 += aStep;
    a2 += aStep;
    a3 += aStep;
    b += bStep;
  }
  finishRowScalar(c, c00, c01, c02, c03, rb, 0, cb, nr, act, p0, p1);
  if (mr > 1) finishRowScalar(c + ldcBytes, c10, c11, c12, c13, rb, 1, cb, nr, act, p0, p1);
  if (mr > 2) finishRowScalar(c + 2 * ldcBytes, c20, c21, c22, c23, rb, 2, cb, nr, act, p0, p1);
  if (mr > 3) finishRowScalar(c + 3 * ldcBytes, c30, c31, c32, c33, rb, 3, cb, nr, act, p0, p1);
}

function finishRowScalar(p: usize, v0: f32, v1: f32, v2: f32, v3: f32, rb: usize, r: i32, cb: usize, nr: i32, act: i32, p0: f32, p1: f32): void {
  const rowBias: f32 = rb != 0 ? load<f32>(rb + (<usize>r << 2)) : 0;
  for (let j = 0; j < nr; j++) {
    let v = j == 0 ? v0 : j == 1 ? v1 : j == 2 ? v2 : v3;
    v += rowBias;
    if (cb != 0) v += load<f32>(cb + (<usize>j << 2));
    store<f32>(p + (<usize>j << 2), sact(v, act, p0, p1));
  }
}

/**
 * C = A·B + bias -> act. A [M, K] row-major with row stride lda, B packed n8 (f32_pack_n8__kn/__nk),
 * C [M, N] with row stride ldc (strides in floats). biasMode: BIAS_NONE, BIAS_ROW (bias[M]) or BIAS_COL (bias[N]).
 */
export function f32_gemm_4x8(
  m: i32, n: i32, k: i32, a: usize, lda: i32, bp: usize, c: usize, ldc: i32,
  bias: usize, biasMode: i32, act: i32, p0: f32, p1: f32,
): void {
  const ldaBytes = <usize>lda << 2;
  const ldcBytes = <usize>ldc << 2;
  const panelBytes = <usize>k << 5;
  const rb = biasMode == BIAS_ROW ? bias : 0;
  const mc = max(4, (A_BLOCK_BYTES / max(1, k * 4)) & ~3);
  for (let i0 = 0; i0 < m; i0 += mc) {
    const iEnd = min(m, i0 + mc);
    for (let j0 = 0; j0 < n; j0 += 8) {
      const nr = min(8, n - j0);
      const panel = bp + (<usize>(j0 >> 3)) * panelBytes;
      const cb = biasMode == BIAS_COL ? bias + (<usize>j0 << 2) : 0;
      for (let i = i0; i < iEnd; i += 4) {
        const mr = min(4, iEnd - i);
        // Rows past the end repeat the last row: computed, never stored.
        const a0 = a + <usize>i * ldaBytes;
        const a1 = mr > 1 ? a0 + ldaBytes : a0;
        const a2 = mr > 2 ? a1 + ldaBytes : a1;
        const a3 = mr > 3 ? a2 + ldaBytes : a2;
        const ci = c + <usize>i * ldcBytes + (<usize>j0 << 2);
        tile4x8(k, a0, a1, a2, a3, 4, panel, 32, ci, ldcBytes, mr, nr, rb != 0 ? rb + (<usize>i << 2) : 0, cb, act, p0, p1, false);
      }
    }
  }
}

/** Tile (i, j0) of f32_gemm_pa_4x8: nr columns, read as a partial B at the right edge. */
@inline function paTile(
  i: i32, j0: i32, nr: i32, partialB: bool, m: i32, k: i32, ap: usize, b: usize, ldbBytes: usize, c: usize, ldcBytes: usize,
  bias: usize, act: i32, p0: f32, p1: f32,
): void {
  const pa = ap + (<usize>(i >> 2)) * (<usize>k << 4);
  const ci = c + <usize>i * ldcBytes + (<usize>j0 << 2);
  const rb = bias != 0 ? bias + (<usize>i << 2) : 0;
  tile4x8(k, pa, pa + 4, pa + 8, pa + 12, 16, b + (<usize>j0 << 2), ldbBytes, ci, ldcBytes, min(4, m - i), nr, rb, 0, act, p0, p1, partialB);
}

/**
 * C = A·B + bias -> act with A packed gm4 (one group: ceil(M/4) panels [K][4]) and B [K, N] read in place
 * with row stride ldb (Conv input or im2col rows), C row stride ldc, bias[M] per row or 0.
 */
export function f32_gemm_pa_4x8(
  m: i32, n: i32, k: i32, ap: usize, b: usize, ldb: i32, c: usize, ldc: i32, bias: usize, act: i32, p0: f32, p1: f32,
): void {
  const ldbBytes = <usize>ldb << 2;
  const ldcBytes = <usize>ldc << 2;
  const n8 = n & ~7;
  // Column blocks outside: one block of B (K rows x 32 bytes) stays in cache across all weight panels.
  // (Weight panels outside instead measured the same, 7x7 layers with K = 960 included.)
  for (let j0 = 0; j0 < n8; j0 += 8) {
    for (let i = 0; i < m; i += 4) paTile(i, j0, 8, false, m, k, ap, b, ldbBytes, c, ldcBytes, bias, act, p0, p1);
  }
  if (n8 == n) return;
  if (ASC_FEATURE_SIMD) {
    // The last 1..7 columns: the same tile, reading only those columns of B.
    for (let i = 0; i < m; i += 4) paTile(i, n8, n - n8, true, m, k, ap, b, ldbBytes, c, ldcBytes, bias, act, p0, p1);
  } else {
    tailColumnsScalar(m, n8, n, k, ap, b, ldbBytes, c, ldcBytes, bias, act, p0, p1);
  }
}

/** Scalar build: columns n8..n-1 of f32_gemm_pa_4x8, one dot product per output. */
function tailColumnsScalar(
  m: i32, n8: i32, n: i32, k: i32, ap: usize, b: usize, ldbBytes: usize, c: usize, ldcBytes: usize,
  bias: usize, act: i32, p0: f32, p1: f32,
): void {
  const panelBytes = <usize>k << 4;
  for (let i = 0; i < m; i += 4) {
    const mr = min(4, m - i);
    const pa = ap + (<usize>(i >> 2)) * panelBytes;
    for (let j = n8; j < n; j++) {
      const ci = c + <usize>i * ldcBytes + (<usize>j << 2);
      for (let r = 0; r < mr; r++) {
        let acc: f32 = bias != 0 ? load<f32>(bias + (<usize>(i + r) << 2)) : 0;
        let q = pa + (<usize>r << 2);
        let pb = b + (<usize>j << 2);
        for (let kk = 0; kk < k; kk++) {
          acc += load<f32>(q) * load<f32>(pb);
          q += 16;
          pb += ldbBytes;
        }
        store<f32>(ci + <usize>r * ldcBytes, sact(acc, act, p0, p1));
      }
    }
  }
}
