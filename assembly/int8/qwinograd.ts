// Int8 3x3 stride-1 Conv2D by Winograd F(2x2, 3x3) in exact integers: 2.25x fewer products, the same int32 sums as the
// direct convolution bit for bit.
//
// With G' = 2G the weights U' = G' g G'^T are integers (|U'| <= 9 * 255), V = Bt d B stays in i16 (|V| <= 4 * 255) and
// At (U' . V) A is exactly 4x the convolution's sum, so >> 2 recovers it (the glue checks that no sum can reach 2^31).
// Per block of tile rows: the input transform (channel pairs, 8 tiles per vector, rows split even / odd); then per 8
// tiles and 4 output channels the 16 products summed over the channels into an L1 buffer, and the output transform
// with bias and requantization.
//   Bt = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]   G' = [2 0 0; 1 1 1; 1 -1 1; 0 0 2]   At = [1 1 1 0; 0 1 -1 -1]

import { loadQ, QOut, Q_UNSIGNED, requantFloat, vnarrow8, vqBias, vqHigh, vqLow, vrequantFloat, vstoreBytes } from './requant';

// V of one block of tile rows stays in L2 between the input transform and the products.
const BLOCK_BYTES: i32 = 256 * 1024;
// Skew between the 16 matrices of V: at a stride that is a multiple of 4 KiB they would share L1 sets.
const SKEW_BYTES: usize = 64;

/**
 * Bytes of 3x3 weights [M, C, 3, 3] in layout m4wino2x2k2: [ceil(M/4)][16][ceil(C/2)][4][2] i16 (U' = G' g G'^T). Blocks of 4
 * output channels first: a thread's share of the channels is a contiguous run, whatever M the weights were packed for.
 */
export function qs8_pack_wino2x2_bytes(m: i32, c: i32): i32 {
  return 16 * ((m + 3) >> 2) * ((c + 1) >> 1) * 16;
}

/** Row a of G' applied to (g0, g1, g2). */
@inline function gRow(a: i32, g0: i32, g1: i32, g2: i32): i32 {
  return a == 0 ? 2 * g0 : a == 1 ? g0 + g1 + g2 : a == 2 ? g0 - g1 + g2 : 2 * g2;
}

/** Packs W [M, C, 3, 3] (int8, or uint8 with Q_UNSIGNED) minus wZero[M] as U' = G' g G'^T into layout m4wino2x2k2. */
export function qs8_pack_wino2x2__mc(out: usize, w: usize, wZero: usize, m: i32, c: i32, flags: i32): void {
  const unsigned = (flags & Q_UNSIGNED) != 0;
  const cp2 = (c + 1) >> 1;
  for (let rb = 0; rb < m; rb += 4) {
    for (let xi = 0; xi < 16; xi++) {
      const i = xi >> 2;
      const j = xi & 3;
      for (let cp = 0; cp < cp2; cp++) {
        for (let r = 0; r < 4; r++) {
          for (let h = 0; h < 2; h++) {
            const ci = 2 * cp + h;
            let u = 0;
            if (rb + r < m && ci < c) {
              const z = load<i32>(wZero + (<usize>(rb + r) << 2));
              const g = w + <usize>((rb + r) * c + ci) * 9;
              // (G' g) row i, then times G'^T column j.
              const t0 = gRow(i, loadQ(g, unsigned) - z, loadQ(g + 3, unsigned) - z, loadQ(g + 6, unsigned) - z);
              const t1 = gRow(i, loadQ(g + 1, unsigned) - z, loadQ(g + 4, unsigned) - z, loadQ(g + 7, unsigned) - z);
              const t2 = gRow(i, loadQ(g + 2, unsigned) - z, loadQ(g + 5, unsigned) - z, loadQ(g + 8, unsigned) - z);
              u = gRow(j, t0, t1, t2);
            }
            store<i16>(out, <i16>u);
            out += 2;
          }
        }
      }
    }
  }
}

/** Tile columns rounded up to 4 (one half vector of tiles). */
@inline function tileCols(ow: i32): i32 {
  return ((((ow + 1) >> 1) + 3) >> 2) << 2;
}

