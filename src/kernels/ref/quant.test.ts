// Tests of the quantization kernels and their arithmetic: hand-checked values, edge cases, bad inputs.

import { describe, expect, it } from 'vitest';
import { EdgeError } from '../../errors.js';
import type { Attribute, Node, ValueType } from '../../ir/graph.js';
import type { DataType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import type { InferContext } from '../op-def.js';
import { quantOps } from './quant.js';
import { batchOffsets, requantize, requantMultiplier, roundHalfEven, saturateRound } from './quant-math.js';

type AttrInit = number | string | number[];

function makeNode(op: string, nInputs: number, attrs: Record<string, AttrInit> = {}): Node {
  const map = new Map<string, Attribute>();
  for (const [k, v] of Object.entries(attrs)) {
    map.set(k, Array.isArray(v) ? { type: 'ints', value: v } : typeof v === 'string' ? { type: 'string', value: v } : { type: 'int', value: v });
  }
  return { op, domain: '', name: 'q', inputs: Array.from({ length: nInputs }, (_, i) => `i${i}`), outputs: ['y'], attrs: map };
}

function ctxOf(op: string, inputs: unknown[], attrs: Record<string, AttrInit> = {}, opset = 13, constants: (Tensor | undefined)[] = []): InferContext {
  return { node: makeNode(op, inputs.length, attrs), opset, constant: (i) => constants[i] };
}

function run(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, AttrInit> = {}, opset = 13): Tensor[] {
  return quantOps[op]!.run(ctxOf(op, inputs, attrs, opset), inputs);
}

function infer(op: string, inputs: (ValueType | undefined)[], attrs: Record<string, AttrInit> = {}, opset = 13, constants: (Tensor | undefined)[] = []) {
  return quantOps[op]!.infer(ctxOf(op, inputs, attrs, opset, constants), inputs);
}

const T = (type: DataType, values: number[], dims?: number[]) => new Tensor(type, values, dims ?? [values.length]);
const S = (type: DataType, v: number) => new Tensor(type, [v], []);
const f32 = (v: number) => S('float32', v);

function errorCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(EdgeError);
    return (e as EdgeError).code;
  }
  return undefined;
}

describe('quant-math', () => {
  it('rounds half to even', () => {
    expect([0.5, 1.5, 2.5, 3.5, -1.5, -2.5, -3.5, 2.4999, 2.5001, 7].map((v) => roundHalfEven(v) + 0)).toEqual([0, 2, 2, 4, -2, -2, -4, 2, 3, 7]);
    expect(roundHalfEven(-0.5) + 0).toBe(0);
  });

  it('saturates, sending NaN to qmin like onnxruntime', () => {
    expect(saturateRound(300, 0, 0, 255)).toBe(255);
    expect(saturateRound(-3.5, 128, 0, 255)).toBe(124);
    expect(saturateRound(NaN, 10, -128, 127)).toBe(-128);
    expect(saturateRound(Infinity, 0, -128, 127)).toBe(127);
    expect(saturateRound(-Infinity, 0, 0, 255)).toBe(0);
  });

  it('requantizes in float32', () => {
    const m = requantMultiplier(0.1, 0.2, 0.3);
    expect(m).toBe(Math.fround(Math.fround(0.1 * 0.2) / 0.3));
    expect(requantize(15, 0.5, 10, 0, 255)).toBe(18); // 7.5 -> 8
    expect(requantize(13, 0.5, 10, 0, 255)).toBe(16); // 6.5 -> 6
    expect(requantize(1e6, 0.5, 0, -128, 127)).toBe(127);
  });

  it('computes broadcast batch offsets', () => {
    // [2,1,M,K] against output batch [2,3]: each outer index repeats over the broadcast 3.
    expect([...batchOffsets([2, 1, 2, 3], [2, 3])]).toEqual([0, 0, 0, 6, 6, 6]);
    expect([...batchOffsets([3, 4, 5], [2, 3])]).toEqual([0, 20, 40, 0, 20, 40]);
    expect([...batchOffsets([4, 5], [])]).toEqual([0]);
  });
});

