// QuantizeLinear / DequantizeLinear on the WebAssembly kernels against the reference kernels, bit for bit: ties to
// even, saturation, NaN and infinities, int8 and uint8, lengths around the vector loops.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { referenceOps } from '../../../kernels/ref/index.js';
import { loadWasmKernels, type WasmKernels } from '../../../kernels/wasm/module.js';
import { TEST_VARIANTS } from '../../../kernels/wasm/test-helpers.js';
import { randomTensor } from '../../../tensor/random.js';
import { Tensor } from '../../../tensor/tensor.js';
import { prepareDequantizeLinear, prepareQuantizeLinear } from './qlinear.js';
import { expectSame, qnode, randomQ, runGlue } from './qtesting.js';

describe.each(TEST_VARIANTS)('int8 QuantizeLinear / DequantizeLinear kernels, %s build', (variant) => {
  let k: WasmKernels;
  beforeAll(async () => {
    k = await loadWasmKernels({ variant });
  });
  afterEach(() => k.reset());

  it('QuantizeLinear equals the reference (ties, saturation, NaN, infinities)', () => {
    const scale = 0.05;
    const special = [0.025, -0.025, 0.075, -0.075, 0.125, 1e9, -1e9, NaN, Infinity, -Infinity, 6.35, -6.4, 6.375, -6.425, 0];
    for (const [dtype, zp] of [['int8', -3], ['int8', 0], ['uint8', 128], ['uint8', 0]] as const) {
      for (const n of [1, 15, 16, 17, 33, 100]) {
        const values = Float32Array.from(randomTensor('float32', [n], n).data as Float32Array, (v, i) => special[i % 23] ?? v * 4);
        const x = new Tensor('float32', values, [n]);
        const inputs = [x, new Tensor('float32', [scale], []), Tensor.fromNumbers(dtype, [zp], [])];
        const run = runGlue(k, prepareQuantizeLinear, referenceOps.QuantizeLinear!, qnode('QuantizeLinear', {}, inputs, ''), inputs, [1, 2]);
        expect(run.kernel).toBe(`qs8_quantize_f32__${variant}`);
        expectSame(run, `QuantizeLinear ${dtype} zp=${zp} n=${n}`);
      }
    }
  });

  it('DequantizeLinear equals the reference', () => {
    for (const [dtype, zp] of [['int8', -3], ['uint8', 131]] as const) {
      for (const n of [1, 7, 8, 9, 64, 100]) {
        const inputs = [randomQ(dtype, [n], n), new Tensor('float32', [0.0371], []), Tensor.fromNumbers(dtype, [zp], [])];
        const run = runGlue(k, prepareDequantizeLinear, referenceOps.DequantizeLinear!, qnode('DequantizeLinear', {}, inputs, ''), inputs, [1, 2]);
        expect(run.kernel).toBe(`qs8_dequantize_f32__${variant}`);
        expectSame(run, `DequantizeLinear ${dtype} n=${n}`);
      }
    }
  });

  it('declines per-axis parameters', () => {
    const x = randomTensor('float32', [2, 3], 1);
    const inputs = [x, new Tensor('float32', [0.1, 0.2, 0.3], [3]), Tensor.fromNumbers('int8', [0, 0, 0], [3])];
    const run = runGlue(k, prepareQuantizeLinear, referenceOps.QuantizeLinear!, qnode('QuantizeLinear', { axis: 1 }, inputs, ''), inputs, [1, 2]);
    expect(run.kernel).toBeUndefined();
  });
});
