// Unit tests for the pooling and BatchNormalization/InstanceNormalization reference kernels: spec examples, direct-definition cross-checks, errors.

import { describe, expect, it } from 'vitest';
import type { Attribute, ValueType } from '../../ir/graph.js';
import { Tensor } from '../../tensor/tensor.js';
import { expectEdgeError as expectError, inferNode, node as irNode, runNode, toAttrs } from '../../../test/helpers/kernels.js';
import { poolOps } from './pool.js';

type AttrMap = Record<string, number | number[] | string | Attribute>;

const node = (op: string, attrs: AttrMap, nIn: number, outputs: string[]) =>
  irNode(op, ['x', 's', 'b', 'm', 'v'].slice(0, nIn), outputs, toAttrs(attrs), 'p');

function runAll(op: string, inputs: (Tensor | undefined)[], attrs: AttrMap = {}, opset = 13, outputs = ['y']): Tensor[] {
  return runNode(node(op, attrs, inputs.length, outputs), inputs, opset, poolOps);
}
const run = (op: string, inputs: (Tensor | undefined)[], attrs: AttrMap = {}, opset = 13) => runAll(op, inputs, attrs, opset)[0]!;

function infer(op: string, inputs: (ValueType | undefined)[], attrs: AttrMap = {}, opset = 13, outputs = ['y']): ValueType[] {
  return inferNode(node(op, attrs, inputs.length, outputs), inputs, opset, [], poolOps);
}