describe('QuantizeLinear', () => {
  it('quantizes per tensor with round half to even and saturation (uint8)', () => {
    const [y] = run('QuantizeLinear', [T('float32', [0, 2, 3, 5, 1000, -254, -1000]), f32(2), S('uint8', 128)]);
    expect(y!.type).toBe('uint8');
    expect([...y!.data]).toEqual([128, 129, 130, 130, 255, 1, 0]);
  });

  it('defaults to uint8 with zero point 0 when the zero point is omitted (opset 10)', () => {
    const [y] = run('QuantizeLinear', [T('float32', [-1, 0.5, 1.5, 254.6]), T('float32', [1], [1]), undefined], {}, 10);
    expect(y!.type).toBe('uint8');
    expect([...y!.data]).toEqual([0, 0, 2, 255]);
  });

  it('outputs int8 from an int8 zero point and takes int32 input', () => {
    const [y] = run('QuantizeLinear', [T('int32', [-300, -7, 7, 300]), f32(2), S('int8', -1)]);
    expect(y!.type).toBe('int8');
    expect([...y!.data]).toEqual([-128, -5, 3, 127]); // -3.5 -> -4, 3.5 -> 4
  });

  it('quantizes per axis, including a negative axis', () => {
    const x = T('float32', [1, 2, 3, 4, 5, 6], [2, 3]);
    const [y] = run('QuantizeLinear', [x, T('float32', [1, 2, 4]), T('uint8', [0, 10, 20])], { axis: -1 });
    expect([...y!.data]).toEqual([1, 11, 21, 4, 12, 22]); // 2/2=1, 3/4=0.75->1; 5/2=2.5->2, 6/4=1.5->2
    const [z] = run('QuantizeLinear', [x, T('float32', [1, 2]), T('uint8', [0, 100])], { axis: 0 });
    expect([...z!.data]).toEqual([1, 2, 3, 102, 102, 103]);
    expect(z!.quant?.axis).toBe(0);
  });

  it('handles empty tensors', () => {
    const [y] = run('QuantizeLinear', [new Tensor('float32', [], [0, 3]), f32(1), S('int8', 0)]);
    expect(y!.dims).toEqual([0, 3]);
  });

  it('infers the output type with symbolic dims', () => {
    expect(infer('QuantizeLinear', [{ dtype: 'float32', shape: ['batch', 3] }, { dtype: 'float32', shape: [] }, { dtype: 'int8', shape: [] }])).toEqual([
      { dtype: 'int8', shape: ['batch', 3] },
    ]);
    expect(infer('QuantizeLinear', [{ dtype: 'float32', shape: ['batch', 3] }, { dtype: 'float32', shape: [3] }, undefined])).toEqual([
      { dtype: 'uint8', shape: ['batch', 3] },
    ]);
  });

  it('rejects bad quantization parameters', () => {
    const x = T('float32', [1, 2, 3, 4, 5, 6], [2, 3]);
    expect(errorCode(() => run('QuantizeLinear', [x, f32(0), S('uint8', 0)]))).toBe('QPARAMS_INVALID');
    expect(errorCode(() => run('QuantizeLinear', [x, f32(-1), S('uint8', 0)]))).toBe('QPARAMS_INVALID');
    expect(errorCode(() => run('QuantizeLinear', [x, f32(Infinity), S('uint8', 0)]))).toBe('QPARAMS_INVALID');
    expect(errorCode(() => run('QuantizeLinear', [x, f32(NaN), S('uint8', 0)]))).toBe('QPARAMS_INVALID');
    expect(errorCode(() => run('QuantizeLinear', [x, T('float32', [1, 2, 3]), T('uint8', [0, 0])]))).toBe('QPARAMS_INVALID'); // zp shape
    expect(errorCode(() => run('QuantizeLinear', [x, T('float32', [1, 2, 3]), T('uint8', [0, 0, 0])], { axis: 0 }))).toBe('QPARAMS_INVALID'); // axis size
    expect(errorCode(() => run('QuantizeLinear', [x, T('float32', [1, 2, 3]), undefined], { axis: 2 }))).toBe('QPARAMS_INVALID'); // axis range
    expect(errorCode(() => run('QuantizeLinear', [x, T('float32', [1, 2, 3]), undefined], {}, 10))).toBe('QPARAMS_INVALID'); // per-axis before 13
    expect(errorCode(() => run('QuantizeLinear', [x, T('float32', [1, 2], [1, 2]), undefined]))).toBe('QPARAMS_INVALID'); // 2-D scale
    // a constant bad scale fails at load time
    expect(errorCode(() => infer('QuantizeLinear', [{ dtype: 'float32', shape: [2] }, { dtype: 'float32', shape: [] }], {}, 13, [undefined, f32(0)]))).toBe(
      'QPARAMS_INVALID',
    );
  });

  it('rejects wrong dtypes and missing inputs', () => {
    expect(errorCode(() => run('QuantizeLinear', [T('uint8', [1]), f32(1)]))).toBe('DTYPE_MISMATCH');
    expect(errorCode(() => run('QuantizeLinear', [T('float32', [1]), S('float64', 1)]))).toBe('DTYPE_MISMATCH');
    expect(errorCode(() => run('QuantizeLinear', [T('float32', [1]), f32(1), S('int32', 0)]))).toBe('DTYPE_MISMATCH');
    expect(errorCode(() => run('QuantizeLinear', [T('float32', [1]), undefined]))).toBe('MODEL_INVALID');
  });
});

