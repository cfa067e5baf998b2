// Tests of the fused integer reference kernels: hand-checked values of the float32 (Conv, Gemm) and fixed-point (Add, pools) requantization, clamps and
// zero points, agreement with DequantizeLinear -> float op -> QuantizeLinear within one step, and clear errors.

import { describe, expect, it } from 'vitest';
import { EdgeError } from '../../errors.js';
import type { Attribute, Node } from '../../ir/graph.js';
import type { DataType } from '../../tensor/dtype.js';
import { randomTensor } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { convOps } from './conv.js';
import { qfusedOps } from './qfused.js';
import { quantOps } from './quant.js';

const ints = (value: number[]): Attribute => ({ type: 'ints', value });
const int = (value: number): Attribute => ({ type: 'int', value });
const floats = (value: number[]): Attribute => ({ type: 'floats', value });

function node(op: string, attrs: Record<string, Attribute>, inputs = ['x', 'w', 'b']): Node {
  return { op, domain: 'edgeinfer', name: 'q', inputs, outputs: ['y'], attrs: new Map(Object.entries(attrs)) };
}

function run(op: string, attrs: Record<string, Attribute>, inputs: (Tensor | undefined)[]): Tensor {
  return qfusedOps[`edgeinfer.${op}`]!.run({ node: node(op, attrs), opset: 13 }, inputs)[0]!;
}

const t = (dtype: DataType, values: number[], dims: number[]) => Tensor.fromNumbers(dtype, values, dims);

