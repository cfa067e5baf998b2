// Depthwise 3x3 Conv2D at stride 1 or 2, pads <= 1 (MobileNet, DS-CNN) straight from the input planes: rows outside
// read a zero row, and the groups of 4 outputs whose windows cross the left or right edge shift a zero in.

import { needsActPass, vactInline } from './epilogue';
import { f32_vact_x8 } from './activation';
import { vmadd, zeroFloats } from './vmath';

/** Scratch bytes of f32_dwconv2d_3x3_x4: a zero row. */
export function f32_dwconv2d_3x3_scratch_bytes(w: i32): i32 {
  return (w + 16) * 4;
}

/**
 * y = act(depthwise3x3(x, w) + bias) at stride s (1 or 2) in both axes, dilation 1; x [N, C, H, W]; w [C, 1, 3, 3]
 * as exported; bias [C] or 0; y [N, C, oh, ow] with ow >= 5 (and w >= 8 at stride 2); pt/pl the top/left pads, and
 * the bottom/right ones that follow from oh/ow, 0 or 1; scratch of f32_dwconv2d_3x3_scratch_bytes. The scalar build
 * computes the same sums.
 */
export function f32_dwconv2d_3x3_x4(
  x: usize, y: usize, wt: usize, bias: usize, scratch: usize, n: i32, c: i32, h: i32, w: i32,
  s: i32, pt: i32, pl: i32, oh: i32, ow: i32, act: i32, p0: f32, p1: f32,
): void {
  const zeroRow = scratch;
  zeroFloats(zeroRow, w + 16);
  const plane = <usize>h * w * 4;
  const outPlane = <usize>oh * ow * 4;
  for (let p = 0; p < n * c; p++) {
    const ch = p % c;
    const b: f32 = bias != 0 ? load<f32>(bias + (<usize>ch << 2)) : 0;
    const yc = y + <usize>p * outPlane;
    if (ASC_FEATURE_SIMD) {
      if (s == 1) plane3x3(1, x + <usize>p * plane, yc, wt + <usize>ch * 36, b, zeroRow, h, w, pt, pl, oh, ow, act, p0, p1);
      else plane3x3(2, x + <usize>p * plane, yc, wt + <usize>ch * 36, b, zeroRow, h, w, pt, pl, oh, ow, act, p0, p1);
      if (needsActPass(act)) f32_vact_x8(yc, yc, oh * ow, act, p0, p1);
    } else {
      planeScalar(x + <usize>p * plane, yc, wt + <usize>ch * 36, b, h, w, s, pt, pl, oh, ow);
      f32_vact_x8(yc, yc, oh * ow, act, p0, p1);
    }
  }
}

/** The start of input row iy, or the zero row outside the plane. */
@inline function rowAt(xc: usize, iy: i32, h: i32, w: i32, zeroRow: usize): usize {
  return iy >= 0 && iy < h ? xc + ((<usize>iy * w) << 2) : zeroRow;
}

/**
 * Three taps of one input row for 4 outputs at stride s, chained onto acc. p points at the window's first column;
 * `edge` < 0: the window starts at the left pad (read as 0) and p points at the column after it, column 0;
 * > 0: the window's last column is the right pad; 0: all inside. Never reads past the row's last column.
 */
@inline function row3(s: i32, edge: i32, p: usize, wa: v128, wb: v128, wc: v128, acc: v128): v128 {
  const zero = f32x4.splat(0);
  if (s == 1) {
    if (edge < 0) {
      const c0 = v128.load(p); // columns 0..3
      acc = vmadd(v128.shuffle<f32>(zero, c0, 3, 4, 5, 6), wa, acc);
      acc = vmadd(c0, wb, acc);
      return vmadd(v128.load(p, 4), wc, acc);
    }
    acc = vmadd(v128.load(p), wa, acc);
    const c1 = v128.load(p, 4);
    acc = vmadd(c1, wb, acc);
    if (edge > 0) return vmadd(v128.shuffle<f32>(c1, zero, 1, 2, 3, 4), wc, acc);
    return vmadd(v128.load(p, 8), wc, acc);
  }
  // Stride 2: columns 0..8 of the window give the three taps by shuffles.
  const lo = v128.load(p);
  const hi = v128.load(p, 16);
  const even = v128.shuffle<f32>(lo, hi, 0, 2, 4, 6);
  const odd = v128.shuffle<f32>(lo, hi, 1, 3, 5, 7);
  if (edge < 0) {
    // The window starts at the pad: taps are (pad, 1, 3, 5), (0, 2, 4, 6), (1, 3, 5, 7) of the row.
    acc = vmadd(v128.shuffle<f32>(zero, odd, 0, 4, 5, 6), wa, acc);
    acc = vmadd(even, wb, acc);
    return vmadd(odd, wc, acc);
  }
  const next = v128.shuffle<f32>(even, edge > 0 ? zero : v128.load32_splat(p, 32), 1, 2, 3, 4);
  acc = vmadd(even, wa, acc);
  acc = vmadd(odd, wb, acc);
  return vmadd(next, wc, acc);
}

