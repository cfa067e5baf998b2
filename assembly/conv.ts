// Conv2D (NCHW, groups, strides, pads, dilations) as GEMM on weights packed gm4: 1x1 stride-1 unpadded
// convolutions read the input in place; the others build im2col rows, a column chunk at a time, in scratch.

import { f32_gemm_pa_4x8, gemmPaPackedChunk, packColumnsN8 } from './gemm';
import { gemmPaTailColumns } from './gemm-cols';
import { endInside, firstInside } from './geometry';
import { copyFloats, vloadStrided, zeroFloats } from './vmath';

// Target size of one im2col chunk: built, then read by the GEMM while it is still in L2.
const CHUNK_BYTES: i32 = 256 * 1024;

@inline function isDirect(h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32): bool {
  return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && oh == h && ow == w;
}

// Packed input columns per chunk of the 1x1 path (packedDirect): the chunk stays in L1 while every weight panel
// sweeps it.
const PACKED_CHUNK_BYTES: i32 = 16 * 1024;
// A 1x1 Conv whose pixel count is a multiple of 512 (rows of 2 KiB: 32x32, 64x64, 128x128 maps) copies its input
// into n8 panels first (SIMD build). Read in place, its K input rows and the output rows all fall in one or two L1
// sets and evict each other: 8->48 channels at 64x64 ran at 22 GFLOP/s in place, 40 packed; 16->96 at 32x32 25 -> 50.
// Other row sizes spread over the sets, and packing only costs: 48->8 channels at 48x48 ran 49 -> 42 GFLOP/s.
const PACKED_PIXELS_ALIGN: i32 = 512;

@inline function packedDirect(ohw: i32): bool {
  return ASC_FEATURE_SIMD && ohw >= PACKED_PIXELS_ALIGN && ohw % PACKED_PIXELS_ALIGN == 0;
}

/** Columns per packed chunk of the 1x1 path: a multiple of 16 (a cache line of each input row), or all n8. */
@inline function packedChunkColumns(kg: i32, ohw: i32): i32 {
  const cols = max(16, (PACKED_CHUNK_BYTES / (kg * 4)) & ~15);
  return min(cols, ohw & ~7);
}

/** Output columns per im2col chunk: a multiple of 8 (the GEMM tile width), or all of them. */
@inline function chunkColumns(kg: i32, ohw: i32): i32 {
  const cols = max(8, (CHUNK_BYTES / (kg * 4)) & ~7);
  return min(cols, ohw);
}

/** Scratch bytes f32_conv2d_4x8 needs for this geometry (0 when it reads the input in place). */
export function f32_conv2d_scratch_bytes(cg: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32): i32 {
  const kg = cg * kh * kw;
  if (isDirect(h, w, kh, kw, sh, sw, pt, pl, oh, ow)) return packedDirect(oh * ow) ? kg * packedChunkColumns(kg, oh * ow) * 4 : 0;
  return kg * chunkColumns(kg, oh * ow) * 4;
}

/**
 * y = act(conv(x, w) + bias). x [N, C, H, W]; w packed gm4 from W [M, C/G, kh, kw]; bias [M] or 0; y [N, M, oh, ow];
 * scratch of f32_conv2d_scratch_bytes. pt/pl are the top/left pads (bottom/right follow from oh/ow).
 */
