// Depthwise Conv2D (group == C == M, NCHW). Each channel plane is first copied with its zero padding into a
// scratch plane (when it has pads), so every output column is computed the same way: SIMD over 4 output
// columns, 3x3 at stride 1 and 2 specialised with the weights in registers, no border cases.

import { ACT_NONE, f32_vact_x8 } from './activation';
import { needsActPass, vactInline } from './epilogue';
import { copyFloats, vloadStrided, vmadd, zeroFloats } from './vmath';

/** Rows and columns of the padded plane that the outputs read: the last window's end. */
@inline function paddedExtent(out: i32, stride: i32, kernel: i32, dilation: i32): i32 {
  return (out - 1) * stride + (kernel - 1) * dilation + 1;
}

@inline function needsPadding(h: i32, w: i32, hp: i32, wp: i32, pt: i32, pl: i32): bool {
  return pt > 0 || pl > 0 || hp > h || wp > w;
}

/** Scratch bytes f32_dwconv2d_x8 needs (one padded plane), 0 when the input has no padding to add. */
export function f32_dwconv2d_scratch_bytes(h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, oh: i32, ow: i32): i32 {
  const hp = paddedExtent(oh, sh, kh, dh);
  const wp = paddedExtent(ow, sw, kw, dw);
  return needsPadding(h, w, hp, wp, pt, pl) ? hp * wp * 4 : 0;
}

/**
 * y = act(depthwise(x, w) + bias). x [N, C, H, W]; w [C, 1, kh, kw] as exported; bias [C] or 0; y [N, C, oh, ow];
 * scratch of f32_dwconv2d_scratch_bytes. pt/pl are the top/left pads (bottom/right follow from oh/ow).
 */
export function f32_dwconv2d_x8(
  x: usize, y: usize, wt: usize, bias: usize, scratch: usize, n: i32, c: i32, h: i32, w: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
  act: i32, p0: f32, p1: f32,
): void {
  const hp = paddedExtent(oh, sh, kh, dh);
  const wp = paddedExtent(ow, sw, kw, dw);
  const pad = needsPadding(h, w, hp, wp, pt, pl);
  const ld = pad ? wp : w; // row stride of the plane the windows read
  const plane = <usize>h * w * 4;
  const outPlane = <usize>oh * ow * 4;
  for (let nb = 0; nb < n; nb++) {
    for (let ch = 0; ch < c; ch++) {
      const xc = x + <usize>(nb * c + ch) * plane;
      const yc = y + <usize>(nb * c + ch) * outPlane;
      const wc = wt + ((<usize>ch * kh * kw) << 2);
      const b: f32 = bias != 0 ? load<f32>(bias + (<usize>ch << 2)) : 0;
      let src = xc;
      if (pad) {
        padPlane(scratch, xc, h, w, pt, pl, hp, wp);
        src = scratch;
      }
      const simd = ASC_FEATURE_SIMD && ow >= 4;
      if (simd) planeSimd(src, ld, yc, wc, b, oh, ow, kh, kw, sh, sw, dh, dw, act, p0, p1);
      else planeScalar(src, ld, yc, wc, b, oh, ow, kh, kw, sh, sw, dh, dw);
      // ReLU/Clip are applied in registers by planeSimd; the others as one pass over the plane just written (still
      // in L1): one copy of their code.
      if (act != ACT_NONE && (!simd || needsActPass(act))) f32_vact_x8(yc, yc, oh * ow, act, p0, p1);
    }
  }
}

/** Copies plane x [h, w] into dst [hp, wp] at row pt, column pl, zeros around; parts past hp/wp are unused. */
function padPlane(dst: usize, x: usize, h: i32, w: i32, pt: i32, pl: i32, hp: i32, wp: i32): void {
  const rowBytes = <usize>wp << 2;
  const cols = max(0, min(w, wp - pl));
  for (let r = 0; r < hp; r++) {
    const iy = r - pt;
    if (iy < 0 || iy >= h) {
      zeroFloats(dst, wp);
    } else {
      zeroFloats(dst, pl);
      copyFloats(dst + (<usize>pl << 2), x + ((<usize>iy * w) << 2), cols);
      zeroFloats(dst + (<usize>(pl + cols) << 2), wp - pl - cols);
    }
    dst += rowBytes;
  }
}

function planeScalar(src: usize, ld: i32, yc: usize, wc: usize, b: f32, oh: i32, ow: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32): void {
  for (let oy = 0; oy < oh; oy++) {
    const row = src + ((<usize>oy * sh * ld) << 2);
    for (let ox = 0; ox < ow; ox++) {
      let acc = b;
      for (let ky = 0; ky < kh; ky++) {
        const xr = row + ((<usize>ky * dh * ld + ox * sw) << 2);
        const wr = wc + ((<usize>ky * kw) << 2);
        for (let kx = 0; kx < kw; kx++) acc += load<f32>(xr + ((<usize>kx * dw) << 2)) * load<f32>(wr + (<usize>kx << 2));
      }
      store<f32>(yc + ((<usize>oy * ow + ox) << 2), acc);
    }
  }
}

