// Int8 depthwise Conv2D (group == C == M, NCHW). Each channel plane is first rebuilt as i16 pairs of vertically
// adjacent taps (rows r and r + dh, zero point subtracted, pads 0), split by column phase for strides > 1: four
// consecutive outputs then read one vector per (tap pair, kx) and i32x4.dot_i16x8_s does two taps at once.

import { pairPaddedRow } from './qpairs';
import { loadQ, QOut, Q_UNSIGNED, requantFloat, vnarrow8, vqBias, vqHigh, vqLow, vrequantFloat, vstoreBytes } from './requant';

/** Bytes of depthwise weights [C, 1, kh, kw] in layout dwk2: [C][ceil(kh/2)][kw] i16 pairs (w[ky][kx], w[ky+1][kx]). */
export function qs8_pack_dwk2_bytes(c: i32, kh: i32, kw: i32): i32 {
  return c * ((kh + 1) >> 1) * kw * 4;
}

/** Packs depthwise weights (int8, or uint8 with Q_UNSIGNED) minus wZero[C] (int32) into layout dwk2. */
export function qs8_pack_dwk2__ck(out: usize, w: usize, wZero: usize, c: i32, kh: i32, kw: i32, flags: i32): void {
  const unsigned = (flags & Q_UNSIGNED) != 0;
  for (let ch = 0; ch < c; ch++) {
    const z = load<i32>(wZero + (<usize>ch << 2));
    const wc = w + <usize>ch * kh * kw;
    for (let ky = 0; ky < kh; ky += 2) {
      for (let kx = 0; kx < kw; kx++) {
        store<i16>(out, <i16>(loadQ(wc + ky * kw + kx, unsigned) - z));
        store<i16>(out, <i16>(ky + 1 < kh ? loadQ(wc + (ky + 1) * kw + kx, unsigned) - z : 0), 2);
        out += 4;
      }
    }
  }
}

/** Columns of one phase of a pair row: 8-wide output groups plus the taps' reach, so vector reads stay inside. */
@inline function phaseLength(kw: i32, sw: i32, dw: i32, ow: i32): i32 {
  return ((ow + 7) & ~7) + ((kw - 1) * dw) / sw + 1;
}

/** Pair rows the outputs read: top rows oy * sh + 2 * kyp * dh. */
@inline function pairRows(kh: i32, sh: i32, dh: i32, oh: i32): i32 {
  return (oh - 1) * sh + 2 * (((kh + 1) >> 1) - 1) * dh + 1;
}

/** Scratch bytes of qs8_dwconv2d_dwk2: one channel's pair plane [rows][sw phases][phase length] i32 and the taps' offsets. */
export function qs8_dwconv2d_scratch_bytes(kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, oh: i32, ow: i32): i32 {
  return pairRows(kh, sh, dh, oh) * sw * phaseLength(kw, sw, dw, ow) * 4 + kw * 4;
}

/**
 * y = requant(depthwise(x - xZero, w - wZero) + bias). x [N, C, H, W]; w packed dwk2; params: a QOut block;
 * y [N, C, oh, ow]; scratch of qs8_dwconv2d_scratch_bytes. pt/pl are the top/left pads.
 */
export function qs8_dwconv2d_dwk2(
  x: usize, y: usize, wp: usize, params: usize, scratch: usize, n: i32, c: i32, h: i32, w: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
): void {
  const out = changetype<QOut>(params);
  const unsigned = (out.flags & Q_UNSIGNED) != 0;
  const khp = (kh + 1) >> 1;
  const lp = phaseLength(kw, sw, dw, ow);
  const rows = pairRows(kh, sh, dh, oh);
  const wBytes = <usize>khp * kw * 4;
  // Byte offset of column tap kx within a pair row: its phase's run, then its place in the run (no division per output).
  const tapOff = scratch + <usize>rows * sw * lp * 4;
  for (let kx = 0; kx < kw; kx++) {
    const tap = kx * dw;
    store<i32>(tapOff + (<usize>kx << 2), ((tap % sw) * lp + tap / sw) << 2);
  }
  for (let nb = 0; nb < n; nb++) {
    for (let ch = 0; ch < c; ch++) {
      const xc = x + <usize>(nb * c + ch) * h * w;
      const yc = y + <usize>(nb * c + ch) * oh * ow;
      buildPairPlane(scratch, xc, h, w, rows, lp, sh, sw, dh, pt, pl, out.xZero, unsigned);
      const at = <usize>ch << 2;
      const bias = load<i32>(out.bias + at);
      const scale = load<f32>(out.mult + at);
      const wc = wp + <usize>ch * wBytes;
      if (ASC_FEATURE_SIMD) planeSimd(scratch, yc, wc, tapOff, lp, khp, kw, sh, sw, dh, oh, ow, bias, scale, out);
      else planeScalar(scratch, yc, wc, tapOff, lp, khp, kw, sh, sw, dh, oh, ow, bias, scale, out);
    }
  }
}

