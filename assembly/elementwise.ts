// Binary elementwise ops (Add, Sub, Mul, Div) with the fast broadcast patterns — equal shapes, scalar,
// per-channel, last-axis row — and an optional activation applied to the result.

import { ACT_NONE, f32_vact_x8 } from './activation';

// How the second operand b maps onto a [outer, c, inner] result (mirrored in src/kernels/wasm/codes.ts).
export const BCAST_NONE: i32 = 0; // b has the result's shape
export const BCAST_SCALAR: i32 = 1; // b is one value
export const BCAST_CHANNEL: i32 = 2; // b[c]: one value per channel (NCHW bias, per-channel scale)
export const BCAST_ROW: i32 = 3; // b[inner]: one row repeated over outer x c (bias on the last axis)

const OP_ADD: i32 = 0;
const OP_SUB: i32 = 1;
const OP_MUL: i32 = 2;
const OP_DIV: i32 = 3;

@inline function vop(op: i32, a: v128, b: v128): v128 {
  if (op == OP_ADD) return f32x4.add(a, b);
  if (op == OP_SUB) return f32x4.sub(a, b);
  if (op == OP_MUL) return f32x4.mul(a, b);
  return f32x4.div(a, b);
}

@inline function sop(op: i32, a: f32, b: f32): f32 {
  if (op == OP_ADD) return a + b;
  if (op == OP_SUB) return a - b;
  if (op == OP_MUL) return a * b;
  return a / b;
}

/** y[i] = a[i] op b[i] (swapped: b[i] op a[i]) for n floats. */
@inline function spanVV(op: i32, swap: bool, a: usize, b: usize, y: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      const a0 = v128.load(a + o), a1 = v128.load(a + o, 16);
      const b0 = v128.load(b + o), b1 = v128.load(b + o, 16);
      v128.store(y + o, swap ? vop(op, b0, a0) : vop(op, a0, b0));
      v128.store(y + o, swap ? vop(op, b1, a1) : vop(op, a1, b1), 16);
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const a0 = v128.load(a + o), b0 = v128.load(b + o);
      v128.store(y + o, swap ? vop(op, b0, a0) : vop(op, a0, b0));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const av = load<f32>(a + o), bv = load<f32>(b + o);
    store<f32>(y + o, swap ? sop(op, bv, av) : sop(op, av, bv));
  }
}

/** y[i] = a[i] op s (swapped: s op a[i]) for n floats. */
@inline function spanVS(op: i32, swap: bool, a: usize, s: f32, y: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const sv = f32x4.splat(s);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      const a0 = v128.load(a + o), a1 = v128.load(a + o, 16);
      v128.store(y + o, swap ? vop(op, sv, a0) : vop(op, a0, sv));
      v128.store(y + o, swap ? vop(op, sv, a1) : vop(op, a1, sv), 16);
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const a0 = v128.load(a + o);
      v128.store(y + o, swap ? vop(op, sv, a0) : vop(op, a0, sv));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const av = load<f32>(a + o);
    store<f32>(y + o, swap ? sop(op, s, av) : sop(op, av, s));
  }
}

@inline function binaryPattern(op: i32, swap: bool, a: usize, b: usize, y: usize, outer: i32, c: i32, inner: i32, bcast: i32): void {
  const total = outer * c * inner;
  if (bcast == BCAST_NONE) {
    spanVV(op, swap, a, b, y, total);
  } else if (bcast == BCAST_SCALAR) {
    spanVS(op, swap, a, load<f32>(b), y, total);
  } else if (bcast == BCAST_CHANNEL) {
    const step = <usize>inner << 2;
    for (let o = 0; o < outer; o++) {
      for (let ch = 0; ch < c; ch++) {
        spanVS(op, swap, a, load<f32>(b + (<usize>ch << 2)), y, inner);
        a += step;
        y += step;
      }
    }
  } else {
    const step = <usize>inner << 2;
    const rows = outer * c;
    for (let r = 0; r < rows; r++) {
      spanVV(op, swap, a, b, y, inner);
      a += step;
      y += step;
    }
  }
}

/** y = act(a op b) over [outer, c, inner]; b broadcast per `bcast`; swap computes b op a (for Sub/Div). */
@inline function binary(
  op: i32, a: usize, b: usize, y: usize, outer: i32, c: i32, inner: i32, bcast: i32, swap: i32, act: i32, p0: f32, p1: f32,
): void {
  if (swap != 0 && (op == OP_SUB || op == OP_DIV)) binaryPattern(op, true, a, b, y, outer, c, inner, bcast);
  else binaryPattern(op, false, a, b, y, outer, c, inner, bcast);
  // A second pass keeps one copy of each activation; the result is still in cache.
  if (act != ACT_NONE) f32_vact_x8(y, y, outer * c * inner, act, p0, p1);
}

/** y = act(a + b) over [outer, c, inner], b broadcast per `bcast` (BCAST_*). */
export function f32_vadd_x8(a: usize, b: usize, y: usize, outer: i32, c: i32, inner: i32, bcast: i32, swap: i32, act: i32, p0: f32, p1: f32): void {
  binary(OP_ADD, a, b, y, outer, c, inner, bcast, swap, act, p0, p1);
}

/** y = act(a - b), or act(b - a) when swap != 0. */
export function f32_vsub_x8(a: usize, b: usize, y: usize, outer: i32, c: i32, inner: i32, bcast: i32, swap: i32, act: i32, p0: f32, p1: f32): void {
  binary(OP_SUB, a, b, y, outer, c, inner, bcast, swap, act, p0, p1);
}

/** y = act(a * b). */
export function f32_vmul_x8(a: usize, b: usize, y: usize, outer: i32, c: i32, inner: i32, bcast: i32, swap: i32, act: i32, p0: f32, p1: f32): void {
  binary(OP_MUL, a, b, y, outer, c, inner, bcast, swap, act, p0, p1);
}

/** y = act(a / b), or act(b / a) when swap != 0. */
export function f32_vdiv_x8(a: usize, b: usize, y: usize, outer: i32, c: i32, inner: i32, bcast: i32, swap: i32, act: i32, p0: f32, p1: f32): void {
  binary(OP_DIV, a, b, y, outer, c, inner, bcast, swap, act, p0, p1);
}