/** i16 per half (even or odd columns) of a padded block row: one per tile column, rounded to 8, plus a vector of reach. */
@inline function halfWidth(ow: i32): i32 {
  return ((tileCols(ow) + 7) & ~7) + 8;
}

/** Tile rows per block: V of the block within BLOCK_BYTES, at least one. */
@inline function blockRows(c: i32, oh: i32, ow: i32): i32 {
  const perRow = 16 * ((c + 1) >> 1) * tileCols(ow) * 4;
  return max(1, min((oh + 1) >> 1, BLOCK_BYTES / perRow));
}

@inline function round8(n: i32): i32 {
  return (n + 7) & ~7;
}

/** Bytes of the products of 8 tiles by 4 output channels: [16 xi][4][8] i32. */
const PRODUCT_BYTES: i32 = 16 * 4 * 8 * 4;

/** Scratch bytes of qs8_conv3x3_wino2x2: V of one block of tile rows, the padded rows of two channels, the products. */
export function qs8_conv3x3_wino2x2_scratch_bytes(c: i32, m: i32, oh: i32, ow: i32): i32 {
  const rows = blockRows(c, oh, ow);
  const t8 = round8(rows * tileCols(ow));
  return 16 * ((c + 1) >> 1) * (t8 + 8) * 4 + 16 * <i32>SKEW_BYTES + (2 * (2 * rows + 2) + 1) * 2 * halfWidth(ow) * 2 + PRODUCT_BYTES;
}

/**
 * y = requant(conv3x3(x - xZero, w - wZero) + bias) at stride 1, dilation 1, one group. x [N, C, H, W]; w packed
 * m4wino2x2k2; params: a QOut block; y [N, M, oh, ow]; pt/pl the top/left pads; scratch of qs8_conv3x3_wino2x2_scratch_bytes.
 */
export function qs8_conv3x3_wino2x2(
  x: usize, y: usize, up: usize, params: usize, scratch: usize, n: i32, c: i32, h: i32, w: i32, m: i32,
  pt: i32, pl: i32, oh: i32, ow: i32,
): void {
  const out = changetype<QOut>(params);
  const unsigned = (out.flags & Q_UNSIGNED) != 0;
  const cp2 = (c + 1) >> 1;
  const th = (oh + 1) >> 1;
  const twp = tileCols(ow);
  const rows = blockRows(c, oh, ow);
  const t8max = round8(rows * twp);
  const vBuf = scratch;
  const block = vBuf + <usize>16 * cp2 * (t8max + 8) * 4 + 16 * SKEW_BYTES;
  const hw = halfWidth(ow);
  const blockRowsIn = 2 * rows + 2;
  const blockBytes2 = <usize>blockRowsIn * hw * 4; // one channel's block: rows of [even half][odd half]
  const line = block + 2 * blockBytes2; // one padded row before its split
  const prod = line + (<usize>hw << 2);
  const xiBytes = <usize>cp2 << 4; // one xi of one block of 4 output channels
  const blockBytes: usize = xiBytes << 4; // one block of 4 output channels
  for (let nb = 0; nb < n; nb++) {
    const xn = x + <usize>nb * c * h * w;
    const yn = y + <usize>nb * m * oh * ow;
    for (let ty0 = 0; ty0 < th; ty0 += rows) {
      const br = min(rows, th - ty0);
      const tiles = br * twp;
      // One panel of slack: the last group of 8 tiles may store 4 past `tiles`.
      const vStep = <usize>cp2 * (round8(tiles) + 8) * 4 + SKEW_BYTES;
      for (let cp = 0; cp < cp2; cp++) {
        const a = xn + <usize>(2 * cp) * h * w;
        const b = 2 * cp + 1 < c ? a + <usize>h * w : 0;
        const blockB = block + blockBytes2;
        padBlock(block, line, a, h, w, 2 * ty0 - pt, pl, 2 * br + 2, hw, out.xZero, unsigned);
        padBlock(blockB, line, b, h, w, 2 * ty0 - pt, pl, 2 * br + 2, hw, out.xZero, unsigned);
        inputTransform(block, blockB, hw, br, twp, vBuf + (<usize>cp << 5), cp2, vStep);
      }
      // Per 8 tiles (a panel of V; tiles past `tiles` hold stale values and are not stored) and 4 output channels.
      const y0 = yn + <usize>(2 * ty0) * ow;
      const ohb = min(2 * br, oh - 2 * ty0);
      for (let t0 = 0; t0 < tiles; t0 += 8) {
        const vp = vBuf + <usize>(t0 >> 3) * cp2 * 32;
        for (let r = 0; r < m; r += 4) {
          const rows4 = min(4, m - r);
          const ap = up + <usize>(r >> 2) * blockBytes;
          if (ASC_FEATURE_SIMD) rawTiles16(ap, vp, vStep, cp2, prod);
          else {
            for (let xi = 0; xi < 16; xi++) rawTileScalar(ap + <usize>xi * xiBytes, vp + <usize>xi * vStep, cp2, prod + (<usize>xi << 7), 32, rows4);
          }
          if (ASC_FEATURE_SIMD) outputsSimd(prod, y0, oh, ow, ohb, twp, t0, tiles, r, rows4, out);
          else outputsScalar(prod, y0, oh, ow, ohb, twp, t0, tiles, r, rows4, out);
        }
      }
    }
  }
}

