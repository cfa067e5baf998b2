// Activation functions: the codes shared with the JS glue, the per-vector and per-float forms used as fused
// epilogues of GEMM/Conv/elementwise kernels, and the standalone f32_vact_x8 kernel.

import { copyFloats, vexp, vmadd } from './vmath';

// Codes passed as the `act` argument of every kernel with an epilogue (mirrored in src/kernels/wasm/codes.ts).
export const ACT_NONE: i32 = 0;
export const ACT_RELU: i32 = 1;
/** min(max(x, p0), p1) */
export const ACT_CLIP: i32 = 2;
/** x * clamp(x / 6 + 0.5, 0, 1) */
export const ACT_HARDSWISH: i32 = 3;
export const ACT_SIGMOID: i32 = 4;
export const ACT_TANH: i32 = 5;
/** x < 0 ? p0 * x : x */
export const ACT_LEAKY_RELU: i32 = 6;
/** clamp(p0 * x + p1, 0, 1) */
export const ACT_HARD_SIGMOID: i32 = 7;

// pmin/pmax are one instruction on x86 (min/max are several) and still propagate a NaN in x.
@inline function vclamp(x: v128, lo: v128, hi: v128): v128 {
  return f32x4.pmin(f32x4.pmax(x, lo), hi);
}

@inline function vsigmoid(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, vexp(f32x4.neg(x))));
}

// tanh|x| = (1 - t) / (1 + t) with t = e^-2|x| in (0, 1]: no overflow; the sign is copied back from x.
@inline function vtanh(x: v128): v128 {
  const one = f32x4.splat(1.0);
  const t = vexp(f32x4.mul(f32x4.abs(x), f32x4.splat(-2.0)));
  const r = f32x4.div(f32x4.sub(one, t), f32x4.add(one, t));
  return v128.or(r, v128.and(x, i32x4.splat(0x80000000)));
}

/** Applies activation `code` to four floats; p0/p1 are the splatted parameters. */
@inline export function vact(x: v128, code: i32, p0: v128, p1: v128): v128 {
  if (code == ACT_NONE) return x;
  if (code == ACT_RELU) return f32x4.pmax(x, f32x4.splat(0));
  if (code == ACT_CLIP) return vclamp(x, p0, p1);
  if (code == ACT_HARDSWISH) {
    const gate = vclamp(vmadd(x, f32x4.splat(1.0 / 6.0), f32x4.splat(0.5)), f32x4.splat(0), f32x4.splat(1.0));
    return f32x4.mul(x, gate);
  }
  if (code == ACT_SIGMOID) return vsigmoid(x);
  if (code == ACT_TANH) return vtanh(x);
  if (code == ACT_LEAKY_RELU) return v128.bitselect(f32x4.mul(x, p0), x, f32x4.lt(x, f32x4.splat(0)));
  if (code == ACT_HARD_SIGMOID) return vclamp(vmadd(x, p0, p1), f32x4.splat(0), f32x4.splat(1.0));
  return x;
}

/** Applies activation `code` to one float. */
@inline export function sact(x: f32, code: i32, p0: f32, p1: f32): f32 {
  if (code == ACT_NONE) return x;
  if (code == ACT_RELU) return x < 0 ? 0 : x;
  if (code == ACT_CLIP) return x < p0 ? p0 : x > p1 ? p1 : x;
  if (code == ACT_HARDSWISH) {
    const g = x * (1.0 / 6.0) + 0.5;
    return x * (g < 0 ? 0 : g > 1 ? 1 : g);
  }
  if (code == ACT_SIGMOID) return sigmoid(x);
  if (code == ACT_TANH) return tanh(x);
  if (code == ACT_LEAKY_RELU) return x < 0 ? p0 * x : x;
  if (code == ACT_HARD_SIGMOID) {
    const g = p0 * x + p1;
    return g < 0 ? 0 : g > 1 ? 1 : g;
  }
  return x;
}

// Same formulas as the vector forms, with the accurate Mathf.exp.
function sigmoid(x: f32): f32 {
  return 1.0 / (1.0 + Mathf.exp(-x));
}

function tanh(x: f32): f32 {
  const t = Mathf.exp(-2.0 * Mathf.abs(x));
  const r: f32 = (1.0 - t) / (1.0 + t);
  return x < 0 ? -r : r;
}

// One loop per code, so the body is specialised (code is a constant once inlined).
@inline function actLoop(x: usize, y: usize, n: i32, code: i32, p0: f32, p1: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const v0 = f32x4.splat(p0);
    const v1 = f32x4.splat(p1);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      v128.store(y + o, vact(v128.load(x + o), code, v0, v1));
      v128.store(y + o, vact(v128.load(x + o, 16), code, v0, v1), 16);
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, vact(v128.load(x + o), code, v0, v1));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, sact(load<f32>(x + o), code, p0, p1));
  }
}

/** y[i] = act(x[i]) for n floats (x and y may be the same buffer). */
export function f32_vact_x8(x: usize, y: usize, n: i32, code: i32, p0: f32, p1: f32): void {
  if (code == ACT_RELU) actLoop(x, y, n, ACT_RELU, p0, p1);
  else if (code == ACT_CLIP) actLoop(x, y, n, ACT_CLIP, p0, p1);
  else if (code == ACT_HARDSWISH) actLoop(x, y, n, ACT_HARDSWISH, p0, p1);
  else if (code == ACT_SIGMOID) actLoop(x, y, n, ACT_SIGMOID, p0, p1);
  else if (code == ACT_TANH) actLoop(x, y, n, ACT_TANH, p0, p1);
  else if (code == ACT_LEAKY_RELU) actLoop(x, y, n, ACT_LEAKY_RELU, p0, p1);
  else if (code == ACT_HARD_SIGMOID) actLoop(x, y, n, ACT_HARD_SIGMOID, p0, p1);
  else if (x != y) copyFloats(y, x, n);
}
