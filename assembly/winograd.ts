// 3x3 stride-1 Conv2D by Winograd F(2x2, 3x3), 16 multiplies per 2x2 outputs and channel pair instead of 36: per
// block of tile rows, input transform, 16 GEMMs over the channels (f32_gemm_pa_4x8), output transform.

import { ACT_NONE, sact } from './activation';
import { actRect, needsActPass, vactInline } from './epilogue';
import { f32_gemm_pa_4x8 } from './gemm';
import { copyFloats, vstorePartial, zeroFloats } from './vmath';

// V and M of one block of tile rows stay in L2 between the transforms and the GEMMs.
const BLOCK_BYTES: i32 = 512 * 1024;
// Skew between the 16 matrices of V (and of M): the transforms touch all 16 at once, and at a stride that is a
// multiple of 4 KiB they would share one L1 set (12 ways): every store a miss (measured 3x slower).
const SKEW_BYTES: usize = 64;

/** Tile columns per tile row, rounded up to whole vectors of 4 tiles (the extra tiles read zeros). */
@inline function tileCols(ow: i32): i32 {
  return ((((ow + 1) >> 1) + 3) >> 2) << 2;
}

/** Tile rows per block: V (16 x c) and M (16 x m) of the block within BLOCK_BYTES, at least one. */
@inline function blockRows(c: i32, m: i32, oh: i32, ow: i32): i32 {
  const perRow = 16 * (c + m) * tileCols(ow) * 4;
  return max(1, min((oh + 1) >> 1, BLOCK_BYTES / perRow));
}

/** Floats per row of the padded input block: 2 per tile column, 2 of overlap, 2 read past by the last vector. */
@inline function paddedWidth(ow: i32): i32 {
  return 2 * tileCols(ow) + 4;
}

/** Scratch bytes of f32_conv3x3_wino2x2_4x8: V and M of one block of tile rows, and one padded input block. */
export function f32_conv3x3_wino2x2_scratch_bytes(c: i32, m: i32, oh: i32, ow: i32): i32 {
  const rows = blockRows(c, m, oh, ow);
  const tiles = rows * tileCols(ow);
  return (16 * (c + m) * tiles + (2 * rows + 2) * paddedWidth(ow)) * 4 + 32 * <i32>SKEW_BYTES;
}

/**
 * y = act(conv3x3(x, w) + bias) at stride 1, dilation 1, one group. x [N, C, H, W]; w packed by f32_pack_wino2x2__mk
 * for mPacked output channels, of which the m from `up` on are computed (a thread's share: up and bias advanced by
 * a multiple of 4 channels); bias [M] or 0; y [N, m, oh, ow]; pt/pl the top/left pads; scratch of
 * f32_conv3x3_wino2x2_scratch_bytes.
 */
export function f32_conv3x3_wino2x2_4x8(
  x: usize, y: usize, up: usize, bias: usize, scratch: usize, n: i32, c: i32, h: i32, w: i32, m: i32, mPacked: i32,
  pt: i32, pl: i32, oh: i32, ow: i32, act: i32, p0: f32, p1: f32,
): void {
  const th = (oh + 1) >> 1;
  const twp = tileCols(ow);
  const rows = blockRows(c, m, oh, ow);
  const vBuf = scratch;
  const mBuf = vBuf + ((<usize>16 * c * rows * twp) << 2) + 16 * SKEW_BYTES;
  const plane = mBuf + ((<usize>16 * m * rows * twp) << 2) + 16 * SKEW_BYTES;
  const uBytes = <usize>((mPacked + 3) >> 2) * c * 16; // one xi of the packed weights
  for (let nb = 0; nb < n; nb++) {
    const xn = x + ((<usize>nb * c * h * w) << 2);
    const yn = y + ((<usize>nb * m * oh * ow) << 2);
    for (let ty0 = 0; ty0 < th; ty0 += rows) {
      const br = min(rows, th - ty0);
      const tiles = br * twp;
      const vStep = ((<usize>c * tiles) << 2) + SKEW_BYTES;
      const mStep = ((<usize>m * tiles) << 2) + SKEW_BYTES;
      for (let ci = 0; ci < c; ci++) {
        padBlock(plane, xn + ((<usize>ci * h * w) << 2), h, w, 2 * ty0 - pt, pl, 2 * br + 2, paddedWidth(ow));
        inputTransform(plane, paddedWidth(ow), br, twp, vBuf + ((<usize>ci * tiles) << 2), vStep);
      }
      for (let xi = 0; xi < 16; xi++) {
        f32_gemm_pa_4x8(m, tiles, c, up + <usize>xi * uBytes, vBuf + <usize>xi * vStep, tiles, mBuf + <usize>xi * mStep, tiles, 0, ACT_NONE, 0, 0);
      }
      for (let o = 0; o < m; o++) {
        const b: f32 = bias != 0 ? load<f32>(bias + (<usize>o << 2)) : 0;
        const yo = yn + ((<usize>(o * oh + 2 * ty0) * ow) << 2);
        outputTransform(mBuf + ((<usize>o * tiles) << 2), mStep, yo, ow, min(2 * br, oh - 2 * ty0), twp, br, b, act, p0, p1);
      }
    }
  }
}