describe('QLinearConvFixed', () => {
  // x [1, 2, 1, 2] (x_zero_point 2), w [2, 2, 1, 1], bias [5, -6]: sums 11, -11 (channel 0) and 18, -24 (channel 1).
  const x = t('int8', [10, -4, 3, 7], [1, 2, 1, 2]);
  const w = t('int8', [1, -2, 3, 0], [2, 2, 1, 1]);
  const b = t('int32', [5, -6], [2]);
  const attrs = {
    kernel_shape: ints([1, 1]),
    x_zero_point: int(2),
    scale: floats([0.5, 0.25]),
    y_zero_point: int(1),
  };

  it('adds the bias to the int32 sums and requantizes per channel in float32, rounding half to even', () => {
    // 11 * 0.5 = 5.5 -> 6; -11 * 0.5 = -5.5 -> -6; 18 * 0.25 = 4.5 -> 4 and -24 * 0.25 = -6; then + 1.
    const y = run('QLinearConvFixed', attrs, [x, w, b]);
    expect(y.type).toBe('int8');
    expect(y.dims).toEqual([1, 2, 1, 2]);
    expect(y.toNumbers()).toEqual([7, -5, 5, -5]);
  });

  it('clamps to output_min / output_max (the fused activation)', () => {
    const y = run('QLinearConvFixed', { ...attrs, output_min: int(-4), output_max: int(6) }, [x, w, b]);
    expect(y.toNumbers()).toEqual([6, -4, 5, -4]);
  });

  it('subtracts per-channel weight zero points and works without a bias', () => {
    // w - w_zero_point: channel 0 [0, -3], channel 1 [3, 0] (zero points 1, 0); x - 2 = [8, -6] and [1, 5].
    const y = run('QLinearConvFixed', { ...attrs, w_zero_point: ints([1, 0]), scale: floats([1]) }, [x, w, undefined]);
    // Multiplier 1.0: channel 0 = -3, -15; channel 1 = 24, -18; + 1.
    expect(y.toNumbers()).toEqual([-2, -14, 25, -17]);
  });

  it('keeps uint8 activations uint8 and saturates to [0, 255]', () => {
    const xu = t('uint8', [200, 0, 255, 128], [1, 1, 2, 2]);
    const wu = t('int8', [2], [1, 1, 1, 1]);
    const y = run('QLinearConvFixed', { kernel_shape: ints([1, 1]), x_zero_point: int(128), scale: floats([2]), y_zero_point: int(128) }, [xu, wu, undefined]);
    expect(y.type).toBe('uint8');
    // (x - 128) * 2 + 128: 272 -> 255, -128 -> 0, 382 -> 255, 128.
    expect(y.toNumbers()).toEqual([255, 0, 255, 128]);
  });

  it('agrees with DequantizeLinear -> Conv -> QuantizeLinear within one step (3x3, stride 2, pads, groups)', () => {
    const xs = 0.05;
    const ys = 0.2;
    const ws = [0.01, 0.02, 0.015, 0.03];
    const int8 = (dims: number[], seed: number, gain: number) =>
      t('int8', randomTensor('float32', dims, seed).toNumbers().map((v) => Math.max(-128, Math.min(127, Math.round(v * gain)))), dims);
    const xq = int8([1, 4, 7, 6], 1, 60);
    const wq = int8([4, 2, 3, 3], 2, 60);
    const bq = t('int32', [100, -200, 3000, -7], [4]);
    const convAttrs = { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 0, 1, 1]), group: int(2) };
    const y = run('QLinearConvFixed', {
      ...convAttrs,
      x_zero_point: int(-3),
      scale: floats(ws.map((s) => (xs * s) / ys)),
      y_zero_point: int(5),
    }, [xq, wq, bq]);

    const dq = (v: Tensor, scale: number[], zp: number, axis?: number) =>
      quantOps.DequantizeLinear!.run({ node: node('DequantizeLinear', axis === undefined ? {} : { axis: int(axis) }), opset: 13 }, [
        v,
        new Tensor('float32', Float32Array.from(scale), scale.length === 1 ? [] : [scale.length]),
        ...(v.type === 'int32' ? [] : [Tensor.fromNumbers(v.type, scale.map(() => zp), scale.length === 1 ? [] : [scale.length])]),
      ])[0]!;
    const conv = convOps.Conv!.run({ node: { ...node('Conv', convAttrs), domain: '' }, opset: 13 }, [
      dq(xq, [xs], -3),
      dq(wq, ws, 0, 0),
      dq(bq, ws.map((s) => Math.fround(xs * s)), 0, 0),
    ])[0]!;
    const expected = quantOps.QuantizeLinear!.run({ node: node('QuantizeLinear', {}), opset: 13 }, [conv, new Tensor('float32', [ys], []), t('int8', [5], [])])[0]!;
    expect(y.dims).toEqual(expected.dims);
    const diff = y.toNumbers().map((v, i) => Math.abs(v - expected.toNumbers()[i]!));
    expect(Math.max(...diff)).toBeLessThanOrEqual(1);
  });
});

describe('QGemmFixed', () => {
  it('computes (a - a_zero_point) x (w - w_zero_point[n]) + bias and requantizes per column', () => {
    // a - (-1) = [5, -1, 1]; w - [0, 1] by column: [1, 3, -5] and [1, 3, 5]; sums -3 and 7; + bias [10, 0] = 7, 7.
    const a = t('int8', [4, -2, 0], [1, 3]);
    const w = t('int8', [1, 2, 3, 4, -5, 6], [3, 2]);
    const b = t('int32', [10, 0], [2]);
    // Column 0: scale 1.0 -> 7; column 1: 0.125 -> 0.875 -> 1.
    const y = run('QGemmFixed', { a_zero_point: int(-1), w_zero_point: ints([0, 1]), scale: floats([1, 0.125]) }, [a, w, b]);
    expect(y.dims).toEqual([1, 2]);
    expect(y.toNumbers()).toEqual([7, 1]);
  });

  it('flattens leading dims of a (MatMul [B, M, K] x [K, N])', () => {
    const a = t('int8', [1, 2, 3, 4, 5, 6], [3, 1, 2]);
    const w = t('int8', [1, -1], [2, 1]);
    const y = run('QGemmFixed', { scale: floats([1]) }, [a, w, undefined]);
    expect(y.dims).toEqual([3, 1, 1]);
    expect(y.toNumbers()).toEqual([-1, -1, -1]);
  });
});

