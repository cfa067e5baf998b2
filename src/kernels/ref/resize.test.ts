// Unit tests of the Resize/Upsample reference kernel: spec examples, hand-computed cubic, antialias and
// crop values, opset variants, dtypes, shape inference and bad input -> EdgeError codes.

import { describe, expect, it } from 'vitest';
import { type EdgeErrorCode } from '../../errors.js';
import type { ValueType } from '../../ir/graph.js';
import { Tensor } from '../../tensor/tensor.js';
import { type Attrs, expectEdgeError, float, floats, i64, inferNode, int, ints, node as irNode, runNode, str, vt } from '../../../test/helpers/kernels.js';
import { resizeOps } from './resize.js';

const node = (op: string, attrs: Attrs, inputs: (unknown | undefined)[]) =>
  irNode(op, inputs.map((t, i) => (t === undefined ? '' : `in${i}`)), ['y'], attrs, 'r');

/** Resize-11+ inputs: X, roi, scales, sizes. */
function resize(x: Tensor, opts: { roi?: Tensor; scales?: Tensor; sizes?: Tensor }, attrs: Attrs = {}, opset = 13): Tensor {
  const inputs = [x, opts.roi, opts.scales, opts.sizes];
  return runNode(node('Resize', attrs, inputs), inputs, opset, resizeOps)[0]!;
}

function runOp(op: string, inputs: (Tensor | undefined)[], attrs: Attrs, opset: number): Tensor {
  return runNode(node(op, attrs, inputs), inputs, opset, resizeOps)[0]!;
}

function infer(inputs: (ValueType | undefined)[], constants: (Tensor | undefined)[], attrs: Attrs = {}, opset = 13): ValueType {
  return inferNode(node('Resize', attrs, inputs), inputs, opset, constants, resizeOps)[0]!;
}

const f32 = (values: number[], dims?: number[]): Tensor => Tensor.fromNumbers('float32', values, dims ?? [values.length]);

function expectClose(actual: Tensor, expected: number[], tol = 1e-5): void {
  const got = actual.toNumbers();
  expect(got.length).toBe(expected.length);
  got.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i]!))));
}

const expectError = (fn: () => unknown, code: EdgeErrorCode): void => expectEdgeError(fn, code);

const square = f32([1, 2, 3, 4], [1, 1, 2, 2]);

describe('Resize: spec examples', () => {
  it('nearest upsampling by scales', () => {
    const y = resize(square, { scales: f32([1, 1, 2, 3]) });
    expect(y.dims).toEqual([1, 1, 4, 6]);
    expect(y.toNumbers()).toEqual([1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4]);
  });
  it('bilinear half_pixel and align_corners upsampling', () => {
    const y = resize(square, { scales: f32([1, 1, 2, 2]) }, { mode: str('linear') });
    expectClose(y, [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]);
    const a = resize(square, { scales: f32([1, 1, 2, 2]) }, { mode: str('linear'), coordinate_transformation_mode: str('align_corners') });
    expectClose(a, [1, 4 / 3, 5 / 3, 2, 5 / 3, 2, 7 / 3, 8 / 3, 7 / 3, 8 / 3, 3, 10 / 3, 3, 10 / 3, 11 / 3, 4]);
  });
  it('linear downsampling; align_corners uses the unrounded scaled length (ONNX reference reading)', () => {
    const x = f32([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 2, 4]);
    expectClose(resize(x, { scales: f32([1, 1, 0.6, 0.6]) }, { mode: str('linear') }), [2.6666665, 4.3333331]);
    const a = resize(x, { scales: f32([1, 1, 0.6, 0.6]) }, { mode: str('linear'), coordinate_transformation_mode: str('align_corners') });
    expectClose(a, [1, 3.142857]);
  });
});