/**
 * rows padded rows of plane x [h, w] minus zp (from row iy0 and column -pl, zeros outside it; x == 0: all zeros), each
 * stored as its even columns then its odd columns (hw i16 each), so that tile columns are plain vector loads.
 * `line` holds one padded row of 2 * hw i16 before its split.
 */
function padBlock(dst: usize, line: usize, x: usize, h: i32, w: i32, iy0: i32, pl: i32, rows: i32, hw: i32, zp: i32, unsigned: bool): void {
  const width = 2 * hw;
  const cols = max(0, min(w, width - pl));
  for (let r = 0; r < rows; r++) {
    const iy = iy0 + r;
    if (x == 0 || iy < 0 || iy >= h) {
      zeroI16(dst, width);
      dst += <usize>width << 1;
      continue;
    }
    zeroI16(line, pl);
    const src = x + <usize>iy * w;
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      const z = i16x8.splat(<i16>zp);
      for (; i + 8 <= cols; i += 8) {
        v128.store(line + (<usize>(pl + i) << 1), i16x8.sub(unsigned ? v128.load8x8_u(src + i) : v128.load8x8_s(src + i), z));
      }
    }
    for (; i < cols; i++) store<i16>(line + (<usize>(pl + i) << 1), <i16>(loadQ(src + i, unsigned) - zp));
    zeroI16(line + (<usize>(pl + cols) << 1), width - pl - cols);
    // Split: even columns to the first half, odd to the second.
    const odd = dst + (<usize>hw << 1);
    if (ASC_FEATURE_SIMD) {
      for (let k = 0; k < hw; k += 8) {
        const v0 = v128.load(line + (<usize>k << 2));
        const v1 = v128.load(line + (<usize>k << 2), 16);
        v128.store(dst + (<usize>k << 1), v128.shuffle<i16>(v0, v1, 0, 2, 4, 6, 8, 10, 12, 14));
        v128.store(odd + (<usize>k << 1), v128.shuffle<i16>(v0, v1, 1, 3, 5, 7, 9, 11, 13, 15));
      }
    } else {
      for (let k = 0; k < hw; k++) {
        store<i16>(dst + (<usize>k << 1), load<i16>(line + (<usize>k << 2)));
        store<i16>(odd + (<usize>k << 1), load<i16>(line + (<usize>k << 2), 2));
      }
    }
    dst += <usize>width << 1;
  }
}

