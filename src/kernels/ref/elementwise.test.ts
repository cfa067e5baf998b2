// Unit tests for the elementwise reference kernels and the broadcasting loop they share.

import { describe, expect, it } from 'vitest';
import type { Attribute, Node, ValueType } from '../../ir/graph.js';
import type { DataType } from '../../tensor/dtype.js';
import { bfloat16ToFloat, floatToHalf, halfToFloat } from '../../tensor/half.js';
import { Tensor } from '../../tensor/tensor.js';
import type { InferContext } from '../op-def.js';
import { expectEdgeError as expectCode, inferCtx, names, node as irNode, vt } from '../../../test/helpers/kernels.js';
import { binaryInto, planBroadcast } from './broadcast.js';
import { castTensor, elementwiseOps } from './elementwise.js';

// ---- helpers -------------------------------------------------------------------------------------------

const F = (value: number): Attribute => ({ type: 'float', value });
const I = (value: number): Attribute => ({ type: 'int', value });
const S = (value: string): Attribute => ({ type: 'string', value });

const makeNode = (op: string, nIn: number, attrs: Record<string, Attribute> = {}, nOut = 1): Node =>
  irNode(op, names('x', nIn), names('y', nOut), attrs, 'n');

const ctxOf = (node: Node, opset: number): InferContext => inferCtx(node, opset);

interface Opts {
  attrs?: Record<string, Attribute>;
  opset?: number;
  outputs?: number;
}

function run(op: string, inputs: (Tensor | undefined)[], opts: Opts = {}): Tensor[] {
  const node = makeNode(op, inputs.length, opts.attrs, opts.outputs ?? 1);
  return elementwiseOps[op]!.run(ctxOf(node, opts.opset ?? 17), inputs);
}

const run1 = (op: string, inputs: (Tensor | undefined)[], opts: Opts = {}): Tensor => run(op, inputs, opts)[0]!;

function infer(op: string, inputs: (ValueType | undefined)[], opts: Opts = {}): ValueType[] {
  const node = makeNode(op, inputs.length, opts.attrs, opts.outputs ?? 1);
  return elementwiseOps[op]!.infer(ctxOf(node, opts.opset ?? 17), inputs);
}

const t = (type: DataType, values: readonly number[] | readonly bigint[], dims?: number[]): Tensor =>
  new Tensor(type, values as number[], dims ?? [values.length]);
const f32 = (values: number[], dims?: number[]): Tensor => t('float32', values, dims);

function expectClose(actual: number[], expected: number[], tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    if (Number.isNaN(e)) expect(a).toBeNaN();
    else if (!Number.isFinite(e)) expect(a).toBe(e);
    else expect(Math.abs(a - e)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  });
}

/** Naive numpy broadcasting through multi-indices, to check the run-based loop against. */
function naiveBinary(a: Tensor, b: Tensor, f: (x: number, y: number) => number): { dims: number[]; values: number[] } {
  const rank = Math.max(a.dims.length, b.dims.length);
  const pad = (d: readonly number[]) => [...new Array<number>(rank - d.length).fill(1), ...d];
  const da = pad(a.dims);
  const db = pad(b.dims);
  const dims = da.map((x, i) => Math.max(x, db[i]!));
  const size = dims.reduce((p, x) => p * x, 1);
  const av = a.toNumbers();
  const bv = b.toNumbers();
  const values: number[] = [];
  for (let flat = 0; flat < size; flat++) {
    let rem = flat;
    let ia = 0;
    let ib = 0;
    let sa = 1;
    let sb = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const idx = rem % dims[d]!;
      rem = Math.floor(rem / dims[d]!);
      ia += (da[d] === 1 ? 0 : idx) * sa;
      ib += (db[d] === 1 ? 0 : idx) * sb;
      sa *= da[d]!;
      sb *= db[d]!;
    }
    values.push(f(av[ia]!, bv[ib]!));
  }
  return { dims, values };
}

// ---- broadcasting --------------------------------------------------------------------------------------

describe('broadcast plan', () => {
  const ctx = ctxOf(makeNode('Add', 2), 17);

  it('merges compatible dims into long runs', () => {
    const p = planBroadcast(ctx, [
      [2, 3, 4, 5],
      [1, 3, 1, 1],
    ]);
    expect(p.dims).toEqual([2, 3, 4, 5]);
    expect(p.run).toBe(20);
    expect(p.steps).toEqual([1, 0]);
    expect(p.outer).toEqual([2, 3]);
    const same = planBroadcast(ctx, [
      [2, 3, 4],
      [2, 3, 4],
    ]);
    expect(same.run).toBe(24);
    expect(same.outer).toEqual([]);
    const scalar = planBroadcast(ctx, [[2, 3, 4], []]);
    expect(scalar.run).toBe(24);
    expect(scalar.steps).toEqual([1, 0]);
  });

  it('matches a naive multi-index loop on random shapes', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let trial = 0; trial < 200; trial++) {
      const rank = 1 + rnd(4);
      const out = Array.from({ length: rank }, () => 1 + rnd(4));
      const pick = () => out.slice(rnd(rank)).map((d) => (rnd(3) === 0 ? 1 : d));
      const da = pick();
      const db = pick();
      const a = f32(Array.from({ length: da.reduce((p, x) => p * x, 1) }, (_, i) => i), da);
      const b = f32(Array.from({ length: db.reduce((p, x) => p * x, 1) }, (_, i) => 100 * i), db);
      const got = run1('Sub', [a, b]);
      const want = naiveBinary(a, b, (x, y) => x - y);
      expect(got.dims).toEqual(want.dims);
      expect(got.toNumbers()).toEqual(want.values);
    }
  });

  it('broadcasts unidirectionally to a target and refuses what does not fit', () => {
    const p = planBroadcast(ctx, [[3, 1]], [2, 3, 4]);
    expect(p.dims).toEqual([2, 3, 4]);
    expectCode(() => planBroadcast(ctx, [[2, 3]], [3]), 'SHAPE_MISMATCH');
    expectCode(() => planBroadcast(ctx, [[2], [3]]), 'SHAPE_MISMATCH');
  });

  it('binaryInto works in place', () => {
    const acc = new Float32Array([1, 2, 3, 4, 5, 6]);
    const plan = planBroadcast(ctx, [[2, 3], [3]], [2, 3]);
    binaryInto(plan, acc, new Float32Array([10, 20, 30]), acc, (x, y) => x + y);
    expect(Array.from(acc)).toEqual([11, 22, 33, 14, 25, 36]);
  });
});

