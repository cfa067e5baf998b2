import { describe, expect, it } from 'vitest';
import type { Attribute, ValueType } from '../../ir/graph.js';
import { floatToHalf, halfToFloat } from '../../tensor/half.js';
import { Tensor } from '../../tensor/tensor.js';
import { expectEdgeError as expectCode, float, inferNode, int, node as irNode, runNode } from '../../../test/helpers/kernels.js';
import { matmulOps } from './matmul.js';

const node = (op: string, attrs: Record<string, Attribute> = {}, nIn = 2) => irNode(op, ['a', 'b', 'c'].slice(0, nIn), ['y'], attrs, 'n');

function run(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, Attribute> = {}, opset = 13): Tensor {
  return runNode(node(op, attrs, inputs.length), inputs, opset, matmulOps)[0]!;
}

function infer(op: string, inputs: (ValueType | undefined)[], attrs: Record<string, Attribute> = {}, opset = 13): ValueType[] {
  return inferNode(node(op, attrs, inputs.length), inputs, opset, [], matmulOps);
}

const f32 = (values: number[], dims: number[]) => new Tensor('float32', values, dims);

/** Naive numpy-style matmul of row-major 2-D blocks, for cross-checks. */
function naive(a: number[], b: number[], M: number, K: number, N: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += a[i * K + k]! * b[k * N + j]!;
    out.push(s);
  }
  return out;
}

const seq = (n: number, f = (i: number) => ((i * 7) % 11) - 5) => Array.from({ length: n }, (_, i) => f(i));