describe('QGemmToFloat', () => {
  it('dequantizes the int32 sums plus bias with one float32 scale per column', () => {
    // Sums as in QGemmFixed above: -3 + 10 = 7 and 7 + 0 = 7; scales 0.5 and 0.25.
    const a = t('int8', [4, -2, 0], [1, 3]);
    const w = t('int8', [1, 2, 3, 4, -5, 6], [3, 2]);
    const b = t('int32', [10, 0], [2]);
    const y = run('QGemmToFloat', { a_zero_point: int(-1), w_zero_point: ints([0, 1]), scale: { type: 'floats', value: [0.5, 0.25] } }, [a, w, b]);
    expect(y.type).toBe('float32');
    expect(y.toNumbers()).toEqual([3.5, 1.75]);
  });

  it('refuses a scale that is not positive', () => {
    const a = t('int8', [1], [1, 1]);
    const w = t('int8', [1], [1, 1]);
    expect(() => run('QGemmToFloat', { scale: { type: 'floats', value: [0] } }, [a, w])).toThrow(/scale 0 must be positive and finite/);
  });
});

describe('QAddFixed', () => {
  // a: zero point 1, multiplier 0.5; b: zero point -1, multiplier 0.25; output multiplier 2^-19, zero point 2.
  const attrs = {
    a_zero_point: int(1),
    a_multiplier: int(2 ** 30),
    a_shift: int(0),
    b_zero_point: int(-1),
    b_multiplier: int(2 ** 30),
    b_shift: int(-1),
    multiplier: ints([2 ** 30]),
    shift: ints([-18]),
    y_zero_point: int(2),
  };

  it('rescales both inputs with 20 fractional bits, adds and requantizes (TFLite)', () => {
    // (5-1) * 2^20 * 0.5 + (3+1) * 2^20 * 0.25 = 3 * 2^20 -> * 2^-19 = 6 -> 8.
    // (-2-1) * 2^19 + 0 = -3 * 2^19 -> -3 -> -1.
    const y = qfusedOps['edgeinfer.QAddFixed']!.run({ node: node('QAddFixed', attrs, ['a', 'b']), opset: 13 }, [t('int8', [5, -2], [2]), t('int8', [3, -1], [2])])[0]!;
    expect(y.toNumbers()).toEqual([8, -1]);
  });

  it('broadcasts like numpy and clamps', () => {
    const y = qfusedOps['edgeinfer.QAddFixed']!.run({ node: node('QAddFixed', { ...attrs, output_max: int(7) }, ['a', 'b']), opset: 13 }, [
      t('int8', [5, -2, 5, -2], [2, 2]),
      t('int8', [3, -1], [2]),
    ])[0]!;
    expect(y.dims).toEqual([2, 2]);
    expect(y.toNumbers()).toEqual([7, -1, 7, -1]);
  });
});

describe('QAveragePoolFixed / QGlobalAveragePoolFixed', () => {
  const one = { multiplier: ints([2 ** 30]), shift: ints([1]) }; // x_scale / y_scale = 1

  it('divides each window sum by its count inside the requantization', () => {
    // Windows [1, 2, 5, 6] -> 14 / 4 = 3.5 -> 4 and [3, 4, 7, 9] -> 23 / 4 = 5.75 -> 6.
    const x = t('int8', [1, 2, 3, 4, 5, 6, 7, 9], [1, 1, 2, 4]);
    const y = run('QAveragePoolFixed', { ...one, kernel_shape: ints([2, 2]), strides: ints([2, 2]) }, [x]);
    expect(y.dims).toEqual([1, 1, 1, 2]);
    expect(y.toNumbers()).toEqual([4, 6]);
  });

  it('counts pads only with count_include_pad, and subtracts the zero points', () => {
    const x = t('int8', [1, 2, 3, 4], [1, 1, 2, 2]);
    const attrs = { ...one, kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), x_zero_point: int(-2), y_zero_point: int(-2) };
    // Every window holds the four values: (1+2+3+4 + 4*2) / 4 = 4.5 -> 5 -> 3 with count 4; 18 / 9 = 2 -> 0 with count 9.
    expect(run('QAveragePoolFixed', attrs, [x]).toNumbers()).toEqual([3, 3, 3, 3]);
    expect(run('QAveragePoolFixed', { ...attrs, count_include_pad: int(1) }, [x]).toNumbers()).toEqual([0, 0, 0, 0]);
  });

  it('averages whole planes (global), with a rescale between input and output', () => {
    const x = t('uint8', [10, 20, 31, 0, 0, 1], [1, 2, 1, 3]);
    // x_scale / y_scale = 2: plane sums 61 * 2 / 3 = 40.67 -> 41 and 1 * 2 / 3 -> 1.
    const y = run('QGlobalAveragePoolFixed', { multiplier: ints([2 ** 30]), shift: ints([2]) }, [x]);
    expect(y.dims).toEqual([1, 2, 1, 1]);
    expect(y.toNumbers()).toEqual([41, 1]);
  });
});

