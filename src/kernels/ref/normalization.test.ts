import { describe, expect, it } from 'vitest';
import type { Attribute, ValueType } from '../../ir/graph.js';
import { floatToHalf, halfToFloat } from '../../tensor/half.js';
import { Tensor } from '../../tensor/tensor.js';
import { expectCloseDigits as expectClose, expectEdgeError as expectCode, float, inferNode, int, node as irNode, runNode } from '../../../test/helpers/kernels.js';
import { normalizationOps } from './normalization.js';

const node = (op: string, attrs: Record<string, Attribute>, nIn: number, nOut: number) =>
  irNode(op, ['x', 's', 'b'].slice(0, nIn), ['y', 'mean', 'inv'].slice(0, nOut), attrs, 'n');

function runAll(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, Attribute> = {}, opset = 13, nOut = 1): Tensor[] {
  return runNode(node(op, attrs, inputs.length, nOut), inputs, opset, normalizationOps);
}
const run = (op: string, inputs: (Tensor | undefined)[], attrs: Record<string, Attribute> = {}, opset = 13) =>
  runAll(op, inputs, attrs, opset)[0]!;

function infer(op: string, inputs: (ValueType | undefined)[], attrs: Record<string, Attribute> = {}, opset = 13, nOut = 1): ValueType[] {
  return inferNode(node(op, attrs, inputs.length, nOut), inputs, opset, [], normalizationOps);
}

const f32 = (values: number[], dims: number[]) => new Tensor('float32', values, dims);

const SM3 = [0.09003057, 0.24472847, 0.66524096]; // softmax([1, 2, 3])

describe('Softmax / LogSoftmax / Hardmax', () => {
  it('softmaxes the last axis by default (opset 13)', () => {
    expectClose(run('Softmax', [f32([1, 2, 3, 3, 2, 1], [2, 3])]).toNumbers(), [...SM3, ...SM3.slice().reverse()]);
  });

  it('uses any single axis from opset 13, negative too', () => {
    const x = f32([1, 2, 2, 1], [2, 2]); // columns [1,2] and [2,1]
    const e = [1 / (1 + Math.E), Math.E / (1 + Math.E)];
    const y = run('Softmax', [x], { axis: int(0) }).toNumbers();
    expectClose(y, [e[0]!, e[1]!, e[1]!, e[0]!]);
    expectClose(run('Softmax', [x], { axis: int(-2) }).toNumbers(), y);
  });

  it('coerces to 2-D before opset 13', () => {
    // [1,2,2] with axis 1: one row of 4 elements, not two lines along axis 1.
    const x = f32([0, 0, 0, 0], [1, 2, 2]);
    expectClose(run('Softmax', [x], {}, 11).toNumbers(), [0.25, 0.25, 0.25, 0.25]);
    expectClose(run('Softmax', [x], { axis: int(1) }, 13).toNumbers(), [0.5, 0.5, 0.5, 0.5]);
    // axis 0 before 13: the whole tensor is one row.
    expectClose(run('LogSoftmax', [x], { axis: int(0) }, 11).toNumbers(), new Array(4).fill(Math.log(0.25)));
    expectClose(run('Hardmax', [f32([1, 5, 2, 3], [2, 2])], {}, 11).toNumbers(), [0, 1, 0, 1]);
    expectClose(run('Hardmax', [f32([1, 5, 2, 3], [2, 2])], { axis: int(0) }, 11).toNumbers(), [0, 1, 0, 0]);
  });

  it('is stable for large inputs', () => {
    expectClose(run('Softmax', [f32([1000, 1001, 1002], [3])]).toNumbers(), SM3);
    expectClose(run('LogSoftmax', [f32([-1000, -999, -998], [3])]).toNumbers(), SM3.map(Math.log), 4);
  });

  it('computes LogSoftmax', () => {
    expectClose(run('LogSoftmax', [f32([1, 2, 3], [1, 3])]).toNumbers(), [-2.40760596, -1.40760596, -0.40760596]);
  });

  it('marks the first maximum in Hardmax', () => {
    expect(run('Hardmax', [f32([1, 3, 3, 2, 1, 0], [2, 3])]).toNumbers()).toEqual([0, 1, 0, 1, 0, 0]);
    expect(run('Hardmax', [f32([1, 3, 3, 2, 1, 0], [2, 3])], { axis: int(0) }).toNumbers()).toEqual([0, 1, 1, 1, 0, 0]);
  });

  it('keeps float16 and float64 dtypes', () => {
    const h = run('Softmax', [new Tensor('float16', new Uint16Array([1, 2, 3].map(floatToHalf)), [3])]);
    expect(h.type).toBe('float16');
    expectClose(Array.from(h.data as Uint16Array, halfToFloat), SM3, 3);
    const d = run('Softmax', [new Tensor('float64', [1, 2, 3], [3])]);
    expect(d.type).toBe('float64');
    expectClose(d.toNumbers(), SM3, 8);
  });

  it('accepts empty tensors and rejects bad axes and dtypes', () => {
    expect(run('Softmax', [f32([], [0, 3])]).dims).toEqual([0, 3]);
    expectCode(() => run('Softmax', [f32([1, 2], [2])], { axis: int(1) }), 'MODEL_INVALID');
    expectCode(() => run('Softmax', [f32([1, 2], [1, 2])], { axis: int(-3) }), 'MODEL_INVALID');
    expectCode(() => run('Softmax', [new Tensor('int32', [1], [1])]), 'DTYPE_MISMATCH');
    expectCode(() => infer('LogSoftmax', [{ dtype: 'float32', shape: [2, 3] }], { axis: int(2) }), 'MODEL_INVALID');
    expectCode(() => run('Hardmax', [f32([1], [])]), 'MODEL_INVALID');
  });

  it('infers the input type', () => {
    expect(infer('Softmax', [{ dtype: 'float16', shape: ['batch', 10] }])).toEqual([{ dtype: 'float16', shape: ['batch', 10] }]);
    expect(infer('Softmax', [{ dtype: 'float32' }])).toEqual([{ dtype: 'float32', shape: undefined }]);
  });
});

