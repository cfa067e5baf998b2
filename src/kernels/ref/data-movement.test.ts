// Unit tests of the data-movement reference kernels: hand-checked values, every-dtype copies, opset variants,
// shape inference with symbolic dims, and bad input -> EdgeError codes.

import { describe, expect, it } from 'vitest';
import { type EdgeErrorCode } from '../../errors.js';
import type { ValueType } from '../../ir/graph.js';
import { Tensor } from '../../tensor/tensor.js';
import {
  type Attrs,
  expectEdgeError,
  float,
  floats,
  i64,
  inferNode,
  int,
  ints,
  names,
  node as irNode,
  runNode,
  str,
  tensorAttr,
  vt,
} from '../../../test/helpers/kernels.js';
import { dataMovementOps } from './data-movement.js';

const node = (op: string, attrs: Attrs, nInputs: number, nOutputs = 1) => irNode(op, names('in', nInputs), names('out', nOutputs), attrs, 'n');

function run(op: string, inputs: (Tensor | undefined)[], attrs: Attrs = {}, opset = 13, nOutputs = 1): Tensor[] {
  const n = node(op, attrs, inputs.length, nOutputs);
  inputs.forEach((t, i) => t === undefined && (n.inputs[i] = ''));
  return runNode(n, inputs, opset, dataMovementOps);
}

function run1(op: string, inputs: (Tensor | undefined)[], attrs: Attrs = {}, opset = 13): Tensor {
  return run(op, inputs, attrs, opset)[0]!;
}

/** Infers with input types; `constants[i]` is input i's value when known at load time. */
function infer(op: string, inputs: (ValueType | undefined)[], attrs: Attrs = {}, opset = 13, constants: (Tensor | undefined)[] = [], nOutputs = 1): ValueType[] {
  return inferNode(node(op, attrs, inputs.length, nOutputs), inputs, opset, constants, dataMovementOps);
}

const f32 = (values: number[], dims?: number[]): Tensor => Tensor.fromNumbers('float32', values, dims ?? [values.length]);
const i32 = (values: number[], dims?: number[]): Tensor => new Tensor('int32', values, dims ?? [values.length]);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const expectError = (fn: () => unknown, code: EdgeErrorCode): void => expectEdgeError(fn, code);

describe('Reshape', () => {
  const x = f32(range(24), [2, 3, 4]);
  it('copies dims for 0 and infers -1', () => {
    expect(run1('Reshape', [x, i64([0, -1])]).dims).toEqual([2, 12]);
    expect(run1('Reshape', [x, i64([-1, 0, 2])]).dims).toEqual([4, 3, 2]);
    expect(run1('Reshape', [x, i64([4, 6])]).toNumbers()).toEqual(range(24));
  });
  it('honours 0 with allowzero', () => {
    const empty = f32([], [0, 3]);
    expect(run1('Reshape', [empty, i64([3, 0])], { allowzero: int(1) }, 14).dims).toEqual([3, 0]);
  });
  it('reshapes to a scalar with an empty shape', () => {
    expect(run1('Reshape', [f32([5], [1, 1]), i64([])]).dims).toEqual([]);
  });
  it('keeps every dtype', () => {
    const big = i64([2 ** 40, -3, 7, 9], [2, 2]);
    expect(run1('Reshape', [big, i64([4])]).data).toEqual(new BigInt64Array([2n ** 40n, -3n, 7n, 9n]));
  });
  it('refuses impossible shapes', () => {
    expectError(() => run1('Reshape', [x, i64([5, -1])]), 'SHAPE_MISMATCH');
    expectError(() => run1('Reshape', [x, i64([-1, -1])]), 'SHAPE_MISMATCH');
    expectError(() => run1('Reshape', [x, i64([2, 3, 5])]), 'SHAPE_MISMATCH');
    expectError(() => run1('Reshape', [x, i64([0, 0, 0, 0])]), 'SHAPE_MISMATCH');
    expectError(() => run1('Reshape', [x, i64([-2, 12])]), 'SHAPE_MISMATCH');
    expectError(() => run1('Reshape', [x, i64([0, -1])], { allowzero: int(1) }, 14), 'SHAPE_MISMATCH');
    expectError(() => run1('Reshape', [x, i32([24])]), 'DTYPE_MISMATCH');
  });
  it('infers symbolic dims', () => {
    const t = vt('float32', ['batch', 3, 4]);
    expect(infer('Reshape', [t, vt('int64', [2])], {}, 14, [undefined, i64([0, -1])])[0]!.shape).toEqual(['batch', 12]);
    expect(infer('Reshape', [t, vt('int64', [2])], {}, 14, [undefined, i64([-1, 4])])[0]!.shape).toEqual([undefined, 4]);
    expect(infer('Reshape', [t, vt('int64', [3])], {}, 14)[0]!.shape).toEqual([undefined, undefined, undefined]);
    expect(infer('Reshape', [t, vt('int64')], {}, 14)[0]!.shape).toBeUndefined();
  });
  it('supports the shape attribute of Reshape-1', () => {
    expect(run1('Reshape', [x], { shape: ints([6, 4]) }, 1).dims).toEqual([6, 4]);
  });
});