describe('Resize: cubic, antialias, crop', () => {
  const line = f32([0, 1, 2, 3]);
  it('cubic with A = -0.75, with and without exclude_outside', () => {
    // Output 1 samples x = 0.5: taps -1..2 read [0, 0, 1, 2] with weights K(1.5), K(0.5), K(0.5), K(1.5).
    const y = resize(line, { scales: f32([2]) }, { mode: str('cubic'), coordinate_transformation_mode: str('asymmetric') });
    expect(y.dims).toEqual([8]);
    expectClose(y, [0, 0.40625, 1, 1.5, 2, 2.59375, 3, 3.09375]);
    const e = resize(line, { scales: f32([2]) }, { mode: str('cubic'), coordinate_transformation_mode: str('asymmetric'), exclude_outside: int(1) });
    expect(e.toNumbers()[1]).toBeCloseTo(0.40625 / 1.09375, 6);
  });
  it('antialiased linear downsampling widens the filter', () => {
    const x = f32([0, 1, 2, 3, 4, 5, 6, 7]);
    const y = resize(x, { scales: f32([0.5]) }, { mode: str('linear'), antialias: int(1) }, 18);
    // x_ori = 0.5: taps -1..2 with weights [1, 3, 3, 1] / 8 over [0, 0, 1, 2].
    expectClose(y, [0.625, 2.5, 4.5, 6.375]);
  });
  it('tf_crop_and_resize samples the roi and extrapolates outside it', () => {
    const y = resize(line, { roi: f32([-0.5, 1.5]), sizes: i64([3]) }, { mode: str('linear'), coordinate_transformation_mode: str('tf_crop_and_resize'), extrapolation_value: float(-7) });
    expectClose(y, [-7, 1.5, -7]);
    const n = resize(line, { roi: f32([0.5, 1]), sizes: i64([1]) }, { coordinate_transformation_mode: str('tf_crop_and_resize') });
    expect(n.toNumbers()).toEqual([2]); // one output: the roi centre, 0.75 * 3 = 2.25 -> 2
  });
  it('interpolates N-d (trilinear, 3-D)', () => {
    const x = f32([0, 1, 2, 3, 4, 5, 6, 7], [2, 2, 2]);
    const y = resize(x, { sizes: i64([3, 3, 3]) }, { mode: str('linear'), coordinate_transformation_mode: str('align_corners') });
    expect(y.dims).toEqual([3, 3, 3]);
    const v = y.toNumbers();
    expect([v[0], v[13], v[26], v[1]]).toEqual([0, 3.5, 7, 0.5]);
  });
  it('nearest modes round as named', () => {
    const x = f32([0, 1, 2, 3]);
    const at = (mode: string, coord: string, sizes: number[]): number[] =>
      resize(x, { sizes: i64(sizes) }, { nearest_mode: str(mode), coordinate_transformation_mode: str(coord) }).toNumbers();
    expect(at('round_prefer_floor', 'asymmetric', [8])).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(at('round_prefer_ceil', 'asymmetric', [8])).toEqual([0, 1, 1, 2, 2, 3, 3, 3]);
    expect(at('floor', 'half_pixel', [8])).toEqual([0, 0, 0, 1, 1, 2, 2, 3]);
    expect(at('ceil', 'half_pixel', [8])).toEqual([0, 1, 1, 2, 2, 3, 3, 3]);
    expect(at('round_prefer_ceil', 'tf_half_pixel_for_nn', [2])).toEqual([1, 3]);
  });
});

describe('Resize: opset 18 axes and keep_aspect_ratio_policy', () => {
  const x = f32([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], [4, 4]);
  it('resizes only the given axes', () => {
    const y = resize(f32([1, 2, 3, 4], [2, 2]), { sizes: i64([4]) }, { axes: ints([-1]) }, 18);
    expect(y.dims).toEqual([2, 4]);
    expect(y.toNumbers()).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
  });
  it('keeps the aspect ratio', () => {
    expect(resize(x, { sizes: i64([3, 2]) }, { keep_aspect_ratio_policy: str('not_larger') }, 18).dims).toEqual([2, 2]);
    expect(resize(x, { sizes: i64([3, 2]) }, { keep_aspect_ratio_policy: str('not_smaller') }, 18).dims).toEqual([3, 3]);
  });
});

describe('Resize: legacy forms (Resize-10, Upsample)', () => {
  const line = f32([0, 1, 2, 3]);
  it('Resize-10 is asymmetric and rounds down-sampled nearest up', () => {
    expect(runOp('Resize', [line, f32([0.75])], {}, 10).toNumbers()).toEqual([0, 2, 3]);
    expectClose(runOp('Resize', [f32([0, 1]), f32([2])], { mode: str('linear') }, 10), [0, 0.5, 1, 1]);
  });
  it('Upsample takes scales from the attribute (7) or the input (9)', () => {
    expect(runOp('Upsample', [f32([0, 1])], { scales: floats([1.5]) }, 7).toNumbers()).toEqual([0, 0, 1]);
    expect(runOp('Upsample', [square, f32([1, 1, 2, 2])], { mode: str('nearest') }, 9).toNumbers().slice(0, 8)).toEqual([1, 1, 2, 2, 1, 1, 2, 2]);
  });
});

