// Int8 depthwise 3x3 Conv2D at stride 1 or 2, dilation 1, any pads (MobileNet, DS-CNN). Each channel plane is copied
// once into an int8 plane padded with the input zero point (one byte per element, no widening): the sums then run
// over the raw values, Σ w'·x, and the packed bias holds bias - xZero·Σ w' (the pads, equal to xZero, cancel).
// Eight outputs per step: i16x8 dots of horizontally adjacent tap pairs — at stride 1 built by one shuffle, the third
// column paired across rows, two output rows sharing their input rows; at stride 2 the natural byte order, the third
// column against (w, 0) — and float32 requantization. (Splitting even / odd columns by shifts at stride 2 measured
// ~5% slower than widening.)

import { loadQ, QOut, Q_UNSIGNED, requantFloat, vnarrow8, vqBias, vqHigh, vqLow, vrequantFloat, vstoreBytes } from './requant';

/** Bytes per channel of layout dw3x3: 8 int32 = i16 pairs (w00,w01) (w10,w11) (w20,w21) (w02,w12) (w22,0), the folded bias, 2 zeros. */
const CHANNEL_BYTES: i32 = 32;

/** Bytes of depthwise 3x3 weights [C, 1, 3, 3] in layout dw3x3. */
export function qs8_pack_dw3x3_bytes(c: i32): i32 {
  return c * CHANNEL_BYTES;
}

/**
 * Packs W [C, 1, 3, 3] (int8, or uint8 with Q_UNSIGNED) minus wZero[C] into layout dw3x3 with the folded bias
 * bias[c] - xZero * Σ w' (int32 wrap-around, as the sums; bias 0: none).
 */
export function qs8_pack_dw3x3__ck(out: usize, w: usize, wZero: usize, bias: usize, c: i32, xZero: i32, flags: i32): void {
  const unsigned = (flags & Q_UNSIGNED) != 0;
  for (let ch = 0; ch < c; ch++) {
    const z = load<i32>(wZero + (<usize>ch << 2));
    const wc = w + <usize>ch * 9;
    let sum = 0;
    for (let t = 0; t < 9; t++) sum += loadQ(wc + t, unsigned) - z;
    const dst = out + <usize>ch * CHANNEL_BYTES;
    store<i16>(dst, tap(wc, 0, 0, z, unsigned));
    store<i16>(dst, tap(wc, 0, 1, z, unsigned), 2);
    store<i16>(dst, tap(wc, 1, 0, z, unsigned), 4);
    store<i16>(dst, tap(wc, 1, 1, z, unsigned), 6);
    store<i16>(dst, tap(wc, 2, 0, z, unsigned), 8);
    store<i16>(dst, tap(wc, 2, 1, z, unsigned), 10);
    store<i16>(dst, tap(wc, 0, 2, z, unsigned), 12);
    store<i16>(dst, tap(wc, 1, 2, z, unsigned), 14);
    store<i16>(dst, tap(wc, 2, 2, z, unsigned), 16);
    store<i16>(dst, 0, 18);
    store<i32>(dst, (bias != 0 ? load<i32>(bias + (<usize>ch << 2)) : 0) - xZero * sum, 20);
    store<i64>(dst, 0, 24);
  }
}

/** w[ky][kx] - z of one channel's 3x3 weights. */
@inline function tap(wc: usize, ky: i32, kx: i32, z: i32, unsigned: bool): i16 {
  return <i16>(loadQ(wc + ky * 3 + kx, unsigned) - z);
}

/** Columns of a padded row: the input at pl, and room for 8-output groups' 16-byte reads (multiple of 16). */
@inline function paddedWidth(w: i32, s: i32, pl: i32, ow: i32): i32 {
  return (max(pl + w, s * ((ow + 7) & ~7) + 2) + 16 + 15) & ~15;
}

/** Padded rows the outputs read, and a spare one for stride 1's second row of an odd last step. */
@inline function paddedRows(s: i32, oh: i32): i32 {
  return (oh - 1) * s + 4;
}

/** Scratch bytes of qs8_dwconv2d_3x3: one channel's padded int8 plane. */
export function qs8_dwconv2d_3x3_scratch_bytes(w: i32, s: i32, pl: i32, oh: i32, ow: i32): i32 {
  return paddedRows(s, oh) * paddedWidth(w, s, pl, ow);
}

