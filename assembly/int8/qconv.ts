// Int8 Conv2D (NCHW, groups, strides, pads, dilations) as an implicit GEMM without im2col: 4 output channels x 8 outputs
// per tile, i32x4.dot_i16x8_s over (tap, channel pair), float32 requantization in the epilogue.
//
// Each group's input is rebuilt once as i16 planes of channel pairs (zero point subtracted, pads 0, columns split by
// stride phase), so a tile reads two consecutive vectors per tap and channel pair; weights are packed once (m4tc2).

import { pairPaddedRow, pairRow, zeroPairs } from './qpairs';
import { loadQ, QOut, Q_UNSIGNED, requantFloat, vnarrow8, vqBias, vqHigh, vqLow, vrequantFloat, vstoreBytes } from './requant';

/** Bytes of Conv weights [M, C/G, kh, kw] in layout m4tc2: [G][ceil((M/G)/4)][kh*kw][ceil((C/G)/2)][4][2] i16. */
export function qs8_pack_m4tc2_bytes(m: i32, cg: i32, taps: i32, group: i32): i32 {
  return group * (((m / group) + 3) >> 2) * taps * ((cg + 1) >> 1) * 16;
}

/** Packs W [M, C/G, taps] (int8, or uint8 with Q_UNSIGNED) minus wZero[M] (int32) into layout m4tc2, zero padded. */
export function qs8_pack_m4tc2__mct(out: usize, w: usize, wZero: usize, m: i32, cg: i32, taps: i32, group: i32, flags: i32): void {
  const unsigned = (flags & Q_UNSIGNED) != 0;
  const mg = m / group;
  const cp2 = (cg + 1) >> 1;
  for (let g = 0; g < group; g++) {
    for (let rb = 0; rb < mg; rb += 4) {
      for (let t = 0; t < taps; t++) {
        for (let cp = 0; cp < cp2; cp++) {
          for (let r = 0; r < 4; r++) {
            let v0 = 0;
            let v1 = 0;
            if (rb + r < mg) {
              const row = g * mg + rb + r;
              const z = load<i32>(wZero + (<usize>row << 2));
              const src = w + (<usize>row * cg + 2 * cp) * taps + t;
              v0 = loadQ(src, unsigned) - z;
              if (2 * cp + 1 < cg) v1 = loadQ(src + taps, unsigned) - z;
            }
            store<i16>(out, <i16>v0);
            store<i16>(out, <i16>v1, 2);
            out += 4;
          }
        }
      }
    }
  }
}

/** 1x1 without pads: the outputs read the input at (oy * sh, ox * sw) only, so the plane holds just those, in one run. */
@inline function isLinear(kh: i32, kw: i32, pt: i32, pl: i32): bool {
  return kh == 1 && kw == 1 && pt == 0 && pl == 0;
}

/** Pairs per phase row: 8-wide output groups plus the taps' reach, so vector reads stay inside. */
@inline function phaseLength(kw: i32, sw: i32, dw: i32, ow: i32): i32 {
  return ((ow + 7) & ~7) + ((kw - 1) * dw) / sw + 1;
}

/** Padded rows the outputs read. */
@inline function paddedRows(kh: i32, sh: i32, dh: i32, oh: i32): i32 {
  return (oh - 1) * sh + (kh - 1) * dh + 1;
}

/** Bytes of one channel pair's plane. */
@inline function planeBytes(h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, oh: i32, ow: i32): i32 {
  if (isLinear(kh, kw, pt, pl)) return ((oh * ow + 7) & ~7) * 4;
  return paddedRows(kh, sh, dh, oh) * sw * phaseLength(kw, sw, dw, ow) * 4;
}

/** Scratch bytes of qs8_conv2d_m4tc2: the pair planes of one group and the taps' offsets. */
export function qs8_conv2d_scratch_bytes(cg: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, oh: i32, ow: i32): i32 {
  return ((cg + 1) >> 1) * planeBytes(h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow) + kh * kw * 4;
}

/**
 * y = requant(conv(x - xZero, w - wZero) + bias). x [N, C, H, W] int8/uint8; w packed m4tc2; params: a QOut block;
 * y [N, M, oh, ow] of the same dtype; scratch of qs8_conv2d_scratch_bytes. pt/pl are the top/left pads.
 */
