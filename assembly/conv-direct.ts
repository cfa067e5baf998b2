// Direct Conv2D (NCHW, weights packed gm4) without im2col: the input, padded and split by stride phase once, is read
// by 4x8 tiles (4 output channels x 8 pixels of a row) through a table of tap offsets.

import { actRect, finishRow, needsActPass } from './epilogue';
import { f32_conv2d_4x8, f32_conv2d_scratch_bytes } from './conv';
import { copyFloats, vloadStrided, vmadd, zeroFloats } from './vmath';

/** Geometry of the phase-split padded input: wq floats per phase row, sw phases per row, hp rows per channel. */
@inline function paddedRows(oh: i32, sh: i32, kh: i32, dh: i32): i32 {
  return (oh - 1) * sh + (kh - 1) * dh + 1;
}

@inline function phaseWidth(ow: i32, sw: i32, kw: i32, dw: i32): i32 {
  const wp = (ow - 1) * sw + (kw - 1) * dw + 1;
  return (wp + sw - 1) / sw;
}

/**
 * Scratch bytes of f32_conv2d_direct_4x8: the padded, phase-split input of one group (cg channels) and the K tap
 * offsets. Where the im2col kernel runs instead (scalar build, ow < 8), its scratch.
 */
export function f32_conv2d_direct_scratch_bytes(
  cg: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
): i32 {
  if (!ASC_FEATURE_SIMD || ow < 8) return f32_conv2d_scratch_bytes(cg, h, w, kh, kw, sh, sw, pt, pl, oh, ow);
  const plane = paddedRows(oh, sh, kh, dh) * sw * phaseWidth(ow, sw, kw, dw);
  return (cg * plane + cg * kh * kw) * 4;
}

/**
 * y = act(conv(x, w) + bias), as f32_conv2d_4x8 (same arguments, weights packed gm4) for output rows at least
 * 8 pixels wide (ow >= 8); scratch of f32_conv2d_direct_scratch_bytes.
 */
export function f32_conv2d_direct_4x8(
  x: usize, y: usize, wp: usize, bias: usize, scratch: usize,
  n: i32, c: i32, h: i32, w: i32, m: i32, group: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
  act: i32, p0: f32, p1: f32,
): void {
  if (!ASC_FEATURE_SIMD || ow < 8) {
    f32_conv2d_4x8(x, y, wp, bias, scratch, n, c, h, w, m, group, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, act, p0, p1);
    return;
  }
  const cg = c / group;
  const mg = m / group;
  const kg = cg * kh * kw;
  const hp = paddedRows(oh, sh, kh, dh);
  const wq = phaseWidth(ow, sw, kw, dw);
  const rowBytes = <usize>(sw * wq) << 2;
  const chanBytes = <usize>hp * rowBytes;
  const offs = scratch + <usize>cg * chanBytes;
  tapOffsets(offs, cg, kh, kw, sw, dh, dw, wq, rowBytes, chanBytes);
  const packBytes = <usize>((mg + 3) >> 2) * kg * 16;
  const ohw = oh * ow;
  for (let nb = 0; nb < n; nb++) {
    for (let g = 0; g < group; g++) {
      const xg = x + ((<usize>(nb * c + g * cg) * h * w) << 2);
      for (let ci = 0; ci < cg; ci++) {
        splitPadded(scratch + <usize>ci * chanBytes, xg + ((<usize>ci * h * w) << 2), h, w, pt, pl, hp, sw, wq);
      }
      const yg = y + ((<usize>(nb * m + g * mg) * ohw) << 2);
      const wg = wp + <usize>g * packBytes;
      const bg = bias != 0 ? bias + (<usize>(g * mg) << 2) : 0;
      convRows(scratch, offs, kg, rowBytes, sh, wg, bg, yg, mg, oh, ow, act, p0, p1);
    }
  }
}

/** Byte offset of every tap (ci, ky, kx), in the weights' K order, from the window's top-left input. */
function tapOffsets(offs: usize, cg: i32, kh: i32, kw: i32, sw: i32, dh: i32, dw: i32, wq: i32, rowBytes: usize, chanBytes: usize): void {
  for (let ci = 0; ci < cg; ci++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        const col = kx * dw;
        const off = <usize>ci * chanBytes + <usize>(ky * dh) * rowBytes + ((<usize>((col % sw) * wq + col / sw)) << 2);
        store<i32>(offs, <i32>off);
        offs += 4;
      }
    }
  }
}

/**
 * Copies plane x [h, w] into dst as hp rows of sw phases of wq floats: phase p of a row holds padded columns
 * p, p + sw, p + 2sw..; padded column q * sw + p is input column q * sw + p - pl, zero outside the input.
 */