const f32 = (values: ArrayLike<number>, dims: number[]) => new Tensor('float32', Float32Array.from(values), dims);
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => i + from);
const prod = (d: number[]) => d.reduce((a, b) => a * b, 1);
function rand(n: number, seed = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 1073741824 - 1;
  });
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol * (1 + Math.abs(expected[i]!)))) {
      throw new Error(`element ${i}: got ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

interface PoolCase {
  name: string;
  xd: number[];
  attrs: AttrMap;
  geo: { kernel: number[]; strides: number[]; dilations: number[]; padsBegin: number[]; padsEnd: number[]; outDims: number[] };
}

function coords(i: number, dims: number[]): number[] {
  const c = new Array<number>(dims.length);
  for (let a = dims.length - 1; a >= 0; a--) {
    c[a] = i % dims[a]!;
    i = Math.floor(i / dims[a]!);
  }
  return c;
}

/** Direct definition of the windowed pools with explicit geometry, bounds checked per element. */
function naivePool(
  kind: 'max' | 'avg' | 'lp',
  x: number[],
  xd: number[],
  g: { kernel: number[]; strides: number[]; dilations: number[]; padsBegin: number[]; padsEnd: number[]; outDims: number[] },
  countPad = false,
  p = 2,
): number[] {
  const inD = xd.slice(2);
  const planes = xd[0]! * xd[1]!;
  const y: number[] = [];
  for (let plane = 0; plane < planes; plane++)
    for (let o = 0; o < prod(g.outDims); o++) {
      const oc = coords(o, g.outDims);
      const vals: number[] = [];
      let padded = 0;
      for (let t = 0; t < prod(g.kernel); t++) {
        const kc = coords(t, g.kernel);
        const ic = oc.map((v, a) => v * g.strides[a]! - g.padsBegin[a]! + kc[a]! * g.dilations[a]!);
        if (ic.every((v, a) => v >= -g.padsBegin[a]! && v < inD[a]! + g.padsEnd[a]!)) padded++;
        if (ic.some((v, a) => v < 0 || v >= inD[a]!)) continue;
        vals.push(x[plane * prod(inD) + ic.reduce((acc, v, a) => acc * inD[a]! + v, 0)]!);
      }
      if (kind === 'max') y.push(Math.max(...vals));
      else if (kind === 'avg') y.push(vals.reduce((a, b) => a + b, 0) / (countPad ? padded : vals.length));
      else y.push(vals.reduce((a, b) => a + Math.abs(b) ** p, 0) ** (1 / p));
    }
  return y;
}

describe('MaxPool', () => {
  const x5 = f32(range(25, 1), [1, 1, 5, 5]);

  it('matches the ONNX precomputed examples', () => {
    expect(run('MaxPool', [x5], { kernel_shape: [5, 5], pads: [2, 2, 2, 2] }).toNumbers()).toEqual([
      13, 14, 15, 15, 15, 18, 19, 20, 20, 20, 23, 24, 25, 25, 25, 23, 24, 25, 25, 25, 23, 24, 25, 25, 25,
    ]);
    expect(run('MaxPool', [x5], { kernel_shape: [2, 2], strides: [2, 2] }).toNumbers()).toEqual([7, 9, 17, 19]);
    expect(run('MaxPool', [x5], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }).toNumbers()).toEqual([7, 9, 10, 17, 19, 20, 22, 24, 25]);
  });

  it('ceil_mode adds the partial window, but never one starting in the end padding', () => {
    const y = run('MaxPool', [f32(range(16, 1), [1, 1, 4, 4])], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 });
    expect(y.toNumbers()).toEqual([11, 12, 15, 16]);
    const r = run('MaxPool', [f32([1, 2, 3, 4], [1, 1, 2, 2])], { kernel_shape: [1, 1], strides: [2, 2], ceil_mode: 1 });
    expect(r.dims).toEqual([1, 1, 1, 1]);
    expect(r.toNumbers()).toEqual([1]);
  });

  it('supports dilations', () => {
    const y = run('MaxPool', [f32(range(16, 1), [1, 1, 4, 4])], { kernel_shape: [2, 2], dilations: [2, 2] }, 12);
    expect(y.toNumbers()).toEqual([11, 12, 15, 16]);
  });

  it('returns int64 Indices in row-major or column-major order', () => {
    const [y, i] = runAll('MaxPool', [x5], { kernel_shape: [5, 5], pads: [2, 2, 2, 2] }, 12, ['y', 'i']);
    expect(y!.dims).toEqual([1, 1, 5, 5]);
    expect(i!.type).toBe('int64');
    expect(i!.toNumbers()).toEqual([12, 13, 14, 14, 14, 17, 18, 19, 19, 19, 22, 23, 24, 24, 24, 22, 23, 24, 24, 24, 22, 23, 24, 24, 24]);
    const [, c] = runAll('MaxPool', [x5], { kernel_shape: [2, 2], strides: [2, 2], storage_order: 1 }, 12, ['y', 'i']);
    expect(c!.toNumbers()).toEqual([6, 16, 8, 18]);
    // Indices count across batch and channels.
    const two = f32([...range(4), ...range(4, 4)], [1, 2, 2, 2]);
    const [, j] = runAll('MaxPool', [two], { kernel_shape: [2, 2] }, 12, ['y', 'i']);
    expect(j!.toNumbers()).toEqual([3, 7]);
    // An omitted second output is not computed.
    expect(runAll('MaxPool', [x5], { kernel_shape: [2, 2] }, 12, ['y', ''])).toHaveLength(1);
  });

  it('works on int8 and uint8 and keeps float16', () => {
    const i8 = run('MaxPool', [new Tensor('int8', [-128, -5, -7, -128], [1, 1, 4])], { kernel_shape: [2] });
    expect(i8.type).toBe('int8');
    expect(i8.toNumbers()).toEqual([-5, -5, -7]);
    const u8 = run('MaxPool', [new Tensor('uint8', [0, 200, 255, 3], [1, 1, 2, 2])], { kernel_shape: [2, 2] });
    expect(u8.toNumbers()).toEqual([255]);
    const h = run('MaxPool', [new Tensor('float16', [0.5, -2, 3, 1], [1, 1, 4])], { kernel_shape: [2], strides: [2] });
    expect(h.type).toBe('float16');
    expect(h.toNumbers()).toEqual([0.5, 3]);
  });

  it('propagates NaN', () => {
    expect(run('MaxPool', [f32([1, NaN, 3, 4], [1, 1, 4])], { kernel_shape: [2] }).toNumbers()).toEqual([NaN, NaN, 4]);
  });

  const cases: PoolCase[] = [
    { name: '1-D with pads and stride', xd: [2, 2, 9], attrs: { kernel_shape: [3], strides: [2], pads: [1, 2] }, geo: { kernel: [3], strides: [2], dilations: [1], padsBegin: [1], padsEnd: [2], outDims: [5] } },
    { name: '2-D dilated ceil_mode with pads', xd: [1, 3, 7, 8], attrs: { kernel_shape: [2, 3], strides: [2, 3], dilations: [2, 1], pads: [1, 0, 0, 1], ceil_mode: 1 }, geo: { kernel: [2, 3], strides: [2, 3], dilations: [2, 1], padsBegin: [1, 0], padsEnd: [0, 1], outDims: [4, 3] } },
    { name: '3-D SAME_LOWER', xd: [1, 2, 5, 4, 3], attrs: { kernel_shape: [2, 3, 2], strides: [2, 1, 2], auto_pad: 'SAME_LOWER' }, geo: { kernel: [2, 3, 2], strides: [2, 1, 2], dilations: [1, 1, 1], padsBegin: [1, 1, 1], padsEnd: [0, 1, 0], outDims: [3, 4, 2] } },
  ];
  for (const c of cases) {
    it(`matches the direct definition: ${c.name}`, () => {
      const x = rand(prod(c.xd), 3);
      const y = run('MaxPool', [f32(x, c.xd)], c.attrs, 12);
      expect(y.dims).toEqual([...c.xd.slice(0, 2), ...c.geo.outDims]);
      expectClose(y.data as Float32Array, naivePool('max', x, c.xd, c.geo));
      expect(infer('MaxPool', [{ dtype: 'float32', shape: c.xd }], c.attrs, 12)).toEqual([{ dtype: 'float32', shape: y.dims }]);
    });
  }

  it('infers symbolic dims and the Indices output', () => {
    expect(infer('MaxPool', [{ dtype: 'float32', shape: ['n', 'c', 'h', 9] }], { kernel_shape: [3, 3], strides: [2, 2] }, 12, ['y', 'i'])).toEqual([
      { dtype: 'float32', shape: ['n', 'c', undefined, 4] },
      { dtype: 'int64', shape: ['n', 'c', undefined, 4] },
    ]);
    expect(infer('MaxPool', [{ dtype: 'float32', shape: ['n', 3, 'h', 'w'] }], { kernel_shape: [3, 3], auto_pad: 'SAME_UPPER' })[0]!.shape).toEqual(['n', 3, 'h', 'w']);
    expect(infer('MaxPool', [{ dtype: 'float32' }], { kernel_shape: [3, 3] })[0]!.shape).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('rejects bad input', () => {
    expectError(() => run('MaxPool', [x5], {}), 'MODEL_INVALID', 'kernel_shape');
    expectError(() => run('MaxPool', [x5], { kernel_shape: [3] }), 'MODEL_INVALID', 'kernel_shape has 1 values, expected 2');
    expectError(() => run('MaxPool', [f32(range(4), [2, 2])], { kernel_shape: [2] }), 'SHAPE_MISMATCH', 'X has 2 dims');
    expectError(() => run('MaxPool', [x5], { kernel_shape: [6, 6] }), 'SHAPE_MISMATCH', 'larger than the padded input');
    expectError(() => run('MaxPool', [x5], { kernel_shape: [2, 2], storage_order: 2 }), 'MODEL_INVALID', 'storage_order');
    expectError(() => run('MaxPool', [new Tensor('int32', range(25), [1, 1, 5, 5])], { kernel_shape: [2, 2] }), 'DTYPE_MISMATCH');
    expectError(() => run('MaxPool', [x5], { kernel_shape: [2, 2], auto_pad: 'FULL' }), 'MODEL_INVALID');
  });
});

describe('AveragePool', () => {
  const x5 = f32(range(25, 1), [1, 1, 5, 5]);

  it('matches the ONNX precomputed examples, with and without count_include_pad', () => {
    expectClose(run('AveragePool', [x5], { kernel_shape: [5, 5], pads: [2, 2, 2, 2] }).toNumbers(), [
      7, 7.5, 8, 8.5, 9, 9.5, 10, 10.5, 11, 11.5, 12, 12.5, 13, 13.5, 14, 14.5, 15, 15.5, 16, 16.5, 17, 17.5, 18, 18.5, 19,
    ]);
    expectClose(run('AveragePool', [x5], { kernel_shape: [5, 5], pads: [2, 2, 2, 2], count_include_pad: 1 }).toNumbers(), [
      2.52, 3.6, 4.8, 4.08, 3.24, 4.56, 6.4, 8.4, 7.04, 5.52, 7.2, 10, 13, 10.8, 8.4, 6.96, 9.6, 12.4, 10.24, 7.92, 6.12, 8.4, 10.8, 8.88, 6.84,
    ]);
    expect(run('AveragePool', [x5], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }).toNumbers()).toEqual([4, 5.5, 7, 11.5, 13, 14.5, 19, 20.5, 22]);
    expect(run('AveragePool', [f32(range(16, 1), [1, 1, 4, 4])], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }).toNumbers()).toEqual([6, 7.5, 12, 13.5]);
  });

  it('supports dilations (opset 19 semantics)', () => {
    const y = run('AveragePool', [f32(range(16, 1), [1, 1, 4, 4])], { kernel_shape: [2, 2], dilations: [2, 2], ceil_mode: 1 });
    expect(y.toNumbers()).toEqual([6, 7, 10, 11]);
  });

  it('counts only the padded input, not the ceil_mode overhang, with count_include_pad', () => {
    // 1-D [1..5], kernel 3, stride 2, pads 1/0, ceil: windows [-1,1] [1,3] [3,5]; the last one overhangs by 1.
    const y = run('AveragePool', [f32([1, 2, 3, 4, 5], [1, 1, 5])], { kernel_shape: [3], strides: [2], pads: [1, 0], ceil_mode: 1, count_include_pad: 1 });
    expect(y.toNumbers()).toEqual([1, 3, 4.5]);
  });

  const cases: PoolCase[] = [
    { name: '1-D', xd: [1, 3, 10], attrs: { kernel_shape: [4], strides: [3], pads: [2, 1] }, geo: { kernel: [4], strides: [3], dilations: [1], padsBegin: [2], padsEnd: [1], outDims: [4] } },
    { name: '2-D ceil with asymmetric pads', xd: [2, 2, 6, 7], attrs: { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 2, 1], ceil_mode: 1 }, geo: { kernel: [3, 2], strides: [2, 2], dilations: [1, 1], padsBegin: [1, 0], padsEnd: [2, 1], outDims: [4, 4] } },
    { name: '3-D SAME_UPPER', xd: [1, 1, 4, 5, 3], attrs: { kernel_shape: [3, 2, 2], strides: [2, 2, 1], auto_pad: 'SAME_UPPER' }, geo: { kernel: [3, 2, 2], strides: [2, 2, 1], dilations: [1, 1, 1], padsBegin: [0, 0, 0], padsEnd: [1, 1, 1], outDims: [2, 3, 3] } },
  ];
  for (const c of cases) {
    for (const countPad of [0, 1]) {
      it(`matches the direct definition: ${c.name}, count_include_pad=${countPad}`, () => {
        const x = rand(prod(c.xd), 5);
        const y = run('AveragePool', [f32(x, c.xd)], { ...c.attrs, count_include_pad: countPad });
        expect(y.dims).toEqual([...c.xd.slice(0, 2), ...c.geo.outDims]);
        expectClose(y.data as Float32Array, naivePool('avg', x, c.xd, c.geo, countPad === 1));
      });
    }
  }

  it('keeps float64', () => {
    const y = run('AveragePool', [new Tensor('float64', [1, 2, 3, 4], [1, 1, 4])], { kernel_shape: [2], strides: [2] });
    expect(y.type).toBe('float64');
    expect(y.toNumbers()).toEqual([1.5, 3.5]);
  });

  it('rejects integer input', () => {
    expectError(() => run('AveragePool', [new Tensor('int8', [1, 2, 3, 4], [1, 1, 4])], { kernel_shape: [2] }), 'DTYPE_MISMATCH');
  });
});

describe('LpPool', () => {
  it('computes the p-norm of each window; padding adds nothing', () => {
    const x = f32([1, -2, 3, 4], [1, 1, 4]);
    expectClose(run('LpPool', [x], { kernel_shape: [2], strides: [2], pads: [1, 1] }).toNumbers(), [1, Math.sqrt(13), 4]);
    expect(run('LpPool', [x], { kernel_shape: [4], p: 1 }).toNumbers()).toEqual([10]);
    expectClose(run('LpPool', [x], { kernel_shape: [2], p: 3 }).toNumbers(), [9 ** (1 / 3), 35 ** (1 / 3), 91 ** (1 / 3)]);
  });

  it('matches the direct definition in 2-D with dilations', () => {
    const xd = [1, 2, 6, 6];
    const x = rand(prod(xd), 7);
    const attrs = { kernel_shape: [2, 3], strides: [1, 2], dilations: [2, 1], pads: [1, 1, 0, 1] };
    const y = run('LpPool', [f32(x, xd)], attrs, 18);
    const geo = { kernel: [2, 3], strides: [1, 2], dilations: [2, 1], padsBegin: [1, 1], padsEnd: [0, 1], outDims: [5, 3] };
    expectClose(y.data as Float32Array, naivePool('lp', x, xd, geo));
  });

  it('accepts opset 1 float p and rejects p <= 0', () => {
    expect(run('LpPool', [f32([3, 4], [1, 1, 2])], { kernel_shape: [2], p: { type: 'float', value: 2 } }, 1).toNumbers()).toEqual([5]);
    expectError(() => run('LpPool', [f32([3, 4], [1, 1, 2])], { kernel_shape: [2], p: 0 }), 'MODEL_INVALID', 'p is 0');
  });
});

describe('Global pools', () => {
  const x = f32([1, 2, 3, 4, -1, -2, -3, -4], [1, 2, 2, 2]);

  it('reduce each channel plane', () => {
    expect(run('GlobalAveragePool', [x]).toNumbers()).toEqual([2.5, -2.5]);
    expect(run('GlobalMaxPool', [x]).toNumbers()).toEqual([4, -1]);
    expectClose(run('GlobalLpPool', [x]).toNumbers(), [Math.sqrt(30), Math.sqrt(30)]);
    expect(run('GlobalLpPool', [x], { p: 1 }).toNumbers()).toEqual([10, 10]);
    expect(run('GlobalAveragePool', [x]).dims).toEqual([1, 2, 1, 1]);
  });

  it('handles 1-D and 3-D inputs and an empty batch', () => {
    expect(run('GlobalMaxPool', [f32([1, 5, 2], [1, 1, 3])]).dims).toEqual([1, 1, 1]);
    expect(run('GlobalAveragePool', [f32(range(8), [1, 1, 2, 2, 2])]).toNumbers()).toEqual([3.5]);
    expect(run('GlobalAveragePool', [f32([], [0, 3, 2, 2])]).dims).toEqual([0, 3, 1, 1]);
  });

  it('infers symbolic shapes', () => {
    expect(infer('GlobalAveragePool', [{ dtype: 'float32', shape: ['n', 3, 'h', 'w'] }])).toEqual([{ dtype: 'float32', shape: ['n', 3, 1, 1] }]);
    expect(infer('GlobalMaxPool', [{ dtype: 'float16' }])).toEqual([{ dtype: 'float16' }]);
  });

  it('rejects bad input', () => {
    expectError(() => run('GlobalAveragePool', [f32([1], [1])]), 'SHAPE_MISMATCH');
    expectError(() => run('GlobalMaxPool', [new Tensor('int32', [1, 2], [1, 1, 2])]), 'DTYPE_MISMATCH');
  });
});

describe('BatchNormalization', () => {
  const x = f32([-1, 0, 1, 2, 3, 4], [1, 2, 1, 3]);
  const params = [f32([1, 1.5], [2]), f32([0, 1], [2]), f32([0, 3], [2]), f32([1, 1.5], [2])];

  it('matches the ONNX example', () => {
    const y = run('BatchNormalization', [x, ...params], {}, 15);
    expectClose(y.toNumbers(), [-0.999995, 0, 0.999995, -0.22474074, 1, 2.2247407]);
    const e = run('BatchNormalization', [x, ...params], { epsilon: 0.5 }, 9);
    expectClose(e.toNumbers(), [-1 / Math.sqrt(1.5), 0, 1 / Math.sqrt(1.5), 1 - 1.5 / Math.sqrt(2), 1, 1 + 1.5 / Math.sqrt(2)]);
  });

  it('accepts rank 1 and rank 2 inputs', () => {
    const one = (v: number) => f32([v], [1]);
    expectClose(run('BatchNormalization', [f32([1, 2, 3], [3]), one(2), one(1), one(2), one(1 - 1e-5)]).toNumbers(), [-1, 1, 3]);
    const y = run('BatchNormalization', [f32([1, 2, 3, 4], [2, 2]), f32([1, 1], [2]), f32([0, 0], [2]), f32([1, 2], [2]), f32([1, 1], [2])], { epsilon: { type: 'float', value: 0 } });
    expect(y.toNumbers()).toEqual([0, 0, 2, 2]);
  });

  it('spatial=0 (opsets 7-8) uses one parameter per element of a sample', () => {
    const xs = f32(range(8), [2, 2, 2]);
    const s = f32([1, 2, 3, 4], [2, 2]);
    const zero = f32([0, 0, 0, 0], [2, 2]);
    const var1 = f32([1, 1, 1, 1], [2, 2]);
    const y = run('BatchNormalization', [xs, s, zero, zero, var1], { spatial: 0, epsilon: { type: 'float', value: 0 } }, 7);
    expect(y.toNumbers()).toEqual([0, 2, 6, 12, 4, 10, 18, 28]);
    expectError(() => run('BatchNormalization', [xs, s, zero, zero, var1], { epsilon: { type: 'float', value: 0 } }, 7), 'SHAPE_MISMATCH', 'scale has shape [2,2]');
  });

  it('mixes float types from opset 15, keeping X dtype', () => {
    const xh = new Tensor('float16', [-1, 0, 1, 2, 3, 4], [1, 2, 1, 3]);
    const y = run('BatchNormalization', [xh, ...params], {}, 15);
    expect(y.type).toBe('float16');
    expectClose(y.toNumbers(), [-1, 0, 1, -0.2247, 1, 2.2247], 1e-3);
    expectError(() => run('BatchNormalization', [xh, ...params], {}, 14), 'DTYPE_MISMATCH');
  });

  it('refuses training mode', () => {
    expectError(() => run('BatchNormalization', [x, ...params], { training_mode: 1 }, 15), 'OP_UNSUPPORTED', 'training');
    expectError(() => runAll('BatchNormalization', [x, ...params], {}, 9, ['y', 'mean', 'var']), 'OP_UNSUPPORTED');
    expectError(() => runAll('BatchNormalization', [x, ...params], {}, 15, ['y', 'mean', 'var']), 'MODEL_INVALID');
    expectError(() => infer('BatchNormalization', [{ dtype: 'float32' }, ...params.map((p) => ({ dtype: p.type }))], { training_mode: 1 }, 15), 'OP_UNSUPPORTED');
  });

  it('rejects wrong parameter sizes, dtypes and missing inputs', () => {
    expectError(() => run('BatchNormalization', [x, f32([1, 2, 3], [3]), ...params.slice(1)]), 'SHAPE_MISMATCH', 'expected 2 values');
    expectError(() => run('BatchNormalization', [new Tensor('int32', range(6), [1, 2, 1, 3]), ...params]), 'DTYPE_MISMATCH');
    expectError(() => run('BatchNormalization', [x, ...params.slice(0, 3)]), 'MODEL_INVALID', 'var');
  });

  it('infers the input type', () => {
    const p: ValueType = { dtype: 'float32', shape: ['c'] };
    expect(infer('BatchNormalization', [{ dtype: 'float32', shape: ['n', 'c', 4, 4] }, p, p, p, p])).toEqual([{ dtype: 'float32', shape: ['n', 'c', 4, 4] }]);
    expectError(() => infer('BatchNormalization', [{ dtype: 'float32', shape: ['n', 3] }, { dtype: 'float32', shape: [4] }, p, p, p]), 'SHAPE_MISMATCH');
  });
});

describe('InstanceNormalization', () => {
  it('matches the ONNX example', () => {
    const x = f32([-1, 0, 1, 2, 3, 4], [1, 2, 1, 3]);
    const y = run('InstanceNormalization', [x, f32([1, 1.5], [2]), f32([0, 1], [2])]);
    expectClose(y.toNumbers(), [-1.2247356, 0, 1.2247356, -0.8371035, 1, 2.8371034]);
  });

  it('normalizes each sample and channel separately', () => {
    const x = f32([1, 3, 10, 30, 5, 7, 0, 4], [2, 2, 2]);
    const y = run('InstanceNormalization', [x, f32([1, 2], [2]), f32([0, 0], [2])], { epsilon: { type: 'float', value: 0 } });
    expect(y.toNumbers()).toEqual([-1, 1, -2, 2, -1, 1, -2, 2]);
    expect(infer('InstanceNormalization', [{ dtype: 'float32', shape: ['n', 2, 'l'] }, { dtype: 'float32', shape: [2] }, { dtype: 'float32', shape: [2] }])).toEqual([
      { dtype: 'float32', shape: ['n', 2, 'l'] },
    ]);
  });

  it('rejects bad input', () => {
    expectError(() => run('InstanceNormalization', [f32(range(4), [2, 2]), f32([1, 1], [2]), f32([0, 0], [2])]), 'SHAPE_MISMATCH');
    expectError(() => run('InstanceNormalization', [f32(range(8), [1, 2, 4]), f32([1, 1, 1], [3]), f32([0, 0], [2])]), 'SHAPE_MISMATCH');
    expectError(() => run('InstanceNormalization', [f32(range(8), [1, 2, 4]), new Tensor('float64', [1, 1], [2]), f32([0, 0], [2])]), 'DTYPE_MISMATCH');
  });
});