/** All output rows, 4 columns at a time (ow >= 4), each row's last group overlapping the previous one. */
function planeSimd(
  src: usize, ld: i32, yc: usize, wc: usize, b: f32, oh: i32, ow: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  act: i32, p0: f32, p1: f32,
): void {
  const vb = f32x4.splat(b);
  const v0 = f32x4.splat(p0);
  const v1 = f32x4.splat(p1);
  const rowStep = (<usize>dh * ld) << 2;
  const outStep = (<usize>sh * ld) << 2;
  if (kh == 3 && kw == 3 && dw == 1) {
    if (sw == 1) {
      plane3x3(1, src, rowStep, outStep, yc, wc, oh, ow, vb, act, v0, v1);
      return;
    }
    if (sw == 2) {
      plane3x3(2, src, rowStep, outStep, yc, wc, oh, ow, vb, act, v0, v1);
      return;
    }
  }
  if (sw == 1) planeGeneric(1, src, rowStep, outStep, yc, wc, oh, ow, kh, kw, dw, vb, act, v0, v1);
  else if (sw == 2) planeGeneric(2, src, rowStep, outStep, yc, wc, oh, ow, kh, kw, dw, vb, act, v0, v1);
  else planeGeneric(sw, src, rowStep, outStep, yc, wc, oh, ow, kh, kw, dw, vb, act, v0, v1);
}

/** Four outputs from kh rows of kw taps at stride s; even and odd rows accumulate apart to shorten the chains. */
@inline function windowGeneric(s: i32, p: usize, rowStep: usize, kh: i32, wp: usize, kw: i32, dw: i32, vb: v128): v128 {
  let even = vb;
  let odd = f32x4.splat(0);
  const tapStep = <usize>dw << 2;
  for (let r = 0; r < kh; r++) {
    let xp = p;
    let acc = f32x4.splat(0);
    for (let kx = 0; kx < kw; kx++) {
      acc = vmadd(vloadStrided(xp, s), v128.load32_splat(wp), acc);
      xp += tapStep;
      wp += 4;
    }
    if (r & 1) odd = f32x4.add(odd, acc);
    else even = f32x4.add(even, acc);
    p += rowStep;
  }
  return f32x4.add(even, odd);
}

@inline function planeGeneric(
  s: i32, src: usize, rowStep: usize, outStep: usize, yc: usize, wc: usize, oh: i32, ow: i32, kh: i32, kw: i32, dw: i32, vb: v128,
  act: i32, v0: v128, v1: v128,
): void {
  let row = src;
  let yr = yc;
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox += 4) {
      if (ox + 4 > ow) ox = ow - 4; // recompute a few outputs rather than finish in scalar code
      v128.store(yr + (<usize>ox << 2), vactInline(windowGeneric(s, row + ((<usize>ox * s) << 2), rowStep, kh, wc, kw, dw, vb), act, v0, v1));
    }
    row += outStep;
    yr += <usize>ow << 2;
  }
}

/** Three taps of one input row for four outputs at stride s (1 or 2), as a chain of multiply-adds onto acc. */
@inline function row3(s: i32, p: usize, wa: v128, wb: v128, wc: v128, acc: v128): v128 {
  if (s == 1) {
    acc = vmadd(v128.load(p), wa, acc);
    acc = vmadd(v128.load(p, 4), wb, acc);
    return vmadd(v128.load(p, 8), wc, acc);
  }
  // Stride 2: elements 0..8 of the row give the three taps by shuffles; nothing past element 8 is read.
  const lo = v128.load(p);
  const hi = v128.load(p, 16);
  const even = v128.shuffle<f32>(lo, hi, 0, 2, 4, 6);
  const odd = v128.shuffle<f32>(lo, hi, 1, 3, 5, 7);
  const next = v128.shuffle<f32>(even, v128.load32_splat(p, 32), 1, 2, 3, 4);
  acc = vmadd(even, wa, acc);
  acc = vmadd(odd, wb, acc);
  return vmadd(next, wc, acc);
}

/** 3x3 at stride s: the nine weights stay in registers, one accumulator chain per kernel row. */
@inline function plane3x3(
  s: i32, src: usize, rowStep: usize, outStep: usize, yc: usize, wc: usize, oh: i32, ow: i32, vb: v128, act: i32, v0: v128, v1: v128,
): void {
  const w0 = v128.load32_splat(wc), w1 = v128.load32_splat(wc, 4), w2 = v128.load32_splat(wc, 8);
  const w3 = v128.load32_splat(wc, 12), w4 = v128.load32_splat(wc, 16), w5 = v128.load32_splat(wc, 20);
  const w6 = v128.load32_splat(wc, 24), w7 = v128.load32_splat(wc, 28), w8 = v128.load32_splat(wc, 32);
  const zero = f32x4.splat(0);
  let r0 = src;
  let yr = yc;
  for (let oy = 0; oy < oh; oy++) {
    const r1 = r0 + rowStep;
    const r2 = r1 + rowStep;
    for (let ox = 0; ox < ow; ox += 4) {
      if (ox + 4 > ow) ox = ow - 4;
      const o = (<usize>ox * s) << 2;
      const a = row3(s, r0 + o, w0, w1, w2, vb);
      const b = row3(s, r1 + o, w3, w4, w5, zero);
      const c = row3(s, r2 + o, w6, w7, w8, zero);
      v128.store(yr + (<usize>ox << 2), vactInline(f32x4.add(a, f32x4.add(b, c)), act, v0, v1));
    }
    r0 += outStep;
    yr += <usize>ow << 2;
  }
}
