// Depthwise Conv2D vectorised over 4 channels instead of along rows: 4 channel planes interleaved (padded, split by
// stride phase) so that narrow rows (3x3, 4x4 maps) waste no lanes; 8 pixels x 4 channels per step.

import { actRect, needsActPass, vactInline } from './epilogue';
import { sact } from './activation';
import { vloadPartial, vloadStrided, vstorePartial } from './vmath';

/** Rows and columns of the padded input the outputs read: the last window's end. */
@inline function extent(out: i32, stride: i32, kernel: i32, dilation: i32): i32 {
  return (out - 1) * stride + (kernel - 1) * dilation + 1;
}

/** Bytes of depthwise weights [C, 1, kh, kw] in layout c4: [ceil(C/4)][kh * kw][4], channels past C zero. */
export function f32_pack_dw_c4_bytes(c: i32, kh: i32, kw: i32): i32 {
  return ((c + 3) >> 2) * kh * kw * 16;
}

/** Packs depthwise weights [C, 1, kh, kw] into layout c4 at `out`. */
export function f32_pack_dw_c4__ck(out: usize, w: usize, c: i32, kh: i32, kw: i32): void {
  const taps = kh * kw;
  memory.fill(out, 0, <usize>f32_pack_dw_c4_bytes(c, kh, kw));
  for (let ch = 0; ch < c; ch++) {
    for (let t = 0; t < taps; t++) {
      store<f32>(out + ((<usize>((ch >> 2) * taps + t) << 4) + (<usize>(ch & 3) << 2)), load<f32>(w + ((<usize>(ch * taps + t)) << 2)));
    }
  }
}

/**
 * Columns per phase row of the interleaved block: enough for every window, and for 8 pixels of a row narrower
 * than 8 (the pixels past its end read zeros and are not stored).
 */
@inline function phaseColumns(ow: i32, sw: i32, kw: i32, dw: i32): i32 {
  const wq = (extent(ow, sw, kw, dw) + sw - 1) / sw;
  return max(wq, 8 + ((kw - 1) * dw) / sw);
}

/**
 * Scratch bytes of f32_dwconv2d_c4: one block of 4 interleaved channel planes, [padded row][column phase][column][4],
 * so that every tap of 8 adjacent output pixels is 8 adjacent vectors whatever the stride or dilation, and kw tap
 * offsets.
 */
export function f32_dwconv2d_c4_scratch_bytes(kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, oh: i32, ow: i32): i32 {
  return extent(oh, sh, kh, dh) * sw * phaseColumns(ow, sw, kw, dw) * 16 + kw * 4;
}

/**
 * y = act(depthwise(x, w) + bias). x [N, C, H, W]; w packed c4 (f32_pack_dw_c4__ck); bias [C] or 0; y [N, C, oh, ow]
 * (not overlapping x); pt/pl the top/left pads; scratch of f32_dwconv2d_c4_scratch_bytes.
 */
export function f32_dwconv2d_c4(
  x: usize, y: usize, wt: usize, bias: usize, scratch: usize, n: i32, c: i32, h: i32, w: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
  act: i32, p0: f32, p1: f32,
): void {
  const hp = extent(oh, sh, kh, dh);
  const wq = phaseColumns(ow, sw, kw, dw);
  const plane = <usize>h * w * 4;
  const outPlane = <usize>oh * ow * 4;
  const taps = kh * kw;
  // Byte offset of tap kx in a phase-split row: phase (kx * dw) % sw, entry (kx * dw) / sw.
  const tapOffs = scratch + ((<usize>hp * sw * wq) << 4);
  for (let kx = 0; kx < kw; kx++) store<i32>(tapOffs + (<usize>kx << 2), (((kx * dw) % sw) * wq + (kx * dw) / sw) << 4);
  for (let nb = 0; nb < n; nb++) {
    for (let c0 = 0; c0 < c; c0 += 4) {
      const nc = min(4, c - c0);
      const xc = x + <usize>(nb * c + c0) * plane;
      const yc = y + <usize>(nb * c + c0) * outPlane;
      const wc = wt + ((<usize>(c0 >> 2) * taps) << 4);
      const bc = bias != 0 ? bias + (<usize>c0 << 2) : 0;
      if (ASC_FEATURE_SIMD) {
        interleave(scratch, xc, plane, nc, h, w, pt, pl, hp, sw, wq);
        blockSimd(scratch, tapOffs, wq, wc, bc, nc, yc, outPlane, oh, ow, kh, kw, sh, sw, dh, act, p0, p1);
      } else {
        blockScalar(xc, plane, wc, bc, nc, yc, outPlane, h, w, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, act, p0, p1);
      }
      if (needsActPass(act)) actRect(yc, outPlane, nc, oh * ow, act, p0, p1);
    }
  }
}

