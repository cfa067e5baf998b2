import { describe, expect, it } from 'vitest';
import type { Attribute, ValueType } from '../../ir/graph.js';
import { floatToHalf, halfToFloat } from '../../tensor/half.js';
import { Tensor } from '../../tensor/tensor.js';
import { expectCloseDigits as expectClose, expectEdgeError as expectCode, i64, inferNode, int, ints, node as irNode, runNode } from '../../../test/helpers/kernels.js';
import { reduceOps } from './reduce.js';

const node = (op: string, attrs: Record<string, Attribute>, nIn: number, nOut = 1) =>
  irNode(op, ['x', 'axes'].slice(0, nIn), ['y', 'i'].slice(0, nOut), attrs, 'n');

function runAll(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, Attribute> = {}, opset = 13): Tensor[] {
  return runNode(node(op, attrs, inputs.length, 2), inputs, opset, reduceOps);
}
const run = (op: string, inputs: (Tensor | undefined)[], attrs: Record<string, Attribute> = {}, opset = 13) =>
  runAll(op, inputs, attrs, opset)[0]!;

function infer(
  op: string,
  inputs: (ValueType | undefined)[],
  attrs: Record<string, Attribute> = {},
  opset = 13,
  constants: (Tensor | undefined)[] = [],
): ValueType[] {
  return inferNode(node(op, attrs, inputs.length, 2), inputs, opset, constants, reduceOps);
}

const f32 = (values: number[], dims: number[]) => new Tensor('float32', values, dims);

// ONNX's example data: shape [3,2,2].
const X = f32([5, 1, 20, 2, 30, 1, 40, 2, 55, 1, 60, 2], [3, 2, 2]);