describe('Flatten', () => {
  const x = f32(range(120), [2, 3, 4, 5]);
  it('splits the dims at axis', () => {
    expect(run1('Flatten', [x]).dims).toEqual([2, 60]);
    expect(run1('Flatten', [x], { axis: int(0) }).dims).toEqual([1, 120]);
    expect(run1('Flatten', [x], { axis: int(4) }).dims).toEqual([120, 1]);
    expect(run1('Flatten', [x], { axis: int(-1) }).dims).toEqual([24, 5]);
    expect(run1('Flatten', [x], { axis: int(-4) }).dims).toEqual([1, 120]);
  });
  it('refuses an axis out of [-r, r]', () => {
    expectError(() => run1('Flatten', [x], { axis: int(5) }), 'MODEL_INVALID');
    expectError(() => run1('Flatten', [x], { axis: int(-5) }), 'MODEL_INVALID');
  });
  it('infers with symbolic dims', () => {
    expect(infer('Flatten', [vt('float32', ['N', 3, 4])])[0]!.shape).toEqual(['N', 12]);
    expect(infer('Flatten', [vt('float32', [2, 'H', 4])], { axis: int(1) })[0]!.shape).toEqual([2, undefined]);
  });
});

describe('Transpose', () => {
  const x = f32(range(6), [2, 3]);
  it('reverses the dims by default', () => {
    const y = run1('Transpose', [x]);
    expect(y.dims).toEqual([3, 2]);
    expect(y.toNumbers()).toEqual([0, 3, 1, 4, 2, 5]);
  });
  it('applies perm on any dtype', () => {
    const t = new Tensor('bool', new Uint8Array([1, 0, 0, 1, 1, 0, 0, 0]), [2, 2, 2]);
    const y = run1('Transpose', [t], { perm: ints([1, 0, 2]) });
    expect(Array.from(y.data as Uint8Array)).toEqual([1, 0, 1, 0, 0, 1, 0, 0]);
    const b = run1('Transpose', [i64([1, 2, 3, 4, 5, 6], [3, 2])]);
    expect(b.data).toEqual(new BigInt64Array([1n, 3n, 5n, 2n, 4n, 6n]));
  });
  it('refuses a bad perm', () => {
    expectError(() => run1('Transpose', [x], { perm: ints([0, 0]) }), 'MODEL_INVALID');
    expectError(() => run1('Transpose', [x], { perm: ints([1, 0, 2]) }), 'MODEL_INVALID');
  });
  it('infers permuted symbolic dims', () => {
    expect(infer('Transpose', [vt('float32', ['N', 3, 'T'])], { perm: ints([2, 0, 1]) })[0]!.shape).toEqual(['T', 'N', 3]);
  });
});