export function f32_conv2d_4x8(
  x: usize, y: usize, wp: usize, bias: usize, scratch: usize,
  n: i32, c: i32, h: i32, w: i32, m: i32, group: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, oh: i32, ow: i32,
  act: i32, p0: f32, p1: f32,
): void {
  const cg = c / group;
  const mg = m / group;
  const kg = cg * kh * kw;
  const ohw = oh * ow;
  const direct = isDirect(h, w, kh, kw, sh, sw, pt, pl, oh, ow);
  const cols = direct ? ohw : chunkColumns(kg, ohw);
  const packBytes = <usize>((mg + 3) >> 2) * kg * 16;
  for (let nb = 0; nb < n; nb++) {
    for (let g = 0; g < group; g++) {
      const xg = x + ((<usize>(nb * c + g * cg) * h * w) << 2);
      const yg = y + ((<usize>(nb * m + g * mg) * ohw) << 2);
      const wg = wp + <usize>g * packBytes;
      const bg = bias != 0 ? bias + (<usize>(g * mg) << 2) : 0;
      if (ASC_FEATURE_SIMD) {
        if (direct && packedDirect(ohw)) {
          conv1x1Packed(mg, ohw, kg, wg, xg, scratch, yg, bg, act, p0, p1);
          continue;
        }
      }
      if (direct) {
        f32_gemm_pa_4x8(mg, ohw, kg, wg, xg, h * w, yg, ohw, bg, act, p0, p1);
        continue;
      }
      for (let q = 0; q < ohw; q += cols) {
        const nc = min(cols, ohw - q);
        im2col(scratch, xg, cg, h, w, kh, kw, sh, sw, dh, dw, pt, pl, ow, q, nc);
        f32_gemm_pa_4x8(mg, nc, kg, wg, scratch, nc, yg + (<usize>q << 2), ohw, bg, act, p0, p1);
      }
    }
  }
}

/**
 * A 1x1 Conv of a large map: chunks of input columns packed n8 into scratch, each swept by every weight panel;
 * the last ohw % 8 columns read the input in place (gemm-cols.ts).
 */
function conv1x1Packed(
  m: i32, ohw: i32, k: i32, wp: usize, x: usize, scratch: usize, y: usize, bias: usize, act: i32, p0: f32, p1: f32,
): void {
  const n8 = ohw & ~7;
  const cols = packedChunkColumns(k, ohw);
  const rowBytes = <usize>ohw << 2;
  for (let q = 0; q < n8; q += cols) {
    const nc = min(cols, n8 - q);
    packColumnsN8(scratch, x, rowBytes, k, q, nc);
    gemmPaPackedChunk(m, nc, k, wp, scratch, y + (<usize>q << 2), rowBytes, bias, act, p0, p1);
  }
  if (n8 < ohw) gemmPaTailColumns(m, ohw, n8, k, wp, x, rowBytes, y, rowBytes, bias, act, p0, p1, 0, (m + 3) >> 2);
}

/**
 * Writes rows (ci, ky, kx) — the order of the weight's K axis — of the im2col matrix for output positions
 * q..q+nc-1 (row-major over oh x ow) into dst [K][nc]; taps that fall in the padding read as 0.
 */
function im2col(
  dst: usize, x: usize, cg: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  pt: i32, pl: i32, ow: i32, q: i32, nc: i32,
): void {
  const plane = <usize>h * w * 4;
  for (let ci = 0; ci < cg; ci++) {
    const xc = x + <usize>ci * plane;
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        const off = kx * dw - pl;
        // Output columns whose tap lands inside the row: the same for every output row.
        const lo = firstInside(off, sw);
        const hi = endInside(off, sw, w);
        let oy = q / ow;
        let ox = q - oy * ow;
        let done = 0;
        while (done < nc) {
          const seg = min(ow - ox, nc - done);
          const end = ox + seg;
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= h) {
            zeroFloats(dst, seg);
          } else {
            const a = min(max(lo, ox), end);
            const b = max(a, min(hi, end));
            zeroFloats(dst, a - ox);
            const src = xc + ((<usize>iy * w + a * sw + off) << 2);
            copyStrided(dst + (<usize>(a - ox) << 2), src, b - a, sw);
            zeroFloats(dst + (<usize>(b - ox) << 2), end - b);
          }
          dst += <usize>seg << 2;
          done += seg;
          ox = 0;
          oy++;
        }
      }
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
  if (ASC_FEATURE_SIMD) {
    const step = <usize>stride << 4;
    for (; i + 4 <= count; i += 4) {
      v128.store(dst, vloadStrided(src, stride));
      dst += 16;
      src += step;
    }
  }
  const step1 = <usize>stride << 2;
  for (; i < count; i++) {
    store<f32>(dst, load<f32>(src));
    dst += 4;
    src += step1;
  }
}
