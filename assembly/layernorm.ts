// LayerNormalization over the last axis: two passes (mean, then variance of the centred values) for accuracy.

import { vsum } from './vmath';

/**
 * y[r, :] = (x[r, :] - mean) / sqrt(var + eps) * gamma + beta for `rows` rows of `cols` floats; gamma/beta
 * hold `cols` floats or are 0 (ones / zeros).
 */
export function f32_layernorm_lastaxis_x4(x: usize, y: usize, rows: i32, cols: i32, gamma: usize, beta: usize, eps: f32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const yr = y + <usize>r * rowBytes;
    let i = 0;
    let s: f32 = 0;
    if (ASC_FEATURE_SIMD) {
      let acc = f32x4.splat(0);
      for (; i + 4 <= cols; i += 4) acc = f32x4.add(acc, v128.load(xr + (<usize>i << 2)));
      s = vsum(acc);
    }
    for (; i < cols; i++) s += load<f32>(xr + (<usize>i << 2));
    const mean = s / <f32>cols;
    i = 0;
    let q: f32 = 0;
    if (ASC_FEATURE_SIMD) {
      const vmean = f32x4.splat(mean);
      let acc = f32x4.splat(0);
      for (; i + 4 <= cols; i += 4) {
        const d = f32x4.sub(v128.load(xr + (<usize>i << 2)), vmean);
        acc = f32x4.add(acc, f32x4.mul(d, d));
      }
      q = vsum(acc);
    }
    for (; i < cols; i++) {
      const d = load<f32>(xr + (<usize>i << 2)) - mean;
      q += d * d;
    }
    const inv: f32 = 1.0 / Mathf.sqrt(q / <f32>cols + eps);
    i = 0;
    if (ASC_FEATURE_SIMD) {
      const vmean = f32x4.splat(mean);
      const vinv = f32x4.splat(inv);
      for (; i + 4 <= cols; i += 4) {
        const o = <usize>i << 2;
        let v = f32x4.mul(f32x4.sub(v128.load(xr + o), vmean), vinv);
        if (gamma != 0) v = f32x4.mul(v, v128.load(gamma + o));
        if (beta != 0) v = f32x4.add(v, v128.load(beta + o));
        v128.store(yr + o, v);
      }
    }
    for (; i < cols; i++) {
      const o = <usize>i << 2;
      let v = (load<f32>(xr + o) - mean) * inv;
      if (gamma != 0) v *= load<f32>(gamma + o);
      if (beta != 0) v += load<f32>(beta + o);
      store<f32>(yr + o, v);
    }
  }
}