describe('Concat', () => {
  it('joins on a negative axis', () => {
    const y = run1('Concat', [f32([1, 2, 3, 4], [2, 2]), f32([5, 6], [2, 1])], { axis: int(-1) });
    expect(y.dims).toEqual([2, 3]);
    expect(y.toNumbers()).toEqual([1, 2, 5, 3, 4, 6]);
  });
  it('accepts empty inputs and 64-bit integers', () => {
    const y = run1('Concat', [i64([1, 2]), i64([]), i64([3])], { axis: int(0) });
    expect(y.data).toEqual(new BigInt64Array([1n, 2n, 3n]));
  });
  it('refuses mismatched inputs', () => {
    expectError(() => run1('Concat', [f32([1, 2], [1, 2]), f32([1, 2, 3], [1, 3])], { axis: int(0) }), 'SHAPE_MISMATCH');
    expectError(() => run1('Concat', [f32([1, 2], [2]), f32([1, 2], [1, 2])], { axis: int(0) }), 'SHAPE_MISMATCH');
    expectError(() => run1('Concat', [f32([1]), i64([1])], { axis: int(0) }), 'DTYPE_MISMATCH');
    expectError(() => run1('Concat', [f32([1]), f32([1])], { axis: int(1) }), 'MODEL_INVALID');
    expectError(() => run1('Concat', [f32([1]), f32([1])]), 'MODEL_INVALID');
  });
  it('infers sums along the axis and merges the others', () => {
    const out = infer('Concat', [vt('float32', ['N', 2]), vt('float32', [undefined, 3])], { axis: int(1) })[0]!;
    expect(out.shape).toEqual(['N', 5]);
    expect(infer('Concat', [vt('float32', ['N', 2]), vt('float32', [4, 'K'])], { axis: int(1) })[0]!.shape).toEqual([4, undefined]);
  });
});

describe('Split', () => {
  const x = f32(range(7));
  it('splits evenly with a smaller last chunk', () => {
    const ys = run('Split', [x], { num_outputs: int(3) }, 18, 3);
    expect(ys.map((y) => y.toNumbers())).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });
  it('takes sizes from the attribute before 13 and the input from 13', () => {
    const m = f32(range(12), [2, 6]);
    const a = run('Split', [m], { axis: int(1), split: ints([2, 4]) }, 11, 2);
    expect(a.map((y) => y.dims)).toEqual([
      [2, 2],
      [2, 4],
    ]);
    expect(a[1]!.toNumbers()).toEqual([2, 3, 4, 5, 8, 9, 10, 11]);
    const b = run('Split', [m, i64([1, 5])], { axis: int(-1) }, 13, 2);
    expect(b[0]!.toNumbers()).toEqual([0, 6]);
  });
  it('refuses sizes that do not add up', () => {
    expectError(() => run('Split', [x, i64([3, 3])], {}, 13, 2), 'SHAPE_MISMATCH');
    expectError(() => run('Split', [x, i64([7])], {}, 13, 2), 'MODEL_INVALID');
    expectError(() => run('Split', [x], { num_outputs: int(2) }, 18, 3), 'MODEL_INVALID');
    expectError(() => run('Split', [f32(range(5))], {}, 13, 4), 'SHAPE_MISMATCH');
  });
  it('infers output dims', () => {
    const out = infer('Split', [vt('float32', ['N', 6])], { axis: int(1) }, 13, [], 3);
    expect(out.map((t) => t.shape)).toEqual([
      ['N', 2],
      ['N', 2],
      ['N', 2],
    ]);
    const unknown = infer('Split', [vt('float32', ['N', 6]), vt('int64', [2])], { axis: int(1) }, 13, [], 2);
    expect(unknown[0]!.shape).toEqual(['N', undefined]);
  });
});