/**
 * y = requant(depthwise3x3(x - xZero, w - wZero) + bias) at stride s (1 or 2) in both axes. x [N, C, H, W]; w packed
 * dw3x3 (bias folded in: QOut.bias is not read); params: a QOut block; y [N, C, oh, ow]; pt/pl: top/left pads.
 */
export function qs8_dwconv2d_3x3(
  x: usize, y: usize, wp: usize, params: usize, scratch: usize, n: i32, c: i32, h: i32, w: i32, s: i32, pt: i32, pl: i32, oh: i32, ow: i32,
): void {
  const out = changetype<QOut>(params);
  const unsigned = (out.flags & Q_UNSIGNED) != 0;
  const pw = paddedWidth(w, s, pl, ow);
  const rows = paddedRows(s, oh);
  for (let nb = 0; nb < n; nb++) {
    for (let ch = 0; ch < c; ch++) {
      const xc = x + <usize>(nb * c + ch) * h * w;
      const yc = y + <usize>(nb * c + ch) * oh * ow;
      padPlane(scratch, xc, h, w, pw, rows, pt, pl, out.xZero);
      const wc = wp + <usize>ch * CHANNEL_BYTES;
      const scale = load<f32>(out.mult + (<usize>ch << 2));
      if (ASC_FEATURE_SIMD) {
        if (s == 1) planeS1(scratch, yc, wc, pw, oh, ow, scale, out, unsigned);
        else planeS2(scratch, yc, wc, pw, oh, ow, scale, out, unsigned);
      } else {
        planeScalar(scratch, yc, wc, pw, s, oh, ow, scale, out, unsigned);
      }
    }
  }
}

/** dst [rows][pw] = x [h, w] placed at (pt, pl), every other byte the zero point. */
function padPlane(dst: usize, x: usize, h: i32, w: i32, pw: i32, rows: i32, pt: i32, pl: i32, zp: i32): void {
  for (let r = 0; r < rows; r++) {
    const d = dst + <usize>r * pw;
    const iy = r - pt;
    if (ASC_FEATURE_SIMD) {
      const z = i8x16.splat(<i8>zp);
      for (let j = 0; j < pw; j += 16) v128.store(d + j, z);
    } else {
      memory.fill(d, <u8>zp, pw);
    }
    if (iy < 0 || iy >= h) continue;
    const src = x + <usize>iy * w;
    const to = d + pl;
    let j = 0;
    if (ASC_FEATURE_SIMD && w >= 16) {
      // 16-byte chunks, the last one overlapping the one before (never past the row's end).
      for (; j + 16 <= w; j += 16) v128.store(to + j, v128.load(src + j));
      if (j < w) v128.store(to + w - 16, v128.load(src + w - 16));
      continue;
    }
    // Narrow rows (14x14, 7x7 maps, DS-CNN's 5 columns): overlapping 8- or 4-byte moves, a byte loop would cost more
    // than the convolution of the row.
    if (w >= 8) {
      for (; j + 8 <= w; j += 8) store<u64>(to + j, load<u64>(src + j));
      if (j < w) store<u64>(to + w - 8, load<u64>(src + w - 8));
      continue;
    }
    if (w >= 4) {
      store<u32>(to, load<u32>(src));
      store<u32>(to + w - 4, load<u32>(src + w - 4));
      continue;
    }
    for (; j < w; j++) store<u8>(to + j, load<u8>(src + j));
  }
}

/** Eight int8/uint8 bytes at p as i16 lanes. */
@inline function load8(p: usize, unsigned: bool): v128 {
  return unsigned ? v128.load8x8_u(p) : v128.load8x8_s(p);
}

/** Taps 0 and 1 of one padded row for outputs ox..ox+3 (lo) or ox+4..ox+7 (hi): pairs (x[j], x[j + 1]) from two loads. */
@inline function pairsLo(a: v128, c: v128): v128 {
  return v128.shuffle<i16>(a, c, 0, 8, 1, 9, 2, 10, 3, 11);
}

@inline function pairsHi(a: v128, c: v128): v128 {
  return v128.shuffle<i16>(a, c, 4, 12, 5, 13, 6, 14, 7, 15);
}

@inline function dotAdd(acc: v128, a: v128, w: v128): v128 {
  return i32x4.add(acc, i32x4.dot_i16x8_s(a, w));
}

/**
 * Stride 1, two output rows per step (they share padded rows oy + 1 and oy + 2, loaded and paired once): outputs
 * ox..ox+7 of a row read columns ox + kx. Row oy + 1 of an odd last step reads the spare padded row and is not stored.
 */
