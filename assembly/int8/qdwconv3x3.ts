// Int8 depthwise 3x3 Conv2D at stride 1 or 2, dilation 1, any pads (MobileNet, DS-CNN). Each channel plane is copied
// into an int8 plane padded with the input zero point (one byte per element, no widening; the pads are filled once per
// call, they are the same for every channel): the sums then run over the raw values, Σ w'·x, and the packed bias holds
// bias - xZero·Σ w' (the pads, equal to xZero, cancel). Signed and unsigned inputs get a copy of the loops each.
// Eight outputs per step: i16x8 dots of horizontally adjacent tap pairs — at stride 1 built by one shuffle, the third
// column paired across rows, two output rows sharing their input rows; at stride 2 the natural byte order, the third
// column against (w, 0) — and float32 requantization. (Splitting even / odd columns by shifts at stride 2 measured
// ~5% slower than widening.)

import { loadQ, QOut, Q_UNSIGNED, requantFloat, ROUND_MAGIC, ROUND_MAGIC_BITS, vnarrow8, vrequantFloatMagic } from './requant';

/**
 * Bytes per channel of layout dw3x3: 8 int32 = i16 pairs (w00,w01) (w10,w11) (w20,w21) (w02,w12) (w22,0), the folded
 * bias, (w02,0) (w12,0).
 */
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
    store<i16>(dst, tap(wc, 0, 2, z, unsigned), 24);
    store<i16>(dst, 0, 26);
    store<i16>(dst, tap(wc, 1, 2, z, unsigned), 28);
    store<i16>(dst, 0, 30);
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

/**
 * The requantization constants, stored once per call at the start of the scratch and splatted by loads: V8 keeps a
 * load where it is, but recomputes a splat of a value inside the loop that uses it.
 */
const CONSTS_BYTES: i32 = 16;
const LOW = 0; // f32 lo - zp
const HIGH = 4; // f32 hi - zp
const MAGIC = 8; // f32 ROUND_MAGIC
const BITS = 12; // i32 ROUND_MAGIC_BITS - zp

/**
 * Scratch bytes of qs8_dwconv2d_3x3: the constants, one channel's padded int8 plane, then the shadow of the output's last 16 bytes and
 * of what stores past them (see storeGroup).
 */
export function qs8_dwconv2d_3x3_scratch_bytes(w: i32, s: i32, pl: i32, oh: i32, ow: i32): i32 {
  return CONSTS_BYTES + paddedRows(s, oh) * paddedWidth(w, s, pl, ow) + ((ow + 24 + 15) & ~15);
}

/**
 * Stores 8 output bytes at d, or at d + shift in the shadow when they would pass `limit` (the end of this call's
 * output). Every group stores 8 bytes, with no branch on the count: V8 would copy the group's arithmetic into each
 * branch and recompute the loop's constants there. A row of at least 8 ends on a group that overlaps the one before;
 * a narrower row spills into the next row, or plane, stored after it. Stores come in address order, so the shadow ends
 * up with the last rows as they should be, copied out at the end; the missing second row of an odd last step lands
 * past them.
 */
