// Kernel threads on the int8 kernels: QLinearConvFixed (direct on channel pairs or im2col index pairs, Winograd, depthwise 3x3 and any-window
// depthwise) and QGemmFixed / QGemmToFloat cut into shares across workers give exactly the single-threaded bytes, at
// batch 1 (blocks of 4 output channels, a remainder block included; GEMM column panels) and batch 3 (rows).

import { afterAll, describe, it } from 'vitest';
import { int, ints, makeModel } from '../../../test/helpers/build.js';
import type { Attribute, Model, Node } from '../../ir/graph.js';
import { seededRandom } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { expectSameBytesOnThreads, releasePools } from './testing.js';

afterAll(releasePools);

function randomInts(dtype: 'int8' | 'int32', dims: number[], seed: number, lo: number, hi: number): Tensor {
  const rand = seededRandom(seed);
  const n = dims.reduce((a, b) => a * b, 1);
  return Tensor.fromNumbers(dtype, Array.from({ length: n }, () => lo + Math.floor(rand() * (hi - lo + 1))), dims);
}

const floats = (n: number, seed: number): Attribute => {
  const rand = seededRandom(seed);
  return { type: 'floats', value: Array.from({ length: n }, () => Math.fround(2 ** (-12 + 6 * rand()))) };
};

const qnode = (op: string, inputs: string[], attrs: Record<string, Attribute>, name: string): Node =>
  ({ op, domain: 'edgeinfer', name, inputs, outputs: ['y'], attrs: new Map(Object.entries(attrs)) });

/** One int8 conv: c -> m channels, k x k at stride s, `group` groups, on an h x w input, bias. */
function qconv(c: number, m: number, h: number, w: number, k: number, s: number, group = 1): Model {
  const pad = (k - 1) >> 1;
  const attrs = {
    kernel_shape: ints([k, k]), strides: ints([s, s]), pads: ints([pad, pad, pad, pad]), group: int(group),
    x_zero_point: int(-3), scale: floats(m, m), y_zero_point: int(5),
  };
  return makeModel({
    inputs: [['x', 'int8', ['N', c, h, w]]],
    outputs: [['y', 'int8']],
    nodes: [qnode('QLinearConvFixed', ['x', 'w', 'b'], attrs, 'conv')],
    initializers: { w: randomInts('int8', [m, c / group, k, k], m * 31 + k, -60, 60), b: randomInts('int32', [m], m, -3000, 3000) },
  });
}

function qgemm(k: number, n: number, toFloat: boolean): Model {
  const attrs: Record<string, Attribute> = toFloat ? { a_zero_point: int(2), scale: floats(n, k) } : { a_zero_point: int(2), scale: floats(n, k), y_zero_point: int(-1) };
  return makeModel({
    inputs: [['x', 'int8', ['N', k]]],
    outputs: [['y', toFloat ? 'float32' : 'int8']],
    nodes: [qnode(toFloat ? 'QGemmToFloat' : 'QGemmFixed', ['x', 'w', 'b'], attrs, 'fc')],
    initializers: { w: randomInts('int8', [k, n], n, -100, 100), b: randomInts('int32', [n], k, -30000, 30000) },
  });
}

const CASES: { what: string; model: Model; input: (n: number) => number[]; kernel: RegExp }[] = [
  { what: 'Winograd 3x3, 21 channels out (a remainder block)', model: qconv(16, 21, 20, 18, 3, 1), input: (n) => [n, 16, 20, 18], kernel: /qs8_conv3x3_wino2x2/ },
  { what: 'direct 3x3 stride 2', model: qconv(6, 24, 30, 30, 3, 2), input: (n) => [n, 6, 30, 30], kernel: /qs8_conv2d_m4tc2/ },
  { what: 'im2col index pairs, 3 channels at stride 2 (a stem)', model: qconv(3, 18, 33, 35, 3, 2), input: (n) => [n, 3, 33, 35], kernel: /qs8_conv2d_m4k2/ },
  { what: '1x1, 10 channels out', model: qconv(32, 10, 24, 24, 1, 1), input: (n) => [n, 32, 24, 24], kernel: /qs8_conv2d_m4tc2/ },
  { what: 'depthwise 3x3, 22 channels', model: qconv(22, 22, 40, 40, 3, 1, 22), input: (n) => [n, 22, 40, 40], kernel: /qs8_dwconv2d_3x3/ },
  { what: 'depthwise 3x3 stride 2, 18 channels', model: qconv(18, 18, 41, 41, 3, 2, 18), input: (n) => [n, 18, 41, 41], kernel: /qs8_dwconv2d_3x3/ },
  { what: 'depthwise 5x5, 14 channels', model: qconv(14, 14, 40, 40, 5, 1, 14), input: (n) => [n, 14, 40, 40], kernel: /qs8_dwconv2d_dwk2/ },
  { what: 'Gemm, 300 int8 outputs (column panels with a remainder)', model: qgemm(400, 300, false), input: (n) => [n, 400], kernel: /qs8_gemm_n8k2b/ },
  { what: 'Gemm to float32, 203 outputs', model: qgemm(400, 203, true), input: (n) => [n, 400], kernel: /qs8_gemm_n8k2b/ },
];

describe('int8 kernel threads', () => {
  it.each(CASES)('$what: the same bytes on 1, 2 and 3 threads at batch 1 and 3', ({ model, input, kernel }) =>
    expectSameBytesOnThreads(model, (n, seed) => randomInts('int8', input(n), seed, -128, 127), kernel),
  );
});