describe('Resize: dtypes', () => {
  it('copies int64 exactly in nearest mode', () => {
    const x = new Tensor('int64', [2n ** 60n + 1n, 2n], [2]);
    expect(resize(x, { scales: f32([2]) }).data).toEqual(new BigInt64Array([2n ** 60n + 1n, 2n ** 60n + 1n, 2n, 2n]));
  });
  it('rounds integers half to even and saturates cubic overshoot', () => {
    const u = new Tensor('uint8', new Uint8Array([0, 1]), [2]);
    const y = resize(u, { sizes: i64([3]) }, { mode: str('linear'), coordinate_transformation_mode: str('align_corners') });
    expect(Array.from(y.data as Uint8Array)).toEqual([0, 0, 1]);
    const edge = new Tensor('uint8', new Uint8Array([0, 0, 255, 255]), [4]);
    const c = resize(edge, { scales: f32([2]) }, { mode: str('cubic') });
    const values = Array.from(c.data as Uint8Array);
    expect(Math.min(...values)).toBe(0);
    expect(Math.max(...values)).toBe(255);
  });
  it('interpolates float16', () => {
    const h = Tensor.fromNumbers('float16', [0, 1], [2]);
    expect(resize(h, { sizes: i64([3]) }, { mode: str('linear'), coordinate_transformation_mode: str('align_corners') }).toNumbers()).toEqual([0, 0.5, 1]);
  });
  it('keeps empty tensors empty', () => {
    expect(resize(f32([], [0, 2]), { scales: f32([2, 2]) }, { mode: str('linear') }).dims).toEqual([0, 4]);
  });
});

describe('Resize: errors', () => {
  const x = f32([1, 2, 3, 4], [2, 2]);
  it('refuses inconsistent scales and sizes', () => {
    expectError(() => resize(x, { scales: f32([2, 2]), sizes: i64([4, 4]) }), 'MODEL_INVALID');
    expectError(() => resize(x, {}), 'MODEL_INVALID');
    expectError(() => resize(x, { scales: f32([2]) }), 'MODEL_INVALID');
    expectError(() => resize(x, { scales: f32([2, -1]) }), 'MODEL_INVALID');
    expectError(() => resize(x, { sizes: i64([2, -1]) }), 'MODEL_INVALID');
    expectError(() => resize(x, { scales: i64([2, 2]) }), 'DTYPE_MISMATCH');
    expectError(() => resize(x, { sizes: f32([2, 2]) }), 'DTYPE_MISMATCH');
  });
  it('refuses unknown modes and bad axes', () => {
    expectError(() => resize(x, { scales: f32([2, 2]) }, { mode: str('area') }), 'MODEL_INVALID');
    expectError(() => resize(x, { scales: f32([2, 2]) }, { coordinate_transformation_mode: str('corners') }), 'MODEL_INVALID');
    expectError(() => resize(x, { scales: f32([2, 2]) }, { nearest_mode: str('up') }), 'MODEL_INVALID');
    expectError(() => resize(x, { sizes: i64([2]) }, { axes: ints([2]) }, 18), 'MODEL_INVALID');
    expectError(() => resize(x, { sizes: i64([2, 2]) }, { axes: ints([0, -2]) }, 18), 'MODEL_INVALID');
    expectError(() => runOp('Resize', [x, f32([2, 2])], { mode: str('cubic') }, 10), 'MODEL_INVALID');
  });
  it('refuses a bad roi and growing an empty axis', () => {
    expectError(() => resize(x, { roi: f32([0, 1]), sizes: i64([2, 2]) }, { coordinate_transformation_mode: str('tf_crop_and_resize') }), 'MODEL_INVALID');
    expectError(() => resize(f32([], [0]), { sizes: i64([2]) }), 'INPUT_INVALID');
  });
  it('refuses absurd output sizes before allocating', () => {
    expectError(() => resize(x, { sizes: i64([100000, 100000]) }, { mode: str('linear') }), 'LIMIT_EXCEEDED');
  });
});

describe('Resize: inference', () => {
  it('computes static dims from constant scales or sizes', () => {
    const t = [vt('float32', ['N', 3, 4, 4]), undefined, vt('float32', [4])];
    expect(infer(t, [undefined, undefined, f32([1, 1, 2, 1.5])]).shape).toEqual(['N', 3, 8, 6]);
    const s = [vt('float32', ['N', 3, 4, 4]), undefined, undefined, vt('int64', [2])];
    expect(infer(s, [undefined, undefined, undefined, i64([5, 7])], { axes: ints([2, 3]) }, 18).shape).toEqual(['N', 3, 5, 7]);
  });
  it('leaves resized dims unknown when the scales are not constant', () => {
    const t = [vt('float32', ['N', 3, 4, 4]), undefined, vt('float32', [4])];
    expect(infer(t, []).shape).toEqual([undefined, undefined, undefined, undefined]);
    expectError(() => infer([vt('float32', [1, 2])], []), 'MODEL_INVALID'); // neither scales nor sizes
  });
  it('checks input dtypes', () => {
    expectError(() => infer([vt('float32', [2]), undefined, vt('float64', [1])], []), 'DTYPE_MISMATCH');
  });
});