// ---- binary arithmetic ---------------------------------------------------------------------------------

describe('Add Sub Mul Div', () => {
  it('broadcasts float32', () => {
    const a = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(run1('Add', [a, f32([10, 20, 30])]).toNumbers()).toEqual([11, 22, 33, 14, 25, 36]);
    expect(run1('Mul', [f32([1, 2], [2, 1]), f32([1, 10, 100], [1, 3])]).toNumbers()).toEqual([1, 10, 100, 2, 20, 200]);
    const s = run1('Sub', [a, f32([1], [])]);
    expect(s.dims).toEqual([2, 3]);
    expect(s.toNumbers()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(run1('Div', [f32([1, -1, 0]), f32([0, 0, 0])]).toNumbers()).toEqual([Infinity, -Infinity, NaN]);
  });

  it('wraps integers like C', () => {
    expect(run1('Add', [t('uint8', [200, 1]), t('uint8', [100, 2])]).toNumbers()).toEqual([44, 3]);
    expect(run1('Sub', [t('uint8', [1]), t('uint8', [2])]).toNumbers()).toEqual([255]);
    expect(run1('Add', [t('int32', [2147483647]), t('int32', [1])]).toNumbers()).toEqual([-2147483648]);
    expect(run1('Mul', [t('int32', [65536, 46341]), t('int32', [65536, 46341])]).toNumbers()).toEqual([0, -2147479015]);
    expect(run1('Mul', [t('uint32', [4294967295]), t('uint32', [2])]).toNumbers()).toEqual([4294967294]);
    const big = run1('Mul', [t('int64', [2n ** 62n, 3n]), t('int64', [4n, -5n])]);
    expect(Array.from(big.data as BigInt64Array)).toEqual([0n, -15n]);
    const u64 = run1('Add', [t('uint64', [2n ** 64n - 1n]), t('uint64', [2n])]);
    expect(Array.from(u64.data as BigUint64Array)).toEqual([1n]);
  });

  it('divides integers truncating toward zero, x / 0 = 0', () => {
    expect(run1('Div', [t('int32', [7, -7, 7, -7, 5]), t('int32', [2, 2, -2, -2, 0])]).toNumbers()).toEqual([3, -3, -3, 3, 0]);
    expect(run1('Div', [t('uint8', [255, 7]), t('uint8', [2, 0])]).toNumbers()).toEqual([127, 0]);
    const big = run1('Div', [t('int64', [-7n, 9007199254740993n, 1n]), t('int64', [2n, 1n, 0n])]);
    expect(Array.from(big.data as BigInt64Array)).toEqual([-3n, 9007199254740993n, 0n]);
  });

  it('computes float16 in float32 and rounds back', () => {
    const a = t('float16', [1, 2.5, 65504]);
    const r = run1('Add', [a, t('float16', [0.5, 0.25, 65504])]);
    expect(r.type).toBe('float16');
    expect(r.toNumbers()).toEqual([1.5, 2.75, Infinity]);
    const bf = run1('Mul', [t('bfloat16', [3]), t('bfloat16', [0.5])]);
    expect(bf.toNumbers()).toEqual([1.5]);
  });

  it('handles empty tensors', () => {
    const r = run1('Add', [f32([], [0, 3]), f32([1, 2, 3], [1, 3])]);
    expect(r.dims).toEqual([0, 3]);
    expect(r.size).toBe(0);
  });

  it('rejects mismatched dtypes and shapes', () => {
    expectCode(() => run1('Add', [f32([1]), t('int32', [1])]), 'DTYPE_MISMATCH');
    expectCode(() => run1('Add', [f32([1, 2]), f32([1, 2, 3])]), 'SHAPE_MISMATCH');
    expectCode(() => run1('Add', [t('bool', [1]), t('bool', [1])]), 'DTYPE_MISMATCH');
    expectCode(() => run1('Add', [f32([1])]), 'MODEL_INVALID');
  });

  it('infers broadcast shapes with symbolic dims', () => {
    expect(infer('Add', [vt('float32', ['batch', 3, 1]), vt('float32', [4])])).toEqual([{ dtype: 'float32', shape: ['batch', 3, 4] }]);
    expect(infer('Mul', [vt('float32', [undefined, 3]), vt('float32', [2, 1])])[0]!.shape).toEqual([2, 3]);
    expect(infer('Mul', [vt('float32', ['n']), vt('float32', ['m'])])[0]!.shape).toEqual([undefined]);
    expect(infer('Sub', [vt('int64'), vt('int64', [3])])).toEqual([{ dtype: 'int64', shape: undefined }]);
    expectCode(() => infer('Add', [vt('float32', [2, 3]), vt('float32', [4])]), 'SHAPE_MISMATCH');
    expectCode(() => infer('Add', [vt('float32', [2]), vt('float16', [2])]), 'DTYPE_MISMATCH');
  });
});

describe('Mod', () => {
  it('integer mod takes the divisor sign, fmod the dividend sign', () => {
    const a = t('int32', [-7, 7, -7, 7, 5]);
    const b = t('int32', [3, -3, -3, 3, 0]);
    expect(run1('Mod', [a, b]).toNumbers()).toEqual([2, -2, -1, 1, 0]);
    expect(run1('Mod', [a, b], { attrs: { fmod: I(1) } }).toNumbers()).toEqual([-1, 1, -1, 1, 0]);
    const big = run1('Mod', [t('int64', [-7n, 7n]), t('int64', [3n, 0n])]);
    expect(Array.from(big.data as BigInt64Array)).toEqual([2n, 0n]);
    expect(run1('Mod', [f32([5.5, -5.5]), f32([2, 2])], { attrs: { fmod: I(1) } }).toNumbers()).toEqual([1.5, -1.5]);
  });

  it('requires fmod=1 for floats', () => {
    expectCode(() => run1('Mod', [f32([1]), f32([2])]), 'MODEL_INVALID');
  });
});

describe('Pow', () => {
  it('computes floats with broadcasting', () => {
    expect(run1('Pow', [f32([1, 2, 3, 4], [2, 2]), f32([2, 3])]).toNumbers()).toEqual([1, 8, 9, 64]);
    expect(run1('Pow', [f32([1, -1, 4]), f32([NaN, Infinity, 0.5])]).toNumbers()).toEqual([1, 1, 2]);
  });

  it('mixes base and exponent dtypes; the base dtype is the output', () => {
    const r = run1('Pow', [t('int32', [1, 2, 3]), f32([4, 5, 6])]);
    expect(r.type).toBe('int32');
    expect(r.toNumbers()).toEqual([1, 32, 729]);
    expect(run1('Pow', [t('int32', [2, 2, 3]), f32([0.5, -1, 2.5])]).toNumbers()).toEqual([1, 0, 15]);
    expect(run1('Pow', [f32([2, 3]), t('int64', [3n, -1n])]).toNumbers()).toEqual([8, 1 / 3].map(Math.fround));
    expect(run1('Pow', [f32([2]), t('uint64', [10n])]).toNumbers()).toEqual([1024]);
    const h = run1('Pow', [t('float16', [3]), t('int8', [2])]);
    expect(h.type).toBe('float16');
    expect(h.toNumbers()).toEqual([9]);
  });

  it('is exact for integer powers, wrapping like the base type', () => {
    const big = run1('Pow', [t('int64', [3n, -2n, 2n, 5n]), t('int64', [39n, 63n, 64n, -1n])]);
    expect(Array.from(big.data as BigInt64Array)).toEqual([4052555153018976267n, -(2n ** 63n), 0n, 0n]);
    expect(run1('Pow', [t('int32', [2, 2, -1, 1, 7]), t('int32', [31, 32, -3, -5, 0])]).toNumbers()).toEqual([-2147483648, 0, -1, 1, 1]);
    expect(run1('Pow', [t('int64', [4n]), f32([0.5])]).toNumbers()).toEqual([2]);
  });

  it('checks types and infers the base dtype', () => {
    expect(infer('Pow', [vt('int32', [3]), vt('float32', ['n', 1])])).toEqual([{ dtype: 'int32', shape: ['n', 3] }]);
    expectCode(() => run1('Pow', [t('uint8', [1]), t('uint8', [1])]), 'DTYPE_MISMATCH');
    expectCode(() => infer('Pow', [vt('float32'), vt('bool')]), 'DTYPE_MISMATCH');
  });
});

describe('PRelu', () => {
  it('broadcasts the slope unidirectionally', () => {
    const x = f32([-1, 2, -3, 4, -5, 6, -7, 8], [1, 2, 2, 2]);
    const slope = f32([0.5, 0.25], [2, 1, 1]);
    expect(run1('PRelu', [x, slope]).toNumbers()).toEqual([-0.5, 2, -1.5, 4, -1.25, 6, -1.75, 8]);
    expect(run1('PRelu', [t('int32', [-3, 3]), t('int32', [2])]).toNumbers()).toEqual([-6, 3]);
    const big = run1('PRelu', [t('int64', [-3n, 3n]), t('int64', [2n, 2n])]);
    expect(Array.from(big.data as BigInt64Array)).toEqual([-6n, 3n]);
  });

  it('refuses a slope bigger than X', () => {
    expectCode(() => run1('PRelu', [f32([1, 2, 3]), f32([1, 2, 3, 4, 5, 6], [2, 3])]), 'SHAPE_MISMATCH');
    expectCode(() => infer('PRelu', [vt('float32', [3]), vt('float32', [2, 3])]), 'SHAPE_MISMATCH');
    expectCode(() => infer('PRelu', [vt('float32', [1, 3]), vt('float32', [2, 3])]), 'SHAPE_MISMATCH');
    expect(infer('PRelu', [vt('float32', ['b', 3, 4]), vt('float32', [3, 1])])).toEqual([{ dtype: 'float32', shape: ['b', 3, 4] }]);
    expectCode(() => run1('PRelu', [t('int8', [1]), t('int8', [1])]), 'DTYPE_MISMATCH');
  });
});

// ---- comparisons, logic, Where -------------------------------------------------------------------------

describe('comparisons and logic', () => {
  it('compare with broadcasting into bool', () => {
    const a = t('int32', [1, 2, 3, 4, 5, 6], [2, 3]);
    const b = t('int32', [2, 2, 2]);
    const eq = run1('Equal', [a, b]);
    expect(eq.type).toBe('bool');
    expect(eq.toNumbers()).toEqual([0, 1, 0, 0, 0, 0]);
    expect(run1('Greater', [a, b]).toNumbers()).toEqual([0, 0, 1, 1, 1, 1]);
    expect(run1('Less', [a, b]).toNumbers()).toEqual([1, 0, 0, 0, 0, 0]);
    expect(run1('GreaterOrEqual', [a, b]).toNumbers()).toEqual([0, 1, 1, 1, 1, 1]);
    expect(run1('LessOrEqual', [a, b]).toNumbers()).toEqual([1, 1, 0, 0, 0, 0]);
  });

  it('treats NaN as unordered and compares 64-bit integers exactly', () => {
    expect(run1('Equal', [f32([NaN, 1]), f32([NaN, 1])]).toNumbers()).toEqual([0, 1]);
    expect(run1('Greater', [f32([NaN]), f32([0])]).toNumbers()).toEqual([0]);
    const a = t('int64', [9007199254740993n]);
    expect(run1('Greater', [a, t('int64', [9007199254740992n])]).toNumbers()).toEqual([1]);
    expect(run1('Less', [t('float16', [1]), t('float16', [1.5])]).toNumbers()).toEqual([1]);
    expect(run1('Equal', [t('bool', [1, 0]), t('bool', [1, 1])]).toNumbers()).toEqual([1, 0]);
    expect(infer('Less', [vt('float32', ['n']), vt('float32', [1])])).toEqual([{ dtype: 'bool', shape: ['n'] }]);
    expectCode(() => run1('Greater', [t('bool', [1]), t('bool', [0])]), 'DTYPE_MISMATCH');
  });

  it('And Or Xor Not', () => {
    const a = t('bool', [0, 0, 1, 1]);
    const b = t('bool', [0, 1, 0, 1]);
    expect(run1('And', [a, b]).toNumbers()).toEqual([0, 0, 0, 1]);
    expect(run1('Or', [a, b]).toNumbers()).toEqual([0, 1, 1, 1]);
    expect(run1('Xor', [a, b]).toNumbers()).toEqual([0, 1, 1, 0]);
    expect(run1('Not', [a]).toNumbers()).toEqual([1, 1, 0, 0]);
    expect(run1('And', [t('bool', [1, 0, 1, 1], [2, 2]), t('bool', [1, 0], [2, 1])]).toNumbers()).toEqual([1, 0, 0, 0]);
    expectCode(() => run1('And', [t('int32', [1]), t('int32', [1])]), 'DTYPE_MISMATCH');
  });

  it('Where broadcasts three ways and copies any dtype', () => {
    const c = t('bool', [1, 0], [2, 1]);
    const x = f32([1, 2, 3]);
    const y = f32([-1], []);
    const r = run1('Where', [c, x, y]);
    expect(r.dims).toEqual([2, 3]);
    expect(r.toNumbers()).toEqual([1, 2, 3, -1, -1, -1]);
    const big = run1('Where', [t('bool', [1, 0]), t('int64', [2n ** 60n, 1n]), t('int64', [5n, 6n])]);
    expect(Array.from(big.data as BigInt64Array)).toEqual([2n ** 60n, 6n]);
    const h = run1('Where', [t('bool', [0]), t('float16', [1]), t('float16', [0.5])]);
    expect(h.toNumbers()).toEqual([0.5]);
    expect(run1('Where', [t('bool', [], [0]), f32([1]), f32([2])]).dims).toEqual([0]);
    expect(infer('Where', [vt('bool', ['n', 1]), vt('int64', [3]), vt('int64', [])])).toEqual([{ dtype: 'int64', shape: ['n', 3] }]);
    expectCode(() => run1('Where', [t('int32', [1]), x, x]), 'DTYPE_MISMATCH');
    expectCode(() => run1('Where', [t('bool', [1]), x, t('int32', [1])]), 'DTYPE_MISMATCH');
    expectCode(() => run1('Where', [t('bool', [1, 0]), x, x]), 'SHAPE_MISMATCH');
  });
});

// ---- variadic ------------------------------------------------------------------------------------------

describe('Max Min Sum Mean', () => {
  it('fold n inputs with broadcasting', () => {
    const a = f32([1, 5, 3, 4, 2, 6], [2, 3]);
    const b = f32([2, 2, 2]);
    const c = f32([0, 10], [2, 1]);
    expect(run1('Max', [a, b, c]).toNumbers()).toEqual([2, 5, 3, 10, 10, 10]);
    expect(run1('Min', [a, b, c]).toNumbers()).toEqual([0, 0, 0, 2, 2, 2]);
    expect(run1('Sum', [a, b, c]).toNumbers()).toEqual([3, 7, 5, 16, 14, 18]);
    expect(run1('Mean', [a, b]).toNumbers()).toEqual([1.5, 3.5, 2.5, 3, 2, 4]);
    const one = run1('Max', [b]);
    expect(one.toNumbers()).toEqual([2, 2, 2]);
    expect(one.data).not.toBe(b.data);
    expect(run1('Sum', [f32([1], []), f32([1, 2, 3])]).toNumbers()).toEqual([2, 3, 4]);
  });

  it('propagate NaN and support every numeric dtype', () => {
    expect(run1('Max', [f32([NaN, 1]), f32([1, NaN])]).toNumbers()).toEqual([NaN, NaN]);
    const u64 = run1('Min', [t('uint64', [2n ** 64n - 1n, 5n]), t('uint64', [2n ** 63n, 7n])]);
    expect(Array.from(u64.data as BigUint64Array)).toEqual([2n ** 63n, 5n]);
    expect(run1('Max', [t('int8', [-128, 127]), t('int8', [0, 0])]).toNumbers()).toEqual([0, 127]);
    expect(run1('Max', [t('float16', [1, 4]), t('float16', [3, 2])]).toNumbers()).toEqual([3, 4]);
    expect(run1('Mean', [t('int32', [1, -3]), t('int32', [2, 0])]).toNumbers()).toEqual([1, -1]);
    expect(run1('Mean', [t('int64', [7n]), t('int64', [8n])]).toNumbers()).toEqual([7]);
    expect(run1('Sum', [t('uint8', [200]), t('uint8', [100])]).toNumbers()).toEqual([44]);
  });

  it('validate inputs and infer', () => {
    expectCode(() => run1('Max', []), 'MODEL_INVALID');
    expectCode(() => run1('Sum', [f32([1]), t('float64', [1])]), 'DTYPE_MISMATCH');
    expectCode(() => run1('Max', [t('bool', [1])]), 'DTYPE_MISMATCH');
    expectCode(() => run1('Sum', [f32([1, 2]), f32([1, 2, 3])]), 'SHAPE_MISMATCH');
    expect(infer('Mean', [vt('float32', ['b', 1]), vt('float32', [4]), vt('float32', [])])).toEqual([{ dtype: 'float32', shape: ['b', 4] }]);
  });
});

// ---- unary ---------------------------------------------------------------------------------------------

describe('unary math', () => {
  it('Abs Neg Sign Relu on floats and integers', () => {
    expect(run1('Abs', [f32([-1.5, 2, -0])]).toNumbers()).toEqual([1.5, 2, 0]);
    expect(run1('Abs', [t('int8', [-128, -5, 5])]).toNumbers()).toEqual([-128, 5, 5]);
    expect(Array.from(run1('Abs', [t('int64', [-(2n ** 62n)])]).data as BigInt64Array)).toEqual([2n ** 62n]);
    expect(run1('Neg', [t('int32', [5, -2147483648])]).toNumbers()).toEqual([-5, -2147483648]);
    expect(run1('Sign', [f32([-2, 0, 3, NaN])]).toNumbers()).toEqual([-1, 0, 1, NaN]);
    expect(run1('Sign', [t('uint8', [0, 9])]).toNumbers()).toEqual([0, 1]);
    expect(run1('Relu', [f32([-1, 0, 2])]).toNumbers()).toEqual([0, 0, 2]);
    expect(Array.from(run1('Relu', [t('int64', [-3n, 3n])]).data as BigInt64Array)).toEqual([0n, 3n]);
    expectCode(() => run1('Neg', [t('uint8', [1])]), 'DTYPE_MISMATCH');
    expectCode(() => run1('Relu', [t('uint32', [1])]), 'DTYPE_MISMATCH');
    expectCode(() => run1('Sqrt', [t('int32', [4])]), 'DTYPE_MISMATCH');
  });

  it('transcendental functions', () => {
    expectClose(run1('Sqrt', [t('float64', [4, 2, -1])]).toNumbers(), [2, Math.SQRT2, NaN], 1e-15);
    expectClose(run1('Exp', [f32([0, 1])]).toNumbers(), [1, Math.E]);
    expectClose(run1('Log', [f32([1, Math.E, 0])]).toNumbers(), [0, 1, -Infinity]);
    expectClose(run1('Tanh', [f32([0, 1, -20])]).toNumbers(), [0, Math.tanh(1), -1]);
    expectClose(run1('Sigmoid', [t('float64', [0, 800, -800, 2])]).toNumbers(), [0.5, 1, 0, 1 / (1 + Math.exp(-2))], 1e-15);
    expectClose(run1('Softplus', [t('float64', [-1, 0, 1, 1000])]).toNumbers(), [0.31326168751822286, Math.LN2, 1.3132616875182228, 1000], 1e-15);
    expectClose(run1('Reciprocal', [f32([2, -4])]).toNumbers(), [0.5, -0.25]);
    expectClose(run1('Sin', [t('float64', [Math.PI / 2])]).toNumbers(), [1], 1e-15);
    expectClose(run1('Cos', [t('float64', [0])]).toNumbers(), [1], 1e-15);
    expectClose(run1('Atan', [t('float64', [1])]).toNumbers(), [Math.PI / 4], 1e-15);
    expectClose(run1('Softsign', [f32([1, -3])]).toNumbers(), [0.5, -0.75]);
  });

  it('Erf to double precision', () => {
    const x = t('float64', [0.5, 1, 2, 3, -0.1, 5.5, 1e-5, 0, 7, -Infinity, NaN]);
    const want = [
      0.5204998778130465, 0.8427007929497149, 0.9953222650189527, 0.9999779095030014, -0.1124629160182849, 0.9999999999999927,
      1.1283791670579e-5, 0, 1, -1, NaN,
    ];
    expectClose(run1('Erf', [x]).toNumbers(), want, 1e-14);
    expect(run1('Erf', [t('float16', [1])]).toNumbers()).toEqual([halfToFloat(floatToHalf(0.8427007929497149))]);
  });

  it('Floor Ceil Round (half to even)', () => {
    const x = f32([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.3, -4.5, -2.7]);
    expect(run1('Round', [x]).toNumbers()).toEqual([0, 2, 2, -0, -2, -2, 2, -4, -3]);
    expect(run1('Floor', [x]).toNumbers()).toEqual([0, 1, 2, -1, -2, -3, 2, -5, -3]);
    expect(run1('Ceil', [x]).toNumbers()).toEqual([1, 2, 3, -0, -1, -2, 3, -4, -2]);
  });

  it('activations with attributes', () => {
    const x = t('float64', [-1, 0, 1]);
    expectClose(run1('LeakyRelu', [x]).toNumbers(), [-0.01, 0, 1], 1e-15);
    expectClose(run1('LeakyRelu', [x], { attrs: { alpha: F(0.1) } }).toNumbers(), [-0.1, 0, 1], 1e-15);
    expectClose(run1('Elu', [x]).toNumbers(), [Math.exp(-1) - 1, 0, 1], 1e-15);
    expectClose(run1('Elu', [x], { attrs: { alpha: F(2) } }).toNumbers(), [2 * (Math.exp(-1) - 1), 0, 1], 1e-15);
    expectClose(run1('Selu', [x]).toNumbers(), [-1.1113307412864784, 0, 1.0507010221481323], 1e-15);
    expectClose(run1('Selu', [x], { attrs: { alpha: F(2), gamma: F(3) } }).toNumbers(), [6 * (Math.exp(-1) - 1), 0, 3], 1e-15);
    expectClose(run1('HardSigmoid', [t('float64', [-3, 0, 1, 3])]).toNumbers(), [0, 0.5, 0.7, 1], 1e-15);
    expectClose(run1('HardSigmoid', [x], { attrs: { alpha: F(0.5), beta: F(0.6) } }).toNumbers(), [0.1, 0.6, 1], 1e-15);
    expectClose(run1('HardSwish', [t('float64', [-4, -1, 0, 1, 4])]).toNumbers(), [0, -1 / 3, 0, 2 / 3, 4], 1e-15);
    expectClose(run1('ThresholdedRelu', [t('float64', [0.5, 1, 2])]).toNumbers(), [0, 0, 2], 1e-15);
    expectClose(run1('Celu', [x]).toNumbers(), [Math.exp(-1) - 1, 0, 1], 1e-15);
  });

  it('Gelu exact and tanh', () => {
    const x = t('float64', [-1, 0.5, 1, 3]);
    expectClose(run1('Gelu', [x]).toNumbers(), [-0.15865525393145707, 0.34573123063700656, 0.8413447460685429, 2.99595030590511], 1e-14);
    expectClose(
      run1('Gelu', [x], { attrs: { approximate: S('tanh') } }).toNumbers(),
      [-0.15880800939172324, 0.34571400982514394, 0.8411919906082768, 2.996362607918227],
      1e-14,
    );
    expectCode(() => run1('Gelu', [x], { attrs: { approximate: S('fast') } }), 'MODEL_INVALID');
  });

  it('IsNaN and IsInf', () => {
    const x = f32([NaN, Infinity, -Infinity, 1]);
    expect(run1('IsNaN', [x]).toNumbers()).toEqual([1, 0, 0, 0]);
    expect(run1('IsInf', [x]).toNumbers()).toEqual([0, 1, 1, 0]);
    expect(run1('IsInf', [x], { attrs: { detect_negative: I(0) } }).toNumbers()).toEqual([0, 1, 0, 0]);
  });

  it('keeps shapes, handles empty tensors and half types, infers', () => {
    const e = run1('Exp', [f32([], [2, 0])]);
    expect(e.dims).toEqual([2, 0]);
    const h = run1('Relu', [t('float16', [-1, 2.5])]);
    expect(h.type).toBe('float16');
    expect(h.toNumbers()).toEqual([0, 2.5]);
    expect(run1('Neg', [t('bfloat16', [1.5])]).toNumbers()).toEqual([-1.5]);
    expect(infer('Sigmoid', [vt('float16', ['b', 3])])).toEqual([{ dtype: 'float16', shape: ['b', 3] }]);
    expectCode(() => infer('Sigmoid', [vt('int32', [3])]), 'DTYPE_MISMATCH');
    expectCode(() => infer('Sigmoid', [undefined]), 'MODEL_INVALID');
  });
});

// ---- Clip ----------------------------------------------------------------------------------------------

describe('Clip', () => {
  const x = f32([-3, -1, 0, 1, 3, NaN]);
  it('takes min/max inputs from opset 11', () => {
    expect(run1('Clip', [x, f32([-1], []), f32([1], [])]).toNumbers()).toEqual([-1, -1, 0, 1, 1, NaN]);
    expect(run1('Clip', [x, undefined, f32([0], [])]).toNumbers()).toEqual([-3, -1, 0, 0, 0, NaN]);
    expect(run1('Clip', [x, f32([0], [])]).toNumbers()).toEqual([0, 0, 0, 1, 3, NaN]);
    expect(run1('Clip', [x]).toNumbers()).toEqual([-3, -1, 0, 1, 3, NaN]);
    expect(run1('Clip', [x, f32([2], []), f32([1], [])]).toNumbers()).toEqual([1, 1, 1, 1, 1, NaN]);
    expect(run1('Clip', [x, f32([0], [1]), f32([6], [1])]).toNumbers()).toEqual([0, 0, 0, 1, 3, NaN]);
  });

  it('takes attributes before opset 11', () => {
    expect(run1('Clip', [x], { opset: 6, attrs: { min: F(-2), max: F(0.5) } }).toNumbers()).toEqual([-2, -1, 0, 0.5, 0.5, NaN]);
    expect(run1('Clip', [x], { opset: 6, attrs: { max: F(0) } }).toNumbers()).toEqual([-3, -1, 0, 0, 0, NaN]);
    expectCode(() => run1('Clip', [x, f32([0], [])], { opset: 6 }), 'MODEL_INVALID');
  });

  it('clips integer dtypes exactly', () => {
    expect(run1('Clip', [t('int8', [-128, 0, 127]), undefined, t('int8', [100], [])]).toNumbers()).toEqual([-128, 0, 100]);
    expect(run1('Clip', [t('uint8', [0, 50, 255]), t('uint8', [10], [])]).toNumbers()).toEqual([10, 50, 255]);
    const big = run1('Clip', [t('int64', [-(2n ** 62n), 5n, 2n ** 62n]), t('int64', [0n], []), t('int64', [2n ** 61n], [])]);
    expect(Array.from(big.data as BigInt64Array)).toEqual([0n, 5n, 2n ** 61n]);
    expect(run1('Clip', [t('float16', [-2, 0.5, 70000]), t('float16', [-1], []), t('float16', [1], [])]).toNumbers()).toEqual([-1, 0.5, 1]);
  });

  it('validates bounds', () => {
    expectCode(() => run1('Clip', [x, f32([0, 1])]), 'SHAPE_MISMATCH');
    expectCode(() => run1('Clip', [x, t('float64', [0], [])]), 'DTYPE_MISMATCH');
    expectCode(() => infer('Clip', [vt('float32', [3]), vt('float32', [2])]), 'SHAPE_MISMATCH');
    expectCode(() => infer('Clip', [vt('float32', [3]), vt('int8', [])]), 'DTYPE_MISMATCH');
    expect(infer('Clip', [vt('int8', ['n']), undefined, vt('int8', [])])).toEqual([{ dtype: 'int8', shape: ['n'] }]);
    expectCode(() => run1('Clip', [t('bool', [1])]), 'DTYPE_MISMATCH');
  });
});

// ---- Cast, Identity, Dropout ---------------------------------------------------------------------------

describe('Cast', () => {
  const to = (type: DataType): Opts => ({ attrs: { to: I({ float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11, uint32: 12, uint64: 13, bfloat16: 16 }[type]) } });

  it('floats to integers truncate toward zero and wrap', () => {
    const x = f32([-1.7, 2.9, 300, -1, NaN, Infinity]);
    expect(run1('Cast', [x], to('int32')).toNumbers()).toEqual([-1, 2, 300, -1, 0, 0]);
    expect(run1('Cast', [x], to('uint8')).toNumbers()).toEqual([255, 2, 44, 255, 0, 0]);
    expect(run1('Cast', [x], to('int8')).toNumbers()).toEqual([-1, 2, 44, -1, 0, 0]);
    expect(Array.from(run1('Cast', [x], to('int64')).data as BigInt64Array)).toEqual([-1n, 2n, 300n, -1n, 0n, 0n]);
    expect(Array.from(run1('Cast', [t('float64', [2 ** 63 + 2 ** 12])], to('int64')).data as BigInt64Array)).toEqual([-(2n ** 63n) + 4096n]);
  });

  it('converts between integer widths by wrapping and to bool by != 0', () => {
    const big = t('int64', [2n ** 32n + 5n, -1n, 2n ** 53n + 1n]);
    expect(run1('Cast', [big], to('int32')).toNumbers()).toEqual([5, -1, 1]);
    expect(run1('Cast', [big], to('uint16')).toNumbers()).toEqual([5, 65535, 1]);
    expect(Array.from(run1('Cast', [big], to('uint64')).data as BigUint64Array)).toEqual([2n ** 32n + 5n, 2n ** 64n - 1n, 2n ** 53n + 1n]);
    expect(run1('Cast', [big], to('float64')).toNumbers()).toEqual([2 ** 32 + 5, -1, 2 ** 53]);
    expect(run1('Cast', [f32([0, -0, 0.1, NaN])], to('bool')).toNumbers()).toEqual([0, 0, 1, 1]);
    expect(run1('Cast', [t('int64', [0n, 3n])], to('bool')).toNumbers()).toEqual([0, 1]);
    expect(run1('Cast', [t('bool', [1, 0])], to('float16')).toNumbers()).toEqual([1, 0]);
    expect(Array.from(run1('Cast', [t('uint32', [4294967295])], to('int64')).data as BigInt64Array)).toEqual([4294967295n]);
    expect(run1('Cast', [t('int32', [-1])], to('uint32')).toNumbers()).toEqual([4294967295]);
  });

  it('rounds to float16 and bfloat16 to nearest even, from float64 without double rounding', () => {
    const tie = 1 + 2 ** -11 + 2 ** -40; // rounds to float32 1 + 2^-11 (a float16 tie) but is above it
    const h = run1('Cast', [t('float64', [tie, 1 + 2 ** -11, 65520, 65519, 2 ** -25, 2 ** -24 * 1.5, NaN])], to('float16'));
    expect(Array.from(h.data as Uint16Array)).toEqual([0x3c01, 0x3c00, 0x7c00, 0x7bff, 0x0000, 0x0002, 0x7e00]);
    const bits = new Uint32Array([0x3ef535b8, 0x3ef5eeb0, 0x3f808000, 0x3f818000, 0x7f7fffff]);
    const b = run1('Cast', [new Tensor('float32', new Float32Array(bits.buffer))], to('bfloat16'));
    expect(Array.from(b.data as Uint16Array)).toEqual([0x3ef5, 0x3ef6, 0x3f80, 0x3f82, 0x7f80]);
    const b64 = run1('Cast', [t('float64', [1 + 2 ** -8 + 2 ** -40, -0])], to('bfloat16'));
    expect(Array.from(b64.data as Uint16Array)).toEqual([0x3f81, 0x8000]);
  });

  it('widens float16 and bfloat16', () => {
    const h = new Tensor('float16', new Uint16Array([0x3c00, 0xc000, 0x7c00, 0x0001, 0x7e00]));
    expect(run1('Cast', [h], to('float32')).toNumbers()).toEqual([1, -2, Infinity, 2 ** -24, NaN]);
    expect(run1('Cast', [h], to('int32')).toNumbers()).toEqual([1, -2, 0, 0, 0]);
    const b = new Tensor('bfloat16', new Uint16Array([0x3f80, 0x4049, 0xff80]));
    expect(run1('Cast', [b], to('float64')).toNumbers()).toEqual([1, bfloat16ToFloat(0x4049), -Infinity]);
    expect(Array.from(run1('Cast', [b], to('float16')).data as Uint16Array)).toEqual([0x3c00, floatToHalf(bfloat16ToFloat(0x4049)), 0xfc00]);
  });

  it('agrees with half.ts on float32 sources', () => {
    const values = new Float32Array(2000);
    for (let i = 0; i < values.length; i++) values[i] = Math.fround((Math.sin(i * 12.9898) * 43758.5453) % 70000) * 10 ** ((i % 13) - 8);
    const viaF32 = castTensor(new Tensor('float32', values), 'float16');
    const viaF64 = castTensor(castTensor(new Tensor('float32', values), 'float64'), 'float16');
    expect(Array.from(viaF64.data as Uint16Array)).toEqual(Array.from(viaF32.data as Uint16Array));
  });

  it('keeps shape, checks `to`, and CastLike follows its second input', () => {
    const r = run1('Cast', [f32([1, 2, 3, 4], [2, 2])], to('int16'));
    expect(r.type).toBe('int16');
    expect(r.dims).toEqual([2, 2]);
    expect(infer('Cast', [vt('float32', ['n'])], to('uint64'))).toEqual([{ dtype: 'uint64', shape: ['n'] }]);
    expectCode(() => run1('Cast', [f32([1])], { attrs: { to: I(8) } }), 'OP_UNSUPPORTED');
    expectCode(() => run1('Cast', [f32([1])]), 'MODEL_INVALID');
    expect(run1('CastLike', [f32([1.5]), t('int8', [0])]).toNumbers()).toEqual([1]);
    expect(infer('CastLike', [vt('float32', [2]), vt('bool', [])])).toEqual([{ dtype: 'bool', shape: [2] }]);
  });
});

describe('Identity and Dropout', () => {
  it('Identity copies any dtype', () => {
    const x = t('int64', [1n, 2n], [1, 2]);
    const y = run1('Identity', [x]);
    expect(y.type).toBe('int64');
    expect(y.dims).toEqual([1, 2]);
    expect(y.data).not.toBe(x.data);
    expect(Array.from(y.data as BigInt64Array)).toEqual([1n, 2n]);
    expect(infer('Identity', [vt('bool', ['n'])])).toEqual([{ dtype: 'bool', shape: ['n'] }]);
  });

  it('Dropout in inference copies the input and masks nothing', () => {
    const x = f32([1, 2, 3]);
    const [y, mask] = run('Dropout', [x, f32([0.3], [])], { outputs: 2, opset: 13 });
    expect(y!.toNumbers()).toEqual([1, 2, 3]);
    expect(mask!.type).toBe('bool');
    expect(mask!.toNumbers()).toEqual([1, 1, 1]);
    expect(run('Dropout', [x], { opset: 10, attrs: { ratio: F(0.2) } })).toHaveLength(1);
    const old = run('Dropout', [x], { opset: 7, outputs: 2 });
    expect(old[1]!.type).toBe('float32');
    expect(old[1]!.toNumbers()).toEqual([1, 1, 1]);
    const off = run('Dropout', [x, f32([0.5], []), t('bool', [0], [])], { outputs: 2, opset: 13 });
    expect(off[0]!.toNumbers()).toEqual([1, 2, 3]);
    expect(infer('Dropout', [vt('float16', ['n'])], { outputs: 2, opset: 13 })).toEqual([
      { dtype: 'float16', shape: ['n'] },
      { dtype: 'bool', shape: ['n'] },
    ]);
    expect(infer('Dropout', [vt('float32', [2])], { outputs: 2, opset: 9 })[1]!.dtype).toBe('float32');
  });

  it('Dropout in training mode drops and scales, reproducibly with a seed', () => {
    const x = f32(Array.from({ length: 1000 }, () => 1));
    const opts: Opts = { outputs: 2, opset: 13, attrs: { seed: I(42) } };
    const inputs = [x, f32([0.25], []), t('bool', [1], [])];
    const [y, mask] = run('Dropout', inputs, opts);
    const yv = y!.toNumbers();
    const mv = mask!.toNumbers();
    yv.forEach((v, i) => expect(v).toBeCloseTo(mv[i] ? 4 / 3 : 0, 6));
    const kept = mv.reduce((s, v) => s + v, 0);
    expect(kept).toBeGreaterThan(700);
    expect(kept).toBeLessThan(800);
    expect(run('Dropout', inputs, opts)[1]!.toNumbers()).toEqual(mv);
    expect(run('Dropout', [x, f32([0], []), t('bool', [1], [])], opts)[0]!.toNumbers()).toEqual(x.toNumbers());
    expectCode(() => run('Dropout', [x, f32([1], []), t('bool', [1], [])], opts), 'INPUT_INVALID');
    expectCode(() => run('Dropout', [x, f32([0.5, 0.5])], opts), 'SHAPE_MISMATCH');
    expectCode(() => run('Dropout', [t('int32', [1])], opts), 'DTYPE_MISMATCH');
  });
});