describe('MatMul', () => {
  it('multiplies 2-D matrices', () => {
    const y = run('MatMul', [f32([1, 2, 3, 4, 5, 6], [2, 3]), f32([7, 8, 9, 10, 11, 12], [3, 2])]);
    expect(y.dims).toEqual([2, 2]);
    expect(y.toNumbers()).toEqual([58, 64, 139, 154]);
  });

  it('promotes and squeezes 1-D operands like numpy', () => {
    const m = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    const v3 = f32([1, 0, -1], [3]);
    const v2 = f32([1, -1], [2]);
    const mv = run('MatMul', [m, v3]);
    expect(mv.dims).toEqual([2]);
    expect(mv.toNumbers()).toEqual([-2, -2]);
    const vm = run('MatMul', [v2, m]);
    expect(vm.dims).toEqual([3]);
    expect(vm.toNumbers()).toEqual([-3, -3, -3]);
    const vv = run('MatMul', [v3, f32([4, 5, 6], [3])]);
    expect(vv.dims).toEqual([]);
    expect(vv.toNumbers()).toEqual([-2]);
    // 1-D with a batched matrix: [3] x [2,3,2] -> [2,2]
    const batched = run('MatMul', [v3, f32(seq(12), [2, 3, 2])]);
    expect(batched.dims).toEqual([2, 2]);
    const b = seq(12);
    expect(batched.toNumbers()).toEqual([...naive([1, 0, -1], b.slice(0, 6), 1, 3, 2), ...naive([1, 0, -1], b.slice(6), 1, 3, 2)]);
  });

  it('broadcasts batch dims', () => {
    const a = seq(2 * 1 * 2 * 3);
    const b = seq(3 * 3 * 4, (i) => (i % 5) - 2);
    const y = run('MatMul', [f32(a, [2, 1, 2, 3]), f32(b, [3, 3, 4])]);
    expect(y.dims).toEqual([2, 3, 2, 4]);
    const expected: number[] = [];
    for (let p = 0; p < 2; p++) for (let q = 0; q < 3; q++) expected.push(...naive(a.slice(p * 6, p * 6 + 6), b.slice(q * 12, q * 12 + 12), 2, 3, 4));
    expect(y.toNumbers()).toEqual(expected);
  });

  it('accumulates float32 in double precision', () => {
    // 1 + 999 * 1e-4: a float32 running sum would drift by ~1e-5 from rounding at each of the 999 steps.
    const K = 1000;
    const a = f32([1, ...new Array<number>(K - 1).fill(1e-4)], [1, K]);
    const b = f32(new Array<number>(K).fill(1), [K, 1]);
    expect(run('MatMul', [a, b]).toNumbers()[0]).toBeCloseTo(1 + 999e-4, 6);
  });

  it('computes float64, float16 and integers', () => {
    const d = run('MatMul', [new Tensor('float64', [0.1, 0.2], [1, 2]), new Tensor('float64', [0.3, 0.4], [2, 1])]);
    expect(d.type).toBe('float64');
    expect(d.toNumbers()[0]).toBe(0.1 * 0.3 + 0.2 * 0.4);
    const half = (v: number[], dims: number[]) => new Tensor('float16', new Uint16Array(v.map(floatToHalf)), dims);
    const h = run('MatMul', [half([1, 2, 3, 4], [2, 2]), half([0.5, 0, 0, 0.25], [2, 2])]);
    expect(h.type).toBe('float16');
    expect(Array.from(h.data as Uint16Array, halfToFloat)).toEqual([0.5, 0.5, 1.5, 1]);
    const i = run('MatMul', [new Tensor('int32', [1, -2, 3, 4], [2, 2]), new Tensor('int32', [5, 6, 7, 8], [2, 2])]);
    expect(i.type).toBe('int32');
    expect(i.toNumbers()).toEqual([-9, -10, 43, 50]);
  });

  it('wraps 32-bit integers and keeps 64-bit integers exact', () => {
    const w = run('MatMul', [new Tensor('int32', [65536, 1], [1, 2]), new Tensor('int32', [65536, 5], [2, 1])]);
    expect(w.toNumbers()).toEqual([5]); // 2^32 wraps to 0
    const u = run('MatMul', [new Tensor('uint32', [4294967295], [1, 1]), new Tensor('uint32', [2], [1, 1])]);
    expect(Array.from(u.data as Uint32Array)).toEqual([4294967294]);
    const big = run('MatMul', [new Tensor('int64', [3037000499n, 1n], [1, 2]), new Tensor('int64', [3037000499n, -7n], [2, 1])]);
    expect(big.type).toBe('int64');
    expect(Array.from(big.data as BigInt64Array)).toEqual([3037000499n * 3037000499n - 7n]);
  });

  it('handles empty operands', () => {
    expect(run('MatMul', [f32([], [0, 3]), f32(seq(6), [3, 2])]).dims).toEqual([0, 2]);
    const zeroK = run('MatMul', [f32([], [2, 0]), f32([], [0, 3])]);
    expect(zeroK.dims).toEqual([2, 3]);
    expect(zeroK.toNumbers()).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('rejects bad shapes and dtypes', () => {
    expectCode(() => run('MatMul', [f32(seq(6), [2, 3]), f32(seq(6), [2, 3])]), 'SHAPE_MISMATCH');
    expectCode(() => run('MatMul', [f32([1], []), f32([1], [1])]), 'SHAPE_MISMATCH');
    expectCode(() => run('MatMul', [f32(seq(12), [2, 2, 3]), f32(seq(18), [3, 3, 2])]), 'SHAPE_MISMATCH');
    expectCode(() => run('MatMul', [f32([1], [1, 1]), new Tensor('float64', [1], [1, 1])]), 'DTYPE_MISMATCH');
    expectCode(() => run('MatMul', [new Tensor('int8', [1], [1, 1]), new Tensor('int8', [1], [1, 1])]), 'DTYPE_MISMATCH');
  });

  it('infers symbolic shapes', () => {
    expect(infer('MatMul', [{ dtype: 'float32', shape: ['batch', 4, 8] }, { dtype: 'float32', shape: [8, 16] }])).toEqual([
      { dtype: 'float32', shape: ['batch', 4, 16] },
    ]);
    expect(infer('MatMul', [{ dtype: 'float32', shape: [8] }, { dtype: 'float32', shape: [1, 'n', 8, undefined] }])).toEqual([
      { dtype: 'float32', shape: [1, 'n', undefined] },
    ]);
    expect(infer('MatMul', [{ dtype: 'float32' }, { dtype: 'float32', shape: [8, 16] }])).toEqual([{ dtype: 'float32' }]);
    expectCode(() => infer('MatMul', [{ dtype: 'float32', shape: [2, 3] }, { dtype: 'float32', shape: [4, 5] }]), 'SHAPE_MISMATCH');
    expectCode(() => infer('MatMul', [{ dtype: 'float32', shape: [2, 3] }, { dtype: 'int32', shape: [3, 5] }]), 'DTYPE_MISMATCH');
  });
});

describe('Gemm', () => {
  const A = f32([1, 2, 3, 4, 5, 6], [2, 3]); // 2x3
  const B = f32([1, 0, 0, 1, 1, 1], [3, 2]); // 3x2
  // A*B = [[1+3, 2+3], [4+6, 5+6]] = [[4, 5], [10, 11]]

  it('computes alpha*A*B + beta*C with C broadcast', () => {
    expect(run('Gemm', [A, B]).toNumbers()).toEqual([4, 5, 10, 11]);
    expect(run('Gemm', [A, B, f32([1, 2], [2])]).toNumbers()).toEqual([5, 7, 11, 13]);
    expect(run('Gemm', [A, B, f32([1, 2], [2, 1])]).toNumbers()).toEqual([5, 6, 12, 13]);
    expect(run('Gemm', [A, B, f32([10], [])]).toNumbers()).toEqual([14, 15, 20, 21]);
    expect(run('Gemm', [A, B, f32([1, 2, 3, 4], [2, 2])], { alpha: float(2), beta: float(0.5) }).toNumbers()).toEqual([8.5, 11, 21.5, 24]);
  });

  it('transposes A and B', () => {
    const At = f32([1, 4, 2, 5, 3, 6], [3, 2]);
    const Bt = f32([1, 0, 1, 0, 1, 1], [2, 3]);
    expect(run('Gemm', [At, B], { transA: int(1) }).toNumbers()).toEqual([4, 5, 10, 11]);
    expect(run('Gemm', [A, Bt], { transB: int(1) }).toNumbers()).toEqual([4, 5, 10, 11]);
    const y = run('Gemm', [At, Bt, f32([1], [1])], { transA: int(1), transB: int(1) });
    expect(y.dims).toEqual([2, 2]);
    expect(y.toNumbers()).toEqual([5, 6, 11, 12]);
  });

  it('ignores C when beta is 0', () => {
    expect(run('Gemm', [A, B, f32([Infinity], [1])], { beta: float(0) }).toNumbers()).toEqual([4, 5, 10, 11]);
  });

  it('computes integer Gemm', () => {
    const y = run('Gemm', [new Tensor('int32', [1, 2, 3, 4], [2, 2]), new Tensor('int32', [1, 1, 1, 1], [2, 2]), new Tensor('int32', [100], [1])]);
    expect(y.toNumbers()).toEqual([103, 103, 107, 107]);
    const z = run('Gemm', [new Tensor('int64', [2n], [1, 1]), new Tensor('int64', [3n], [1, 1]), new Tensor('int64', [1n], [1])], {
      alpha: float(2),
      beta: float(3),
    });
    expect(Array.from(z.data as BigInt64Array)).toEqual([15n]);
  });

  it('needs C before opset 11', () => {
    expectCode(() => run('Gemm', [A, B], {}, 9), 'MODEL_INVALID');
    expectCode(() => infer('Gemm', [{ dtype: 'float32' }, { dtype: 'float32' }], {}, 7), 'MODEL_INVALID');
    expect(run('Gemm', [A, B, f32([0], [1])], {}, 7).toNumbers()).toEqual([4, 5, 10, 11]);
  });

  it('rejects bad shapes', () => {
    expectCode(() => run('Gemm', [f32(seq(6), [1, 2, 3]), B]), 'SHAPE_MISMATCH');
    expectCode(() => run('Gemm', [A, A]), 'SHAPE_MISMATCH');
    expectCode(() => run('Gemm', [A, B, f32([1, 2, 3], [3])]), 'SHAPE_MISMATCH');
    expectCode(() => run('Gemm', [A, B, f32([1, 2, 3, 4], [1, 2, 2])]), 'SHAPE_MISMATCH');
    expectCode(() => run('Gemm', [A, B, new Tensor('float64', [1], [1])]), 'DTYPE_MISMATCH');
  });

  it('infers [M, N]', () => {
    expect(
      infer('Gemm', [{ dtype: 'float32', shape: ['batch', 1280] }, { dtype: 'float32', shape: [1000, 1280] }, { dtype: 'float32', shape: [1000] }], {
        transB: int(1),
      }),
    ).toEqual([{ dtype: 'float32', shape: ['batch', 1000] }]);
    expectCode(() => infer('Gemm', [{ dtype: 'float32', shape: [2, 3] }, { dtype: 'float32', shape: [4, 5] }]), 'SHAPE_MISMATCH');
    expectCode(() => infer('Gemm', [{ dtype: 'float32', shape: [2, 3, 1] }, { dtype: 'float32', shape: [3, 5] }]), 'SHAPE_MISMATCH');
  });
});