/** 4x4 transpose: lane j of result i is lane i of v_j. */
@inline function transpose0(v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  return v128.shuffle<f32>(v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), 0, 1, 4, 5);
}
@inline function transpose1(v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  return v128.shuffle<f32>(v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), 2, 3, 6, 7);
}
@inline function transpose2(v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  return v128.shuffle<f32>(v128.shuffle<f32>(v0, v1, 2, 6, 3, 7), v128.shuffle<f32>(v2, v3, 2, 6, 3, 7), 0, 1, 4, 5);
}
@inline function transpose3(v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  return v128.shuffle<f32>(v128.shuffle<f32>(v0, v1, 2, 6, 3, 7), v128.shuffle<f32>(v2, v3, 2, 6, 3, 7), 2, 3, 6, 7);
}

/**
 * dst [hp][sw][wq][4] = the nc (1..4) planes at xc (plane bytes apart) with pt/pl zero rows/columns before them
 * and zeros past their end; phase p of a row holds padded columns p, p + sw, p + 2sw... Channels past nc repeat
 * the last one (computed, never stored).
 */
function interleave(dst: usize, xc: usize, plane: usize, nc: i32, h: i32, w: i32, pt: i32, pl: i32, hp: i32, sw: i32, wq: i32): void {
  const zero = f32x4.splat(0);
  const c1 = <usize>min(1, nc - 1) * plane;
  const c2 = <usize>min(2, nc - 1) * plane;
  const c3 = <usize>min(3, nc - 1) * plane;
  const step = <usize>sw << 2;
  for (let r = 0; r < hp; r++) {
    const iy = r - pt;
    for (let p = 0; p < sw; p++) {
      let d = dst + ((<usize>(r * sw + p) * wq) << 4);
      const rowEnd = d + (<usize>wq << 4);
      if (iy < 0 || iy >= h) {
        for (; d < rowEnd; d += 16) v128.store(d, zero);
        continue;
      }
      // Entries q with 0 <= q * sw + p - pl < w read the input.
      const first = min(wq, p >= pl ? 0 : (pl - p + sw - 1) / sw);
      const last = w - 1 + pl - p;
      const end = last < 0 ? first : max(first, min(wq, last / sw + 1));
      const inside = d + (<usize>first << 4);
      for (; d < inside; d += 16) v128.store(d, zero);
      let x = xc + ((<usize>iy * w + first * sw + p - pl) << 2);
      let q = first;
      if (sw <= 2) {
        for (; q + 4 <= end; q += 4) {
          const v0 = sw == 1 ? v128.load(x) : vloadStrided(x, 2);
          const v1 = sw == 1 ? v128.load(x + c1) : vloadStrided(x + c1, 2);
          const v2 = sw == 1 ? v128.load(x + c2) : vloadStrided(x + c2, 2);
          const v3 = sw == 1 ? v128.load(x + c3) : vloadStrided(x + c3, 2);
          v128.store(d, transpose0(v0, v1, v2, v3));
          v128.store(d, transpose1(v0, v1, v2, v3), 16);
          v128.store(d, transpose2(v0, v1, v2, v3), 32);
          v128.store(d, transpose3(v0, v1, v2, v3), 48);
          d += 64;
          x += step << 2;
        }
      }
      for (; q < end; q++) {
        let v = v128.load32_zero(x);
        v = v128.load32_lane(x + c1, v, 1);
        v = v128.load32_lane(x + c2, v, 2);
        v = v128.load32_lane(x + c3, v, 3);
        v128.store(d, v);
        d += 16;
        x += step;
      }
      for (; d < rowEnd; d += 16) v128.store(d, zero);
    }
  }
}