/** Sets n i16 at dst to 0: memory.fill is a call into the engine in V8, so short runs are stored inline. */
@inline function zeroI16(dst: usize, n: i32): void {
  const bytes = <usize>max(n, 0) << 1;
  if (bytes >= 256) {
    memory.fill(dst, 0, bytes);
    return;
  }
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= bytes; i += 16) v128.store(dst + i, i32x4.splat(0));
  }
  for (; i < bytes; i += 2) store<i16>(dst + i, 0);
}

/**
 * V[xi][tile] of two channels (padded blocks a and b, rows split even / odd) for the br x twp tiles, as (a, b) pairs in
 * the n8k2 panels of V[xi] (at v + xi * vStep: panel p of 8 tiles holds cp2 slots of 32 bytes; v already points at
 * this pair's slot). 8 tiles per vector; a last group of 4 stores 4 stale tiles past the row, which the next row or
 * the slack after the last panel absorbs.
 */
function inputTransform(a: usize, b: usize, hw: i32, br: i32, twp: i32, v: usize, cp2: i32, vStep: usize): void {
  const rowBytes = <usize>hw << 2;
  for (let r = 0; r < br; r++) {
    const ra = a + <usize>(2 * r) * rowBytes;
    const rb = b + <usize>(2 * r) * rowBytes;
    for (let t = 0; t < twp; t += 8) {
      const tile = r * twp + t;
      const lo = v + (<usize>(tile >> 3) * cp2 << 5) + (<usize>(tile & 7) << 2);
      const hiTile = tile + 4;
      const hi = v + (<usize>(hiTile >> 3) * cp2 << 5) + (<usize>(hiTile & 7) << 2);
      const o = <usize>t << 1;
      if (ASC_FEATURE_SIMD) {
        // Row i of Bt d: rows 0 - 2, 1 + 2, 2 - 1, 1 - 3; then the same on its columns.
        inputRow(ra + o, rb + o, rowBytes, hw, 0, 2, true, lo, hi, vStep);
        inputRow(ra + o, rb + o, rowBytes, hw, 1, 2, false, lo + 4 * vStep, hi + 4 * vStep, vStep);
        inputRow(ra + o, rb + o, rowBytes, hw, 2, 1, true, lo + 8 * vStep, hi + 8 * vStep, vStep);
        inputRow(ra + o, rb + o, rowBytes, hw, 1, 3, true, lo + 12 * vStep, hi + 12 * vStep, vStep);
      } else {
        for (let q = 0; q < 8 && t + q < twp; q++) {
          const dst = (q < 4 ? lo : hi) + (<usize>(q & 3) << 2);
          inputTileScalar(ra + o + (<usize>q << 1), rb + o + (<usize>q << 1), rowBytes, hw, dst, vStep);
        }
      }
    }
  }
}

/** Row p of the block combined with row q (p - q, or p + q when !sub) for 8 tiles, as even / odd column vectors at s and s + 1. */
@inline function vcombine(e: usize, rowBytes: usize, p: i32, q: i32, sub: bool, s: i32): v128 {
  const vp = v128.load(e + <usize>p * rowBytes + (<usize>s << 1));
  const vq = v128.load(e + <usize>q * rowBytes + (<usize>s << 1));
  return sub ? i16x8.sub(vp, vq) : i16x8.add(vp, vq);
}

/**
 * For 8 tiles of both channels: u = row p -/+ row q of Bt d, then u B, stored as (a, b) pairs: tiles 0-3 at lo + j * vStep,
 * tiles 4-7 at hi + j * vStep. Columns 2t + k of the tiles: k = 0 even[t], 1 odd[t], 2 even[t + 1], 3 odd[t + 1].
 */
