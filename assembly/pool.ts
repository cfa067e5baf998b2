// 2-D pooling over NCHW planes: MaxPool and AveragePool (pads, strides, dilations, count_include_pad) with
// SIMD over 4 output columns of the interior, and GlobalAveragePool.

import { endInside, firstInside } from './geometry';
import { vloadStrided, vsum } from './vmath';

@inline function windowColumns(ow: i32, w: i32, kw: i32, sw: i32, dw: i32, pl: i32): i64 {
  const oxL = min(ow, firstInside(-pl, sw));
  const oxR = max(oxL, min(ow, endInside((kw - 1) * dw - pl, sw, w)));
  return (<i64>oxL << 32) | <i64>oxR;
}

/**
 * y = max over each window of x, taps in the padding ignored (a NaN wins; a window with no real tap gives -inf).
 * x [NC planes of H x W], y [NC planes of oh x ow]; pt/pl are the top/left pads.
 */
export function f32_maxpool2d_x4(
  x: usize, y: usize, nc: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  pt: i32, pl: i32, oh: i32, ow: i32,
): void {
  const cols = windowColumns(ow, w, kw, sw, dw, pl);
  const oxL = <i32>(cols >> 32);
  const oxR = <i32>cols;
  for (let p = 0; p < nc; p++) {
    const xc = x + ((<usize>p * h * w) << 2);
    const yc = y + ((<usize>p * oh * ow) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const iy0 = oy * sh - pt;
      const kyLo = firstInside(iy0, dh);
      const kyHi = max(kyLo, min(kh, endInside(iy0, dh, h)));
      const yr = yc + ((<usize>oy * ow) << 2);
      let ox = 0;
      if (ASC_FEATURE_SIMD) {
        for (ox = oxL; ox + 4 <= oxR; ox += 4) {
          let acc = f32x4.splat(-Infinity);
          for (let ky = kyLo; ky < kyHi; ky++) {
            let xp = xc + ((<usize>(iy0 + ky * dh) * w + ox * sw - pl) << 2);
            for (let kx = 0; kx < kw; kx++) {
              acc = f32x4.max(acc, vloadStrided(xp, sw)); // max, not pmax: a NaN wins, as in the reference
              xp += <usize>dw << 2;
            }
          }
          v128.store(yr + (<usize>ox << 2), acc);
        }
        for (let o = 0; o < oxL; o++) maxPixel(xc, yr, o, iy0, kyLo, kyHi, w, kw, sw, dh, dw, pl);
        for (; ox < ow; ox++) maxPixel(xc, yr, ox, iy0, kyLo, kyHi, w, kw, sw, dh, dw, pl);
      } else {
        for (; ox < ow; ox++) maxPixel(xc, yr, ox, iy0, kyLo, kyHi, w, kw, sw, dh, dw, pl);
      }
    }
  }
}

function maxPixel(xc: usize, yr: usize, ox: i32, iy0: i32, kyLo: i32, kyHi: i32, w: i32, kw: i32, sw: i32, dh: i32, dw: i32, pl: i32): void {
  const ix0 = ox * sw - pl;
  const kxLo = firstInside(ix0, dw);
  const kxHi = min(kw, endInside(ix0, dw, w));
  let acc: f32 = -Infinity;
  for (let ky = kyLo; ky < kyHi; ky++) {
    const xr = xc + ((<usize>(iy0 + ky * dh) * w) << 2);
    for (let kx = kxLo; kx < kxHi; kx++) {
      const v = load<f32>(xr + (<usize>(ix0 + kx * dw) << 2));
      if (v > acc || v != v) acc = v;
    }
  }
  store<f32>(yr + (<usize>ox << 2), acc);
}

/** Taps k < kernel with lo <= start + k * d < hi (lo/hi bound the real or the padded input). */
@inline function tapCount(start: i32, d: i32, kernel: i32, lo: i32, hi: i32): i32 {
  const first = firstInside(start - lo, d);
  const end = min(kernel, endInside(start - lo, d, hi - lo));
  return max(0, end - first);
}

/**
 * y = mean over each window of x. The divisor counts the taps inside the input, or with countIncludePad
 * those inside the padded input (pt/pl/pb/pr pads). Layouts as f32_maxpool2d_x4.
 */
