// The int8 pools through their glue against the reference kernels, bit for bit: MaxPool on int8 / uint8 values,
// QAveragePoolFixed (pads, count_include_pad, ceil_mode, strides) and QGlobalAveragePoolFixed (planes around 16).

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { qfusedOps } from '../../../kernels/ref/qfused.js';
import { referenceOps } from '../../../kernels/ref/index.js';
import { loadWasmKernels, type WasmKernels } from '../../../kernels/wasm/module.js';
import { TEST_VARIANTS } from '../../../kernels/wasm/test-helpers.js';
import { seededRandom } from '../../../tensor/random.js';
import { prepareQAveragePool, prepareQGlobalAveragePool } from './qpool.js';
import { int8Kernels } from './qkernels.js';
import { expectSame, qnode, randomQ, runGlue } from './qtesting.js';

interface PoolCase {
  dims: number[];
  k: [number, number];
  s: [number, number];
  pads: [number, number, number, number];
  ceil?: number;
  include?: number;
}

const POOLS: PoolCase[] = [
  { dims: [1, 3, 8, 8], k: [2, 2], s: [2, 2], pads: [0, 0, 0, 0] },
  { dims: [2, 2, 9, 11], k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1] },
  { dims: [1, 2, 9, 11], k: [3, 3], s: [2, 2], pads: [1, 1, 1, 1], include: 1 },
  { dims: [1, 4, 7, 10], k: [3, 2], s: [2, 3], pads: [0, 1, 1, 0], ceil: 1 },
  { dims: [1, 1, 5, 5], k: [5, 5], s: [1, 1], pads: [2, 2, 2, 2] },
  { dims: [1, 64, 8, 8], k: [8, 8], s: [8, 8], pads: [0, 0, 0, 0] }, // ResNet-8's pool
];

describe.each(TEST_VARIANTS)('int8 pool kernels, %s build', (variant) => {
  let k: WasmKernels;
  beforeAll(async () => {
    k = await loadWasmKernels({ variant });
  });
  afterEach(() => k.reset());

  it('MaxPool on int8 and uint8 values equals the reference MaxPool', () => {
    POOLS.forEach((p, i) => {
      for (const dtype of ['int8', 'uint8'] as const) {
        const x = randomQ(dtype, p.dims, 10 + i);
        const attrs = { kernel_shape: p.k, strides: p.s, pads: p.pads, ceil_mode: p.ceil ?? 0, dilations: i === 1 ? [2, 1] : [1, 1] };
        const run = runGlue(k, int8Kernels.MaxPool!, referenceOps.MaxPool!, qnode('MaxPool', attrs, [x], ''), [x], []);
        expect(run.kernel).toBe(`qs8_maxpool2d__${variant}`);
        expectSame(run, `MaxPool ${dtype} ${JSON.stringify(p)}`);
      }
    });
  });

  it('QAveragePoolFixed equals the reference (count_include_pad, ceil_mode, a rescale)', () => {
    const rand = seededRandom(4);
    POOLS.forEach((p, i) => {
      for (const dtype of ['int8', 'uint8'] as const) {
        const x = randomQ(dtype, p.dims, 20 + i);
        const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
        const [qmin, qmax] = dtype === 'int8' ? [-128, 127] : [0, 255];
        const attrs = {
          kernel_shape: p.k,
          strides: p.s,
          pads: p.pads,
          ceil_mode: p.ceil ?? 0,
          count_include_pad: p.include ?? 0,
          x_zero_point: int(qmin, qmax),
          multiplier: [int(2 ** 30, 2 ** 31 - 1)],
          shift: [int(-1, 1)],
          y_zero_point: int(qmin, qmax),
        };
        const run = runGlue(k, prepareQAveragePool, qfusedOps['edgeinfer.QAveragePoolFixed']!, qnode('QAveragePoolFixed', attrs, [x]), [x], []);
        expect(run.kernel).toBe(`qs8_avgpool2d__${variant}`);
        expectSame(run, `QAveragePoolFixed ${dtype} ${JSON.stringify(p)}`);
      }
    });
  });

  it('QGlobalAveragePoolFixed equals the reference on planes around the 16-wide loop', () => {
    // 3x3, 7x7 and 1x31 planes take the masked load of the last bytes; the last channel the scalar loop.
    [[1, 3, 1, 1], [1, 5, 4, 4], [2, 3, 5, 7], [1, 64, 8, 8], [1, 2, 3, 17], [1, 64, 3, 3], [2, 40, 7, 7], [1, 20, 1, 31]].forEach((dims, i) => {
      for (const dtype of ['int8', 'uint8'] as const) {
        const x = randomQ(dtype, dims, 40 + i);
        // Shifts right, none and left: the vector requantization of four planes at a time takes each path.
        const attrs = { x_zero_point: dtype === 'int8' ? -7 : 130, multiplier: [1518500250], shift: [[0, -3, 1][i % 3]!], y_zero_point: dtype === 'int8' ? 3 : 120, output_min: dtype === 'int8' ? -100 : 10 };
        const run = runGlue(k, prepareQGlobalAveragePool, qfusedOps['edgeinfer.QGlobalAveragePoolFixed']!, qnode('QGlobalAveragePoolFixed', attrs, [x]), [x], []);
        expect(run.kernel).toBe(`qs8_global_avgpool__${variant}`);
        expectSame(run, `QGlobalAveragePoolFixed ${dtype} [${dims}]`);
      }
    });
  });
});