@inline function inputRow(a: usize, b: usize, rowBytes: usize, hw: i32, p: i32, q: i32, sub: bool, lo: usize, hi: usize, vStep: usize): void {
  const oddA = a + (<usize>hw << 1);
  const oddB = b + (<usize>hw << 1);
  const a0 = vcombine(a, rowBytes, p, q, sub, 0);
  const a1 = vcombine(oddA, rowBytes, p, q, sub, 0);
  const a2 = vcombine(a, rowBytes, p, q, sub, 1);
  const a3 = vcombine(oddA, rowBytes, p, q, sub, 1);
  const b0 = vcombine(b, rowBytes, p, q, sub, 0);
  const b1 = vcombine(oddB, rowBytes, p, q, sub, 0);
  const b2 = vcombine(b, rowBytes, p, q, sub, 1);
  const b3 = vcombine(oddB, rowBytes, p, q, sub, 1);
  storePairs(lo, hi, i16x8.sub(a0, a2), i16x8.sub(b0, b2));
  storePairs(lo + vStep, hi + vStep, i16x8.add(a1, a2), i16x8.add(b1, b2));
  storePairs(lo + 2 * vStep, hi + 2 * vStep, i16x8.sub(a2, a1), i16x8.sub(b2, b1));
  storePairs(lo + 3 * vStep, hi + 3 * vStep, i16x8.sub(a1, a3), i16x8.sub(b1, b3));
}

/** 8 tiles of channels a and b as pairs (a, b): tiles 0-3 at lo, 4-7 at hi. */
@inline function storePairs(lo: usize, hi: usize, va: v128, vb: v128): void {
  v128.store(lo, v128.shuffle<i16>(va, vb, 0, 8, 1, 9, 2, 10, 3, 11));
  v128.store(hi, v128.shuffle<i16>(va, vb, 4, 12, 5, 13, 6, 14, 7, 15));
}

/** Scalar build: V of one tile of both channels (even halves at a and b, odd halves hw i16 later) as pairs at dst + xi * vStep. */
function inputTileScalar(a: usize, b: usize, rowBytes: usize, hw: i32, dst: usize, vStep: usize): void {
  const oddOff = <usize>hw << 1;
  for (let ch = 0; ch < 2; ch++) {
    const e = ch == 0 ? a : b;
    for (let i = 0; i < 4; i++) {
      const ra = e + <usize>(i == 0 ? 0 : i == 3 ? 1 : i) * rowBytes;
      const rb = e + <usize>(i == 0 ? 2 : i == 1 ? 2 : i == 2 ? 1 : 3) * rowBytes;
      const sub = i != 1;
      // Columns 0..3 of the tile: even[0], odd[0], even[1], odd[1].
      const x0 = <i32>load<i16>(ra) - (sub ? 1 : -1) * <i32>load<i16>(rb);
      const x1 = <i32>load<i16>(ra + oddOff) - (sub ? 1 : -1) * <i32>load<i16>(rb + oddOff);
      const x2 = <i32>load<i16>(ra, 2) - (sub ? 1 : -1) * <i32>load<i16>(rb, 2);
      const x3 = <i32>load<i16>(ra + oddOff, 2) - (sub ? 1 : -1) * <i32>load<i16>(rb + oddOff, 2);
      const row = dst + <usize>(4 * i) * vStep + (<usize>ch << 1);
      store<i16>(row, <i16>(x0 - x2));
      store<i16>(row + vStep, <i16>(x1 + x2));
      store<i16>(row + 2 * vStep, <i16>(x2 - x1));
      store<i16>(row + 3 * vStep, <i16>(x1 - x3));
    }
  }
}

/**
 * The 16 products M[xi] of 4 output channels (packed m4wino2x2k2 from ap: the xi follow each other) by 8 tiles (V[xi] at
 * vp + xi * vStep) into dst [16][4][8] i32: one call per block, all 4 rows stored (rows past the last channel unread).
 */
function rawTiles16(ap: usize, vp: usize, vStep: usize, kp2: i32, dst: usize): void {
  for (let xi = 0; xi < 16; xi++) {
    rawTileSimd(ap, vp, kp2, dst, 32);
    ap += <usize>kp2 << 4;
    vp += vStep;
    dst += 128;
  }
}