/** 4 outputs whose windows start at byte offset o of rows r0..r2: the 9 taps chained from the bias. */
@inline function group4(
  s: i32, edge: i32, r0: usize, r1: usize, r2: usize, o: usize, w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128,
  w6: v128, w7: v128, w8: v128, vb: v128,
): v128 {
  let acc = row3(s, edge, r0 + o, w0, w1, w2, vb);
  acc = row3(s, edge, r1 + o, w3, w4, w5, acc);
  return row3(s, edge, r2 + o, w6, w7, w8, acc);
}

@inline function plane3x3(
  s: i32, xc: usize, yc: usize, wc: usize, b: f32, zeroRow: usize, h: i32, w: i32, pt: i32, pl: i32,
  oh: i32, ow: i32, act: i32, p0: f32, p1: f32,
): void {
  const w0 = v128.load32_splat(wc), w1 = v128.load32_splat(wc, 4), w2 = v128.load32_splat(wc, 8);
  const w3 = v128.load32_splat(wc, 12), w4 = v128.load32_splat(wc, 16), w5 = v128.load32_splat(wc, 20);
  const w6 = v128.load32_splat(wc, 24), w7 = v128.load32_splat(wc, 28), w8 = v128.load32_splat(wc, 32);
  const vb = f32x4.splat(b);
  const v0 = f32x4.splat(p0);
  const v1 = f32x4.splat(p1);
  const span = s == 1 ? 6 : 9; // input columns read by 4 outputs
  const oxL = pl > 0 ? 4 : 0; // the group at 0 reads the left pad
  const lastStart = ow - 4;
  const rightPad = lastStart * s - pl + span > w; // the last group reads the right pad
  const end = rightPad ? lastStart : ow;
  for (let oy = 0; oy < oh; oy++) {
    const iy = oy * s - pt;
    const r0 = rowAt(xc, iy, h, w, zeroRow);
    const r1 = rowAt(xc, iy + 1, h, w, zeroRow);
    const r2 = rowAt(xc, iy + 2, h, w, zeroRow);
    const yr = yc + ((<usize>oy * ow) << 2);
    if (pl > 0) v128.store(yr, vactInline(group4(s, -1, r0, r1, r2, 0, w0, w1, w2, w3, w4, w5, w6, w7, w8, vb), act, v0, v1));
    let ox = oxL;
    // Two groups per iteration: one loop overhead and one set of row addresses for 8 outputs.
    for (; ox + 8 <= end; ox += 8) {
      const o = (<usize>(ox * s - pl)) << 2;
      const a = group4(s, 0, r0, r1, r2, o, w0, w1, w2, w3, w4, w5, w6, w7, w8, vb);
      const b = group4(s, 0, r0, r1, r2, o + (<usize>(4 * s) << 2), w0, w1, w2, w3, w4, w5, w6, w7, w8, vb);
      v128.store(yr + (<usize>ox << 2), vactInline(a, act, v0, v1));
      v128.store(yr + (<usize>ox << 2), vactInline(b, act, v0, v1), 16);
    }
    for (; ox < end; ox += 4) {
      if (ox + 4 > ow) ox = lastStart; // recompute a few outputs rather than finish in scalar code
      const o = (<usize>(ox * s - pl)) << 2;
      const a = group4(s, 0, r0, r1, r2, o, w0, w1, w2, w3, w4, w5, w6, w7, w8, vb);
      v128.store(yr + (<usize>ox << 2), vactInline(a, act, v0, v1));
    }
    if (rightPad) {
      const o = (<usize>(lastStart * s - pl)) << 2;
      const a = group4(s, 1, r0, r1, r2, o, w0, w1, w2, w3, w4, w5, w6, w7, w8, vb);
      v128.store(yr + (<usize>lastStart << 2), vactInline(a, act, v0, v1));
    }
  }
}

/** Scalar build: every output from the input with its borders (activation applied by the caller). */
function planeScalar(xc: usize, yc: usize, wc: usize, b: f32, h: i32, w: i32, s: i32, pt: i32, pl: i32, oh: i32, ow: i32): void {
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      let acc = b;
      for (let ky = 0; ky < 3; ky++) {
        const iy = oy * s - pt + ky;
        if (iy < 0 || iy >= h) continue;
        for (let kx = 0; kx < 3; kx++) {
          const ix = ox * s - pl + kx;
          if (ix < 0 || ix >= w) continue;
          acc += load<f32>(xc + ((<usize>iy * w + ix) << 2)) * load<f32>(wc + (<usize>(ky * 3 + kx) << 2));
        }
      }
      store<f32>(yc + ((<usize>oy * ow + ox) << 2), acc);
    }
  }
}