export function qs8_conv2d_m4tc2(
  x: usize, y: usize, wp: usize, params: usize, scratch: usize,
  n: i32, c: i32, h: i32, w: i32, m: i32, group: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
): void {
  const out = changetype<QOut>(params);
  const unsigned = (out.flags & Q_UNSIGNED) != 0;
  const cg = c / group;
  const mg = m / group;
  const cp2 = (cg + 1) >> 1;
  const taps = kh * kw;
  const linear = isLinear(kh, kw, pt, pl);
  const pBytes = <usize>planeBytes(h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow);
  const lp = phaseLength(kw, sw, dw, ow);
  const rows = paddedRows(kh, sh, dh, oh);
  const rowBytes = <usize>sw * lp * 4;
  const tapOff = scratch + <usize>cp2 * pBytes;
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const tap = kx * dw;
      store<i32>(tapOff + (<usize>(ky * kw + kx) << 2), <i32>(<usize>(ky * dh) * rowBytes + (<usize>((tap % sw) * lp + tap / sw) << 2)));
    }
  }
  const blockBytes = <usize>taps * cp2 * 16;
  const groupBytes = <usize>((mg + 3) >> 2) * blockBytes;
  const ohw = oh * ow;
  for (let nb = 0; nb < n; nb++) {
    for (let g = 0; g < group; g++) {
      const xg = x + <usize>(nb * c + g * cg) * h * w;
      const yg = y + <usize>(nb * m + g * mg) * ohw;
      const wg = wp + <usize>g * groupBytes;
      // The group's pair planes.
      for (let cp = 0; cp < cp2; cp++) {
        const a = xg + <usize>(2 * cp) * h * w;
        const b = 2 * cp + 1 < cg ? a + <usize>h * w : 0;
        const dst = scratch + <usize>cp * pBytes;
        if (linear) {
          if (sh == 1 && sw == 1) {
            pairRow(dst, a, b, 0, ohw, 1, out.xZero, unsigned);
          } else {
            for (let oy = 0; oy < oh; oy++) {
              const at = <usize>(oy * sh) * w;
              pairRow(dst + (<usize>(oy * ow) << 2), a + at, b != 0 ? b + at : 0, 0, ow, sw, out.xZero, unsigned);
            }
          }
          zeroPairs(dst + (<usize>ohw << 2), ((ohw + 7) & ~7) - ohw);
          continue;
        }
        for (let r = 0; r < rows; r++) {
          const iy = r - pt;
          const inside = iy >= 0 && iy < h;
          pairPaddedRow(dst + <usize>r * rowBytes, inside ? a + <usize>iy * w : 0, inside && b != 0 ? b + <usize>iy * w : 0, w, lp, sw, pl, out.xZero, unsigned);
        }
      }
      if (linear) {
        for (let q = 0; q < ohw; q += 8) {
          for (let r = 0; r < mg; r += 4) {
            tile(wg + <usize>(r >> 2) * blockBytes, scratch + (<usize>q << 2), tapOff, 1, cp2, pBytes, yg + <usize>r * ohw + q, ohw, min(4, mg - r), min(8, ohw - q), g * mg + r, out);
          }
        }
        continue;
      }
      for (let oy = 0; oy < oh; oy++) {
        const row = scratch + <usize>(oy * sh) * rowBytes;
        for (let ox = 0; ox < ow; ox += 8) {
          for (let r = 0; r < mg; r += 4) {
            tile(wg + <usize>(r >> 2) * blockBytes, row + (<usize>ox << 2), tapOff, taps, cp2, pBytes, yg + <usize>r * ohw + oy * ow + ox, ohw, min(4, mg - r), min(8, ow - ox), g * mg + r, out);
          }
        }
      }
    }
  }
}

/** Requantizes the 8 sums (bias included) of channel `chan` and stores the first cnt (low, high, bias: splatted once per call). */
@inline function storeRow(c0: v128, c1: v128, y: usize, cnt: i32, chan: i32, out: QOut, low: v128, high: v128, bias: v128): void {
  const m = v128.load32_splat(out.mult + (<usize>chan << 2));
  const v0 = vrequantFloat(c0, m, low, high, bias);
  const v1 = vrequantFloat(c1, m, low, high, bias);
  vstoreBytes(y, vnarrow8(v0, v1, (out.flags & Q_UNSIGNED) != 0), cnt);
}