describe('Reduce*', () => {
  it('reduces one axis with keepdims, from an attribute or an input by opset', () => {
    const mean = run('ReduceMean', [X], { axes: ints([1]) });
    expect(mean.dims).toEqual([3, 1, 2]);
    expect(mean.toNumbers()).toEqual([12.5, 1.5, 35, 1.5, 57.5, 1.5]);
    const sum = run('ReduceSum', [X, i64([1])]);
    expect(sum.toNumbers()).toEqual([25, 3, 70, 3, 115, 3]);
    expect(run('ReduceSum', [X], { axes: ints([1]) }, 11).toNumbers()).toEqual([25, 3, 70, 3, 115, 3]);
    expect(run('ReduceMean', [X, i64([1])], {}, 18).toNumbers()).toEqual([12.5, 1.5, 35, 1.5, 57.5, 1.5]);
  });

  it('drops reduced dims without keepdims and accepts negative axes', () => {
    const y = run('ReduceMax', [X], { axes: ints([-2]), keepdims: int(0) });
    expect(y.dims).toEqual([3, 2]);
    expect(y.toNumbers()).toEqual([20, 2, 40, 2, 60, 2]);
  });

  it('reduces several axes, or all axes when none are given', () => {
    const y = run('ReduceSum', [X, i64([0, 2])], { keepdims: int(0) });
    expect(y.dims).toEqual([2]);
    expect(y.toNumbers()).toEqual([5 + 1 + 30 + 1 + 55 + 1, 20 + 2 + 40 + 2 + 60 + 2]);
    const all = run('ReduceSum', [X]);
    expect(all.dims).toEqual([1, 1, 1]);
    expect(all.toNumbers()).toEqual([219]);
    expect(run('ReduceMin', [X], { keepdims: int(0) }).dims).toEqual([]);
    expect(run('ReduceSum', [X, i64([])]).toNumbers()).toEqual([219]);
  });

  it('passes the input through with noop_with_empty_axes', () => {
    const y = run('ReduceSum', [X, i64([])], { noop_with_empty_axes: int(1) });
    expect(y.dims).toEqual([3, 2, 2]);
    expect(y.toNumbers()).toEqual(X.toNumbers());
    expect(y.data).not.toBe(X.data);
    expect(run('ReduceSum', [X], { noop_with_empty_axes: int(1) }).dims).toEqual([3, 2, 2]);
    expect(run('ReduceMax', [X], { noop_with_empty_axes: int(1) }, 18).dims).toEqual([3, 2, 2]);
  });

  it('computes every reduction', () => {
    const x = f32([1, -2, 3, -4], [2, 2]);
    const r = (op: string) => run(op, [x], { axes: ints([1]), keepdims: int(0) }, 11).toNumbers();
    expect(r('ReduceSum')).toEqual([-1, -1]);
    expect(r('ReduceMean')).toEqual([-0.5, -0.5]);
    expect(r('ReduceProd')).toEqual([-2, -12]);
    expect(r('ReduceMax')).toEqual([1, 3]);
    expect(r('ReduceMin')).toEqual([-2, -4]);
    expect(r('ReduceL1')).toEqual([3, 7]);
    expectClose(r('ReduceL2'), [Math.sqrt(5), 5]);
    expect(r('ReduceSumSquare')).toEqual([5, 25]);
    expectClose(r('ReduceLogSumExp'), [Math.log(Math.exp(1) + Math.exp(-2)), Math.log(Math.exp(3) + Math.exp(-4))]);
  });

  it('keeps ReduceLogSumExp stable and propagates NaN in ReduceMax', () => {
    expectClose(run('ReduceLogSumExp', [f32([1000, 1000], [2])]).toNumbers(), [1000 + Math.log(2)], 3);
    expect(run('ReduceLogSumExp', [f32([-Infinity, 0], [2])]).toNumbers()).toEqual([0]);
    expect(run('ReduceMax', [f32([1, NaN, 3], [3])]).toNumbers()).toEqual([NaN]);
    expect(run('ReduceMin', [f32([1, NaN, 3], [3])]).toNumbers()).toEqual([NaN]);
  });

  it('gives the empty-set values when a reduced dim is 0', () => {
    const e = f32([], [2, 0]);
    const r = (op: string, t = e) => run(op, [t], { axes: ints([1]), keepdims: int(0) }, 11);
    expect(r('ReduceSum').toNumbers()).toEqual([0, 0]);
    expect(r('ReduceProd').toNumbers()).toEqual([1, 1]);
    expect(r('ReduceMax').toNumbers()).toEqual([-Infinity, -Infinity]);
    expect(r('ReduceMin').toNumbers()).toEqual([Infinity, Infinity]);
    expect(r('ReduceLogSumExp').toNumbers()).toEqual([-Infinity, -Infinity]);
    expect(r('ReduceL2').toNumbers()).toEqual([0, 0]);
    expect(r('ReduceMean').toNumbers()).toEqual([NaN, NaN]);
    expect(r('ReduceMax', new Tensor('int32', [], [2, 0])).toNumbers()).toEqual([-2147483648, -2147483648]);
    expect(Array.from(r('ReduceMin', new Tensor('int64', [], [2, 0])).data as BigInt64Array)).toEqual([2n ** 63n - 1n, 2n ** 63n - 1n]);
    expect(Array.from(r('ReduceMin', new Tensor('uint8', [], [1, 0])).data as Uint8Array)).toEqual([255]);
    // An empty kept dim gives an empty output.
    expect(run('ReduceSum', [f32([], [0, 3]), i64([1])]).dims).toEqual([0, 1]);
  });

  it('reduces scalars and keeps integer and half dtypes', () => {
    expect(run('ReduceSum', [f32([7], [])]).toNumbers()).toEqual([7]);
    const i = run('ReduceSum', [new Tensor('int32', [1, 2, 3, 2147483647], [4])], {}, 13);
    expect(i.type).toBe('int32');
    expect(i.toNumbers()).toEqual([-2147483643]); // wraps like int32 arithmetic
    const big = run('ReduceProd', [new Tensor('int64', [2n, 3n, 4n], [3])], { keepdims: int(0) });
    expect(Array.from(big.data as BigInt64Array)).toEqual([24n]);
    const mean = run('ReduceMean', [new Tensor('int32', [1, 2], [2])]);
    expect(mean.toNumbers()).toEqual([1]); // 1.5 truncated
    const u8 = run('ReduceMax', [new Tensor('uint8', [3, 200, 7], [3])]);
    expect(u8.toNumbers()).toEqual([200]);
    const h = run('ReduceMean', [new Tensor('float16', new Uint16Array([1, 2, 4, 5].map(floatToHalf)), [4])]);
    expect(h.type).toBe('float16');
    expect(Array.from(h.data as Uint16Array, halfToFloat)).toEqual([3]);
  });

  it('rejects bad axes, misplaced axes and dtypes', () => {
    expectCode(() => run('ReduceSum', [X, i64([3])]), 'INPUT_INVALID');
    expectCode(() => run('ReduceMean', [X], { axes: ints([-4]) }), 'MODEL_INVALID');
    expectCode(() => run('ReduceMean', [X], { axes: ints([1, -2]) }), 'MODEL_INVALID');
    expectCode(() => run('ReduceSum', [X], { axes: ints([1]) }, 13), 'MODEL_INVALID');
    expectCode(() => run('ReduceMean', [X, i64([1])], {}, 13), 'MODEL_INVALID');
    expectCode(() => run('ReduceMean', [X], { axes: ints([1]) }, 18), 'MODEL_INVALID');
    expectCode(() => run('ReduceSum', [X, new Tensor('int32', [1], [1])]), 'DTYPE_MISMATCH');
    expectCode(() => run('ReduceSum', [new Tensor('uint8', [1], [1])]), 'DTYPE_MISMATCH');
    expectCode(() => run('ReduceMax', [new Tensor('bool', [1], [1])]), 'DTYPE_MISMATCH');
  });

  it('infers shapes with known, constant and unknown axes', () => {
    const x: ValueType = { dtype: 'float32', shape: ['batch', 16, 64] };
    expect(infer('ReduceMean', [x], { axes: ints([-1]) })).toEqual([{ dtype: 'float32', shape: ['batch', 16, 1] }]);
    expect(infer('ReduceMean', [x], { axes: ints([1, 2]), keepdims: int(0) })).toEqual([{ dtype: 'float32', shape: ['batch'] }]);
    const axes: ValueType = { dtype: 'int64', shape: [1] };
    expect(infer('ReduceSum', [x, axes], {}, 13, [undefined, i64([2])])).toEqual([{ dtype: 'float32', shape: ['batch', 16, 1] }]);
    expect(infer('ReduceSum', [{ dtype: 'float32', shape: [1, 16] }, axes])).toEqual([{ dtype: 'float32', shape: [1, undefined] }]);
    expect(infer('ReduceSum', [x, axes], { keepdims: int(0) })).toEqual([{ dtype: 'float32' }]);
    expect(infer('ReduceSum', [x, axes], { noop_with_empty_axes: int(1) }, 13, [undefined, i64([])])).toEqual([
      { dtype: 'float32', shape: ['batch', 16, 64] },
    ]);
    expect(infer('ReduceMax', [x], { keepdims: int(0) })).toEqual([{ dtype: 'float32', shape: [] }]);
    expectCode(() => infer('ReduceMax', [x], { axes: ints([3]) }), 'MODEL_INVALID');
  });
});

