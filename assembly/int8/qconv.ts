// Int8 Conv2D (NCHW, groups, strides, pads, dilations) as an implicit GEMM without im2col: 4 output channels x 8 outputs
// per tile (x 4 for a remainder of at most 4 outputs), i32x4.dot_i16x8_s over (tap, channel pair), float32 requantization in the epilogue.
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
          tiles(wg, blockBytes, scratch + (<usize>q << 2), tapOff, 1, cp2, pBytes, yg + q, ohw, mg, min(8, ohw - q), g * mg, out);
        }
        continue;
      }
      for (let oy = 0; oy < oh; oy++) {
        const row = scratch + <usize>(oy * sh) * rowBytes;
        for (let ox = 0; ox < ow; ox += 8) {
          tiles(wg, blockBytes, row + (<usize>ox << 2), tapOff, taps, cp2, pBytes, yg + oy * ow + ox, ohw, mg, min(8, ow - ox), g * mg, out);
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
 * The 4x8 tiles of output channels chan..chan+mg (blocks of 4 packed m4tc2 from ap, blockBytes apart) for one group of
 * 8 outputs: one call per group and the requantization constants splatted once (small K spends much of a tile there).
 */
function tiles(ap: usize, blockBytes: usize, b: usize, tapOff: usize, taps: i32, cp2: i32, planeStride: usize, y: usize, ldy: i32, mg: i32, cnt: i32, chan: i32, out: QOut): void {
  if (!ASC_FEATURE_SIMD) {
    for (let r = 0; r < mg; r += 4) {
      tileScalar(ap + <usize>(r >> 2) * blockBytes, b, tapOff, taps, cp2, planeStride, y + <usize>r * ldy, ldy, min(4, mg - r), cnt, chan + r, out);
    }
    return;
  }
  const low = vqLow(out);
  const high = vqHigh(out);
  const rb = vqBias(out);
  if (cnt <= 4) {
    // A remainder of at most 4 outputs (7x7 and 3x3 maps: 49 = 6 * 8 + 1): half the products of a full tile.
    for (let r = 0; r < mg; r += 4) {
      tile4(ap + <usize>(r >> 2) * blockBytes, b, tapOff, taps, cp2, planeStride, y + <usize>r * ldy, ldy, min(4, mg - r), cnt, chan + r, out, low, high, rb);
    }
    return;
  }
  for (let r = 0; r < mg; r += 4) {
    tile(ap + <usize>(r >> 2) * blockBytes, b, tapOff, taps, cp2, planeStride, y + <usize>r * ldy, ldy, min(4, mg - r), cnt, chan + r, out, low, high, rb);
  }
}

/** tile for cnt <= 4 outputs: one vector of pairs per step. */
@inline function tile4(
  ap: usize, b: usize, tapOff: usize, taps: i32, cp2: i32, planeStride: usize, y: usize, ldy: i32, rows: i32, cnt: i32, chan: i32, out: QOut,
  low: v128, high: v128, rb: v128,
): void {
  const bias = out.bias + (<usize>chan << 2);
  let c0 = v128.load32_splat(bias);
  let c1 = rows > 1 ? v128.load32_splat(bias, 4) : c0;
  let c2 = rows > 2 ? v128.load32_splat(bias, 8) : c0;
  let c3 = rows > 3 ? v128.load32_splat(bias, 12) : c0;
  for (let t = 0; t < taps; t++) {
    let bp = b + <usize>load<i32>(tapOff + (<usize>t << 2));
    for (let cp = 0; cp < cp2; cp++) {
      const b0 = v128.load(bp);
      c0 = i32x4.add(c0, i32x4.dot_i16x8_s(v128.load32_splat(ap), b0));
      c1 = i32x4.add(c1, i32x4.dot_i16x8_s(v128.load32_splat(ap, 4), b0));
      c2 = i32x4.add(c2, i32x4.dot_i16x8_s(v128.load32_splat(ap, 8), b0));
      c3 = i32x4.add(c3, i32x4.dot_i16x8_s(v128.load32_splat(ap, 12), b0));
      ap += 16;
      bp += planeStride;
    }
  }
  storeRow(c0, c0, y, cnt, chan, out, low, high, rb);
  if (rows > 1) storeRow(c1, c1, y + ldy, cnt, chan + 1, out, low, high, rb);
  if (rows > 2) storeRow(c2, c2, y + 2 * ldy, cnt, chan + 2, out, low, high, rb);
  if (rows > 3) storeRow(c3, c3, y + 3 * ldy, cnt, chan + 3, out, low, high, rb);
}

/**
 * A 4x8 tile: output channels chan.. (rows, packed m4tc2 at ap) by 8 outputs whose pairs start at b + tapOff[t]
 * for tap t, one plane (planeStride bytes) per channel pair. y rows are ldy bytes apart.
 */
@inline function tile(
  ap: usize, b: usize, tapOff: usize, taps: i32, cp2: i32, planeStride: usize, y: usize, ldy: i32, rows: i32, cnt: i32, chan: i32, out: QOut,
  low: v128, high: v128, rb: v128,
): void {
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

/** Bytes of qs8_conv2d_m4k2's scratch: one i16 pair plane per pair of K = C * kh * kw (im2col), and a zero tap offset. */
export function qs8_conv2d_k2_scratch_bytes(c: i32, kh: i32, kw: i32, oh: i32, ow: i32): i32 {
  return ((c * kh * kw + 1) >> 1) * (((oh * ow + 7) & ~7) * 4) + 16;
}

/**
 * qs8_conv2d_m4tc2 for one group with few input channels (stems: C = 1 or 3), pairing the im2col index k = (c, ky, kx)
 * instead of channels: ceil(C * kh * kw / 2) steps per tile where channel pairs take kh * kw * ceil(C / 2) (DS-CNN's
 * C = 1 layer: half as many). The planes hold the pairs of every output pixel (a gather, zeros in the pads); the
 * weights are W [M, C * kh * kw] packed m4tc2 with one tap.
 */
export function qs8_conv2d_m4k2(
  x: usize, y: usize, wp: usize, params: usize, scratch: usize,
  n: i32, c: i32, h: i32, w: i32, m: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
): void {
  const out = changetype<QOut>(params);
  const unsigned = (out.flags & Q_UNSIGNED) != 0;
  const taps = kh * kw;
  const k = c * taps;
  const kp2 = (k + 1) >> 1;
  const ohw = oh * ow;
  const pBytes = <usize>((ohw + 7) & ~7) << 2;
  const tapOff = scratch + <usize>kp2 * pBytes;
  store<i32>(tapOff, 0);
  const blockBytes = <usize>kp2 << 4;
  for (let nb = 0; nb < n; nb++) {
    const xn = x + <usize>nb * c * h * w;
    const yn = y + <usize>nb * m * ohw;
    for (let kp = 0; kp < kp2; kp++) {
      const dst = scratch + <usize>kp * pBytes;
      // Where indices 2kp and 2kp + 1 read, set once per pair (the divisions are costly): plane, row and column offsets.
      const ka = 2 * kp;
      const kb = 2 * kp + 1 < k ? 2 * kp + 1 : -1;
      const ta = ka % taps;
      const tb = kb >= 0 ? kb % taps : 0;
      const planeA = xn + <usize>(ka / taps) * h * w;
      const planeB: usize = kb >= 0 ? xn + <usize>(kb / taps) * h * w : 0;
      const dyA = (ta / kw) * dh - pt;
      const dyB = (tb / kw) * dh - pt;
      const offA = (ta % kw) * dw - pl;
      const offB = (tb % kw) * dw - pl;
      const loA = insideFrom(offA, sw, ow);
      const loB = insideFrom(offB, sw, ow);
      const hiA = max(loA, insideTo(offA, w, sw, ow));
      const hiB = max(loB, insideTo(offB, w, sw, ow));
      for (let oy = 0; oy < oh; oy++) {
        const iyA = oy * sh + dyA;
        const iyB = oy * sh + dyB;
        const a: usize = iyA >= 0 && iyA < h ? planeA + <usize>iyA * w : 0;
        const b: usize = planeB != 0 && iyB >= 0 && iyB < h ? planeB + <usize>iyB * w : 0;
        gatherPairRow(dst + (<usize>(oy * ow) << 2), a, offA, loA, hiA, b, offB, loB, hiB, sw, ow, out.xZero, unsigned);
      }
      zeroPairs(dst + (<usize>ohw << 2), ((ohw + 7) & ~7) - ohw);
    }
    for (let q = 0; q < ohw; q += 8) {
      tiles(wp, blockBytes, scratch + (<usize>q << 2), tapOff, 1, kp2, pBytes, yn + q, ohw, m, min(8, ohw - q), 0, out);
    }
  }
}

/** The first output whose column ox * sw + off is inside the input (off = kx * dw - pl). */
@inline function insideFrom(off: i32, sw: i32, ow: i32): i32 {
  return min(ow, off >= 0 ? 0 : (-off + sw - 1) / sw);
}

/** One past the last output whose column ox * sw + off is inside an input of w columns. */
@inline function insideTo(off: i32, w: i32, sw: i32, ow: i32): i32 {
  return min(ow, w - 1 - off >= 0 ? (w - 1 - off) / sw + 1 : 0);
}

/**
 * One output row of the pair plane of two im2col indices: pair i = (a[i * sw + offA], b[i * sw + offB]) minus the zero
 * point, 0 outside [loA, hiA) / [loB, hiB) or for a row pointer 0 (pads); the outputs both read inside the input go
 * through pairRow's vector path.
 */
function gatherPairRow(
  dst: usize, a: usize, offA: i32, loA: i32, hiA: i32, b: usize, offB: i32, loB: i32, hiB: i32, sw: i32, ow: i32, zp: i32, unsigned: bool,
): void {
  if (a == 0) hiA = loA;
  if (b == 0) hiB = loB;
  let lo = max(loA, loB);
  let hi = min(hiA, hiB);
  if (hi <= lo) {
    lo = 0;
    hi = 0;
  } else {
    // pairRow reads c0 + i * sw of each row: the rows shifted by their offsets.
    pairRow(dst + (<usize>lo << 2), a + <usize>offA, b + <usize>offB, lo * sw, hi - lo, sw, zp, unsigned);
  }
  for (let i = 0; i < ow; i++) {
    if (i == lo && hi > lo) {
      i = hi - 1;
      continue;
    }
    const d = dst + (<usize>i << 2);
    store<i16>(d, <i16>(i >= loA && i < hiA ? loadQ(a + <usize>(i * sw + offA), unsigned) - zp : 0));
    store<i16>(d, <i16>(i >= loB && i < hiB ? loadQ(b + <usize>(i * sw + offB), unsigned) - zp : 0), 2);
  }
}