/**
 * A 4x8 tile: output channels chan.. (rows, packed m4tc2 at ap) by 8 outputs whose pairs start at b + tapOff[t]
 * for tap t, one plane (planeStride bytes) per channel pair. y rows are ldy bytes apart.
 */
function tile(ap: usize, b: usize, tapOff: usize, taps: i32, cp2: i32, planeStride: usize, y: usize, ldy: i32, rows: i32, cnt: i32, chan: i32, out: QOut): void {
  if (!ASC_FEATURE_SIMD) {
    tileScalar(ap, b, tapOff, taps, cp2, planeStride, y, ldy, rows, cnt, chan, out);
    return;
  }
  // The sums start at the bias (rows past the last channel start at 0 and are not stored).
  const bias = out.bias + (<usize>chan << 2);
  let c00 = v128.load32_splat(bias);
  let c01 = c00;
  let c10 = rows > 1 ? v128.load32_splat(bias, 4) : c00;
  let c11 = c10;
  let c20 = rows > 2 ? v128.load32_splat(bias, 8) : c00;
  let c21 = c20;
  let c30 = rows > 3 ? v128.load32_splat(bias, 12) : c00;
  let c31 = c30;
  for (let t = 0; t < taps; t++) {
    let bp = b + <usize>load<i32>(tapOff + (<usize>t << 2));
    for (let cp = 0; cp < cp2; cp++) {
      const b0 = v128.load(bp);
      const b1 = v128.load(bp, 16);
      let a = v128.load32_splat(ap);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(a, b0));
      c01 = i32x4.add(c01, i32x4.dot_i16x8_s(a, b1));
      a = v128.load32_splat(ap, 4);
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(a, b0));
      c11 = i32x4.add(c11, i32x4.dot_i16x8_s(a, b1));
      a = v128.load32_splat(ap, 8);
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(a, b0));
      c21 = i32x4.add(c21, i32x4.dot_i16x8_s(a, b1));
      a = v128.load32_splat(ap, 12);
      c30 = i32x4.add(c30, i32x4.dot_i16x8_s(a, b0));
      c31 = i32x4.add(c31, i32x4.dot_i16x8_s(a, b1));
      ap += 16;
      bp += planeStride;
    }
  }
  const low = vqLow(out);
  const high = vqHigh(out);
  const rb = vqBias(out);
  storeRow(c00, c01, y, cnt, chan, out, low, high, rb);
  if (rows > 1) storeRow(c10, c11, y + ldy, cnt, chan + 1, out, low, high, rb);
  if (rows > 2) storeRow(c20, c21, y + 2 * ldy, cnt, chan + 2, out, low, high, rb);
  if (rows > 3) storeRow(c30, c31, y + 3 * ldy, cnt, chan + 3, out, low, high, rb);
}

function tileScalar(ap: usize, b: usize, tapOff: usize, taps: i32, cp2: i32, planeStride: usize, y: usize, ldy: i32, rows: i32, cnt: i32, chan: i32, out: QOut): void {
  for (let r = 0; r < rows; r++) {
    const at = <usize>(chan + r) << 2;
    const bias = load<i32>(out.bias + at);
    const scale = load<f32>(out.mult + at);
    for (let j = 0; j < cnt; j++) {
      let acc: i32 = 0;
      let pa = ap + (<usize>r << 2);
      for (let t = 0; t < taps; t++) {
        let pb = b + <usize>load<i32>(tapOff + (<usize>t << 2)) + (<usize>j << 2);
        for (let cp = 0; cp < cp2; cp++) {
          acc += <i32>load<i16>(pa) * <i32>load<i16>(pb) + <i32>load<i16>(pa, 2) * <i32>load<i16>(pb, 2);
          pa += 16;
          pb += planeStride;
        }
      }
      store<u8>(y + <usize>r * ldy + j, <u8>requantFloat(acc + bias, scale, out.zp, out.lo, out.hi));
    }
  }
}
