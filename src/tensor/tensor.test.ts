import { describe, expect, it } from 'vitest';
import { EdgeError } from '../errors.js';
import { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from './half.js';
import { broadcastShapes, broadcastStrides, checkShape, normalizeAxis, stridesOf } from './shape.js';
import { Tensor } from './tensor.js';

describe('Tensor', () => {
  it('builds from typed arrays and lists, checking dims against data', () => {
    const t = new Tensor('float32', new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(t.size).toBe(6);
    expect(new Tensor('int64', [1, 2]).data).toBeInstanceOf(BigInt64Array);
    expect(new Tensor('float16', [1.5]).toNumbers()).toEqual([1.5]);
    expect(() => new Tensor('float32', new Float32Array(5), [2, 3])).toThrow(/hold 6 elements but the data has 5/);
    expect(() => new Tensor('float32', new Int32Array(6), [2, 3])).toThrow(EdgeError);
    expect(() => new Tensor('complex64' as never, new Float32Array(1))).toThrow(/unknown dtype/);
  });

  it('refuses absurd shapes before allocating', () => {
    const e = (() => {
      try {
        Tensor.zeros('float32', [1 << 20, 1 << 20]);
      } catch (err) {
        return err as EdgeError;
      }
    })();
    expect(e?.code).toBe('LIMIT_EXCEEDED');
    expect(() => checkShape([2, -1], 'x')).toThrow(/invalid dimension -1/);
  });

  it('converts with Cast semantics', () => {
    expect(Tensor.fromNumbers('int64', [1.9, -1.9], [2]).toNumbers()).toEqual([1, -1]);
    expect(Tensor.fromNumbers('bool', [0, 0.5, -2], [3]).toNumbers()).toEqual([0, 1, 1]);
  });
});

describe('float16 and bfloat16', () => {
  it('round-trips exactly representable values and rounds to nearest even', () => {
    for (const v of [0, -0, 1, -2.5, 65504, 6.103515625e-5, 5.960464477539063e-8, Infinity, -Infinity]) expect(halfToFloat(floatToHalf(v))).toBe(v);
    expect(Number.isNaN(halfToFloat(floatToHalf(NaN)))).toBe(true);
    expect(halfToFloat(floatToHalf(1 + 2 ** -11))).toBe(1); // tie → even
    expect(halfToFloat(floatToHalf(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    expect(halfToFloat(floatToHalf(1e6))).toBe(Infinity);
    expect(bfloat16ToFloat(floatToBfloat16(1.5))).toBe(1.5);
    expect(bfloat16ToFloat(floatToBfloat16(1 + 2 ** -8))).toBe(1); // tie → even
  });
});

describe('shape helpers', () => {
  it('broadcasts multidirectionally', () => {
    expect(broadcastShapes([[2, 1, 4], [3, 1]], 'x')).toEqual([2, 3, 4]);
    expect(broadcastShapes([[], [5]], 'x')).toEqual([5]);
    expect(broadcastShapes([[0, 1], [1, 3]], 'x')).toEqual([0, 3]);
    expect(() => broadcastShapes([[2, 3], [4, 3]], 'Add')).toThrow(/cannot be broadcast/);
    expect(broadcastStrides([3, 1], [2, 3, 4])).toEqual([0, 1, 0]);
  });

  it('computes strides and normalizes axes', () => {
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
    expect(normalizeAxis(-1, 3, 'x')).toBe(2);
    expect(() => normalizeAxis(3, 3, 'Softmax')).toThrow(/axis 3 is out of range for rank 3/);
  });
});
