// The epilogue shared by the register-tiled kernels (GEMM, direct and Winograd Conv): bias, fused activation
// and the store of one row of up to 8 results.

import { ACT_CLIP, ACT_NONE, ACT_RELU, f32_vact_x8 } from './activation';
import { vstorePartial } from './vmath';

/**
 * True for the activations finishRow does not apply: actRect applies them to the stored tile (still in L1). A call
 * inside the epilogue makes V8 spill the accumulators live across it for the whole loop (measured 2-3x slower).
 */
@inline export function needsActPass(act: i32): bool {
  return act != ACT_NONE && act != ACT_RELU && act != ACT_CLIP;
}

/** ReLU or Clip in registers; any other code leaves v as is (see actRect). */
@inline export function vactInline(v: v128, act: i32, p0: v128, p1: v128): v128 {
  if (act == ACT_RELU) return f32x4.pmax(v, f32x4.splat(0));
  if (act == ACT_CLIP) return f32x4.pmin(f32x4.pmax(v, p0), p1);
  return v;
}

/** Adds the row bias and the column biases, applies ReLU/Clip and stores the first nr of 8 floats at p. */
@inline export function finishRow(p: usize, lo: v128, hi: v128, rowBias: v128, q0: v128, q1: v128, nr: i32, act: i32, p0: v128, p1: v128): void {
  lo = f32x4.add(f32x4.add(lo, rowBias), q0);
  hi = f32x4.add(f32x4.add(hi, rowBias), q1);
  if (act == ACT_RELU) {
    lo = f32x4.pmax(lo, f32x4.splat(0));
    hi = f32x4.pmax(hi, f32x4.splat(0));
  } else if (act == ACT_CLIP) {
    lo = f32x4.pmin(f32x4.pmax(lo, p0), p1);
    hi = f32x4.pmin(f32x4.pmax(hi, p0), p1);
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

/** Applies ReLU/Clip to a row of up to 8 results (lo, hi) and stores the first nr at p. */
@inline export function storeRow(p: usize, lo: v128, hi: v128, nr: i32, act: i32, p0: v128, p1: v128): void {
  if (act == ACT_RELU) {
    lo = f32x4.pmax(lo, f32x4.splat(0));
    hi = f32x4.pmax(hi, f32x4.splat(0));
  } else if (act == ACT_CLIP) {
    lo = f32x4.pmin(f32x4.pmax(lo, p0), p1);
    hi = f32x4.pmin(f32x4.pmax(hi, p0), p1);
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

/** bias[r] splatted, or 0 when there is no row bias or row r is past the mr stored rows. */
@inline export function rowBiasV(rb: usize, r: i32, mr: i32): v128 {
  return rb != 0 && r < mr ? v128.load32_splat(rb + (<usize>r << 2)) : f32x4.splat(0);
}

/** Applies an activation that needsActPass to rows x cols floats at c (row stride ldcBytes), in place. */
export function actRect(c: usize, ldcBytes: usize, rows: i32, cols: i32, act: i32, p0: f32, p1: f32): void {
  for (let r = 0; r < rows; r++) {
    f32_vact_x8(c, c, cols, act, p0, p1);
    c += ldcBytes;
  }
}