export function f32_avgpool2d_x4(
  x: usize, y: usize, nc: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  pt: i32, pl: i32, pb: i32, pr: i32, oh: i32, ow: i32, countIncludePad: i32,
): void {
  const cols = windowColumns(ow, w, kw, sw, dw, pl);
  const oxL = <i32>(cols >> 32);
  const oxR = <i32>cols;
  for (let p = 0; p < nc; p++) {
    const xc = x + ((<usize>p * h * w) << 2);
    const yc = y + ((<usize>p * oh * ow) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const iy0 = oy * sh - pt;
      const kyLo = firstInside(iy0, dh);
      const kyHi = max(kyLo, min(kh, endInside(iy0, dh, h)));
      const rowsCounted = countIncludePad != 0 ? tapCount(iy0, dh, kh, -pt, h + pb) : kyHi - kyLo;
      const yr = yc + ((<usize>oy * ow) << 2);
      let ox = 0;
      if (ASC_FEATURE_SIMD) {
        // Interior windows have all kw columns inside the input, so the divisor is rowsCounted * kw.
        // A window with no tap counted divides 0 by 0, giving NaN like the reference.
        const scale = f32x4.splat(1.0 / <f32>(rowsCounted * kw));
        for (ox = oxL; ox + 4 <= oxR; ox += 4) {
          let acc = f32x4.splat(0);
          for (let ky = kyLo; ky < kyHi; ky++) {
            let xp = xc + ((<usize>(iy0 + ky * dh) * w + ox * sw - pl) << 2);
            for (let kx = 0; kx < kw; kx++) {
              acc = f32x4.add(acc, vloadStrided(xp, sw));
              xp += <usize>dw << 2;
            }
          }
          v128.store(yr + (<usize>ox << 2), f32x4.mul(acc, scale));
        }
        for (let o = 0; o < oxL; o++) avgPixel(xc, yr, o, iy0, kyLo, kyHi, rowsCounted, w, kw, sw, dh, dw, pl, pr, countIncludePad);
      }
      for (; ox < ow; ox++) avgPixel(xc, yr, ox, iy0, kyLo, kyHi, rowsCounted, w, kw, sw, dh, dw, pl, pr, countIncludePad);
    }
  }
}

function avgPixel(
  xc: usize, yr: usize, ox: i32, iy0: i32, kyLo: i32, kyHi: i32, rowsCounted: i32,
  w: i32, kw: i32, sw: i32, dh: i32, dw: i32, pl: i32, pr: i32, countIncludePad: i32,
): void {
  const ix0 = ox * sw - pl;
  const kxLo = firstInside(ix0, dw);
  const kxHi = max(kxLo, min(kw, endInside(ix0, dw, w)));
  let acc: f32 = 0;
  for (let ky = kyLo; ky < kyHi; ky++) {
    const xr = xc + ((<usize>(iy0 + ky * dh) * w) << 2);
    for (let kx = kxLo; kx < kxHi; kx++) acc += load<f32>(xr + (<usize>(ix0 + kx * dw) << 2));
  }
  const colsCounted = countIncludePad != 0 ? tapCount(ix0, dw, kw, -pl, w + pr) : kxHi - kxLo;
  const count = rowsCounted * colsCounted;
  store<f32>(yr + (<usize>ox << 2), acc / <f32>count);
}

/** y[p] = mean of plane p of x (nc planes of hw floats). */
export function f32_global_avgpool_x4(x: usize, y: usize, nc: i32, hw: i32): void {
  const inv: f32 = 1.0 / <f32>hw;
  for (let p = 0; p < nc; p++) {
    let xp = x + ((<usize>p * hw) << 2);
    let i = 0;
    let s: f32 = 0;
    if (ASC_FEATURE_SIMD) {
      let acc0 = f32x4.splat(0);
      let acc1 = acc0;
      for (; i + 8 <= hw; i += 8) {
        acc0 = f32x4.add(acc0, v128.load(xp));
        acc1 = f32x4.add(acc1, v128.load(xp, 16));
        xp += 32;
      }
      s = vsum(f32x4.add(acc0, acc1));
    }
    for (; i < hw; i++) {
      s += load<f32>(xp);
      xp += 4;
    }
    store<f32>(y + (<usize>p << 2), s * inv);
  }
}