describe('DequantizeLinear', () => {
  it('dequantizes uint8 / int8 per tensor', () => {
    expect([...run('DequantizeLinear', [T('uint8', [0, 3, 128, 255]), f32(2), S('uint8', 128)])[0]!.data]).toEqual([-256, -250, 0, 254]);
    const [y] = run('DequantizeLinear', [T('int8', [-128, 0, 127]), f32(0.5)], {}, 10);
    expect(y!.type).toBe('float32');
    expect([...y!.data]).toEqual([-64, 0, 63.5]);
  });

  it('dequantizes per axis', () => {
    const x = T('int8', [1, 2, 3, 4, 5, 6], [1, 3, 2]);
    const [y] = run('DequantizeLinear', [x, T('float32', [1, 2, 0.5]), T('int8', [0, 1, -2])]);
    expect([...y!.data]).toEqual([1, 2, 4, 6, 3.5, 4]);
  });

  it('dequantizes int32 (zero point must be 0)', () => {
    expect([...run('DequantizeLinear', [T('int32', [-1000, 7]), f32(0.25), S('int32', 0)])[0]!.data]).toEqual([-250, 1.75]);
    expect(errorCode(() => run('DequantizeLinear', [T('int32', [1]), f32(1), S('int32', 3)]))).toBe('QPARAMS_INVALID');
  });

  it('rejects bad inputs', () => {
    expect(errorCode(() => run('DequantizeLinear', [T('uint8', [1]), f32(1), S('int8', 0)]))).toBe('DTYPE_MISMATCH');
    expect(errorCode(() => run('DequantizeLinear', [T('float32', [1]), f32(1)]))).toBe('DTYPE_MISMATCH');
    expect(errorCode(() => run('DequantizeLinear', [T('uint8', [1, 2], [1, 2]), T('float32', [1, 1, 1]), T('uint8', [0, 0, 0])]))).toBe('QPARAMS_INVALID');
    expect(errorCode(() => run('DequantizeLinear', [T('uint8', [1]), f32(0)]))).toBe('QPARAMS_INVALID');
  });
});

