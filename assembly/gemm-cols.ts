// Column tiles over A packed gm4 for the last N % 8 columns of f32_gemm_pa_4x8 (left over by 7x7 or 3x3 maps): each
// accumulator holds 4 output channels of one column, so a remainder costs its width, not 8 columns.

import { actRect, needsActPass, vactInline } from './epilogue';
import { vloadPartial, vmadd } from './vmath';

/** acc + bias of rows i..i+3 (ReLU/Clip applied) stored down column j: rows past m are not written. */
@inline function storeColumn(acc: v128, c: usize, ldcBytes: usize, i: i32, m: i32, bias: usize, act: i32, v0: v128, v1: v128): void {
  if (i >= m) return;
  const rows = min(4, m - i);
  if (bias != 0) acc = f32x4.add(acc, vloadPartial(bias + (<usize>i << 2), rows));
  acc = vactInline(acc, act, v0, v1);
  const p = c + <usize>i * ldcBytes;
  v128.store32_lane(p, acc, 0);
  if (rows > 1) v128.store32_lane(p + ldcBytes, acc, 1);
  if (rows > 2) v128.store32_lane(p + 2 * ldcBytes, acc, 2);
  if (rows > 3) v128.store32_lane(p + 3 * ldcBytes, acc, 3);
}

/**
 * Columns j..j+J-1 (J = 1..4) of C for P (2 or 4, P * J <= 8) row panels from panel p: B values splatted, packed
 * weights loaded 4 rows at a time. Panels past the last (np) repeat it and are not stored.
 */
@inline function colsTile(
  P: i32, J: i32, k: i32, ap: usize, p: i32, np: i32, b: usize, ldbBytes: usize, c: usize, ldcBytes: usize, m: i32,
  bias: usize, act: i32, p0: f32, p1: f32,
): void {
  const panelBytes = <usize>k << 4;
  let w0 = ap + <usize>min(p, np - 1) * panelBytes;
  let w1 = ap + <usize>min(p + 1, np - 1) * panelBytes;
  let w2 = P == 4 ? ap + <usize>min(p + 2, np - 1) * panelBytes : w0;
  let w3 = P == 4 ? ap + <usize>min(p + 3, np - 1) * panelBytes : w0;
  const zero = f32x4.splat(0);
  let s0 = zero, s1 = zero, s2 = zero, s3 = zero, s4 = zero, s5 = zero, s6 = zero, s7 = zero;
  for (let kk = 0; kk < k; kk++) {
    const x0 = v128.load32_splat(b);
    const x1 = J > 1 ? v128.load32_splat(b, 4) : zero;
    const x2 = J > 2 ? v128.load32_splat(b, 8) : zero;
    const x3 = J > 3 ? v128.load32_splat(b, 12) : zero;
    const a0 = v128.load(w0);
    const a1 = v128.load(w1);
    if (P == 2) {
      // s0..s3: panel 0, columns 0..3; s4..s7: panel 1.
      s0 = vmadd(a0, x0, s0);
      s4 = vmadd(a1, x0, s4);
      if (J > 1) {
        s1 = vmadd(a0, x1, s1);
        s5 = vmadd(a1, x1, s5);
      }
      if (J > 2) {
        s2 = vmadd(a0, x2, s2);
        s6 = vmadd(a1, x2, s6);
      }
      if (J > 3) {
        s3 = vmadd(a0, x3, s3);
        s7 = vmadd(a1, x3, s7);
      }
    } else {
      // s(2q), s(2q+1): panel q, columns 0 and 1.
      const a2 = v128.load(w2);
      const a3 = v128.load(w3);
      s0 = vmadd(a0, x0, s0);
      s2 = vmadd(a1, x0, s2);
      s4 = vmadd(a2, x0, s4);
      s6 = vmadd(a3, x0, s6);
      if (J > 1) {
        s1 = vmadd(a0, x1, s1);
        s3 = vmadd(a1, x1, s3);
        s5 = vmadd(a2, x1, s5);
        s7 = vmadd(a3, x1, s7);
      }
      w2 += 16;
      w3 += 16;
    }
    w0 += 16;
    w1 += 16;
    b += ldbBytes;
  }
  const v0 = f32x4.splat(p0);
  const v1 = f32x4.splat(p1);
  const i0 = p << 2;
  if (P == 2) {
    storeColumn(s0, c, ldcBytes, i0, m, bias, act, v0, v1);
    storeColumn(s4, c, ldcBytes, i0 + 4, m, bias, act, v0, v1);
    if (J > 1) {
      storeColumn(s1, c + 4, ldcBytes, i0, m, bias, act, v0, v1);
      storeColumn(s5, c + 4, ldcBytes, i0 + 4, m, bias, act, v0, v1);
    }
    if (J > 2) {
      storeColumn(s2, c + 8, ldcBytes, i0, m, bias, act, v0, v1);
      storeColumn(s6, c + 8, ldcBytes, i0 + 4, m, bias, act, v0, v1);
    }
    if (J > 3) {
      storeColumn(s3, c + 12, ldcBytes, i0, m, bias, act, v0, v1);
      storeColumn(s7, c + 12, ldcBytes, i0 + 4, m, bias, act, v0, v1);
    }
  } else {
    storeColumn(s0, c, ldcBytes, i0, m, bias, act, v0, v1);
    storeColumn(s2, c, ldcBytes, i0 + 4, m, bias, act, v0, v1);
    storeColumn(s4, c, ldcBytes, i0 + 8, m, bias, act, v0, v1);
    storeColumn(s6, c, ldcBytes, i0 + 12, m, bias, act, v0, v1);
    if (J > 1) {
      storeColumn(s1, c + 4, ldcBytes, i0, m, bias, act, v0, v1);
      storeColumn(s3, c + 4, ldcBytes, i0 + 4, m, bias, act, v0, v1);
      storeColumn(s5, c + 4, ldcBytes, i0 + 8, m, bias, act, v0, v1);
      storeColumn(s7, c + 4, ldcBytes, i0 + 12, m, bias, act, v0, v1);
    }
  }
  if (needsActPass(act)) actRect(c + <usize>i0 * ldcBytes, ldcBytes, min(4 * P, m - i0), J, act, p0, p1);
}