describe('Slice', () => {
  const x = f32(range(20), [4, 5]);
  it('slices with steps, negative values and clamping', () => {
    const y = run1('Slice', [x, i64([1, 0]), i64([1000, 10]), i64([0, 1]), i64([2, 3])]);
    expect(y.dims).toEqual([2, 2]);
    expect(y.toNumbers()).toEqual([5, 8, 15, 18]);
    const rev = run1('Slice', [x, i64([-1]), i64([-1000]), i64([1]), i64([-1])]);
    expect(rev.dims).toEqual([4, 5]);
    expect(rev.toNumbers().slice(0, 5)).toEqual([4, 3, 2, 1, 0]);
  });
  it('handles int64 extremes and int32 parameters', () => {
    const big = new Tensor('int64', [9223372036854775807n], [1]);
    const y = run1('Slice', [x, i64([2]), big, i64([1])]);
    expect(y.dims).toEqual([4, 3]);
    const z = run1('Slice', [x, i32([1]), i32([3])]);
    expect(z.dims).toEqual([2, 5]);
  });
  it('gives empty results for empty ranges', () => {
    expect(run1('Slice', [x, i64([3]), i64([1])]).dims).toEqual([0, 5]);
    expect(run1('Slice', [f32([], [0]), i64([0]), i64([-1]), i64([0]), i64([-1])]).dims).toEqual([0]);
  });
  it('reads attributes before opset 10', () => {
    const y = run1('Slice', [x], { starts: ints([1]), ends: ints([3]), axes: ints([1]) }, 9);
    expect(y.toNumbers()).toEqual([1, 2, 6, 7, 11, 12, 16, 17]);
  });
  it('refuses zero steps, repeated axes and bad lengths', () => {
    expectError(() => run1('Slice', [x, i64([0]), i64([2]), i64([0]), i64([0])]), 'MODEL_INVALID');
    expectError(() => run1('Slice', [x, i64([0, 0]), i64([2, 2]), i64([1, 1])]), 'MODEL_INVALID');
    expectError(() => run1('Slice', [x, i64([0, 0]), i64([2])]), 'MODEL_INVALID');
    expectError(() => run1('Slice', [x, i64([0]), i64([2]), i64([2])]), 'MODEL_INVALID');
    expectError(() => run1('Slice', [x, f32([0]), f32([2])]), 'DTYPE_MISMATCH');
  });
  it('infers with symbolic dims', () => {
    const consts = [undefined, i64([0, 1]), i64([2147483647, 3]), i64([0, 1])];
    const t = [vt('float32', ['N', 'M']), vt('int64', [2]), vt('int64', [2]), vt('int64', [2])];
    expect(infer('Slice', t, {}, 13, consts)[0]!.shape).toEqual(['N', undefined]);
    const t2 = [vt('float32', ['N', 5]), vt('int64', [1]), vt('int64', [1]), vt('int64', [1])];
    expect(infer('Slice', t2, {}, 13, [undefined, i64([1]), i64([-1]), i64([1])])[0]!.shape).toEqual(['N', 3]);
    expect(infer('Slice', t2, {}, 13, [undefined, undefined, undefined, i64([1])])[0]!.shape).toEqual(['N', undefined]);
  });
});