/**
 * P[r][phase][j] = (xpad(r, col), xpad(r + dh, col)) with col = j * sw + phase, xpad the plane minus the zero point
 * with zero pads: pt rows above, pl columns to the left, zeros past the input.
 */
function buildPairPlane(p: usize, x: usize, h: i32, w: i32, rows: i32, lp: i32, sh: i32, sw: i32, dh: i32, pt: i32, pl: i32, zp: i32, unsigned: bool): void {
  const rowBytes = <usize>sw * lp * 4;
  // With an even row stride every pair's top row oy * sh + 2 * kyp * dh is even: odd rows are never read.
  const step = (sh & 1) == 0 ? 2 : 1;
  for (let r = 0; r < rows; r += step) {
    const iy0 = r - pt;
    const iy1 = r + dh - pt;
    const top = iy0 >= 0 && iy0 < h ? x + <usize>iy0 * w : 0;
    const bottom = iy1 >= 0 && iy1 < h ? x + <usize>iy1 * w : 0;
    pairPaddedRow(p + <usize>r * rowBytes, top, bottom, w, lp, sw, pl, zp, unsigned);
  }
}

function planeSimd(
  p: usize, y: usize, wc: usize, tapOff: usize, lp: i32, khp: i32, kw: i32, sh: i32, sw: i32, dh: i32, oh: i32, ow: i32,
  bias: i32, scale: f32, out: QOut,
): void {
  const rowBytes = <usize>sw * lp * 4;
  const unsigned = (out.flags & Q_UNSIGNED) != 0;
  const b = i32x4.splat(bias);
  const m = f32x4.splat(scale);
  const low = vqLow(out);
  const high = vqHigh(out);
  const rb = vqBias(out);
  for (let oy = 0; oy < oh; oy++) {
    const row0 = p + <usize>(oy * sh) * rowBytes;
    for (let ox = 0; ox < ow; ox += 8) {
      let acc0 = b;
      let acc1 = b;
      let wt = wc;
      for (let kyp = 0; kyp < khp; kyp++) {
        const row = row0 + <usize>(2 * kyp * dh) * rowBytes;
        for (let kx = 0; kx < kw; kx++) {
          const src = row + <usize>load<i32>(tapOff + (<usize>kx << 2)) + (<usize>ox << 2);
          const wv = v128.load32_splat(wt);
          acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(v128.load(src), wv));
          acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(v128.load(src, 16), wv));
          wt += 4;
        }
      }
      const v0 = vrequantFloat(acc0, m, low, high, rb);
      const v1 = vrequantFloat(acc1, m, low, high, rb);
      vstoreBytes(y + <usize>oy * ow + ox, vnarrow8(v0, v1, unsigned), min(8, ow - ox));
    }
  }
}

function planeScalar(
  p: usize, y: usize, wc: usize, tapOff: usize, lp: i32, khp: i32, kw: i32, sh: i32, sw: i32, dh: i32, oh: i32, ow: i32,
  bias: i32, scale: f32, out: QOut,
): void {
  const rowBytes = <usize>sw * lp * 4;
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      let acc = bias;
      let wt = wc;
      for (let kyp = 0; kyp < khp; kyp++) {
        const row = p + <usize>(oy * sh + 2 * kyp * dh) * rowBytes;
        for (let kx = 0; kx < kw; kx++) {
          const src = row + <usize>load<i32>(tapOff + (<usize>kx << 2)) + (<usize>ox << 2);
          acc += <i32>load<i16>(src) * <i32>load<i16>(wt) + <i32>load<i16>(src, 2) * <i32>load<i16>(wt, 2);
          wt += 4;
        }
      }
      store<u8>(y + <usize>oy * ow + ox, <u8>requantFloat(acc, scale, out.zp, out.lo, out.hi));
    }
  }
}