/** Columns j..j+J-1 of the rows of row panels pStart..pEnd-1 (of np), P panels at a time. */
@inline function colsStrip(
  P: i32, J: i32, pStart: i32, pEnd: i32, m: i32, k: i32, ap: usize, b: usize, ldbBytes: usize, c: usize, ldcBytes: usize,
  bias: usize, act: i32, p0: f32, p1: f32,
): void {
  const np = (m + 3) >> 2;
  for (let p = pStart; p < pEnd; p += P) colsTile(P, J, k, ap, p, np, b, ldbBytes, c, ldcBytes, m, bias, act, p0, p1);
}

/**
 * Columns j0..n-1 (at most 7) of C = act(A·B + bias) with A packed gm4, for row panels pStart..pEnd-1: 4 columns
 * at a time on two row panels, then 1 or 2 columns on four panels, 3 on two.
 */
export function gemmPaTailColumns(
  m: i32, n: i32, j0: i32, k: i32, ap: usize, b: usize, ldbBytes: usize, c: usize, ldcBytes: usize, bias: usize, act: i32, p0: f32, p1: f32,
  pStart: i32, pEnd: i32,
): void {
  let j = j0;
  if (n - j >= 4) {
    colsStrip(2, 4, pStart, pEnd, m, k, ap, b + (<usize>j << 2), ldbBytes, c + (<usize>j << 2), ldcBytes, bias, act, p0, p1);
    j += 4;
  }
  const r = n - j;
  const bj = b + (<usize>j << 2);
  const cj = c + (<usize>j << 2);
  if (r == 3) colsStrip(2, 3, pStart, pEnd, m, k, ap, bj, ldbBytes, cj, ldcBytes, bias, act, p0, p1);
  else if (r == 2) colsStrip(4, 2, pStart, pEnd, m, k, ap, bj, ldbBytes, cj, ldcBytes, bias, act, p0, p1);
  else if (r == 1) colsStrip(4, 1, pStart, pEnd, m, k, ap, bj, ldbBytes, cj, ldcBytes, bias, act, p0, p1);
}