/** rows x wp floats of dst: input rows iy0.. and columns -pl.. of plane x [h, w], zero outside it. */
function padBlock(dst: usize, x: usize, h: i32, w: i32, iy0: i32, pl: i32, rows: i32, wp: i32): void {
  const cols = max(0, min(w, wp - pl));
  for (let r = 0; r < rows; r++) {
    const iy = iy0 + r;
    if (iy < 0 || iy >= h) {
      zeroFloats(dst, wp);
    } else {
      zeroFloats(dst, pl);
      copyFloats(dst + (<usize>pl << 2), x + ((<usize>iy * w) << 2), cols);
      zeroFloats(dst + (<usize>(pl + cols) << 2), wp - pl - cols);
    }
    dst += <usize>wp << 2;
  }
}

/**
 * V = Bt d B, Bt = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], for the br x twp tiles of a padded block (tile (r, t)
 * reads rows 2r..2r+3, columns 2t..2t+3): V for xi = 4i + j is stored at v + xi * vStep + tile * 4.
 */
function inputTransform(src: usize, wp: i32, br: i32, twp: i32, v: usize, vStep: usize): void {
  const rowBytes = <usize>wp << 2;
  for (let r = 0; r < br; r++) {
    const r0 = src + <usize>(2 * r) * rowBytes;
    const r1 = r0 + rowBytes;
    const r2 = r1 + rowBytes;
    const r3 = r2 + rowBytes;
    for (let t = 0; t < twp; t += 4) {
      const o = (<usize>(2 * t)) << 2;
      const dst = v + ((<usize>(r * twp + t)) << 2);
      if (ASC_FEATURE_SIMD) {
        // Row i of Bt d: rows 0 - 2, 1 + 2, 2 - 1, 1 - 3; then the same on its columns.
        inputRow(r0 + o, r2 + o, 1, dst, vStep);
        inputRow(r1 + o, r2 + o, 0, dst + 4 * vStep, vStep);
        inputRow(r2 + o, r1 + o, 1, dst + 8 * vStep, vStep);
        inputRow(r1 + o, r3 + o, 1, dst + 12 * vStep, vStep);
      } else {
        for (let q = 0; q < 4; q++) inputTileScalar(r0 + o + (<usize>(2 * q) << 2), rowBytes, dst + (<usize>q << 2), vStep);
      }
    }
  }
}