/** Stores 4 pixels (p0..p3, 4 channels each) as 4 floats in each of the nc channel planes at yp. */
@inline function storePixels4(yp: usize, outPlane: usize, nc: i32, count: i32, a: v128, b: v128, c: v128, d: v128): void {
  vstorePartial(yp, transpose0(a, b, c, d), count);
  if (nc > 1) vstorePartial(yp + outPlane, transpose1(a, b, c, d), count);
  if (nc > 2) vstorePartial(yp + 2 * outPlane, transpose2(a, b, c, d), count);
  if (nc > 3) vstorePartial(yp + 3 * outPlane, transpose3(a, b, c, d), count);
}

/**
 * All outputs of one block of channels, 8 pixels of a row at a time: the last group of a row overlaps the previous
 * one, a row narrower than 8 computes 8 pixels on zeros and stores its own.
 */
function blockSimd(
  src: usize, tapOffs: usize, wq: i32, wc: usize, bc: usize, nc: i32, yc: usize, outPlane: usize, oh: i32, ow: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, act: i32, p0: f32, p1: f32,
): void {
  const vb = bc != 0 ? vloadPartial(bc, nc) : f32x4.splat(0);
  const v0 = f32x4.splat(p0);
  const v1 = f32x4.splat(p1);
  const rowBytes = (<usize>sw * wq) << 4;
  const rowStep = <usize>dh * rowBytes;
  for (let oy = 0; oy < oh; oy++) {
    const row = src + <usize>(oy * sh) * rowBytes;
    const yr = yc + ((<usize>oy * ow) << 2);
    for (let ox = 0; ox < ow; ox += 8) {
      if (ox + 8 > ow) ox = max(0, ow - 8);
      const count = min(8, ow - ox);
      let a0 = vb, a1 = vb, a2 = vb, a3 = vb, a4 = vb, a5 = vb, a6 = vb, a7 = vb;
      let wt = wc;
      let rp = row + (<usize>ox << 4);
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const p = rp + <usize>load<i32>(tapOffs + (<usize>kx << 2));
          const wv = v128.load(wt);
          a0 = f32x4.add(a0, f32x4.mul(v128.load(p), wv));
          a1 = f32x4.add(a1, f32x4.mul(v128.load(p, 16), wv));
          a2 = f32x4.add(a2, f32x4.mul(v128.load(p, 32), wv));
          a3 = f32x4.add(a3, f32x4.mul(v128.load(p, 48), wv));
          a4 = f32x4.add(a4, f32x4.mul(v128.load(p, 64), wv));
          a5 = f32x4.add(a5, f32x4.mul(v128.load(p, 80), wv));
          a6 = f32x4.add(a6, f32x4.mul(v128.load(p, 96), wv));
          a7 = f32x4.add(a7, f32x4.mul(v128.load(p, 112), wv));
          wt += 16;
        }
        rp += rowStep;
      }
      a0 = vactInline(a0, act, v0, v1);
      a1 = vactInline(a1, act, v0, v1);
      a2 = vactInline(a2, act, v0, v1);
      a3 = vactInline(a3, act, v0, v1);
      a4 = vactInline(a4, act, v0, v1);
      a5 = vactInline(a5, act, v0, v1);
      a6 = vactInline(a6, act, v0, v1);
      a7 = vactInline(a7, act, v0, v1);
      const yp = yr + (<usize>ox << 2);
      storePixels4(yp, outPlane, nc, min(4, count), a0, a1, a2, a3);
      if (count > 4) storePixels4(yp + 16, outPlane, nc, count - 4, a4, a5, a6, a7);
    }
  }
}

/** Scalar build: one block of nc channels, straight from the input with its borders. */
function blockScalar(
  xc: usize, plane: usize, wc: usize, bc: usize, nc: i32, yc: usize, outPlane: usize, h: i32, w: i32, oh: i32, ow: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, act: i32, p0: f32, p1: f32,
): void {
  const inlineAct = needsActPass(act) ? 0 : act;
  for (let ch = 0; ch < nc; ch++) {
    const xp = xc + <usize>ch * plane;
    const b: f32 = bc != 0 ? load<f32>(bc + (<usize>ch << 2)) : 0;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let acc = b;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= w) continue;
            const wv = load<f32>(wc + ((<usize>(ky * kw + kx)) << 4) + (<usize>ch << 2));
            acc += load<f32>(xp + ((<usize>iy * w + ix) << 2)) * wv;
          }
        }
        store<f32>(yc + <usize>ch * outPlane + ((<usize>oy * ow + ox) << 2), sact(acc, inlineAct, p0, p1));
      }
    }
  }
}
