// Conv2D (NCHW, groups, strides, pads, dilations) as GEMM on weights packed gm4: 1x1 stride-1 unpadded
// convolutions read the input in place; the others build im2col rows, a column chunk at a time, in scratch.

import { f32_gemm_pa_4x8 } from './gemm';
import { endInside, firstInside } from './geometry';
import { copyFloats, vloadStrided, zeroFloats } from './vmath';

// Target size of one im2col chunk: built, then read by the GEMM while it is still in L2.
const CHUNK_BYTES: i32 = 256 * 1024;

@inline function isDirect(h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32): bool {
  return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && oh == h && ow == w;
}

/** Output columns per im2col chunk: a multiple of 8 (the GEMM tile width), or all of them. */
@inline function chunkColumns(kg: i32, ohw: i32): i32 {
  const cols = max(8, (CHUNK_BYTES / (kg * 4)) & ~7);
  return min(cols, ohw);
}

/** Scratch bytes f32_conv2d_4x8 needs for this geometry (0 when it reads the input in place). */
export function f32_conv2d_scratch_bytes(cg: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, oh: i32, ow: i32): i32 {
  if (isDirect(h, w, kh, kw, sh, sw, pt, pl, oh, ow)) return 0;
  const kg = cg * kh * kw;
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