describe('Squeeze and Unsqueeze', () => {
  const x = f32(range(6), [1, 2, 1, 3]);
  it('squeezes all ones, or given axes by opset', () => {
    expect(run1('Squeeze', [x]).dims).toEqual([2, 3]);
    expect(run1('Squeeze', [x], { axes: ints([-2]) }, 11).dims).toEqual([1, 2, 3]);
    expect(run1('Squeeze', [x, i64([0])], {}, 13).dims).toEqual([2, 1, 3]);
  });
  it('refuses squeezing a dim that is not 1', () => {
    expectError(() => run1('Squeeze', [x, i64([1])]), 'SHAPE_MISMATCH');
    expectError(() => run1('Squeeze', [x, i64([4])]), 'MODEL_INVALID');
  });
  it('unsqueezes at output positions, negative ones included', () => {
    const y = f32(range(6), [2, 3]);
    expect(run1('Unsqueeze', [y, i64([0, 3])]).dims).toEqual([1, 2, 3, 1]);
    expect(run1('Unsqueeze', [y], { axes: ints([-1]) }, 11).dims).toEqual([2, 3, 1]);
    expect(run1('Unsqueeze', [f32([7], []), i64([0])]).dims).toEqual([1]);
    expectError(() => run1('Unsqueeze', [y, i64([1, 1])]), 'MODEL_INVALID');
    expectError(() => run1('Unsqueeze', [y, i64([3])]), 'MODEL_INVALID');
    expectError(() => run1('Unsqueeze', [y], {}, 11), 'MODEL_INVALID');
  });
  it('infers ranks and dims', () => {
    expect(infer('Squeeze', [vt('float32', ['N', 1, 3])])[0]!.shape).toBeUndefined();
    expect(infer('Squeeze', [vt('float32', ['N', 1, 3]), vt('int64', [1])], {}, 13, [undefined, i64([1])])[0]!.shape).toEqual(['N', 3]);
    expect(infer('Unsqueeze', [vt('float32', ['N', 3]), vt('int64', [1])], {}, 13, [undefined, i64([1])])[0]!.shape).toEqual(['N', 1, 3]);
    expect(infer('Unsqueeze', [vt('float32', ['N', 3]), vt('int64', [2])], {}, 13)[0]!.shape).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('Gather', () => {
  const x = f32(range(12), [3, 4]);
  it('gathers along axis 0 and 1 with negative indices', () => {
    expect(run1('Gather', [x, i64([2, -3])]).toNumbers()).toEqual([8, 9, 10, 11, 0, 1, 2, 3]);
    const y = run1('Gather', [x, i32([-1, 0, 1, 1], [2, 2])], { axis: int(1) });
    expect(y.dims).toEqual([3, 2, 2]);
    expect(y.toNumbers().slice(0, 4)).toEqual([3, 0, 1, 1]);
  });
  it('drops the axis for a scalar index', () => {
    const y = run1('Gather', [x, i64([1], [])], { axis: int(1) });
    expect(y.dims).toEqual([3]);
    expect(y.toNumbers()).toEqual([1, 5, 9]);
  });
  it('refuses out-of-range indices and bad dtypes', () => {
    expectError(() => run1('Gather', [x, i64([3])]), 'INPUT_INVALID');
    expectError(() => run1('Gather', [x, i64([-4])]), 'INPUT_INVALID');
    expectError(() => run1('Gather', [x, f32([0])]), 'DTYPE_MISMATCH');
    expectError(() => run1('Gather', [x, i64([0])], { axis: int(2) }), 'MODEL_INVALID');
  });
  it('infers dims', () => {
    expect(infer('Gather', [vt('float32', ['N', 4, 5]), vt('int64', ['K'])], { axis: int(1) })[0]!.shape).toEqual(['N', 'K', 5]);
  });
});

describe('GatherElements', () => {
  it('matches the spec examples', () => {
    const a = run1('GatherElements', [f32([1, 2, 3, 4], [2, 2]), i64([0, 0, 1, 0], [2, 2])], { axis: int(1) });
    expect(a.toNumbers()).toEqual([1, 1, 4, 3]);
    const b = run1('GatherElements', [f32([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3]), i64([1, 2, 0, 2, 0, 0], [2, 3])]);
    expect(b.toNumbers()).toEqual([4, 8, 3, 7, 2, 3]);
    const c = run1('GatherElements', [f32([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3]), i32([-1, -2, 0, -2, 0, 0], [2, 3])]);
    expect(c.toNumbers()).toEqual([7, 5, 3, 4, 2, 3]);
  });
  it('gathers inner axes of 3-D data with smaller indices', () => {
    const x = f32(range(24), [2, 3, 4]);
    const y = run1('GatherElements', [x, i64([3, 0, 1, 2], [2, 1, 2])], { axis: int(2) });
    expect(y.toNumbers()).toEqual([3, 0, 13, 14]);
  });
  it('refuses bad indices', () => {
    const x = f32(range(4), [2, 2]);
    expectError(() => run1('GatherElements', [x, i64([2], [1, 1])]), 'INPUT_INVALID');
    expectError(() => run1('GatherElements', [x, i64([0])]), 'SHAPE_MISMATCH');
    expectError(() => run1('GatherElements', [x, i64([0, 0, 0], [1, 3])]), 'SHAPE_MISMATCH');
  });
});

describe('Pad', () => {
  it('pads with a constant from input 2 (opset 11+) and crops with negative pads', () => {
    const x = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = run1('Pad', [x, i64([1, -1, 0, 1]), f32([9], [])]);
    expect(y.dims).toEqual([3, 3]);
    expect(y.toNumbers()).toEqual([9, 9, 9, 2, 3, 9, 5, 6, 9]);
  });
  it('reflects, repeats edges and wraps (numpy semantics)', () => {
    const a = f32([1, 2, 3]);
    expect(run1('Pad', [a, i64([4, 5])], { mode: str('reflect') }).toNumbers()).toEqual([1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2]);
    expect(run1('Pad', [a, i64([2, 2])], { mode: str('edge') }).toNumbers()).toEqual([1, 1, 1, 2, 3, 3, 3]);
    expect(run1('Pad', [a, i64([4, 2])], { mode: str('wrap') }, 19).toNumbers()).toEqual([3, 1, 2, 3, 1, 2, 3, 1, 2]);
    const m = f32(range(6), [2, 3]);
    expect(run1('Pad', [m, i64([1, 2, 0, 1])], { mode: str('reflect') }).toNumbers()).toEqual([5, 4, 3, 4, 5, 4, 2, 1, 0, 1, 2, 1, 5, 4, 3, 4, 5, 4]);
  });
  it('reads attributes before opset 11', () => {
    const y = run1('Pad', [i32([1, 2])], { pads: ints([1, 1]), value: float(7) }, 2);
    expect(Array.from(y.data as Int32Array)).toEqual([7, 1, 2, 7]);
  });
  it('pads only the given axes (opset 18) and keeps int64 values exact', () => {
    const x = new Tensor('int64', [2n ** 53n + 1n, 5n], [1, 2]);
    const y = run1('Pad', [x, i64([1, 0]), new Tensor('int64', [-(2n ** 60n)], []), i64([-1])], {}, 18);
    expect(y.dims).toEqual([1, 3]);
    expect(y.data).toEqual(new BigInt64Array([-(2n ** 60n), 2n ** 53n + 1n, 5n]));
  });
  it('pads an empty tensor with the constant', () => {
    expect(run1('Pad', [f32([], [0]), i64([1, 1])]).toNumbers()).toEqual([0, 0]);
  });
  it('refuses bad pads', () => {
    const x = f32([1, 2, 3]);
    expectError(() => run1('Pad', [x, i64([1])]), 'MODEL_INVALID');
    expectError(() => run1('Pad', [x, i64([-2, -2])]), 'SHAPE_MISMATCH');
    expectError(() => run1('Pad', [x, i64([1, 1])], { mode: str('mirror') }), 'MODEL_INVALID');
    expectError(() => run1('Pad', [f32([], [0]), i64([1, 1])], { mode: str('edge') }), 'SHAPE_MISMATCH');
    expectError(() => run1('Pad', [x, i64([1, 1]), i64([0], [])]), 'DTYPE_MISMATCH');
    expectError(() => run1('Pad', [x, i32([1, 1])]), 'DTYPE_MISMATCH');
  });
  it('infers padded dims', () => {
    const t = [vt('float32', ['N', 3]), vt('int64', [4])];
    expect(infer('Pad', t, {}, 13, [undefined, i64([0, 1, 0, 2])])[0]!.shape).toEqual(['N', 6]);
    expect(infer('Pad', t, {}, 13)[0]!.shape).toEqual([undefined, undefined]);
  });
});

describe('Expand and Tile', () => {
  it('expands bidirectionally', () => {
    const x = f32([1, 2, 3], [3, 1]);
    const y = run1('Expand', [x, i64([2, 1, 2])]);
    expect(y.dims).toEqual([2, 3, 2]);
    expect(y.toNumbers()).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
    expect(run1('Expand', [x, i64([1])]).dims).toEqual([3, 1]);
    expectError(() => run1('Expand', [x, i64([2, 2])]), 'SHAPE_MISMATCH');
    expect(infer('Expand', [vt('float32', ['N', 1]), vt('int64', [2])], {}, 13, [undefined, i64([1, 4])])[0]!.shape).toEqual(['N', 4]);
  });
  it('tiles', () => {
    const y = run1('Tile', [f32([1, 2, 3, 4], [2, 2]), i64([1, 2])]);
    expect(y.toNumbers()).toEqual([1, 2, 1, 2, 3, 4, 3, 4]);
    expect(run1('Tile', [f32([1, 2]), i64([0])]).dims).toEqual([0]);
    expectError(() => run1('Tile', [f32([1, 2]), i64([1, 1])]), 'SHAPE_MISMATCH');
    expectError(() => run1('Tile', [f32([1, 2]), i64([-1])]), 'SHAPE_MISMATCH');
  });
});

describe('DepthToSpace and SpaceToDepth', () => {
  const x = f32(range(48), [1, 8, 2, 3]);
  it('rearranges in DCR and CRD order', () => {
    const dcr = run1('DepthToSpace', [x], { blocksize: int(2) });
    expect(dcr.dims).toEqual([1, 2, 4, 6]);
    expect(dcr.toNumbers().slice(0, 24)).toEqual([0, 12, 1, 13, 2, 14, 24, 36, 25, 37, 26, 38, 3, 15, 4, 16, 5, 17, 27, 39, 28, 40, 29, 41]);
    const crd = run1('DepthToSpace', [x], { blocksize: int(2), mode: str('CRD') });
    expect(crd.toNumbers().slice(0, 24)).toEqual([0, 6, 1, 7, 2, 8, 12, 18, 13, 19, 14, 20, 3, 9, 4, 10, 5, 11, 15, 21, 16, 22, 17, 23]);
  });
  it('SpaceToDepth inverts DCR DepthToSpace', () => {
    const s = run1('SpaceToDepth', [f32(range(32), [1, 2, 4, 4])], { blocksize: int(2) });
    expect(s.dims).toEqual([1, 8, 2, 2]);
    expect(s.toNumbers().slice(0, 12)).toEqual([0, 2, 8, 10, 16, 18, 24, 26, 1, 3, 9, 11]);
    const back = run1('DepthToSpace', [run1('SpaceToDepth', [x.reshape([1, 2, 4, 6])], { blocksize: int(2) })], { blocksize: int(2) });
    expect(back.toNumbers()).toEqual(range(48));
  });
  it('refuses bad shapes', () => {
    expectError(() => run1('DepthToSpace', [f32(range(12), [1, 3, 2, 2])], { blocksize: int(2) }), 'SHAPE_MISMATCH');
    expectError(() => run1('SpaceToDepth', [f32(range(12), [1, 1, 3, 4])], { blocksize: int(2) }), 'SHAPE_MISMATCH');
    expectError(() => run1('DepthToSpace', [f32(range(8), [8])], { blocksize: int(2) }), 'SHAPE_MISMATCH');
    expectError(() => run1('DepthToSpace', [x], { blocksize: int(2), mode: str('XYZ') }), 'MODEL_INVALID');
    expectError(() => run1('DepthToSpace', [x]), 'MODEL_INVALID');
  });
});

describe('Shape, Size, NonZero', () => {
  const x = f32(range(60), [3, 4, 5]);
  it('Shape slices with start and end (opset 15)', () => {
    expect(run1('Shape', [x]).data).toEqual(new BigInt64Array([3n, 4n, 5n]));
    expect(run1('Shape', [x], { start: int(-2), end: int(10) }, 15).data).toEqual(new BigInt64Array([4n, 5n]));
    expect(run1('Shape', [x], { start: int(2), end: int(1) }, 15).dims).toEqual([0]);
    expect(infer('Shape', [vt('float32', ['N', 4, 5])], { end: int(-1) }, 15)[0]).toEqual({ dtype: 'int64', shape: [2] });
    expect(infer('Shape', [vt('float32')])[0]).toEqual({ dtype: 'int64', shape: [undefined] });
  });
  it('Size counts elements', () => {
    const s = run1('Size', [x]);
    expect(s.dims).toEqual([]);
    expect(s.data).toEqual(new BigInt64Array([60n]));
  });
  it('NonZero lists coordinates', () => {
    const y = run1('NonZero', [f32([1, 0, 0, 3, -0, 2], [2, 3])]);
    expect(y.dims).toEqual([2, 3]);
    expect(y.toNumbers()).toEqual([0, 1, 1, 0, 0, 2]);
    expect(run1('NonZero', [new Tensor('bool', [true], [])]).dims).toEqual([1, 1]);
    expect(run1('NonZero', [Tensor.fromNumbers('float16', [0, -0, 0.5], [3])]).toNumbers()).toEqual([2]);
    expect(infer('NonZero', [vt('float32', [2, 3])])[0]!.shape).toEqual([2, undefined]);
  });
});

describe('Constant, ConstantOfShape, Range', () => {
  it('Constant reads every value attribute', () => {
    expect(run1('Constant', [], { value: tensorAttr(f32([1, 2], [2])) }).toNumbers()).toEqual([1, 2]);
    const vf = run1('Constant', [], { value_float: float(1.5) });
    expect([vf.type, vf.dims]).toEqual(['float32', []]);
    expect(run1('Constant', [], { value_floats: floats([1, 2]) }).dims).toEqual([2]);
    expect(run1('Constant', [], { value_int: int(7) }).data).toEqual(new BigInt64Array([7n]));
    expect(run1('Constant', [], { value_ints: ints([1, 2, 3]) }).type).toBe('int64');
    expect(infer('Constant', [], { value_ints: ints([1, 2, 3]) })[0]).toEqual({ dtype: 'int64', shape: [3] });
    expectError(() => run1('Constant', []), 'MODEL_INVALID');
    expectError(() => run1('Constant', [], { value_int: int(1), value_float: float(1) }), 'MODEL_INVALID');
    expectError(() => run1('Constant', [], { value_string: str('a') }), 'OP_UNSUPPORTED');
  });
  it('ConstantOfShape fills with the value (float32 0 by default)', () => {
    const a = run1('ConstantOfShape', [i64([2, 3])]);
    expect([a.type, a.dims, a.toNumbers()]).toEqual(['float32', [2, 3], [0, 0, 0, 0, 0, 0]]);
    const b = run1('ConstantOfShape', [i64([2])], { value: tensorAttr(new Tensor('int64', [5n], [1])) });
    expect(b.data).toEqual(new BigInt64Array([5n, 5n]));
    expect(run1('ConstantOfShape', [i64([])], { value: tensorAttr(i32([3], [1])) }).dims).toEqual([]);
    expect(run1('ConstantOfShape', [i64([0])]).dims).toEqual([0]);
    expectError(() => run1('ConstantOfShape', [i64([-1])]), 'SHAPE_MISMATCH');
    expectError(() => run1('ConstantOfShape', [i64([2])], { value: tensorAttr(f32([1, 2])) }), 'MODEL_INVALID');
    expect(infer('ConstantOfShape', [vt('int64', [2])], { value: tensorAttr(i32([1], [1])) })[0]).toEqual({ dtype: 'int32', shape: [undefined, undefined] });
  });
  it('Range counts with ceil and supports negative deltas', () => {
    const s = (v: number): Tensor => i32([v], []);
    expect(run1('Range', [s(3), s(9), s(3)]).toNumbers()).toEqual([3, 6]);
    expect(run1('Range', [s(10), s(4), s(-2)]).toNumbers()).toEqual([10, 8, 6]);
    expect(run1('Range', [s(0), s(5), s(-1)]).dims).toEqual([0]);
    const f = (v: number): Tensor => f32([v], []);
    expect(run1('Range', [f(0), f(1), f(0.25)]).toNumbers()).toEqual([0, 0.25, 0.5, 0.75]);
    const l = (v: bigint): Tensor => new Tensor('int64', [v], []);
    expect(run1('Range', [l(2n ** 60n), l(2n ** 60n + 5n), l(2n)]).data).toEqual(new BigInt64Array([2n ** 60n, 2n ** 60n + 2n, 2n ** 60n + 4n]));
    expectError(() => run1('Range', [s(0), s(5), s(0)]), 'INPUT_INVALID');
    expectError(() => run1('Range', [s(0), f(5), s(1)]), 'DTYPE_MISMATCH');
    expectError(() => run1('Range', [i32([0, 1]), s(5), s(1)]), 'SHAPE_MISMATCH');
    expect(infer('Range', [vt('int32', []), vt('int32', []), vt('int32', [])], {}, 13, [s(0), s(7), s(2)])[0]).toEqual({ dtype: 'int32', shape: [4] });
  });
});

describe('performance', () => {
  it('transposes a 1x32x112x112 float32 tensor quickly', () => {
    const x = Tensor.zeros('float32', [1, 32, 112, 112]);
    const t0 = performance.now();
    const y = run1('Transpose', [x], { perm: ints([0, 2, 3, 1]) });
    expect(y.dims).toEqual([1, 112, 112, 32]);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