function planeS1(p: usize, y: usize, wc: usize, pw: i32, oh: i32, ow: i32, scale: f32, out: QOut, unsigned: bool): void {
  const w0 = v128.load32_splat(wc);
  const w1 = v128.load32_splat(wc, 4);
  const w2 = v128.load32_splat(wc, 8);
  const q01 = v128.load32_splat(wc, 12);
  const q2 = v128.load32_splat(wc, 16);
  const b = v128.load32_splat(wc, 20);
  const m = f32x4.splat(scale);
  const low = vqLow(out);
  const high = vqHigh(out);
  const rb = vqBias(out);
  for (let oy = 0; oy < oh; oy += 2) {
    const r0 = p + <usize>oy * pw;
    const r1 = r0 + pw;
    const r2 = r1 + pw;
    const r3 = r2 + pw;
    const yr = y + <usize>oy * ow;
    const two = oy + 1 < oh;
    for (let ox = 0; ox < ow; ox += 8) {
      let a = load8(r0 + ox, unsigned);
      let c = load8(r0 + ox + 1, unsigned);
      let lo0 = dotAdd(b, pairsLo(a, c), w0);
      let hi0 = dotAdd(b, pairsHi(a, c), w0);
      a = load8(r1 + ox, unsigned);
      c = load8(r1 + ox + 1, unsigned);
      let t = pairsLo(a, c);
      let u = pairsHi(a, c);
      lo0 = dotAdd(lo0, t, w1);
      hi0 = dotAdd(hi0, u, w1);
      let lo1 = dotAdd(b, t, w0);
      let hi1 = dotAdd(b, u, w0);
      a = load8(r2 + ox, unsigned);
      c = load8(r2 + ox + 1, unsigned);
      t = pairsLo(a, c);
      u = pairsHi(a, c);
      lo0 = dotAdd(lo0, t, w2);
      hi0 = dotAdd(hi0, u, w2);
      lo1 = dotAdd(lo1, t, w1);
      hi1 = dotAdd(hi1, u, w1);
      a = load8(r3 + ox, unsigned);
      c = load8(r3 + ox + 1, unsigned);
      lo1 = dotAdd(lo1, pairsLo(a, c), w2);
      hi1 = dotAdd(hi1, pairsHi(a, c), w2);
      // Column 2: rows (k, k + 1) as pairs, row k + 2 widened to i32 (its pair's high half meets the weight pair's 0).
      a = load8(r0 + ox + 2, unsigned);
      c = load8(r1 + ox + 2, unsigned);
      lo0 = dotAdd(lo0, pairsLo(a, c), q01);
      hi0 = dotAdd(hi0, pairsHi(a, c), q01);
      a = load8(r2 + ox + 2, unsigned);
      lo0 = dotAdd(lo0, i32x4.extend_low_i16x8_s(a), q2);
      hi0 = dotAdd(hi0, i32x4.extend_high_i16x8_s(a), q2);
      lo1 = dotAdd(lo1, pairsLo(c, a), q01);
      hi1 = dotAdd(hi1, pairsHi(c, a), q01);
      a = load8(r3 + ox + 2, unsigned);
      lo1 = dotAdd(lo1, i32x4.extend_low_i16x8_s(a), q2);
      hi1 = dotAdd(hi1, i32x4.extend_high_i16x8_s(a), q2);
      const cnt = min(8, ow - ox);
      vstoreBytes(yr + ox, vnarrow8(vrequantFloat(lo0, m, low, high, rb), vrequantFloat(hi0, m, low, high, rb), unsigned), cnt);
      if (two) vstoreBytes(yr + ow + ox, vnarrow8(vrequantFloat(lo1, m, low, high, rb), vrequantFloat(hi1, m, low, high, rb), unsigned), cnt);
    }
  }
}

/** Sixteen bytes at p (columns 2j, 2j + 1 for j < 8) as i16 lanes: the low or the high 8. */
@inline function widenLow(v: v128, unsigned: bool): v128 {
  return unsigned ? i16x8.extend_low_i8x16_u(v) : i16x8.extend_low_i8x16_s(v);
}

@inline function widenHigh(v: v128, unsigned: bool): v128 {
  return unsigned ? i16x8.extend_high_i8x16_u(v) : i16x8.extend_high_i8x16_s(v);
}