describe('ArgMax / ArgMin', () => {
  const x = f32([2, 1, 3, 10], [2, 2]);
  const big = (t: Tensor) => Array.from(t.data as BigInt64Array, Number);

  it('finds the index along an axis', () => {
    const y = run('ArgMax', [x]);
    expect(y.type).toBe('int64');
    expect(y.dims).toEqual([1, 2]);
    expect(big(y)).toEqual([1, 1]);
    const z = run('ArgMax', [x], { axis: int(-1), keepdims: int(0) });
    expect(z.dims).toEqual([2]);
    expect(big(z)).toEqual([0, 1]);
    expect(big(run('ArgMin', [x], { axis: int(1) }))).toEqual([1, 0]);
  });

  it('takes the first or last index of ties', () => {
    const t = f32([2, 2, 3, 10], [2, 2]);
    expect(big(run('ArgMax', [t], { axis: int(1) }))).toEqual([0, 1]);
    expect(big(run('ArgMax', [t], { axis: int(1), select_last_index: int(1) }))).toEqual([1, 1]);
    const m = new Tensor('int32', [5, 1, 1, 5], [4]);
    expect(big(run('ArgMin', [m]))).toEqual([1]);
    expect(big(run('ArgMin', [m], { select_last_index: int(1) }))).toEqual([2]);
  });

  it('treats NaN as the extreme like numpy', () => {
    expect(big(run('ArgMax', [f32([1, NaN, 3, NaN], [4])]))).toEqual([1]);
    expect(big(run('ArgMin', [f32([1, NaN, -3], [3])]))).toEqual([1]);
    expect(big(run('ArgMax', [f32([1, NaN, 3, NaN], [4])], { select_last_index: int(1) }))).toEqual([3]);
  });

  it('works on 3-D tensors along a middle axis', () => {
    const t = f32([0, 9, 5, 1, 7, 2, 3, 3, 8, 0, 1, 4], [2, 3, 2]);
    expect(big(run('ArgMax', [t], { axis: int(1), keepdims: int(0) }))).toEqual([2, 0, 1, 2]);
  });

  it('rejects empty axes and bad attributes', () => {
    expectCode(() => run('ArgMax', [f32([], [2, 0])], { axis: int(1) }), 'INPUT_INVALID');
    expect(run('ArgMax', [f32([], [0, 2])], { axis: int(1) }).dims).toEqual([0, 1]);
    expectCode(() => run('ArgMax', [x], { axis: int(2) }), 'MODEL_INVALID');
    expectCode(() => run('ArgMax', [new Tensor('bool', [1], [1])]), 'DTYPE_MISMATCH');
    expect(infer('ArgMin', [{ dtype: 'float32', shape: ['n', 5] }], { axis: int(1), keepdims: int(0) })).toEqual([{ dtype: 'int64', shape: ['n'] }]);
  });
});