/** One row i of Bt d for 4 tiles (u = a - b, or a + b when sub == 0), then u B: 4 vectors at dst + j * vStep. */
@inline function inputRow(a: usize, b: usize, sub: i32, dst: usize, vStep: usize): void {
  const u0 = sub != 0 ? f32x4.sub(v128.load(a), v128.load(b)) : f32x4.add(v128.load(a), v128.load(b));
  const u1 = sub != 0 ? f32x4.sub(v128.load(a, 16), v128.load(b, 16)) : f32x4.add(v128.load(a, 16), v128.load(b, 16));
  const u2 = sub != 0 ? f32x4.sub(v128.load(a, 32), v128.load(b, 32)) : f32x4.add(v128.load(a, 32), v128.load(b, 32));
  // Column c of the 4 tiles: elements 2t + c of the row.
  const d0 = v128.shuffle<f32>(u0, u1, 0, 2, 4, 6);
  const d1 = v128.shuffle<f32>(u0, u1, 1, 3, 5, 7);
  const d2 = v128.shuffle<f32>(d0, u2, 1, 2, 3, 4);
  const d3 = v128.shuffle<f32>(d1, u2, 1, 2, 3, 5);
  v128.store(dst, f32x4.sub(d0, d2));
  v128.store(dst + vStep, f32x4.add(d1, d2));
  v128.store(dst + 2 * vStep, f32x4.sub(d2, d1));
  v128.store(dst + 3 * vStep, f32x4.sub(d1, d3));
}

/** Scalar build: V of one tile whose top-left input is at p. */
function inputTileScalar(p: usize, rowBytes: usize, dst: usize, vStep: usize): void {
  for (let i = 0; i < 4; i++) {
    // Row i of Bt d.
    const ra = p + <usize>(i == 0 ? 0 : i == 3 ? 1 : i) * rowBytes;
    const rb = p + <usize>(i == 0 ? 2 : i == 1 ? 2 : i == 2 ? 1 : 3) * rowBytes;
    const sub = i != 1;
    const u0 = sub ? load<f32>(ra) - load<f32>(rb) : load<f32>(ra) + load<f32>(rb);
    const u1 = sub ? load<f32>(ra, 4) - load<f32>(rb, 4) : load<f32>(ra, 4) + load<f32>(rb, 4);
    const u2 = sub ? load<f32>(ra, 8) - load<f32>(rb, 8) : load<f32>(ra, 8) + load<f32>(rb, 8);
    const u3 = sub ? load<f32>(ra, 12) - load<f32>(rb, 12) : load<f32>(ra, 12) + load<f32>(rb, 12);
    const row = dst + <usize>(4 * i) * vStep;
    store<f32>(row, u0 - u2);
    store<f32>(row + vStep, u1 + u2);
    store<f32>(row + 2 * vStep, u2 - u1);
    store<f32>(row + 3 * vStep, u1 - u3);
  }
}

/**
 * Output channel o: y = At M A + b -> act, At = [1 1 1 0; 0 1 -1 -1], for its br x twp tiles (M[xi] at
 * mo + xi * mStep), into the ohb rows and ow columns of y at yo (tiles past the edge are computed, not stored).
 */
function outputTransform(mo: usize, mStep: usize, yo: usize, ow: i32, ohb: i32, twp: i32, br: i32, b: f32, act: i32, p0: f32, p1: f32): void {
  const rowBytes = <usize>ow << 2;
  for (let r = 0; r < br; r++) {
    const y0 = yo + <usize>(2 * r) * rowBytes;
    const two = 2 * r + 1 < ohb;
    for (let t = 0; t < twp; t += 4) {
      const ox = 2 * t;
      if (ox >= ow) break;
      const nr = min(8, ow - ox);
      const mt = mo + ((<usize>(r * twp + t)) << 2);
      if (ASC_FEATURE_SIMD) {
        outputTiles(mt, mStep, y0 + (<usize>ox << 2), rowBytes, two, nr, b, act, p0, p1);
      } else {
        for (let q = 0; q < 4 && ox + 2 * q < ow; q++) {
          outputTileScalar(mt + (<usize>q << 2), mStep, y0 + (<usize>(ox + 2 * q) << 2), rowBytes, two, min(2, ow - ox - 2 * q), b, act, p0, p1);
        }
      }
    }
  }
  if (needsActPass(act)) actRect(yo, rowBytes, ohb, ow, act, p0, p1);
}

