// Row tiles over B packed n8 for the rows a 4x8 tile would waste: batch-1 Gemm/MatMul (M = 1, a GEMV) and the
// last M % 4 rows. One or two rows of A against one or two panels (8 or 16 columns), read once per k.

import { actRect, finishRow, needsActPass } from './epilogue';
import { vloadPartial, vmadd } from './vmath';

/** Column biases of the nr (<= 8) columns at cb, added in finishRow; zeros when cb is 0. */
@inline function colBias(cb: usize, nr: i32, hi: bool): v128 {
  if (cb == 0) return f32x4.splat(0);
  if (!hi) return vloadPartial(cb, nr);
  return nr > 4 ? vloadPartial(cb + 16, nr - 4) : f32x4.splat(0);
}

/** Stores one row of up to 16 columns at c: panel 0 holds columns 0..7, panel 1 columns 8..15. */
@inline function finishRow16(
  panels: i32, c: usize, l0: v128, h0: v128, l1: v128, h1: v128, rowBias: v128, cb: usize, nr: i32, act: i32, v0: v128, v1: v128,
): void {
  const n0 = min(nr, 8);
  finishRow(c, l0, h0, rowBias, colBias(cb, n0, false), colBias(cb, n0, true), n0, act, v0, v1);
  if (panels >= 2) {
    const n1 = nr - 8;
    const cb1 = cb != 0 ? cb + 32 : 0;
    finishRow(c + 32, l1, h1, rowBias, colBias(cb1, n1, false), colBias(cb1, n1, true), n1, act, v0, v1);
  }
}

/**
 * Rows a0 (and a1 when rows == 2) of A (stepping 4 bytes per k) times `panels` packed panels at bp, bp + panelBytes..
 * (1 row: 1, 2 or 3 panels; 2 rows: 1 or 2); stores nr (<= 8 * panels) columns at c (row 1 at c + ldcBytes).
 * rb/cb: row/column bias or 0. At most 8 accumulators and 14 live vectors: V8 loads a whole k step before its
 * multiplies, and past 15 vector registers it spills accumulators (a 3x slower loop).
 */
@inline export function rowsTile(
  rows: i32, panels: i32, k: i32, a0: usize, a1: usize, bp: usize, panelBytes: usize, c: usize, ldcBytes: usize, nr: i32,
  rb: usize, cb: usize, act: i32, p0: f32, p1: f32,
): void {
  const zero = f32x4.splat(0);
  let e0 = zero, e1 = zero, e2 = zero, e3 = zero; // row 0: panels 0 and 1 (lo, hi)
  let o0 = zero, o1 = zero, o2 = zero, o3 = zero; // row 0 panel 2 (rows == 1), or row 1 panels 0 and 1
  let b = bp;
  let b2 = bp + (panels >= 2 ? panelBytes : 0);
  let b3 = bp + (panels == 3 ? 2 * panelBytes : 0);
  for (let kk = 0; kk < k; kk++) {
    const x0 = v128.load32_splat(a0);
    e0 = vmadd(x0, v128.load(b), e0);
    e1 = vmadd(x0, v128.load(b, 16), e1);
    if (panels >= 2) {
      e2 = vmadd(x0, v128.load(b2), e2);
      e3 = vmadd(x0, v128.load(b2, 16), e3);
    }
    if (panels == 3) {
      o0 = vmadd(x0, v128.load(b3), o0);
      o1 = vmadd(x0, v128.load(b3, 16), o1);
      b3 += 32;
    }
    if (rows == 2) {
      const x1 = v128.load32_splat(a1);
      o0 = vmadd(x1, v128.load(b), o0);
      o1 = vmadd(x1, v128.load(b, 16), o1);
      if (panels == 2) {
        o2 = vmadd(x1, v128.load(b2), o2);
        o3 = vmadd(x1, v128.load(b2, 16), o3);
      }
      a1 += 4;
    }
    a0 += 4;
    b += 32;
    b2 += 32;
  }
  const v0 = f32x4.splat(p0);
  const v1 = f32x4.splat(p1);
  const bias0 = rb != 0 ? v128.load32_splat(rb) : zero;
  if (rows == 1) {
    finishRow16(min(panels, 2), c, e0, e1, e2, e3, bias0, cb, min(nr, 16), act, v0, v1);
    if (panels == 3) finishRow16(1, c + 64, o0, o1, zero, zero, bias0, cb != 0 ? cb + 64 : 0, nr - 16, act, v0, v1);
  } else {
    finishRow16(panels, c, e0, e1, e2, e3, bias0, cb, nr, act, v0, v1);
    const bias1 = rb != 0 ? v128.load32_splat(rb, 4) : zero;
    finishRow16(panels, c + ldcBytes, o0, o1, o2, o3, bias1, cb, nr, act, v0, v1);
  }
  if (needsActPass(act)) actRect(c, ldcBytes, rows, nr, act, p0, p1);
}