describe('TopK', () => {
  const x = f32([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [3, 4]);
  const big = (t: Tensor) => Array.from(t.data as BigInt64Array, Number);

  it('returns the k largest, sorted, with indices', () => {
    const [v, i] = runAll('TopK', [x, i64([3])], {}, 11);
    expect(v!.dims).toEqual([3, 3]);
    expect(v!.toNumbers()).toEqual([3, 2, 1, 7, 6, 5, 11, 10, 9]);
    expect(big(i!)).toEqual([3, 2, 1, 3, 2, 1, 3, 2, 1]);
  });

  it('takes smallest values, other axes, and keeps lower indices first on ties', () => {
    const t = f32([3, 1, 3, 1], [4]);
    const [v, i] = runAll('TopK', [t, i64([3])], { largest: int(0) }, 11);
    expect(v!.toNumbers()).toEqual([1, 1, 3]);
    expect(big(i!)).toEqual([1, 3, 0]);
    const [v2, i2] = runAll('TopK', [t, i64([3])], {}, 11);
    expect(v2!.toNumbers()).toEqual([3, 3, 1]);
    expect(big(i2!)).toEqual([0, 2, 1]);
    const [v3, i3] = runAll('TopK', [x, i64([2])], { axis: int(0) }, 11);
    expect(v3!.dims).toEqual([2, 4]);
    expect(v3!.toNumbers()).toEqual([8, 9, 10, 11, 4, 5, 6, 7]);
    expect(big(i3!)).toEqual([2, 2, 2, 2, 1, 1, 1, 1]);
  });

  it('reads k from the attribute before opset 10', () => {
    const [v] = runAll('TopK', [x], { k: int(1) }, 9);
    expect(v!.toNumbers()).toEqual([3, 7, 11]);
  });

  it('copies values exactly and ranks NaN highest', () => {
    const [v] = runAll('TopK', [new Tensor('int64', [9007199254740993n, 1n, 9007199254740995n], [3]), i64([2])], {}, 11);
    expect(Array.from(v!.data as BigInt64Array)).toEqual([9007199254740995n, 9007199254740993n]);
    const [n, ni] = runAll('TopK', [f32([1, NaN, 3], [3]), i64([2])], {}, 11);
    expect(n!.toNumbers()).toEqual([NaN, 3]);
    expect(big(ni!)).toEqual([1, 2]);
    const [k0] = runAll('TopK', [x, i64([0])], {}, 11);
    expect(k0!.dims).toEqual([3, 0]);
  });

  it('rejects bad k, axis and dtypes', () => {
    expectCode(() => runAll('TopK', [x, i64([5])], {}, 11), 'INPUT_INVALID');
    expectCode(() => runAll('TopK', [x, i64([-1])], {}, 11), 'INPUT_INVALID');
    expectCode(() => runAll('TopK', [x, i64([1, 2])], {}, 11), 'INPUT_INVALID');
    expectCode(() => runAll('TopK', [x, i64([1])], { axis: int(2) }, 11), 'MODEL_INVALID');
    expectCode(() => runAll('TopK', [x], {}, 11), 'MODEL_INVALID');
    expectCode(() => runAll('TopK', [new Tensor('int32', [1], [1]), i64([1])], {}, 10), 'DTYPE_MISMATCH');
  });

  it('infers shapes with a constant or unknown k', () => {
    const xt: ValueType = { dtype: 'float32', shape: ['n', 1000] };
    const kt: ValueType = { dtype: 'int64', shape: [1] };
    expect(infer('TopK', [xt, kt], {}, 11, [undefined, i64([5])])).toEqual([
      { dtype: 'float32', shape: ['n', 5] },
      { dtype: 'int64', shape: ['n', 5] },
    ]);
    expect(infer('TopK', [xt, kt], {}, 11)[1]).toEqual({ dtype: 'int64', shape: ['n', undefined] });
  });
});

describe('CumSum', () => {
  const v = f32([1, 2, 3, 4, 5], [5]);
  const axis0 = new Tensor('int32', [0], []);

  it('sums forwards, backwards, inclusive and exclusive', () => {
    expect(run('CumSum', [v, axis0], {}, 11).toNumbers()).toEqual([1, 3, 6, 10, 15]);
    expect(run('CumSum', [v, axis0], { exclusive: int(1) }, 11).toNumbers()).toEqual([0, 1, 3, 6, 10]);
    expect(run('CumSum', [v, axis0], { reverse: int(1) }, 11).toNumbers()).toEqual([15, 14, 12, 9, 5]);
    expect(run('CumSum', [v, axis0], { reverse: int(1), exclusive: int(1) }, 11).toNumbers()).toEqual([14, 12, 9, 5, 0]);
  });

  it('works along any axis of a matrix', () => {
    const m = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(run('CumSum', [m, i64([0])], {}, 14).toNumbers()).toEqual([1, 2, 3, 5, 7, 9]);
    expect(run('CumSum', [m, new Tensor('int64', [-1n], [])], {}, 14).toNumbers()).toEqual([1, 3, 6, 4, 9, 15]);
    const i = run('CumSum', [new Tensor('int64', [1n, 2n, 3n], [3]), axis0], {}, 14);
    expect(Array.from(i.data as BigInt64Array)).toEqual([1n, 3n, 6n]);
  });

  it('rejects a bad axis', () => {
    expectCode(() => run('CumSum', [v, new Tensor('int32', [1], [])], {}, 11), 'INPUT_INVALID');
    expectCode(() => run('CumSum', [v, new Tensor('float32', [0], [])], {}, 11), 'DTYPE_MISMATCH');
    expectCode(() => run('CumSum', [v, new Tensor('int32', [0, 0], [2])], {}, 11), 'INPUT_INVALID');
    expectCode(() => run('CumSum', [v], {}, 11), 'MODEL_INVALID');
  });
});