describe('DynamicQuantizeLinear', () => {
  it('follows the spec example', () => {
    const [y, scale, zp] = run('DynamicQuantizeLinear', [T('float32', [0, 2, -3, -2.5, 1.34, 0.5])], {}, 11);
    expect(scale!.dims).toEqual([]);
    expect(scale!.data[0]).toBeCloseTo(5 / 255, 7);
    expect([...zp!.data]).toEqual([153]);
    expect([...y!.data]).toEqual([153, 255, 0, 26, 221, 179]);
  });

  it('includes 0 in the range and handles all-zero and empty inputs', () => {
    const [y, scale, zp] = run('DynamicQuantizeLinear', [T('float32', [1, 2, 2.55], [3])], {}, 11);
    expect(scale!.data[0]).toBeCloseTo(0.01, 7);
    expect(zp!.data[0]).toBe(0);
    expect([...y!.data]).toEqual([100, 200, 255]);
    const zeros = run('DynamicQuantizeLinear', [new Tensor('float32', [0, 0], [2])], {}, 11);
    expect([zeros[1]!.data[0], zeros[2]!.data[0], ...zeros[0]!.data]).toEqual([1, 0, 0, 0]);
    const empty = run('DynamicQuantizeLinear', [new Tensor('float32', [], [0])], {}, 11);
    expect(empty[0]!.dims).toEqual([0]);
    expect(empty[1]!.data[0]).toBe(1);
  });

  it('infers three outputs and rejects non-float input', () => {
    expect(infer('DynamicQuantizeLinear', [{ dtype: 'float32', shape: ['n', 4] }], {}, 11)).toEqual([
      { dtype: 'uint8', shape: ['n', 4] },
      { dtype: 'float32', shape: [] },
      { dtype: 'uint8', shape: [] },
    ]);
    expect(errorCode(() => run('DynamicQuantizeLinear', [T('uint8', [1])], {}, 11))).toBe('DTYPE_MISMATCH');
  });
});

