import { describe, expect, it } from 'vitest';
import { seededRandom } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import {
  INT32_MAX,
  INT32_MIN,
  MIN_SCALE,
  multiplyByQuantizedMultiplier,
  perChannelQParams,
  qparamsFromRange,
  quantGrid,
  quantizeMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from './qparams.js';

const f32 = Math.fround;

describe('scale and zero point', () => {
  it('asymmetric int8 / uint8 (hand-checked)', () => {
    // [-1, 3]: scale 4/255; zero point round(-128 + 1 / scale) = round(-64.25) = -64
    expect(qparamsFromRange({ min: -1, max: 3 })).toEqual({ scale: f32(4 / 255), zeroPoint: -64 });
    expect(qparamsFromRange({ min: -1, max: 3 }, { dtype: 'uint8' })).toEqual({ scale: f32(4 / 255), zeroPoint: 64 });
    // A range without 0 is widened to include it: [2, 4] → [0, 4]; [-3, -1] → [-3, 0]
    expect(qparamsFromRange({ min: 2, max: 4 }, { dtype: 'uint8' })).toEqual({ scale: f32(4 / 255), zeroPoint: 0 });
    expect(qparamsFromRange({ min: -3, max: -1 })).toEqual({ scale: f32(3 / 255), zeroPoint: 127 });
  });

  it('symmetric: zero in the middle of the grid', () => {
    expect(qparamsFromRange({ min: -1, max: 3 }, { symmetric: true })).toEqual({ scale: f32(6 / 254), zeroPoint: 0 });
    expect(qparamsFromRange({ min: -1, max: 3 }, { symmetric: true, dtype: 'uint8' })).toEqual({ scale: f32(6 / 255), zeroPoint: 128 });
    expect(quantGrid('int8', true)).toEqual({ qmin: -127, qmax: 127 });
    expect(quantGrid('int8', false, true)).toEqual({ qmin: -64, qmax: 64 });
    expect(quantGrid('uint8', false, true)).toEqual({ qmin: 0, qmax: 127 });
  });

  it('zero is exactly representable and the scale never reaches 0', () => {
    const rnd = seededRandom(5);
    for (let k = 0; k < 1000; k++) {
      const min = -rnd() * 10 ** (rnd() * 8 - 4);
      const max = rnd() * 10 ** (rnd() * 8 - 4);
      const { scale, zeroPoint } = qparamsFromRange({ min, max });
      expect(scale).toBeGreaterThan(0);
      expect(zeroPoint).toBeGreaterThanOrEqual(-128);
      expect(zeroPoint).toBeLessThanOrEqual(127);
      // min and max land on the grid's ends, within one step
      expect(Math.abs(min / scale + zeroPoint - -128)).toBeLessThanOrEqual(1);
      expect(Math.abs(max / scale + zeroPoint - 127)).toBeLessThanOrEqual(1);
    }
    expect(qparamsFromRange({ min: 0, max: 0 })).toEqual({ scale: f32(MIN_SCALE), zeroPoint: -128 });
    expect(qparamsFromRange({ min: -1e-30, max: 1e-30 }, { symmetric: true })).toEqual({ scale: f32(MIN_SCALE), zeroPoint: 0 });
  });

  it('refuses ranges that cannot be quantized', () => {
    expect(() => qparamsFromRange({ min: NaN, max: 1 }, {}, "tensor 'x'")).toThrow("tensor 'x': cannot quantize the range [NaN, 1]");
    expect(() => qparamsFromRange({ min: 2, max: 1 })).toThrow(/min <= max/);
    expect(() => qparamsFromRange({ min: 0, max: Infinity })).toThrow(/finite/);
  });

  it('per output channel, symmetric int8 by default', () => {
    const w = new Tensor('float32', [-1, 0.5, 0.25, 2, -4, 1], [2, 3]);
    const p = perChannelQParams(w);
    expect(p.axis).toBe(0);
    expect(Array.from(p.scale)).toEqual([f32(1 / 127), f32(4 / 127)]);
    expect(Array.from(p.zeroPoint)).toEqual([0, 0]);
    const byColumn = perChannelQParams(w, { axis: 1 }); // MatMul [K, N]
    expect(Array.from(byColumn.scale)).toEqual([f32(2 / 127), f32(4 / 127), f32(1 / 127)]);
    const asym = perChannelQParams(w, { symmetric: false, dtype: 'uint8' });
    expect(Array.from(asym.zeroPoint)).toEqual([170, 170]); // round(1 / (1.5 / 255)), round(4 / (6 / 255))
    const bad = new Tensor('float32', [0, 1, NaN, 2], [2, 2]);
    expect(() => perChannelQParams(bad, {}, "Conv 'c1' weight")).toThrow("Conv 'c1' weight: channel 1 holds NaN at flat index 2");
  });
});

// Oracles in BigInt: the C++ formulas of gemmlowp, written out literally.
function srdhmRef(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates like C++
}

function rdbpRef(x: number, e: number): number {
  const mask = (1n << BigInt(e)) - 1n;
  const remainder = BigInt(x) & mask;
  const threshold = (mask >> 1n) + (x < 0 ? 1n : 0n);
  return Number((BigInt(x) >> BigInt(e)) + (remainder > threshold ? 1n : 0n));
}

describe('fixed-point requantization', () => {
  it('QuantizeMultiplier (hand-checked)', () => {
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(0.25)).toEqual({ multiplier: 2 ** 30, shift: -1 });
    expect(quantizeMultiplier(0.75)).toEqual({ multiplier: 1610612736, shift: 0 });
    expect(quantizeMultiplier(1 / 3)).toEqual({ multiplier: 1431655765, shift: -1 }); // round(2/3 * 2^31)
    expect(quantizeMultiplier(1.5)).toEqual({ multiplier: 1610612736, shift: 1 });
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ multiplier: 2 ** 30, shift: 1 }); // q rounds up to 2^31
    expect(quantizeMultiplier(2 ** -32)).toEqual({ multiplier: 2 ** 30, shift: -31 });
    expect(quantizeMultiplier(2 ** -33)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(2 ** 40)).toEqual({ multiplier: INT32_MAX, shift: 30 });
    expect(() => quantizeMultiplier(-0.5)).toThrow(/must be finite and >= 0, got -0.5/);
    expect(() => quantizeMultiplier(NaN)).toThrow(/QPARAMS|multiplier/);
  });

  it('SaturatingRoundingDoublingHighMul: edge cases and random pairs match the 64-bit formula', () => {
    const edges = [INT32_MIN, INT32_MIN + 1, -65537, -65536, -32768, -3, -1, 0, 1, 3, 32767, 65535, 65536, 2 ** 30, INT32_MAX - 1, INT32_MAX];
    for (const a of edges) for (const b of edges) expect(saturatingRoundingDoublingHighMul(a, b), `${a} * ${b}`).toBe(srdhmRef(a, b));
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN)).toBe(INT32_MAX);
    expect(saturatingRoundingDoublingHighMul(INT32_MAX, INT32_MAX)).toBe(INT32_MAX - 1);
    expect(saturatingRoundingDoublingHighMul(5, 2 ** 30)).toBe(3); // 2.5 → 3
    expect(saturatingRoundingDoublingHighMul(-5, 2 ** 30)).toBe(-2); // -2.5 → -2 (the nudge's tie for negatives)
    const rnd = seededRandom(11);
    const int32 = () => Math.floor(rnd() * 2 ** 32) - 2 ** 31;
    for (let k = 0; k < 20_000; k++) {
      const a = int32();
      const b = k % 2 ? int32() : Math.floor(rnd() * 2 ** 16) - 2 ** 15; // small operands too
      expect(saturatingRoundingDoublingHighMul(a, b), `${a} * ${b}`).toBe(srdhmRef(a, b));
    }
  });

  it('RoundingDivideByPOT rounds half away from zero', () => {
    expect([5, -5, 4, -4, 3, -6].map((x, i) => roundingDivideByPOT(x, i < 4 ? 1 : 2))).toEqual([3, -3, 2, -2, 1, -2]);
    expect(roundingDivideByPOT(INT32_MIN, 31)).toBe(-1);
    expect(roundingDivideByPOT(INT32_MAX, 31)).toBe(1);
    expect(roundingDivideByPOT(2 ** 30, 31)).toBe(1); // 0.5 → 1
    expect(roundingDivideByPOT(-(2 ** 30), 31)).toBe(-1); // -0.5 → -1
    expect(roundingDivideByPOT(-(2 ** 30) + 1, 31)).toBe(0);
    const rnd = seededRandom(12);
    for (let k = 0; k < 20_000; k++) {
      const x = Math.floor(rnd() * 2 ** 32) - 2 ** 31;
      const e = k % 32;
      expect(roundingDivideByPOT(x, e), `${x} >> ${e}`).toBe(rdbpRef(x, e));
    }
  });

  it('MultiplyByQuantizedMultiplier (hand-checked) and close to round(x * real)', () => {
    const third = quantizeMultiplier(1 / 3);
    expect(multiplyByQuantizedMultiplier(3, third.multiplier, third.shift)).toBe(1);
    expect(multiplyByQuantizedMultiplier(300, third.multiplier, third.shift)).toBe(100);
    const quarter = quantizeMultiplier(0.25);
    expect(multiplyByQuantizedMultiplier(-6, quarter.multiplier, quarter.shift)).toBe(-2); // -1.5 → -2
    expect(multiplyByQuantizedMultiplier(6, quarter.multiplier, quarter.shift)).toBe(2);
    const three = quantizeMultiplier(3); // a left shift of 2
    expect(multiplyByQuantizedMultiplier(1000, three.multiplier, three.shift)).toBe(3000);
    expect(multiplyByQuantizedMultiplier(INT32_MAX, three.multiplier, three.shift)).toBe(srdhmRef(INT32_MAX, three.multiplier)); // saturated shift
    const rnd = seededRandom(13);
    for (let k = 0; k < 5000; k++) {
      const real = rnd() * 0.999 + 1e-4;
      const x = Math.floor(rnd() * 2 ** 24) - 2 ** 23;
      const { multiplier, shift } = quantizeMultiplier(real);
      const got = multiplyByQuantizedMultiplier(x, multiplier, shift);
      const left = shift > 0 ? shift : 0;
      expect(got).toBe(rdbpRef(srdhmRef(x * 2 ** left, multiplier), shift > 0 ? 0 : -shift));
      expect(Math.abs(got - x * real)).toBeLessThanOrEqual(1);
    }
  });
});