describe('fused integer op errors', () => {
  const x = t('int8', [1, 2, 3, 4], [1, 1, 2, 2]);
  const w = t('int8', [1, 1], [2, 1, 1, 1]);
  const base = { kernel_shape: ints([1, 1]), scale: floats([0.5]) };

  it.each([
    ['three scales for two channels', { scale: floats([1, 2, 3]) }, /scale has 3 values, expected 1 or 2/],
    ['a zero scale', { scale: floats([0]) }, /scale 0 must be positive and finite/],
    ['an infinite scale', { scale: floats([Infinity]) }, /scale Infinity must be positive and finite/],
    ['a zero point outside int8', { y_zero_point: int(200) }, /y_zero_point is 200, expected an integer in \[-128, 127\]/],
    ['output_min above output_max', { output_min: int(10), output_max: int(5) }, /output_max is 5, expected an integer in \[10, 127\]/],
  ])('refuses %s (QPARAMS_INVALID, node named) at load and run time', (_what, attrs, message) => {
    const n = node('QLinearConvFixed', { ...base, ...attrs }, ['x', 'w']);
    const infer = () => qfusedOps['edgeinfer.QLinearConvFixed']!.infer({ node: n, opset: 13, constant: () => undefined }, [{ dtype: 'int8', shape: [1, 1, 2, 2] }, { dtype: 'int8', shape: [2, 1, 1, 1] }]);
    const exec = () => qfusedOps['edgeinfer.QLinearConvFixed']!.run({ node: n, opset: 13 }, [x, w]);
    for (const f of [infer, exec]) {
      expect(f).toThrow(message);
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(EdgeError);
        expect((err as EdgeError).code).toBe('QPARAMS_INVALID');
        expect((err as EdgeError).message).toMatch(/^QLinearConvFixed 'q': /);
      }
    }
  });

  it('refuses float inputs and a bias that is not int32', () => {
    const f = randomTensor('float32', [1, 1, 2, 2], 1);
    expect(() => run('QLinearConvFixed', base, [f, w])).toThrow(/x is float32, expected int8 or uint8/);
    expect(() => run('QLinearConvFixed', base, [x, w, t('int8', [1, 1], [2])])).toThrow(/B is int8, expected int32/);
    expect(() => run('QGemmFixed', base, [t('int8', [1, 2], [1, 2]), t('int8', [1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2])])).toThrow(/w has shape \[2,2,2\], expected \[K, N\]/);
  });

  it('infers the output type from x (uint8 stays uint8) and the conv geometry', () => {
    const n = node('QLinearConvFixed', { ...base, kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]) }, ['x', 'w']);
    const types = qfusedOps['edgeinfer.QLinearConvFixed']!.infer({ node: n, opset: 13, constant: () => undefined }, [
      { dtype: 'uint8', shape: ['batch', 2, 8, 8] },
      { dtype: 'int8', shape: [4, 2, 3, 3] },
    ]);
    expect(types).toEqual([{ dtype: 'uint8', shape: ['batch', 4, 8, 8] }]);
  });
});