describe('ConvInteger', () => {
  const x9 = () => T('uint8', [1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);

  it('convolves without and with padding; padding holds the zero point', () => {
    const w = T('uint8', [1, 1, 1, 1], [1, 1, 2, 2]);
    const [y] = run('ConvInteger', [x9(), w], {}, 10);
    expect(y!.type).toBe('int32');
    expect(y!.dims).toEqual([1, 1, 2, 2]);
    expect([...y!.data]).toEqual([12, 16, 24, 28]);
    // x - 1 = 0..8; the padded border contributes nothing (not -1 * w).
    const [p] = run('ConvInteger', [x9(), w, S('uint8', 1)], { pads: [1, 1, 1, 1] }, 10);
    expect(p!.dims).toEqual([1, 1, 4, 4]);
    expect([...p!.data]).toEqual([0, 1, 3, 2, 3, 8, 12, 7, 9, 20, 24, 13, 6, 13, 15, 8]);
  });

  it('applies strides with pads and per-channel weight zero points', () => {
    const w = T('uint8', [...new Array(9).fill(1), ...new Array(9).fill(3)], [2, 1, 3, 3]);
    const [y] = run('ConvInteger', [x9(), w, undefined, T('uint8', [0, 2])], { pads: [1, 1, 1, 1], strides: [2, 2] }, 10);
    expect(y!.dims).toEqual([1, 2, 2, 2]);
    expect([...y!.data]).toEqual([12, 16, 24, 28, 12, 16, 24, 28]);
  });

  it('supports 1-D conv with auto_pad SAME_UPPER / SAME_LOWER / VALID and dilations', () => {
    const x = T('int8', [1, 2, 3, 4], [1, 1, 4]);
    const w = T('int8', [1, 10], [1, 1, 2]);
    expect([...run('ConvInteger', [x, w], { auto_pad: 'SAME_UPPER' }, 10)[0]!.data]).toEqual([21, 32, 43, 4]);
    expect([...run('ConvInteger', [x, w], { auto_pad: 'SAME_LOWER' }, 10)[0]!.data]).toEqual([10, 21, 32, 43]);
    expect([...run('ConvInteger', [x, w], { auto_pad: 'VALID' }, 10)[0]!.data]).toEqual([21, 32, 43]);
    expect([...run('ConvInteger', [x, w], { dilations: [2] }, 10)[0]!.data]).toEqual([31, 42]);
    expect([...run('ConvInteger', [x, w], { auto_pad: 'SAME_UPPER', strides: [2] }, 10)[0]!.data]).toEqual([21, 43]);
  });

  it('supports groups (depthwise) and 3-D kernels', () => {
    const x = T('uint8', [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
    const w = T('int8', [2, -3], [2, 1, 1, 1]);
    expect([...run('ConvInteger', [x, w], { group: 2 }, 10)[0]!.data]).toEqual([2, 4, 6, 8, -15, -18, -21, -24]);
    const x3 = T('uint8', new Array(8).fill(2), [1, 1, 2, 2, 2]);
    const w3 = T('uint8', new Array(8).fill(3), [1, 1, 2, 2, 2]);
    const [y3] = run('ConvInteger', [x3, w3], { kernel_shape: [2, 2, 2] }, 10);
    expect(y3!.dims).toEqual([1, 1, 1, 1, 1]);
    expect([...y3!.data]).toEqual([48]);
  });

  it('accepts auto_pad "" as NOTSET', () => {
    expect([...run('ConvInteger', [x9(), T('uint8', [1, 1, 1, 1], [1, 1, 2, 2])], { auto_pad: '' }, 10)[0]!.data]).toEqual([12, 16, 24, 28]);
  });

  it('infers symbolic shapes', () => {
    const out = infer('ConvInteger', [{ dtype: 'uint8', shape: ['N', 3, 'H', 8] }, { dtype: 'int8', shape: [4, 3, 3, 3] }], { pads: [1, 1, 1, 1], strides: [2, 2] }, 10);
    expect(out).toEqual([{ dtype: 'int32', shape: ['N', 4, undefined, 4] }]);
    // unknown kernel dims: the spatial output dims are unknown too
    const unknown = infer('ConvInteger', [{ dtype: 'uint8', shape: [1, 3, 8, 8] }, { dtype: 'uint8', shape: [4, 3, 'k', 'k'] }], {}, 10);
    expect(unknown).toEqual([{ dtype: 'int32', shape: [1, 4, undefined, undefined] }]);
  });

  it('rejects bad shapes, dtypes and attributes', () => {
    const w = T('uint8', [1, 1, 1, 1], [1, 1, 2, 2]);
    expect(errorCode(() => run('ConvInteger', [T('uint8', [1, 2], [1, 2]), w], {}, 10))).toBe('SHAPE_MISMATCH');
    expect(errorCode(() => run('ConvInteger', [T('uint8', new Array(18).fill(1), [1, 2, 3, 3]), w], {}, 10))).toBe('SHAPE_MISMATCH'); // channels
    expect(errorCode(() => run('ConvInteger', [T('uint8', [1, 2, 3, 4], [1, 1, 2, 2]), T('uint8', new Array(9).fill(1), [1, 1, 3, 3])], {}, 10))).toBe(
      'SHAPE_MISMATCH',
    ); // kernel larger than input
    expect(errorCode(() => run('ConvInteger', [x9(), T('int32', [1, 1, 1, 1], [1, 1, 2, 2])], {}, 10))).toBe('DTYPE_MISMATCH');
    expect(errorCode(() => run('ConvInteger', [x9(), w, S('int8', 0)], {}, 10))).toBe('DTYPE_MISMATCH');
    expect(errorCode(() => run('ConvInteger', [x9(), w, T('uint8', [1, 2])], {}, 10))).toBe('QPARAMS_INVALID');
    expect(errorCode(() => run('ConvInteger', [x9(), w, undefined, T('uint8', [1, 2])], {}, 10))).toBe('QPARAMS_INVALID');
    expect(errorCode(() => run('ConvInteger', [x9(), w], { auto_pad: 'SAME' }, 10))).toBe('MODEL_INVALID');
    expect(errorCode(() => run('ConvInteger', [x9(), w], { strides: [0, 1] }, 10))).toBe('MODEL_INVALID');
    expect(errorCode(() => run('ConvInteger', [x9(), w], { pads: [1, 1] }, 10))).toBe('MODEL_INVALID');
    expect(errorCode(() => run('ConvInteger', [x9(), w], { kernel_shape: [3, 3] }, 10))).toBe('SHAPE_MISMATCH');
  });
});

describe('QLinearConv', () => {
  const x9 = () => T('uint8', [1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
  const inputs = (w: Tensor, wScale: Tensor, wZp: Tensor, yScale = 8, bias?: Tensor) => [
    x9(),
    f32(1),
    S('uint8', 0),
    w,
    wScale,
    wZp,
    f32(yScale),
    S('uint8', 0),
    bias,
  ];

  it('requantizes with round half to even', () => {
    const [y] = run('QLinearConv', inputs(T('uint8', [1, 1, 1, 1], [1, 1, 2, 2]), f32(1), S('uint8', 0)), {}, 10);
    expect(y!.type).toBe('uint8');
    expect([...y!.data]).toEqual([2, 2, 3, 4]); // 12/8=1.5->2, 16/8=2, 24/8=3, 28/8=3.5->4
  });

  it('handles per-channel weight scales / zero points and an int32 bias', () => {
    const w = T('uint8', [1, 1, 1, 1, 2, 2, 2, 2], [2, 1, 2, 2]);
    const [y] = run('QLinearConv', inputs(w, T('float32', [1, 0.5]), T('uint8', [0, 1]), 8, T('int32', [4, -8])), {}, 10);
    expect(y!.dims).toEqual([1, 2, 2, 2]);
    // channel 0: (12,16,24,28)+4 over 8; channel 1: ((12,16,24,28)-8) * 0.5 over 8
    expect([...y!.data]).toEqual([2, 2, 4, 4, 0, 0, 1, 1]);
  });

  it('supports int8 activations, zero points and saturation', () => {
    const x = T('int8', [-128, -1, 0, 127], [1, 1, 2, 2]);
    const w = T('int8', [2], [1, 1, 1, 1]);
    const [y] = run('QLinearConv', [x, f32(0.5), S('int8', -1), w, f32(1), S('int8', 0), f32(0.25), S('int8', 5)], {}, 10);
    expect(y!.type).toBe('int8');
    // (x+1)*2*0.5/0.25 + 5 = 4(x+1) + 5 -> [-503, 5, 9, 517] saturated
    expect([...y!.data]).toEqual([-128, 5, 9, 127]);
  });

  it('infers the output type from y_zero_point', () => {
    const types: ValueType[] = [
      { dtype: 'uint8', shape: ['N', 1, 7, 7] },
      { dtype: 'float32', shape: [] },
      { dtype: 'uint8', shape: [] },
      { dtype: 'int8', shape: [5, 1, 3, 3] },
      { dtype: 'float32', shape: [5] },
      { dtype: 'int8', shape: [5] },
      { dtype: 'float32', shape: [] },
      { dtype: 'int8', shape: [] },
    ];
    expect(infer('QLinearConv', types, { auto_pad: 'SAME_LOWER', strides: [2, 2] }, 10)).toEqual([{ dtype: 'int8', shape: ['N', 5, 4, 4] }]);
  });

  it('rejects bad parameters', () => {
    const w = T('uint8', [1, 1, 1, 1], [1, 1, 2, 2]);
    expect(errorCode(() => run('QLinearConv', inputs(w, T('float32', [1, 2]), T('uint8', [0, 0])), {}, 10))).toBe('QPARAMS_INVALID');
    expect(errorCode(() => run('QLinearConv', inputs(w, f32(1), S('uint8', 0), 0), {}, 10))).toBe('QPARAMS_INVALID');
    expect(errorCode(() => run('QLinearConv', inputs(w, f32(1), S('int8', 0)), {}, 10))).toBe('DTYPE_MISMATCH');
    expect(errorCode(() => run('QLinearConv', inputs(w, f32(1), S('uint8', 0), 8, T('int32', [1, 2])), {}, 10))).toBe('SHAPE_MISMATCH');
    expect(errorCode(() => run('QLinearConv', inputs(w, f32(1), S('uint8', 0), 8, T('float32', [1])), {}, 10))).toBe('DTYPE_MISMATCH');
    const noYzp = inputs(w, f32(1), S('uint8', 0));
    noYzp[7] = undefined;
    expect(errorCode(() => run('QLinearConv', noYzp, {}, 10))).toBe('MODEL_INVALID');
    const xScales = inputs(w, f32(1), S('uint8', 0));
    xScales[1] = T('float32', [1, 1]);
    expect(errorCode(() => run('QLinearConv', xScales, {}, 10))).toBe('QPARAMS_INVALID');
  });
});

describe('MatMulInteger', () => {
  it('multiplies with per-row A and per-column B zero points', () => {
    const a = T('uint8', [1, 2, 3, 4, 5, 6], [2, 3]);
    const b = T('uint8', [1, 2, 3, 4, 5, 6], [3, 2]);
    const [y] = run('MatMulInteger', [a, b, T('uint8', [1, 4]), T('uint8', [1, 2])], {}, 10);
    // A - [1;4] = [[0,1,2],[0,1,2]]; B - [1,2] = [[0,0],[2,2],[4,4]]
    expect(y!.type).toBe('int32');
    expect([...y!.data]).toEqual([10, 10, 10, 10]);
    const [plain] = run('MatMulInteger', [a, b], {}, 10);
    expect([...plain!.data]).toEqual([22, 28, 49, 64]);
  });

  it('broadcasts batches and handles 1-D operands', () => {
    const a = T('int8', [1, 0, 0, 1, 2, 0, 0, 2], [2, 1, 2, 2]);
    const b = T('int8', [1, 2, 3, 4, -1, -2, -3, -4, 0, 1, 1, 0], [3, 2, 2]);
    const [y] = run('MatMulInteger', [a, b], {}, 10);
    expect(y!.dims).toEqual([2, 3, 2, 2]);
    expect([...y!.data]).toEqual([1, 2, 3, 4, -1, -2, -3, -4, 0, 1, 1, 0, 2, 4, 6, 8, -2, -4, -6, -8, 0, 2, 2, 0]);
    const [v] = run('MatMulInteger', [T('uint8', [1, 2]), T('uint8', [3, 4, 5, 6], [2, 2])], {}, 10);
    expect(v!.dims).toEqual([2]);
    expect([...v!.data]).toEqual([13, 16]);
    const [s] = run('MatMulInteger', [T('uint8', [1, 2]), T('uint8', [3, 4])], {}, 10);
    expect(s!.dims).toEqual([]);
    expect([...s!.data]).toEqual([11]);
  });

  it('takes N-D per-row zero points [..., M, 1]', () => {
    const a = T('uint8', [5, 5, 7, 7, 5, 5, 7, 7], [2, 2, 2]);
    const b = T('uint8', [1, 1], [2, 1]);
    const [y] = run('MatMulInteger', [a, b, T('uint8', [5, 7, 4, 6], [2, 2, 1])], {}, 10);
    expect([...y!.data]).toEqual([0, 0, 2, 2]);
  });

  it('wraps the int32 accumulator', () => {
    const K = 40000;
    const [y] = run('MatMulInteger', [new Tensor('uint8', new Uint8Array(K).fill(255), [1, K]), new Tensor('uint8', new Uint8Array(K).fill(255), [K, 1])], {}, 10);
    expect(y!.data[0]).toBe(65025 * K - 2 ** 32);
  });

  it('refuses an absurd broadcast batch instead of allocating it', () => {
    const a = new Tensor('uint8', [], [100000, 1, 0, 2]);
    const b = new Tensor('uint8', [], [1, 100000, 2, 0]);
    expect(errorCode(() => run('MatMulInteger', [a, b], {}, 10))).toBe('LIMIT_EXCEEDED');
  });

  it('infers symbolic shapes', () => {
    expect(infer('MatMulInteger', [{ dtype: 'uint8', shape: ['B', 'S', 64] }, { dtype: 'int8', shape: [64, 32] }], {}, 10)).toEqual([
      { dtype: 'int32', shape: ['B', 'S', 32] },
    ]);
  });

  it('rejects bad inputs', () => {
    const a = T('uint8', [1, 2, 3, 4, 5, 6], [2, 3]);
    expect(errorCode(() => run('MatMulInteger', [a, T('uint8', [1, 2, 3, 4], [2, 2])], {}, 10))).toBe('SHAPE_MISMATCH');
    expect(errorCode(() => run('MatMulInteger', [a, T('float32', [1, 2, 3], [3, 1])], {}, 10))).toBe('DTYPE_MISMATCH');
    expect(errorCode(() => run('MatMulInteger', [a, T('uint8', [1, 2, 3], [3, 1]), T('uint8', [1, 2, 3])], {}, 10))).toBe('QPARAMS_INVALID');
    expect(errorCode(() => run('MatMulInteger', [a, T('uint8', [1, 2, 3], [3, 1]), undefined, T('uint8', [1, 2])], {}, 10))).toBe('QPARAMS_INVALID');
    expect(errorCode(() => run('MatMulInteger', [a, T('uint8', [1, 2, 3], [3, 1]), S('int8', 0)], {}, 10))).toBe('DTYPE_MISMATCH');
    expect(errorCode(() => run('MatMulInteger', [S('uint8', 1), T('uint8', [1, 2, 3], [3, 1])], {}, 10))).toBe('SHAPE_MISMATCH');
  });
});

describe('QLinearMatMul', () => {
  it('requantizes a per-tensor product', () => {
    const a = T('uint8', [10, 20, 30, 40], [2, 2]);
    const b = T('uint8', [1, 2, 3, 4], [2, 2]);
    const [y] = run('QLinearMatMul', [a, f32(0.5), S('uint8', 10), b, f32(1), S('uint8', 1), f32(2), S('uint8', 100)], {}, 10);
    // A - 10 = [[0,10],[20,30]]; B - 1 = [[0,1],[2,3]]; C = [[20,30],[60,110]]; * 0.25 + 100
    expect([...y!.data]).toEqual([105, 108, 115, 128]); // 7.5 -> 8, 27.5 -> 28
  });

  it('supports per-row A and per-column B scales and zero points', () => {
    const a = T('int8', [1, 1, 2, 2], [2, 2]);
    const b = T('int8', [1, 1, 1, 1], [2, 2]);
    const [y] = run(
      'QLinearMatMul',
      [a, T('float32', [1, 2]), T('int8', [0, 1]), b, T('float32', [1, 3]), T('int8', [0, 0]), f32(1), S('int8', 0)],
      {},
      10,
    );
    // C = [[2,2],[2,2]]; multiplier a_scale[row] * b_scale[col]
    expect(y!.type).toBe('int8');
    expect([...y!.data]).toEqual([2, 6, 4, 12]);
  });

  it('supports batched per-column B scales [..., 1, N] and infers symbolic shapes', () => {
    const a = T('uint8', [2, 2], [1, 1, 2]);
    const b = T('uint8', [1, 1, 1, 1, 1, 1, 1, 1], [2, 2, 2]);
    const bScale = T('float32', [1, 2, 3, 4], [2, 1, 2]);
    const [y] = run('QLinearMatMul', [a, f32(1), S('uint8', 0), b, bScale, T('uint8', [0, 0, 0, 0], [2, 1, 2]), f32(1), S('uint8', 0)], {}, 10);
    expect(y!.dims).toEqual([2, 1, 2]);
    expect([...y!.data]).toEqual([4, 8, 12, 16]); // C = 4 everywhere, times b_scale of its batch and column
    const types: ValueType[] = [
      { dtype: 'int8', shape: ['B', 'S', 16] },
      { dtype: 'float32', shape: [] },
      { dtype: 'int8', shape: [] },
      { dtype: 'int8', shape: [16, 8] },
      { dtype: 'float32', shape: [8] },
      { dtype: 'int8', shape: [8] },
      { dtype: 'float32', shape: [] },
      { dtype: 'uint8', shape: [] },
    ];
    expect(infer('QLinearMatMul', types, {}, 10)).toEqual([{ dtype: 'uint8', shape: ['B', 'S', 8] }]);
  });

  it('rejects bad parameters', () => {
    const a = T('uint8', [1, 2, 3, 4], [2, 2]);
    const ok = [a, f32(1), S('uint8', 0), a, f32(1), S('uint8', 0), f32(1), S('uint8', 0)];
    const bad = (i: number, t: Tensor) => ok.map((v, k) => (k === i ? t : v));
    expect(errorCode(() => run('QLinearMatMul', bad(4, T('float32', [1, 2, 3])), {}, 10))).toBe('QPARAMS_INVALID');
    expect(errorCode(() => run('QLinearMatMul', bad(6, T('float32', [1, 2])), {}, 10))).toBe('QPARAMS_INVALID');
    expect(errorCode(() => run('QLinearMatMul', bad(1, T('float32', [1, 2])), {}, 10))).toBe('QPARAMS_INVALID'); // zp shape differs
    expect(errorCode(() => run('QLinearMatMul', bad(1, f32(0)), {}, 10))).toBe('QPARAMS_INVALID');
    expect(errorCode(() => run('QLinearMatMul', bad(5, S('int8', 0)), {}, 10))).toBe('DTYPE_MISMATCH');
    expect(errorCode(() => run('QLinearMatMul', bad(7, S('int32', 0)), {}, 10))).toBe('DTYPE_MISMATCH');
  });
});