@inline function storeGroup(d: usize, v: v128, limit: usize, shift: usize): void {
  v128.store64_lane(d + 8 > limit ? d + shift : d, v, 0);
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
  const limit = y + <usize>n * c * oh * ow;
  const consts = scratch;
  store<f32>(consts, <f32>(out.lo - out.zp), LOW);
  store<f32>(consts, <f32>(out.hi - out.zp), HIGH);
  store<f32>(consts, ROUND_MAGIC, MAGIC);
  store<i32>(consts, ROUND_MAGIC_BITS - out.zp, BITS);
  const plane = scratch + CONSTS_BYTES;
  const shadow = plane + <usize>rows * pw; // stands for the bytes from limit - 16
  const shift = shadow + 16 - limit;
  // Every channel's plane has the same pads: filled once, each channel then writes the same inside.
  fillBytes(plane, rows * pw, out.xZero);
  for (let nb = 0; nb < n; nb++) {
    for (let ch = 0; ch < c; ch++) {
      const xc = x + <usize>(nb * c + ch) * h * w;
      const yc = y + <usize>(nb * c + ch) * oh * ow;
      copyRows(plane, xc, min(h, rows - pt), w, pw, pt, pl);
      const wc = wp + <usize>ch * CHANNEL_BYTES;
      const scale = out.mult + (<usize>ch << 2);
      if (ASC_FEATURE_SIMD) {
        // One copy per element type: a runtime sign flag in the loops costs both widenings and a select per load.
        if (s == 1) {
          if (unsigned) planeS1<u8>(plane, yc, wc, consts, scale, pw, oh, ow, limit, shift);
          else planeS1<i8>(plane, yc, wc, consts, scale, pw, oh, ow, limit, shift);
        } else {
          if (unsigned) planeS2<u8>(plane, yc, wc, consts, scale, pw, oh, ow, limit, shift);
          else planeS2<i8>(plane, yc, wc, consts, scale, pw, oh, ow, limit, shift);
        }
      } else {
        planeScalar(plane, yc, wc, pw, s, oh, ow, load<f32>(scale), out, unsigned);
      }
    }
  }
  // Rows narrower than a group: the last ones whose stores passed the end are in the shadow.
  if (ASC_FEATURE_SIMD && ow < 8) {
    const bytes = <usize>min(7 / ow, n * c * oh) * ow;
    for (let j: usize = 0; j < bytes; j++) store<u8>(limit - bytes + j, load<u8>(shadow + 16 - bytes + j));
  }
}

/** bytes of zp at dst (bytes a multiple of 16). */
function fillBytes(dst: usize, bytes: i32, zp: i32): void {
  if (ASC_FEATURE_SIMD) {
    const z = i8x16.splat(<i8>zp);
    for (let j = 0; j < bytes; j += 16) v128.store(dst + j, z);
  } else {
    memory.fill(dst, <u8>zp, bytes);
  }
}