/** Stride 2: outputs ox..ox+7 read columns 2·ox + kx, so 16 bytes from 2·ox are already the (kx 0, kx 1) pairs. */
function planeS2(p: usize, y: usize, wc: usize, pw: i32, oh: i32, ow: i32, scale: f32, out: QOut, unsigned: bool): void {
  const w0 = v128.load32_splat(wc);
  const w1 = v128.load32_splat(wc, 4);
  const w2 = v128.load32_splat(wc, 8);
  // Column 2 of each row alone: (w_k2, 0) against pairs (x[2j + 2], x[2j + 3]).
  const k0 = i32x4.splat(<i32>load<u16>(wc, 12));
  const k1 = i32x4.splat(<i32>load<u16>(wc, 14));
  const k2 = v128.load32_splat(wc, 16);
  const b = v128.load32_splat(wc, 20);
  const m = f32x4.splat(scale);
  const low = vqLow(out);
  const high = vqHigh(out);
  const rb = vqBias(out);
  for (let oy = 0; oy < oh; oy++) {
    const r0 = p + <usize>(2 * oy) * pw;
    const r1 = r0 + pw;
    const r2 = r1 + pw;
    const yr = y + <usize>oy * ow;
    for (let ox = 0; ox < ow; ox += 8) {
      const at = <usize>(2 * ox);
      let v = v128.load(r0 + at);
      let lo = dotAdd(b, widenLow(v, unsigned), w0);
      let hi = dotAdd(b, widenHigh(v, unsigned), w0);
      v = v128.load(r0 + at + 2);
      lo = dotAdd(lo, widenLow(v, unsigned), k0);
      hi = dotAdd(hi, widenHigh(v, unsigned), k0);
      v = v128.load(r1 + at);
      lo = dotAdd(lo, widenLow(v, unsigned), w1);
      hi = dotAdd(hi, widenHigh(v, unsigned), w1);
      v = v128.load(r1 + at + 2);
      lo = dotAdd(lo, widenLow(v, unsigned), k1);
      hi = dotAdd(hi, widenHigh(v, unsigned), k1);
      v = v128.load(r2 + at);
      lo = dotAdd(lo, widenLow(v, unsigned), w2);
      hi = dotAdd(hi, widenHigh(v, unsigned), w2);
      v = v128.load(r2 + at + 2);
      lo = dotAdd(lo, widenLow(v, unsigned), k2);
      hi = dotAdd(hi, widenHigh(v, unsigned), k2);
      const q = vnarrow8(vrequantFloat(lo, m, low, high, rb), vrequantFloat(hi, m, low, high, rb), unsigned);
      vstoreBytes(yr + ox, q, min(8, ow - ox));
    }
  }
}

function planeScalar(p: usize, y: usize, wc: usize, pw: i32, s: i32, oh: i32, ow: i32, scale: f32, out: QOut, unsigned: bool): void {
  // The packed pairs back in [ky][kx] order.
  const w00 = <i32>load<i16>(wc);
  const w01 = <i32>load<i16>(wc, 2);
  const w10 = <i32>load<i16>(wc, 4);
  const w11 = <i32>load<i16>(wc, 6);
  const w20 = <i32>load<i16>(wc, 8);
  const w21 = <i32>load<i16>(wc, 10);
  const w02 = <i32>load<i16>(wc, 12);
  const w12 = <i32>load<i16>(wc, 14);
  const w22 = <i32>load<i16>(wc, 16);
  const b = load<i32>(wc, 20);
  for (let oy = 0; oy < oh; oy++) {
    const r0 = p + <usize>(oy * s) * pw;
    const r1 = r0 + pw;
    const r2 = r1 + pw;
    for (let ox = 0; ox < ow; ox++) {
      const j = <usize>(ox * s);
      const acc = b +
        w00 * loadQ(r0 + j, unsigned) + w01 * loadQ(r0 + j + 1, unsigned) + w02 * loadQ(r0 + j + 2, unsigned) +
        w10 * loadQ(r1 + j, unsigned) + w11 * loadQ(r1 + j + 1, unsigned) + w12 * loadQ(r1 + j + 2, unsigned) +
        w20 * loadQ(r2 + j, unsigned) + w21 * loadQ(r2 + j + 1, unsigned) + w22 * loadQ(r2 + j + 2, unsigned);
      store<u8>(y + <usize>oy * ow + ox, <u8>requantFloat(acc, scale, out.zp, out.lo, out.hi));
    }
  }
}
