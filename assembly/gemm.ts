// Register-blocked f32 GEMM, C[M,N] = A[M,K]·B[K,N] (+ bias) -> activation, on 4x8 tiles of f32x4 accumulators:
// f32_gemm_4x8 takes B packed n8 (Gemm, MatMul), f32_gemm_pa_4x8 A packed gm4 (Conv) with B rows read in place.

import { sact } from './activation';
import { actRect, needsActPass, rowBiasV, storeRow } from './epilogue';
import { gemmPaTailColumns } from './gemm-cols';
import { rowsTile } from './gemm-rows';
import { vloadPartial, vmadd } from './vmath';

// Bias modes of f32_gemm_4x8 (mirrored in src/kernels/wasm/codes.ts).
export const BIAS_NONE: i32 = 0;
/** bias[M], one value per row of C. */
export const BIAS_ROW: i32 = 1;
/** bias[N], one value per column of C. */
export const BIAS_COL: i32 = 2;

// Rows of A per block: the block's A rows stay in L2 while every B panel streams past them.
const A_BLOCK_BYTES: i32 = 256 * 1024;
// Packed weight panels per block of f32_gemm_pa_4x8: the block stays in L2 while every column block of B passes.
const A_PANELS_BYTES: i32 = 256 * 1024;

/**
 * One 4x8 tile of C at c: rows of A at a0..a3 (stepping aStep bytes per k), 8 columns of B at b (stepping
 * bStep bytes per k). Stores mr rows and nr columns (all 8 columns of B are read); rb/cb point at the row/column
 * biases or are 0.
 */