describe('LayerNormalization', () => {
  const x = f32([1, 2, 3, 4, 6, 8], [2, 3]);
  const inv1 = 1 / Math.sqrt(2 / 3 + 1e-5);
  const inv2 = 1 / Math.sqrt(8 / 3 + 1e-5);
  const z = (d: number[], inv: number) => d.map((v) => v * inv);

  it('normalizes over the last axis and returns Mean and InvStdDev', () => {
    const [y, mean, inv] = runAll('LayerNormalization', [x, f32([1, 1, 1], [3]), f32([0, 0, 0], [3])], {}, 17, 3);
    expectClose(y!.toNumbers(), [...z([-1, 0, 1], inv1), ...z([-2, 0, 2], inv2)]);
    expect(mean!.dims).toEqual([2, 1]);
    expectClose(mean!.toNumbers(), [2, 6]);
    expect(inv!.dims).toEqual([2, 1]);
    expectClose(inv!.toNumbers(), [inv1, inv2]);
  });

  it('applies scale and optional bias, broadcasting them', () => {
    const y = run('LayerNormalization', [x, f32([2, 2, 2], [3]), f32([1, 1, 1], [3])], {}, 17);
    expectClose(y.toNumbers(), [...z([-1, 0, 1], inv1), ...z([-2, 0, 2], inv2)].map((v) => 2 * v + 1));
    const noBias = run('LayerNormalization', [x, f32([1, 0, -1], [3])], {}, 17);
    expectClose(noBias.toNumbers(), [-inv1, 0, -inv1, -2 * inv2, 0, -2 * inv2]);
    const scalarScale = run('LayerNormalization', [x, f32([3], [1])], {}, 17);
    expectClose(scalarScale.toNumbers(), [...z([-1, 0, 1], inv1), ...z([-2, 0, 2], inv2)].map((v) => 3 * v));
    // Scale with a leading dim broadcasts per row.
    const perRow = run('LayerNormalization', [x, f32([1, 10], [2, 1])], {}, 17);
    expectClose(perRow.toNumbers(), [...z([-1, 0, 1], inv1), ...z([-20, 0, 20], inv2)]);
  });

  it('normalizes over several axes with axis 0 or negative axes', () => {
    const [y, mean, inv] = runAll('LayerNormalization', [x, f32([1, 1, 1, 1, 1, 1], [2, 3])], { axis: int(0), epsilon: float(0) }, 17, 3);
    const m = 4;
    const v = [1, 2, 3, 4, 6, 8].reduce((s, e) => s + (e - m) ** 2, 0) / 6;
    expectClose(y!.toNumbers(), [1, 2, 3, 4, 6, 8].map((e) => (e - m) / Math.sqrt(v)));
    expect(mean!.dims).toEqual([1, 1]);
    expectClose(inv!.toNumbers(), [1 / Math.sqrt(v)]);
    const y3 = run('LayerNormalization', [f32([1, 2, 3, 4, 6, 8], [1, 2, 3]), f32([1], [1])], { axis: int(-2), epsilon: float(0) }, 17);
    expectClose(y3.toNumbers(), y!.toNumbers());
  });

  it('returns only the outputs asked for and types the stats by stash_type', () => {
    expect(runAll('LayerNormalization', [x, f32([1], [1])], {}, 17, 1)).toHaveLength(1);
    const [, mean] = runAll('LayerNormalization', [x, f32([1], [1])], { stash_type: int(16) }, 17, 2);
    expect(mean!.type).toBe('bfloat16');
    expectClose(mean!.toNumbers(), [2, 6]);
  });

  it('rejects bad inputs', () => {
    expectCode(() => run('LayerNormalization', [x, f32([1, 1], [2])], {}, 17), 'SHAPE_MISMATCH');
    expectCode(() => run('LayerNormalization', [x, f32([1, 1, 1], [3])], { axis: int(2) }, 17), 'MODEL_INVALID');
    expectCode(() => run('LayerNormalization', [x, new Tensor('float64', [1], [1])], {}, 17), 'DTYPE_MISMATCH');
    expectCode(() => run('LayerNormalization', [x, f32([1], [1])], { stash_type: int(7) }, 17), 'MODEL_INVALID');
    expectCode(() => run('LayerNormalization', [x], {}, 17), 'MODEL_INVALID');
  });

  it('infers Y like X and the stats with trailing 1s', () => {
    expect(
      infer('LayerNormalization', [{ dtype: 'float32', shape: ['batch', 16, 64] }, { dtype: 'float32', shape: [64] }], { axis: int(-1) }, 17, 3),
    ).toEqual([
      { dtype: 'float32', shape: ['batch', 16, 64] },
      { dtype: 'float32', shape: ['batch', 16, 1] },
      { dtype: 'float32', shape: ['batch', 16, 1] },
    ]);
    expect(infer('LayerNormalization', [{ dtype: 'float16' }, { dtype: 'float16' }], {}, 17, 1)).toEqual([{ dtype: 'float16', shape: undefined }]);
  });
});