/** The first h rows of x [h, w] into the padded plane dst [.][pw] at (pt, pl), and nothing else. */
function copyRows(dst: usize, x: usize, h: i32, w: i32, pw: i32, pt: i32, pl: i32): void {
  for (let iy = 0; iy < h; iy++) {
    const d = dst + <usize>(iy + pt) * pw;
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
 * ox..ox+7 of a row read columns ox + kx. Row oy + 1 of an odd last step reads the spare padded row; its store lands
 * where the next plane's first row will, or in the shadow (storeGroup).
 */
function planeS1<T>(p: usize, y: usize, wc: usize, consts: usize, scale: usize, pw: i32, oh: i32, ow: i32, limit: usize, shift: usize): void {
  const unsigned = !isSigned<T>();
  const w0 = v128.load32_splat(wc);
  const w1 = v128.load32_splat(wc, 4);
  const w2 = v128.load32_splat(wc, 8);
  const q01 = v128.load32_splat(wc, 12);
  const q2 = v128.load32_splat(wc, 16);
  const b = v128.load32_splat(wc, 20);
  const m = v128.load32_splat(scale);
  const low = v128.load32_splat(consts, LOW);
  const high = v128.load32_splat(consts, HIGH);
  const magic = v128.load32_splat(consts, MAGIC);
  const rb = v128.load32_splat(consts, BITS);
  const last = max(0, ow - 8); // the last group of a row overlaps the one before
  for (let oy = 0; oy < oh; oy += 2) {
    const r0 = p + <usize>oy * pw;
    const r1 = r0 + pw;
    const r2 = r1 + pw;
    const r3 = r2 + pw;
    const yr = y + <usize>oy * ow;
    for (let o = 0; o < ow; o += 8) {
      const ox = min(o, last);
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
      storeGroup(yr + ox, vnarrow8(vrequantFloatMagic(lo0, m, low, high, magic, rb), vrequantFloatMagic(hi0, m, low, high, magic, rb), unsigned), limit, shift);
      storeGroup(yr + ow + ox, vnarrow8(vrequantFloatMagic(lo1, m, low, high, magic, rb), vrequantFloatMagic(hi1, m, low, high, magic, rb), unsigned), limit, shift);
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

/**
 * Stride 2: outputs ox..ox+7 read columns 2·ox + kx, so 16 bytes from 2·ox are already the (kx 0, kx 1) pairs. A row
 * that ends 1-4 outputs past a multiple of 8 (28 or 12 columns) ends on a group of 4 rather than one overlapping 8.
 */
function planeS2<T>(p: usize, y: usize, wc: usize, consts: usize, scale: usize, pw: i32, oh: i32, ow: i32, limit: usize, shift: usize): void {
  const unsigned = !isSigned<T>();
  const w0 = v128.load32_splat(wc);
  const w1 = v128.load32_splat(wc, 4);
  const w2 = v128.load32_splat(wc, 8);
  // Column 2 of each row alone: (w_k2, 0) against pairs (x[2j + 2], x[2j + 3]).
  const k0 = v128.load32_splat(wc, 24);
  const k1 = v128.load32_splat(wc, 28);
  const k2 = v128.load32_splat(wc, 16);
  const b = v128.load32_splat(wc, 20);
  const m = v128.load32_splat(scale);
  const low = v128.load32_splat(consts, LOW);
  const high = v128.load32_splat(consts, HIGH);
  const magic = v128.load32_splat(consts, MAGIC);
  const rb = v128.load32_splat(consts, BITS);
  const rest = ow & 7;
  const full = ow > 8 && rest <= 4 ? ow - rest : ow; // outputs in groups of 8
  const last = max(0, full - 8); // the last group of 8 overlaps the one before
  for (let oy = 0; oy < oh; oy++) {
    const r0 = p + <usize>(2 * oy) * pw;
    const r1 = r0 + pw;
    const r2 = r1 + pw;
    const yr = y + <usize>oy * ow;
    for (let o = 0; o < full; o += 8) {
      const ox = min(o, last);
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
      const q = vnarrow8(vrequantFloatMagic(lo, m, low, high, magic, rb), vrequantFloatMagic(hi, m, low, high, magic, rb), unsigned);
      storeGroup(yr + ox, q, limit, shift);
    }
  }
  if (full < ow) lastFourS2<T>(p, y, wc, consts, scale, pw, oh, ow);
}

/**
 * planeS2's last 4 outputs of every row, in a loop of their own: in planeS2's row loop the extra code made V8 allocate
 * the registers of the groups of 8 worse (7-column rows 12% slower).
 */
function lastFourS2<T>(p: usize, y: usize, wc: usize, consts: usize, scale: usize, pw: i32, oh: i32, ow: i32): void {
  const unsigned = !isSigned<T>();
  const w0 = v128.load32_splat(wc);
  const w1 = v128.load32_splat(wc, 4);
  const w2 = v128.load32_splat(wc, 8);
  const k0 = v128.load32_splat(wc, 24);
  const k1 = v128.load32_splat(wc, 28);
  const k2 = v128.load32_splat(wc, 16);
  const b = v128.load32_splat(wc, 20);
  const m = v128.load32_splat(scale);
  const low = v128.load32_splat(consts, LOW);
  const high = v128.load32_splat(consts, HIGH);
  const magic = v128.load32_splat(consts, MAGIC);
  const rb = v128.load32_splat(consts, BITS);
  const at = <usize>(2 * (ow - 4));
  for (let oy = 0; oy < oh; oy++) {
    const r0 = p + <usize>(2 * oy) * pw + at;
    const r1 = r0 + pw;
    const r2 = r1 + pw;
    let lo = dotAdd(b, widenLow(v128.load(r0), unsigned), w0);
    lo = dotAdd(lo, widenLow(v128.load(r0 + 2), unsigned), k0);
    lo = dotAdd(lo, widenLow(v128.load(r1), unsigned), w1);
    lo = dotAdd(lo, widenLow(v128.load(r1 + 2), unsigned), k1);
    lo = dotAdd(lo, widenLow(v128.load(r2), unsigned), w2);
    lo = dotAdd(lo, widenLow(v128.load(r2 + 2), unsigned), k2);
    lo = vrequantFloatMagic(lo, m, low, high, magic, rb);
    v128.store32_lane(y + <usize>oy * ow + ow - 4, vnarrow8(lo, lo, unsigned), 0);
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