@inline function tile4x8(
  k: i32, a0: usize, a1: usize, a2: usize, a3: usize, aStep: usize, b: usize, bStep: usize,
  c: usize, ldcBytes: usize, mr: i32, nr: i32, rb: usize, cb: usize, act: i32, p0: f32, p1: f32,
): void {
  if (ASC_FEATURE_SIMD) {
    // The row bias starts the sums (no add per row at the end; Conv's bias is a row bias).
    const r0 = rowBiasV(rb, 0, mr), r1 = rowBiasV(rb, 1, mr), r2 = rowBiasV(rb, 2, mr), r3 = rowBiasV(rb, 3, mr);
    let c00 = r0, c01 = r0, c10 = r1, c11 = r1, c20 = r2, c21 = r2, c30 = r3, c31 = r3;
    for (let kk = 0; kk < k; kk++) {
      const b0 = v128.load(b);
      const b1 = v128.load(b, 16);
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
    if (cb != 0) {
      const q0 = vloadPartial(cb, nr);
      const q1 = nr > 4 ? vloadPartial(cb + 16, nr - 4) : f32x4.splat(0);
      c00 = f32x4.add(c00, q0);
      c01 = f32x4.add(c01, q1);
      c10 = f32x4.add(c10, q0);
      c11 = f32x4.add(c11, q1);
      c20 = f32x4.add(c20, q0);
      c21 = f32x4.add(c21, q1);
      c30 = f32x4.add(c30, q0);
      c31 = f32x4.add(c31, q1);
    }
    const v0 = f32x4.splat(p0);
    const v1 = f32x4.splat(p1);
    storeRow(c, c00, c01, nr, act, v0, v1);
    if (mr > 1) storeRow(c + ldcBytes, c10, c11, nr, act, v0, v1);
    if (mr > 2) storeRow(c + 2 * ldcBytes, c20, c21, nr, act, v0, v1);
    if (mr > 3) storeRow(c + 3 * ldcBytes, c30, c31, nr, act, v0, v1);
    if (needsActPass(act)) actRect(c, ldcBytes, mr, nr, act, p0, p1);
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
 * The last M % 4 rows (all of them for a batch-1 GEMV) run on the row tiles of gemm-rows.ts.
 */
export function f32_gemm_4x8(
  m: i32, n: i32, k: i32, a: usize, lda: i32, bp: usize, c: usize, ldc: i32,
  bias: usize, biasMode: i32, act: i32, p0: f32, p1: f32,
): void {
  const ldaBytes = <usize>lda << 2;
  const ldcBytes = <usize>ldc << 2;
  const panelBytes = <usize>k << 5;
  const rb = biasMode == BIAS_ROW ? bias : 0;
  // The SIMD build leaves the last M % 4 rows to row tiles; the scalar one repeats a row instead.
  const m4 = ASC_FEATURE_SIMD ? m & ~3 : m;
  const mc = max(4, (A_BLOCK_BYTES / max(1, k * 4)) & ~3);
  for (let i0 = 0; i0 < m4; i0 += mc) {
    const iEnd = min(m4, i0 + mc);
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
        tile4x8(k, a0, a1, a2, a3, 4, panel, 32, ci, ldcBytes, mr, nr, rb != 0 ? rb + (<usize>i << 2) : 0, cb, act, p0, p1);
      }
    }
  }
  if (ASC_FEATURE_SIMD) {
    for (let i = m4; i < m; ) {
      const rows = m - i >= 2 ? 2 : 1;
      gemmRows(rows, i, n, k, a + <usize>i * ldaBytes, ldaBytes, bp, panelBytes, c + <usize>i * ldcBytes, ldcBytes, rb, biasMode == BIAS_COL ? bias : 0, act, p0, p1);
      i += rows;
    }
  }
}

/** Rows i..i+rows-1 (1 or 2) of f32_gemm_4x8 on row tiles: 24 columns at a time for one row, 16 for two. */
function gemmRows(
  rows: i32, i: i32, n: i32, k: i32, a: usize, ldaBytes: usize, bp: usize, panelBytes: usize, c: usize, ldcBytes: usize,
  rb: usize, cb: usize, act: i32, p0: f32, p1: f32,
): void {
  const rbi = rb != 0 ? rb + (<usize>i << 2) : 0;
  const width = rows == 1 ? 24 : 16;
  for (let j0 = 0; j0 < n; j0 += width) {
    const nr = min(width, n - j0);
    const panel = bp + (<usize>(j0 >> 3)) * panelBytes;
    const cj = c + (<usize>j0 << 2);
    const cbj = cb != 0 ? cb + (<usize>j0 << 2) : 0;
    if (rows == 1) {
      if (nr > 16) rowsTile(1, 3, k, a, a, panel, panelBytes, cj, ldcBytes, nr, rbi, cbj, act, p0, p1);
      else if (nr > 8) rowsTile(1, 2, k, a, a, panel, panelBytes, cj, ldcBytes, nr, rbi, cbj, act, p0, p1);
      else rowsTile(1, 1, k, a, a, panel, panelBytes, cj, ldcBytes, nr, rbi, cbj, act, p0, p1);
    } else {
      if (nr > 8) rowsTile(2, 2, k, a, a + ldaBytes, panel, panelBytes, cj, ldcBytes, nr, rbi, cbj, act, p0, p1);
      else rowsTile(2, 1, k, a, a + ldaBytes, panel, panelBytes, cj, ldcBytes, nr, rbi, cbj, act, p0, p1);
    }
  }
}

/** Tile (i, j0) of f32_gemm_pa_4x8: rows i..i+3, columns j0..j0+7. */
@inline function paTile(
  i: i32, j0: i32, m: i32, k: i32, ap: usize, b: usize, ldbBytes: usize, c: usize, ldcBytes: usize,
  bias: usize, act: i32, p0: f32, p1: f32,
): void {
  const pa = ap + (<usize>(i >> 2)) * (<usize>k << 4);
  const ci = c + <usize>i * ldcBytes + (<usize>j0 << 2);
  const rb = bias != 0 ? bias + (<usize>i << 2) : 0;
  tile4x8(k, pa, pa + 4, pa + 8, pa + 12, 16, b + (<usize>j0 << 2), ldbBytes, ci, ldcBytes, min(4, m - i), 8, rb, 0, act, p0, p1);
}

/**
 * C = A·B + bias -> act with A packed gm4 (one group: ceil(M/4) panels [K][4]) and B [K, N] read in place
 * with row stride ldb (Conv input or im2col rows), C row stride ldc, bias[M] per row or 0. The last N % 8 columns
 * run on the column tiles of gemm-cols.ts.
 */
export function f32_gemm_pa_4x8(
  m: i32, n: i32, k: i32, ap: usize, b: usize, ldb: i32, c: usize, ldc: i32, bias: usize, act: i32, p0: f32, p1: f32,
): void {
  const ldbBytes = <usize>ldb << 2;
  const ldcBytes = <usize>ldc << 2;
  const n8 = n & ~7;
  const np = (m + 3) >> 2;
  // Column blocks outside: one block of B (K rows x 32 bytes) stays in L1 across all weight panels; then the last
  // N % 8 columns. Weights past L2 go block by block (paBlocks). (Kept as a separate loop: one loop nest for both
  // cases measured 10% slower on 256x256x256, V8 allocating its registers differently.)
  const blockPanels = max(1, A_PANELS_BYTES / (k * 16));
  if (np <= blockPanels) {
    for (let j0 = 0; j0 < n8; j0 += 8) {
      for (let i = 0; i < m; i += 4) paTile(i, j0, m, k, ap, b, ldbBytes, c, ldcBytes, bias, act, p0, p1);
    }
    if (ASC_FEATURE_SIMD && n8 < n) gemmPaTailColumns(m, n, n8, k, ap, b, ldbBytes, c, ldcBytes, bias, act, p0, p1, 0, np);
  } else {
    paBlocks(m, n, k, ap, b, ldbBytes, c, ldcBytes, bias, act, p0, p1, blockPanels);
  }
  if (n8 < n && !ASC_FEATURE_SIMD) tailColumnsScalar(m, n8, n, k, ap, b, ldbBytes, c, ldcBytes, bias, act, p0, p1);
}

/**
 * f32_gemm_pa_4x8 with weights past L2 (the 1x1 layers of 7x7 maps): blocks of panels, each read from memory once
 * and kept in L2 while every column block of B, then the remainder columns, pass over it.
 */
function paBlocks(
  m: i32, n: i32, k: i32, ap: usize, b: usize, ldbBytes: usize, c: usize, ldcBytes: usize, bias: usize, act: i32, p0: f32, p1: f32,
  blockPanels: i32,
): void {
  const n8 = n & ~7;
  const np = (m + 3) >> 2;
  for (let pb = 0; pb < np; pb += blockPanels) {
    const pe = min(np, pb + blockPanels);
    for (let j0 = 0; j0 < n8; j0 += 8) {
      for (let i = pb << 2; i < pe << 2; i += 4) paTile(i, j0, m, k, ap, b, ldbBytes, c, ldcBytes, bias, act, p0, p1);
    }
    if (ASC_FEATURE_SIMD && n8 < n) gemmPaTailColumns(m, n, n8, k, ap, b, ldbBytes, c, ldcBytes, bias, act, p0, p1, pb, pe);
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

/**
 * Copies columns j0..j0+nc-1 (nc a multiple of 8) of B [K, *] (row stride ldbBytes) into dst as n8 panels
 * [nc/8][K][8], 16 columns (a cache line of each row) at a time.
 */
export function packColumnsN8(dst: usize, b: usize, ldbBytes: usize, k: i32, j0: i32, nc: i32): void {
  const panelBytes = <usize>k << 5;
  let j = 0;
  for (; j + 16 <= nc; j += 16) {
    let src = b + (<usize>(j0 + j) << 2);
    let d0 = dst + (<usize>(j >> 3)) * panelBytes;
    let d1 = d0 + panelBytes;
    for (let kk = 0; kk < k; kk++) {
      v128.store(d0, v128.load(src));
      v128.store(d0, v128.load(src, 16), 16);
      v128.store(d1, v128.load(src, 32));
      v128.store(d1, v128.load(src, 48), 16);
      src += ldbBytes;
      d0 += 32;
      d1 += 32;
    }
  }
  if (j < nc) {
    let src = b + (<usize>(j0 + j) << 2);
    let d0 = dst + (<usize>(j >> 3)) * panelBytes;
    for (let kk = 0; kk < k; kk++) {
      v128.store(d0, v128.load(src));
      v128.store(d0, v128.load(src, 16), 16);
      src += ldbBytes;
      d0 += 32;
    }
  }
}

/**
 * Columns of C from B packed n8 (packColumnsN8: nc columns, a multiple of 8) and A packed gm4: each weight panel
 * sweeps the whole chunk, so it writes 4 output rows front to back (SIMD build only).
 */
export function gemmPaPackedChunk(
  m: i32, nc: i32, k: i32, ap: usize, bp: usize, c: usize, ldcBytes: usize, bias: usize, act: i32, p0: f32, p1: f32,
): void {
  const panelBytes = <usize>k << 5;
  for (let i = 0; i < m; i += 4) {
    const pa = ap + (<usize>(i >> 2)) * (<usize>k << 4);
    const rb = bias != 0 ? bias + (<usize>i << 2) : 0;
    const mr = min(4, m - i);
    let ci = c + <usize>i * ldcBytes;
    let panel = bp;
    for (let j0 = 0; j0 < nc; j0 += 8) {
      tile4x8(k, pa, pa + 4, pa + 8, pa + 12, 16, panel, 32, ci, ldcBytes, mr, 8, rb, 0, act, p0, p1);
      panel += panelBytes;
      ci += 32;
    }
  }
}