@inline function rawTileSimd(ap: usize, bp: usize, kp2: i32, dst: usize, rowStep: usize): void {
  let c00 = i32x4.splat(0);
  let c01 = i32x4.splat(0);
  let c10 = i32x4.splat(0);
  let c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0);
  let c21 = i32x4.splat(0);
  let c30 = i32x4.splat(0);
  let c31 = i32x4.splat(0);
  for (let k = 0; k < kp2; k++) {
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
    bp += 32;
  }
  v128.store(dst, c00);
  v128.store(dst, c01, 16);
  v128.store(dst + rowStep, c10);
  v128.store(dst + rowStep, c11, 16);
  v128.store(dst + 2 * rowStep, c20);
  v128.store(dst + 2 * rowStep, c21, 16);
  v128.store(dst + 3 * rowStep, c30);
  v128.store(dst + 3 * rowStep, c31, 16);
}

function rawTileScalar(ap: usize, bp: usize, kp2: i32, dst: usize, rowStep: usize, rows: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < 8; j++) {
      let acc: i32 = 0;
      let pa = ap + (<usize>r << 2);
      let pb = bp + (<usize>j << 2);
      for (let k = 0; k < kp2; k++) {
        acc += <i32>load<i16>(pa) * <i32>load<i16>(pb) + <i32>load<i16>(pa, 2) * <i32>load<i16>(pb, 2);
        pa += 16;
        pb += 32;
      }
      store<i32>(dst + <usize>r * rowStep + (<usize>j << 2), acc);
    }
  }
}

/**
 * The outputs of tiles t0..t0 + 7 (of `tiles`) for output channels r..r + rows4 - 1 from their products at prod
 * ([16 xi][4][8] i32): y0 is the block's first output row, ohb its output rows.
 */
function outputsSimd(prod: usize, y0: usize, oh: i32, ow: i32, ohb: i32, twp: i32, t0: i32, tiles: i32, r: i32, rows4: i32, out: QOut): void {
  const low = vqLow(out);
  const high = vqHigh(out);
  const rb = vqBias(out);
  for (let k = 0; k < rows4; k++) {
    const yo = y0 + <usize>(r + k) * oh * ow;
    for (let g = 0; g < 8 && t0 + g < tiles; g += 4) {
      const t = t0 + g;
      const ty = t / twp;
      const ox = 2 * (t - ty * twp);
      if (ox >= ow) continue;
      outputTiles(prod + (<usize>k << 5) + (<usize>g << 2), 128, yo + <usize>(2 * ty) * ow + ox, <usize>ow, 2 * ty + 1 < ohb, min(8, ow - ox), r + k, out, low, high, rb);
    }
  }
}

function outputsScalar(prod: usize, y0: usize, oh: i32, ow: i32, ohb: i32, twp: i32, t0: i32, tiles: i32, r: i32, rows4: i32, out: QOut): void {
  for (let k = 0; k < rows4; k++) {
    const yo = y0 + <usize>(r + k) * oh * ow;
    for (let g = 0; g < 8 && t0 + g < tiles; g += 4) {
      const t = t0 + g;
      const ty = t / twp;
      const ox = 2 * (t - ty * twp);
      if (ox >= ow) continue;
      outputGroupScalar(prod + (<usize>k << 5) + (<usize>g << 2), 128, yo + <usize>(2 * ty) * ow + ox, ow, 2 * ty + 1 < ohb, min(8, ow - ox), r + k, out);
    }
  }
}

/** Scalar build: 4 tiles of output channel o (M[xi] at m + xi * mStep): 2 output rows (the second when `two`) of cnt pixels at y. */
function outputGroupScalar(m: usize, mStep: usize, y: usize, ow: i32, two: bool, cnt: i32, o: i32, out: QOut): void {
  const at = <usize>o << 2;
  const bias = load<i32>(out.bias + at);
  const scale = load<f32>(out.mult + at);
  for (let q = 0; 2 * q < cnt; q++) outputTileScalar(m + (<usize>q << 2), mStep, y + 2 * q, <usize>ow, two, min(2, cnt - 2 * q), bias, scale, out);
}

/** Column j of At m for 4 tiles: row 0 (m0 + m1 + m2) or row 1 (m1 - m2 - m3) of M[j], M[4 + j], ... */
@inline function outCol0(m: usize, s4: usize): v128 {
  return i32x4.add(i32x4.add(v128.load(m), v128.load(m + s4)), v128.load(m + 2 * s4));
}

