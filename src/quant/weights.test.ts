// Tests of the quantization formulas: asymmetric activation parameters, symmetric per-channel int8 weights,
// int32 biases at the accumulator's scale, and the clear errors for unusable ranges and weights.

import { describe, expect, it } from 'vitest';
import { EdgeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { activationQParams, quantizeBias, quantizeWeight, representable, weightScaleFloor } from './weights.js';

describe('activationQParams', () => {
  it('maps the range onto the full integer range, asymmetric', () => {
    const u8 = activationQParams({ min: -1, max: 3 }, 'uint8');
    expect(u8.scale).toBe(Math.fround(4 / 255));
    expect(u8.zeroPoint).toBe(64); // round(0 + 1 / (4 / 255)) = round(63.75)
    const s8 = activationQParams({ min: -1, max: 3 }, 'int8');
    expect(s8.zeroPoint).toBe(-64);
    expect(s8.dtype).toBe('int8');
    const r = representable(s8);
    expect(r.min).toBeCloseTo(-1, 1);
    expect(r.max).toBeCloseTo(3, 1);
  });

  it('widens a range to include 0, so 0 is exact (a Relu output gets zero point qmin)', () => {
    expect(activationQParams({ min: 2, max: 5 }, 'int8')).toEqual({ scale: Math.fround(5 / 255), zeroPoint: -128, dtype: 'int8' });
    expect(activationQParams({ min: -5, max: -2 }, 'uint8').zeroPoint).toBe(255);
  });

  it('gives an all-zero range a tiny positive scale (never 0, which no runtime accepts)', () => {
    const p = activationQParams({ min: 0, max: 0 }, 'int8');
    expect(p.scale).toBeGreaterThan(0);
    expect(representable(p).min).toBe(0);
  });

  it('refuses NaN, infinite or reversed ranges, naming the value', () => {
    for (const range of [
      { min: Number.NaN, max: 1 },
      { min: 0, max: Infinity },
      { min: 2, max: 1 },
    ]) {
      const err = (() => {
        try {
          activationQParams(range, 'int8', 'conv1_out');
        } catch (e) {
          return e as EdgeError;
        }
      })();
      expect(err).toBeInstanceOf(EdgeError);
      expect(err!.code).toBe('QPARAMS_INVALID');
      expect(err!.message).toContain("'conv1_out'");
    }
  });
});

describe('quantizeWeight', () => {
  it('quantizes per output channel, symmetric in [-127, 127], ties to even', () => {
    const w = new Tensor('float32', [1, -2, 0.5, 0.25], [2, 2]);
    const q = quantizeWeight(w, 0);
    expect(Array.from(q.scale)).toEqual([Math.fround(2 / 127), Math.fround(0.5 / 127)]);
    // 1 / (2/127) = 63.5 -> 64 (even); 0.25 / (0.5/127) = 63.5 -> 64
    expect(q.data.toNumbers()).toEqual([64, -127, 127, 64]);
    expect(Array.from(q.zeroPoint)).toEqual([0, 0]);
    expect(q.data.quant?.axis).toBe(0);
  });

  it('quantizes along any axis (Gemm B without transB, MatMul B: axis 1) and per tensor', () => {
    const w = new Tensor('float32', [1, -4, 0.5, 2], [2, 2]);
    expect(Array.from(quantizeWeight(w, 1).scale)).toEqual([Math.fround(1 / 127), Math.fround(4 / 127)]);
    const t = quantizeWeight(w, undefined);
    expect(Array.from(t.scale)).toEqual([Math.fround(4 / 127)]);
    expect(t.axis).toBeUndefined();
  });

  it('dequantizes within half a step of every weight', () => {
    const values = Array.from({ length: 48 }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 3)));
    const w = new Tensor('float32', values, [3, 16]);
    const q = quantizeWeight(w, 0);
    for (let i = 0; i < values.length; i++) {
      const s = q.scale[Math.floor(i / 16)]!;
      expect(Math.abs((q.data.data[i] as number) * s - values[i]!)).toBeLessThanOrEqual(s / 2 + 1e-7);
    }
  });

  it('gives an all-zero channel a tiny positive scale (never 0, which no runtime accepts)', () => {
    const q = quantizeWeight(new Tensor('float32', [0, 0, 1, -1], [2, 2]), 0);
    expect(q.scale[0]).toBeGreaterThan(0);
    expect(q.data.toNumbers().slice(0, 2)).toEqual([0, 0]);
  });

  it('refuses a weight with a NaN', () => {
    expect(() => quantizeWeight(new Tensor('float32', [1, Number.NaN], [1, 2]), 0, undefined, "weight 'fc.w'")).toThrow(/weight 'fc.w'.*finite/);
  });
});

describe('quantizeBias', () => {
  it('stores bias / (input scale × weight scale) as int32 with zero point 0', () => {
    const ws = Float32Array.of(0.01, 0.02);
    const b = quantizeBias(new Tensor('float32', [0.5, -0.25], [2]), 0.1, ws);
    expect(Array.from(b.scale)).toEqual([Math.fround(0.1 * ws[0]!), Math.fround(0.1 * ws[1]!)]);
    expect(b.data.toNumbers()).toEqual([500, -125]);
    expect(b.data.type).toBe('int32');
    expect(b.axis).toBe(0);
  });

  it('raises a tiny weight scale so that a large bias fits in int32', () => {
    const bias = new Tensor('float32', [1000], [1]);
    const w = new Tensor('float32', [1e-9, -1e-9], [1, 2]);
    const inputScale = 1e-3;
    const plain = quantizeWeight(w, 0);
    expect(1000 / (inputScale * plain.scale[0]!)).toBeGreaterThan(2 ** 31); // would overflow
    const raised = quantizeWeight(w, 0, weightScaleFloor(bias, inputScale, true));
    const q = quantizeBias(bias, inputScale, raised.scale);
    expect(Math.abs(q.data.data[0] as number)).toBeLessThan(2 ** 31);
    expect((q.data.data[0] as number) * q.scale[0]!).toBeCloseTo(1000, 3);
  });
});