function splitPadded(dst: usize, x: usize, h: i32, w: i32, pt: i32, pl: i32, hp: i32, sw: i32, wq: i32): void {
  for (let r = 0; r < hp; r++) {
    const iy = r - pt;
    for (let p = 0; p < sw; p++) {
      if (iy < 0 || iy >= h) {
        zeroFloats(dst, wq);
      } else {
        // Phase entries q with 0 <= q * sw + p - pl < w read the input; the rest are padding.
        const first = min(wq, p >= pl ? 0 : (pl - p + sw - 1) / sw);
        const last = w - 1 + pl - p; // last padded phase column inside the input, times sw
        const end = last < 0 ? first : max(first, min(wq, last / sw + 1));
        zeroFloats(dst, first);
        const src = x + ((<usize>iy * w + first * sw + p - pl) << 2);
        copyStrided(dst + (<usize>first << 2), src, end - first, sw);
        zeroFloats(dst + (<usize>end << 2), wq - end);
      }
      dst += <usize>wq << 2;
    }
  }
}

/** dst[i] = src[i * stride] for i < count. */
@inline function copyStrided(dst: usize, src: usize, count: i32, stride: i32): void {
  if (stride == 1) {
    copyFloats(dst, src, count);
    return;
  }
  let i = 0;
  if (stride == 2) {
    for (; i + 4 <= count; i += 4) {
      v128.store(dst, vloadStrided(src, 2));
      dst += 16;
      src += 32;
    }
  }
  const step = <usize>stride << 2;
  for (; i < count; i++) {
    store<f32>(dst, load<f32>(src));
    dst += 4;
    src += step;
  }
}

/** Every output row of one group: 8 pixels at a time (the last group of a row overlaps the previous one). */
function convRows(
  src: usize, offs: usize, kg: i32, rowBytes: usize, sh: i32, wp: usize, bias: usize, y: usize, mg: i32, oh: i32, ow: i32,
  act: i32, p0: f32, p1: f32,
): void {
  const planeBytes = <usize>(oh * ow) << 2;
  const panelBytes = <usize>kg << 4;
  for (let oy = 0; oy < oh; oy++) {
    const row = src + <usize>(oy * sh) * rowBytes;
    const yr = y + ((<usize>oy * ow) << 2);
    for (let ox = 0; ox < ow; ox += 8) {
      if (ox + 8 > ow) ox = ow - 8; // recompute a few pixels rather than finish in narrower code
      const base = row + (<usize>ox << 2);
      for (let i = 0; i < mg; i += 4) {
        const mr = min(4, mg - i);
        const rb = bias != 0 ? bias + (<usize>i << 2) : 0;
        const c = yr + (<usize>ox << 2) + <usize>i * planeBytes;
        directTile(kg, base, offs, wp + <usize>(i >> 2) * panelBytes, c, planeBytes, mr, rb, act, p0, p1);
      }
    }
  }
}

/** One 4x8 tile: 4 output channels (packed weights pa) x 8 pixels whose tap t reads 8 floats at base + offs[t]. */
@inline function directTile(
  k: i32, base: usize, offs: usize, pa: usize, c: usize, ldcBytes: usize, mr: i32, rb: usize, act: i32, p0: f32, p1: f32,
): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (let kk = 0; kk < k; kk++) {
    const b = base + <usize>load<i32>(offs);
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const x0 = v128.load32_splat(pa);
    c00 = vmadd(x0, b0, c00);
    c01 = vmadd(x0, b1, c01);
    const x1 = v128.load32_splat(pa, 4);
    c10 = vmadd(x1, b0, c10);
    c11 = vmadd(x1, b1, c11);
    const x2 = v128.load32_splat(pa, 8);
    c20 = vmadd(x2, b0, c20);
    c21 = vmadd(x2, b1, c21);
    const x3 = v128.load32_splat(pa, 12);
    c30 = vmadd(x3, b0, c30);
    c31 = vmadd(x3, b1, c31);
    offs += 4;
    pa += 16;
  }
  const zero = f32x4.splat(0);
  const v0 = f32x4.splat(p0);
  const v1 = f32x4.splat(p1);
  finishRow(c, c00, c01, rb != 0 ? v128.load32_splat(rb) : zero, zero, zero, 8, act, v0, v1);
  if (mr > 1) finishRow(c + ldcBytes, c10, c11, rb != 0 ? v128.load32_splat(rb, 4) : zero, zero, zero, 8, act, v0, v1);
  if (mr > 2) finishRow(c + 2 * ldcBytes, c20, c21, rb != 0 ? v128.load32_splat(rb, 8) : zero, zero, zero, 8, act, v0, v1);
  if (mr > 3) finishRow(c + 3 * ldcBytes, c30, c31, rb != 0 ? v128.load32_splat(rb, 12) : zero, zero, zero, 8, act, v0, v1);
  if (needsActPass(act)) actRect(c, ldcBytes, mr, 8, act, p0, p1);
}