@inline function outCol1(m: usize, s4: usize): v128 {
  return i32x4.sub(i32x4.sub(v128.load(m + s4), v128.load(m + 2 * s4)), v128.load(m + 3 * s4));
}

/** 4 tiles of output channel o: 2 output rows (the second when `two`) of cnt (<= 8) pixels at y; low, high, rb (vqLow, vqHigh, vqBias) splatted once. */
@inline function outputTiles(m: usize, mStep: usize, y: usize, rowBytes: usize, two: bool, cnt: i32, o: i32, out: QOut, low: v128, high: v128, rb: v128): void {
  const s4: usize = mStep << 2; // from M[4i + j] to M[4(i + 1) + j]
  const at = <usize>o << 2;
  const b = v128.load32_splat(out.bias + at);
  const mv = v128.load32_splat(out.mult + at);
  const unsigned = (out.flags & Q_UNSIGNED) != 0;
  const s00 = outCol0(m, s4);
  const s01 = outCol0(m + mStep, s4);
  const s02 = outCol0(m + 2 * mStep, s4);
  const s03 = outCol0(m + 3 * mStep, s4);
  const l0 = vrequantFloat(i32x4.add(i32x4.shr_s(i32x4.add(i32x4.add(s00, s01), s02), 2), b), mv, low, high, rb);
  const r0 = vrequantFloat(i32x4.add(i32x4.shr_s(i32x4.sub(i32x4.sub(s01, s02), s03), 2), b), mv, low, high, rb);
  vstoreBytes(y, interleavePixels(vnarrow8(l0, r0, unsigned)), cnt);
  if (two) {
    const s10 = outCol1(m, s4);
    const s11 = outCol1(m + mStep, s4);
    const s12 = outCol1(m + 2 * mStep, s4);
    const s13 = outCol1(m + 3 * mStep, s4);
    const l1 = vrequantFloat(i32x4.add(i32x4.shr_s(i32x4.add(i32x4.add(s10, s11), s12), 2), b), mv, low, high, rb);
    const r1 = vrequantFloat(i32x4.add(i32x4.shr_s(i32x4.sub(i32x4.sub(s11, s12), s13), 2), b), mv, low, high, rb);
    vstoreBytes(y + rowBytes, interleavePixels(vnarrow8(l1, r1, unsigned)), cnt);
  }
}

/** Bytes (left pixels of 4 tiles, right pixels of 4 tiles) in row order: L0 R0 L1 R1 ... */
@inline function interleavePixels(v: v128): v128 {
  return v128.shuffle<u8>(v, v, 0, 4, 1, 5, 2, 6, 3, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

/** Scalar build: one tile (M[xi] at m + xi * mStep), `cols` (1 or 2) pixels per row. */
function outputTileScalar(m: usize, mStep: usize, y: usize, rowBytes: usize, two: bool, cols: i32, bias: i32, scale: f32, out: QOut): void {
  const rows = two ? 2 : 1;
  for (let r = 0; r < rows; r++) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < 4; i++) {
      // Row r of At: (1, 1, 1, 0) or (0, 1, -1, -1).
      const coef = r == 0 ? (i == 3 ? 0 : 1) : i == 0 ? 0 : i == 1 ? 1 : -1;
      const row = m + <usize>(4 * i) * mStep;
      s0 += coef * load<i32>(row);
      s1 += coef * load<i32>(row + mStep);
      s2 += coef * load<i32>(row + 2 * mStep);
      s3 += coef * load<i32>(row + 3 * mStep);
    }
    const yr = y + <usize>r * rowBytes;
    store<u8>(yr, <u8>requantFloat(((s0 + s1 + s2) >> 2) + bias, scale, out.zp, out.lo, out.hi));
    if (cols > 1) store<u8>(yr + 1, <u8>requantFloat(((s1 - s2 - s3) >> 2) + bias, scale, out.zp, out.lo, out.hi));
  }
}