/** Column j of At m for 4 tiles: (m0 + m1 + m2, m1 - m2 - m3) of M[j], M[4 + j].. */
@inline function outCol0(m: usize, mStep: usize): v128 {
  return f32x4.add(f32x4.add(v128.load(m), v128.load(m + mStep)), v128.load(m + 2 * mStep));
}

@inline function outCol1(m: usize, mStep: usize): v128 {
  return f32x4.sub(f32x4.sub(v128.load(m + mStep), v128.load(m + 2 * mStep)), v128.load(m + 3 * mStep));
}

/** 4 tiles: 2 output rows of nr (<= 8) pixels at y (the second row when `two`). */
@inline function outputTiles(m: usize, mStep: usize, y: usize, rowBytes: usize, two: bool, nr: i32, b: f32, act: i32, p0: f32, p1: f32): void {
  const s4: usize = mStep << 2; // from M[4i + j] to M[4(i + 1) + j]
  // s{r}{j}: row r of At m, column j (j = 0..3), for 4 tiles.
  const s00 = outCol0(m, s4), s01 = outCol0(m + mStep, s4), s02 = outCol0(m + 2 * mStep, s4), s03 = outCol0(m + 3 * mStep, s4);
  const vb = f32x4.splat(b);
  const v0 = f32x4.splat(p0);
  const v1 = f32x4.splat(p1);
  const y00 = vactInline(f32x4.add(f32x4.add(f32x4.add(s00, s01), s02), vb), act, v0, v1);
  const y01 = vactInline(f32x4.add(f32x4.sub(f32x4.sub(s01, s02), s03), vb), act, v0, v1);
  storePairs(y, y00, y01, nr);
  if (two) {
    const s10 = outCol1(m, s4), s11 = outCol1(m + mStep, s4), s12 = outCol1(m + 2 * mStep, s4), s13 = outCol1(m + 3 * mStep, s4);
    const y10 = vactInline(f32x4.add(f32x4.add(f32x4.add(s10, s11), s12), vb), act, v0, v1);
    const y11 = vactInline(f32x4.add(f32x4.sub(f32x4.sub(s11, s12), s13), vb), act, v0, v1);
    storePairs(y + rowBytes, y10, y11, nr);
  }
}

/** Interleaves the left (a) and right (b) pixels of 4 tiles into one row of 8 and stores the first nr. */
@inline function storePairs(y: usize, a: v128, b: v128, nr: i32): void {
  const lo = v128.shuffle<f32>(a, b, 0, 4, 1, 5);
  const hi = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
  if (nr >= 8) {
    v128.store(y, lo);
    v128.store(y, hi, 16);
  } else if (nr > 4) {
    v128.store(y, lo);
    vstorePartial(y + 16, hi, nr - 4);
  } else {
    vstorePartial(y, lo, nr);
  }
}

/** Scalar build: one tile (M[xi] at m + xi * mStep), `cols` (1 or 2) pixels per row. */
function outputTileScalar(m: usize, mStep: usize, y: usize, rowBytes: usize, two: bool, cols: i32, b: f32, act: i32, p0: f32, p1: f32): void {
  const rows = two ? 2 : 1;
  const inlineAct = needsActPass(act) ? ACT_NONE : act; // the others: actRect afterwards
  for (let r = 0; r < rows; r++) {
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    for (let i = 0; i < 4; i++) {
      // Row r of At: (1, 1, 1, 0) or (0, 1, -1, -1).
      const coef: f32 = r == 0 ? (i == 3 ? 0 : 1) : i == 0 ? 0 : i == 1 ? 1 : -1;
      const row = m + <usize>(4 * i) * mStep;
      s0 += coef * load<f32>(row);
      s1 += coef * load<f32>(row + mStep);
      s2 += coef * load<f32>(row + 2 * mStep);
      s3 += coef * load<f32>(row + 3 * mStep);
    }
    const yr = y + <usize>r * rowBytes;
    store<f32>(yr, sact(s0 + s1 + s2 + b, inlineAct, p0, p1));
    if (cols > 1) store<f32>(yr, sact(s1 - s2 - s3 + b, inlineAct, p0, p1), 4);
  }
}
