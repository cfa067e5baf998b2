// Softmax over the last axis: subtract the row max, exponentiate, normalize.

import { vexp, vmax, vsum } from './vmath';

/** y[r, :] = softmax(x[r, :]) for `rows` rows of `cols` floats (x and y may be the same buffer). */
export function f32_softmax_lastaxis_x4(x: usize, y: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const yr = y + <usize>r * rowBytes;
    let i = 0;
    let mx: f32 = -Infinity;
    if (ASC_FEATURE_SIMD) {
      let vm = f32x4.splat(-Infinity);
      for (; i + 4 <= cols; i += 4) vm = f32x4.max(vm, v128.load(xr + (<usize>i << 2)));
      mx = vmax(vm);
    }
    for (; i < cols; i++) mx = max(mx, load<f32>(xr + (<usize>i << 2)));
    // An all -inf row would give NaN from -inf - -inf; shift by 0 instead and let it be 0/0 like the spec.
    if (mx == -Infinity) mx = 0;
    let sum: f32 = 0;
    i = 0;
    if (ASC_FEATURE_SIMD) {
      const vmx = f32x4.splat(mx);
      let acc = f32x4.splat(0);
      for (; i + 4 <= cols; i += 4) {
        const o = <usize>i << 2;
        const e = vexp(f32x4.sub(v128.load(xr + o), vmx));
        v128.store(yr + o, e);
        acc = f32x4.add(acc, e);
      }
      sum = vsum(acc);
    }
    for (; i < cols; i++) {
      const o = <usize>i << 2;
      const e = Mathf.exp(load<f32>(xr + o) - mx);
      store<f32>(yr + o, e);
      sum += e;
    }
    const inv: f32 = 1.0 / sum;
    i = 0;
    if (ASC_FEATURE_SIMD) {
      const vinv = f32x4.splat(inv);
      for (; i + 4 <= cols; i += 4) {
        const o = <usize>i << 2;
        v128.store(yr + o, f32x4.mul(v128.load(yr + o), vinv));
      }
    }
    for (; i < cols; i++) {
      const o = <usize>i << 2;
      store<f32>(yr + o, load<f32>(yr + o) * inv);
    }
  }
}
