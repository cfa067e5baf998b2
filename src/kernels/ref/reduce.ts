// Reference kernels for reductions: the Reduce* family, ArgMax/ArgMin, TopK and CumSum.
// Also the numeric helpers shared with matmul.ts and normalization.ts (number views of any dtype, offset tables).

import { attrInt, attrInts } from '../../ir/attrs.js';
import type { Dim, ValueType } from '../../ir/graph.js';
import { DTYPES, type DataType, type NumberArray } from '../../tensor/dtype.js';
import { broadcastStrides, sizeOf, stridesOf } from '../../tensor/shape.js';
import { numberReader, numberWriter, Tensor } from '../../tensor/tensor.js';
import { constantInts } from '../infer-helpers.js';
import type { EdgeErrorCode } from '../../errors.js';
import { nodeError, required, type InferContext, type KernelContext, type OpDef, type OpTable } from '../op-def.js';

// ---------------------------------------------------------------------------------------------
// Shared helpers

export const FLOAT_TYPES: readonly DataType[] = ['float32', 'float64', 'float16', 'bfloat16'];
/** The types of MatMul, Gemm, CumSum and the arithmetic reductions. */
export const MATH_TYPES: readonly DataType[] = [...FLOAT_TYPES, 'int32', 'int64', 'uint32', 'uint64'];
const MINMAX_TYPES: readonly DataType[] = [...MATH_TYPES, 'int8', 'uint8'];
const NUMERIC_TYPES: readonly DataType[] = [...MINMAX_TYPES, 'int16', 'uint16'];
const TOPK_TYPES: readonly DataType[] = NUMERIC_TYPES.filter((t) => t !== 'bfloat16');

/** Throws DTYPE_MISMATCH unless `dtype` is one the op accepts. */
export function expectDtype(ctx: KernelContext, dtype: DataType, allowed: readonly DataType[], what: string): void {
  if (!allowed.includes(dtype)) {
    throw nodeError(ctx, 'DTYPE_MISMATCH', `${what} is ${dtype}, expected one of ${allowed.join(', ')}`, {
      expected: allowed,
      actual: dtype,
    });
  }
}

/** Normalizes an axis into [0, rank), naming the node when it is out of range. */
export function axisOf(ctx: KernelContext, axis: number, rank: number, code: EdgeErrorCode = 'MODEL_INVALID'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw nodeError(ctx, code, `axis ${axis} is out of range for rank ${rank}, expected [${-rank}, ${rank - 1}]`, {
      expected: [-rank, rank - 1],
      actual: axis,
    });
  }
  return a;
}

/**
 * Element values as JS numbers: the tensor's own array when it holds numbers, a widened copy otherwise
 * (float16/bfloat16 bits -> float32, int64/uint64 -> float64, exact up to 2^53).
 */
export function numbersOf(t: Tensor): NumberArray {
  const d = t.data;
  const tr = DTYPES[t.type];
  if (!tr.isHalf && !tr.isBigInt) return d as NumberArray;
  const wide = Tensor.zeros(tr.isHalf ? 'float32' : 'float64', t.dims, 'numbersOf').data as NumberArray;
  const read = numberReader(t);
  for (let i = 0; i < t.size; i++) wide[i] = read(i);
  return wide;
}

/**
 * A new output of `type` and the number array kernels write it through: the output's own array for
 * float32/float64, else a float64 scratch that `done()` converts (rounding halves, truncating integers,
 * saturating infinities to the integer range, NaN -> 0).
 */
export function numericOutput(type: DataType, dims: readonly number[], where: string): { data: NumberArray; done: () => Tensor } {
  const out = Tensor.zeros(type, dims, where);
  if (out.data instanceof Float32Array || out.data instanceof Float64Array) return { data: out.data, done: () => out };
  const scratch = Tensor.zeros('float64', dims, where).data as Float64Array;
  return {
    data: scratch,
    done: () => {
      storeNumbers(out, scratch);
      return out;
    },
  };
}

function storeNumbers(out: Tensor, src: Float64Array): void {
  const d = out.data;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    // 2^63 - 1 and 2^64 - 1 are not doubles: saturate with bigints.
    const lo = d instanceof BigInt64Array ? -(2n ** 63n) : 0n;
    const hi = d instanceof BigInt64Array ? 2n ** 63n - 1n : 2n ** 64n - 1n;
    for (let i = 0; i < src.length; i++) {
      const v = src[i]!;
      d[i] = v !== v ? 0n : v === Infinity ? hi : v === -Infinity ? lo : BigInt(Math.trunc(v));
    }
    return;
  }
  const tr = DTYPES[out.type];
  const write = numberWriter(out);
  for (let i = 0; i < src.length; i++) {
    let v = src[i]!;
    if (!tr.isFloat && !Number.isFinite(v)) v = v !== v ? 0 : v > 0 ? tr.max! : tr.min!;
    write(i, v);
  }
}

/**
 * Offsets of every position of `dims` (row-major order) with per-dim `strides`: the building block of
 * axis walks and broadcasts (offset = sum of index * stride, so kept and reduced parts add up).
 */
export function offsetsOf(dims: readonly number[], strides: readonly number[], where: string): Int32Array {
  const total = sizeOf(dims);
  const out = Tensor.zeros('int32', [total], where).data as Int32Array;
  const r = dims.length;
  const idx = new Array<number>(r).fill(0);
  let off = 0;
  for (let p = 0; p < total; p++) {
    out[p] = off;
    for (let d = r - 1; d >= 0; d--) {
      idx[d]!++;
      off += strides[d]!;
      if (idx[d]! < dims[d]!) break;
      off -= strides[d]! * dims[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** Strides reading `dims` broadcast unidirectionally to `target` (0 on broadcast dims); SHAPE_MISMATCH if it cannot be. */
export function unidirectionalStrides(ctx: KernelContext, dims: readonly number[], target: readonly number[], what: string): number[] {
  const off = target.length - dims.length;
  if (off < 0 || dims.some((d, i) => d !== 1 && d !== target[off + i])) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `${what} has shape [${dims.join(',')}], which does not broadcast to [${target.join(',')}]`, {
      expected: target,
      actual: dims,
    });
  }
  return broadcastStrides(dims, target);
}

/** Splits `dims` around one axis: lines of `n` elements, `inner` apart, `outer * inner` of them. */
export function aroundAxis(dims: readonly number[], axis: number): { outer: number; n: number; inner: number } {
  return { outer: sizeOf(dims.slice(0, axis)), n: dims[axis]!, inner: sizeOf(dims.slice(axis + 1)) };
}

/** A copy of `t` (an op's output must not alias its input). */
function copyOf(t: Tensor, where: string): Tensor {
  const out = Tensor.zeros(t.type, t.dims, where);
  (out.data as unknown as { set(a: ArrayLike<unknown>): void }).set(t.data as unknown as ArrayLike<unknown>);
  return out;
}

/** u ranks above v; NaN ranks above every number (as numpy sorts and argmaxes). */
function above(u: number, v: number): boolean {
  return u > v || (u !== u && v === v);
}

// ---------------------------------------------------------------------------------------------
// Reduce*

/** Folds the elements x[base + offs[k]] into one value; an empty `offs` gives the op's empty-set value. */
type Fold = (x: NumberArray, base: number, offs: Int32Array) => number;

function sum(x: NumberArray, b: number, o: Int32Array): number {
  let s = 0;
  for (let k = 0; k < o.length; k++) s += x[b + o[k]!]!;
  return s;
}
function sumSquare(x: NumberArray, b: number, o: Int32Array): number {
  let s = 0;
  for (let k = 0; k < o.length; k++) {
    const v = x[b + o[k]!]!;
    s += v * v;
  }
  return s;
}
function max(x: NumberArray, b: number, o: Int32Array): number {
  let m = -Infinity;
  for (let k = 0; k < o.length; k++) {
    const v = x[b + o[k]!]!;
    if (v > m || v !== v) m = v; // NaN propagates: once m is NaN no comparison replaces it
  }
  return m;
}

const FOLDS: Record<string, { fold: Fold; types: readonly DataType[]; axesInputSince: number }> = {
  ReduceSum: { types: MATH_TYPES, axesInputSince: 13, fold: sum },
  ReduceMean: { types: MATH_TYPES, axesInputSince: 18, fold: (x, b, o) => sum(x, b, o) / o.length },
  ReduceSumSquare: { types: MATH_TYPES, axesInputSince: 18, fold: sumSquare },
  ReduceL2: { types: MATH_TYPES, axesInputSince: 18, fold: (x, b, o) => Math.sqrt(sumSquare(x, b, o)) },
  ReduceL1: {
    types: MATH_TYPES,
    axesInputSince: 18,
    fold: (x, b, o) => {
      let s = 0;
      for (let k = 0; k < o.length; k++) s += Math.abs(x[b + o[k]!]!);
      return s;
    },
  },
  ReduceProd: {
    types: MATH_TYPES,
    axesInputSince: 18,
    fold: (x, b, o) => {
      let p = 1;
      for (let k = 0; k < o.length; k++) p *= x[b + o[k]!]!;
      return p;
    },
  },
  ReduceMax: { types: MINMAX_TYPES, axesInputSince: 18, fold: max },
  ReduceMin: {
    types: MINMAX_TYPES,
    axesInputSince: 18,
    fold: (x, b, o) => {
      let m = Infinity;
      for (let k = 0; k < o.length; k++) {
        const v = x[b + o[k]!]!;
        if (v < m || v !== v) m = v;
      }
      return m;
    },
  },
  ReduceLogSumExp: {
    types: MATH_TYPES,
    axesInputSince: 18,
    fold: (x, b, o) => {
      // Stable: m + log(sum(exp(x - m))). An infinite or NaN max is already the answer (empty set: -inf).
      const m = max(x, b, o);
      if (!Number.isFinite(m)) return m;
      let s = 0;
      for (let k = 0; k < o.length; k++) s += Math.exp(x[b + o[k]!]! - m);
      return m + Math.log(s);
    },
  },
};

/**
 * The reduce axes of a node: the `axes` attribute before opset `since`, the optional second input from
 * then on (read by `fromInput`; undefined when not known yet). No axes = all axes (or none with noop).
 */
function reduceAxes(
  ctx: KernelContext,
  since: number,
  hasInput: boolean,
  fromInput: () => number[] | undefined,
): number[] | undefined {
  if (ctx.opset < since) {
    if (hasInput) {
      throw nodeError(ctx, 'MODEL_INVALID', `takes axes as an attribute before opset ${since}, but has an axes input (opset ${ctx.opset})`);
    }
    return attrInts(ctx.node, 'axes') ?? [];
  }
  if (ctx.node.attrs.has('axes')) {
    throw nodeError(ctx, 'MODEL_INVALID', `takes axes as an input from opset ${since}, not as an attribute (opset ${ctx.opset})`);
  }
  return hasInput ? fromInput() : [];
}

/** Which of `rank` dims are reduced; axes must be in range and distinct; empty axes = all. */
function reducedDims(ctx: KernelContext, axes: number[], rank: number, code: EdgeErrorCode): boolean[] {
  if (axes.length === 0) return new Array<boolean>(rank).fill(true);
  const reduced = new Array<boolean>(rank).fill(false);
  for (const ax of axes) {
    const a = axisOf(ctx, ax, rank, code);
    if (reduced[a]) throw nodeError(ctx, code, `axes [${axes.join(',')}] name axis ${a} twice`, { actual: axes });
    reduced[a] = true;
  }
  return reduced;
}

/** Output dims: reduced dims become 1 (keepdims) or disappear. */
function reducedShape<D>(dims: readonly D[], reduced: boolean[], keepdims: boolean, one: D): D[] {
  const out: D[] = [];
  dims.forEach((d, i) => {
    if (!reduced[i]) out.push(d);
    else if (keepdims) out.push(one);
  });
  return out;
}

function reduceOp(name: string): OpDef {
  const { fold, types, axesInputSince: since } = FOLDS[name]!;
  return {
    infer(ctx: InferContext, inputs: (ValueType | undefined)[]): ValueType[] {
      const x = required(ctx, inputs, 0, 'data');
      expectDtype(ctx, x.dtype, types, 'data');
      if (inputs[1]) expectDtype(ctx, inputs[1].dtype, ['int64'], 'axes');
      const axes = reduceAxes(ctx, since, inputs[1] !== undefined, () => constantInts(ctx, 1));
      const keepdims = attrInt(ctx.node, 'keepdims', 1) !== 0;
      const noop = ctx.opset >= since && attrInt(ctx.node, 'noop_with_empty_axes', 0) !== 0;
      if (!x.shape) return [{ dtype: x.dtype }];
      if (axes === undefined) {
        // Axes unknown until run time: only the rank is known, and only with keepdims.
        return [keepdims ? { dtype: x.dtype, shape: x.shape.map((d) => (d === 1 ? 1 : undefined)) } : { dtype: x.dtype }];
      }
      if (axes.length === 0 && noop) return [{ dtype: x.dtype, shape: x.shape.slice() }];
      const reduced = reducedDims(ctx, axes, x.shape.length, 'MODEL_INVALID');
      return [{ dtype: x.dtype, shape: reducedShape<Dim>(x.shape, reduced, keepdims, 1) }];
    },

    run(ctx: KernelContext, inputs: (Tensor | undefined)[]): Tensor[] {
      const x = required(ctx, inputs, 0, 'data');
      expectDtype(ctx, x.type, types, 'data');
      const axesInput = inputs[1];
      if (axesInput) expectDtype(ctx, axesInput.type, ['int64'], 'axes');
      if (axesInput && axesInput.dims.length > 1) {
        throw nodeError(ctx, 'INPUT_INVALID', `axes has ${axesInput.dims.length} dims, expected 1`, { actual: axesInput.dims });
      }
      const axes = reduceAxes(ctx, since, axesInput !== undefined, () => axesInput!.toNumbers())!;
      const keepdims = attrInt(ctx.node, 'keepdims', 1) !== 0;
      const noop = ctx.opset >= since && attrInt(ctx.node, 'noop_with_empty_axes', 0) !== 0;
      if (axes.length === 0 && noop) return [copyOf(x, name)];

      const reduced = reducedDims(ctx, axes, x.dims.length, axesInput ? 'INPUT_INVALID' : 'MODEL_INVALID');
      const strides = stridesOf(x.dims);
      const pick = (keep: boolean) => (_: number, i: number) => reduced[i] !== keep;
      // Input offset = kept part + reduced part: one table for each, each output folds over the second.
      const keptOffs = offsetsOf(x.dims.filter(pick(true)), strides.filter(pick(true)), name);
      const redOffs = offsetsOf(x.dims.filter(pick(false)), strides.filter(pick(false)), name);
      const out = numericOutput(x.type, reducedShape(x.dims, reduced, keepdims, 1), name);
      const xs = numbersOf(x);
      const y = out.data;
      for (let o = 0; o < keptOffs.length; o++) y[o] = fold(xs, keptOffs[o]!, redOffs);
      return [out.done()];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// ArgMax / ArgMin

/** Whether v replaces the best so far b: by direction and tie rule (first or last index); NaN wins like numpy. */
const BETTER: Record<string, (v: number, b: number) => boolean> = {
  maxFirst: (v, b) => above(v, b),
  maxLast: (v, b) => v >= b || v !== v,
  minFirst: (v, b) => v < b || (v !== v && b === b),
  minLast: (v, b) => v <= b || v !== v,
};

function argOp(dir: 'max' | 'min'): OpDef {
  return {
    infer(ctx, inputs) {
      const x = required(ctx, inputs, 0, 'data');
      expectDtype(ctx, x.dtype, NUMERIC_TYPES, 'data');
      if (!x.shape) return [{ dtype: 'int64' }];
      const a = axisOf(ctx, attrInt(ctx.node, 'axis', 0), x.shape.length);
      const reduced = x.shape.map((_, i) => i === a);
      return [{ dtype: 'int64', shape: reducedShape<Dim>(x.shape, reduced, attrInt(ctx.node, 'keepdims', 1) !== 0, 1) }];
    },

    run(ctx, inputs) {
      const x = required(ctx, inputs, 0, 'data');
      expectDtype(ctx, x.type, NUMERIC_TYPES, 'data');
      const a = axisOf(ctx, attrInt(ctx.node, 'axis', 0), x.dims.length);
      const keepdims = attrInt(ctx.node, 'keepdims', 1) !== 0;
      const last = ctx.opset >= 12 && attrInt(ctx.node, 'select_last_index', 0) !== 0;
      const better = BETTER[dir + (last ? 'Last' : 'First')]!;
      const { outer, n, inner } = aroundAxis(x.dims, a);
      const out = Tensor.zeros('int64', reducedShape(x.dims, x.dims.map((_, i) => i === a), keepdims, 1), ctx.node.op);
      if (out.size === 0) return [out];
      if (n === 0) throw nodeError(ctx, 'INPUT_INVALID', `cannot take Arg${dir} over axis ${a} of size 0`, { actual: x.dims });
      const xs = numbersOf(x);
      const y = out.data as BigInt64Array;
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const base = o * n * inner + i;
          let best = 0;
          let bv = xs[base]!;
          for (let k = 1; k < n; k++) {
            const v = xs[base + k * inner]!;
            if (better(v, bv)) {
              bv = v;
              best = k;
            }
          }
          y[o * inner + i] = BigInt(best);
        }
      }
      return [out];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// TopK

/** k from the attribute (opset < 10) or the K input (a one-element int64 tensor). */
function topkK(ctx: KernelContext, kInput: Tensor | undefined): number {
  if (ctx.opset < 10) {
    const k = attrInt(ctx.node, 'k');
    if (k === undefined) throw nodeError(ctx, 'MODEL_INVALID', `attribute k is required before opset 10`);
    return k;
  }
  const t = required(ctx, [kInput], 0, 'K');
  expectDtype(ctx, t.type, ['int64'], 'K');
  if (t.size !== 1 || t.dims.length > 1) {
    throw nodeError(ctx, 'INPUT_INVALID', `K has shape [${t.dims.join(',')}], expected [1]`, { expected: [1], actual: t.dims });
  }
  return Number((t.data as BigInt64Array)[0]);
}

const topK: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'X');
    expectDtype(ctx, x.dtype, ctx.opset >= 11 ? TOPK_TYPES : FLOAT_TYPES.filter((t) => t !== 'bfloat16'), 'X');
    if (ctx.opset >= 10) expectDtype(ctx, required(ctx, inputs, 1, 'K').dtype, ['int64'], 'K');
    if (!x.shape) return [{ dtype: x.dtype }, { dtype: 'int64' }];
    const a = axisOf(ctx, attrInt(ctx.node, 'axis', -1), x.shape.length);
    let k: Dim;
    if (ctx.opset < 10) k = topkK(ctx, undefined);
    else {
      const kc = ctx.constant(1);
      k = kc ? topkK(ctx, kc) : undefined;
    }
    const shape = x.shape.map((d, i) => (i === a ? k : d));
    return [{ dtype: x.dtype, shape }, { dtype: 'int64', shape: shape.slice() }];
  },

  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'X');
    expectDtype(ctx, x.type, ctx.opset >= 11 ? TOPK_TYPES : FLOAT_TYPES.filter((t) => t !== 'bfloat16'), 'X');
    const a = axisOf(ctx, attrInt(ctx.node, 'axis', -1), x.dims.length);
    const k = topkK(ctx, inputs[1]);
    const largest = ctx.opset < 11 || attrInt(ctx.node, 'largest', 1) !== 0;
    // sorted=0 leaves the order unspecified: sorted output is one valid answer.
    const { outer, n, inner } = aroundAxis(x.dims, a);
    if (!Number.isInteger(k) || k < 0 || k > n) {
      throw nodeError(ctx, 'INPUT_INVALID', `K is ${k}, expected an integer in [0, ${n}] (size of axis ${a})`, {
        expected: [0, n],
        actual: k,
      });
    }
    const dims = x.dims.map((d, i) => (i === a ? k : d));
    const values = Tensor.zeros(x.type, dims, 'TopK');
    const indices = Tensor.zeros('int64', dims, 'TopK');
    if (values.size === 0) return [values, indices];

    const xs = numbersOf(x);
    const line = Tensor.zeros('float64', [n], 'TopK').data as Float64Array;
    const order = Tensor.zeros('int32', [n], 'TopK').data as Int32Array;
    // Ties keep the lower index first, in both directions (as onnxruntime and onnx's reference).
    const cmp = largest
      ? (p: number, q: number) => (above(line[q]!, line[p]!) ? 1 : above(line[p]!, line[q]!) ? -1 : p - q)
      : (p: number, q: number) => (above(line[p]!, line[q]!) ? 1 : above(line[q]!, line[p]!) ? -1 : p - q);
    // Values are copied element by element from the input (same dtype): exact for every dtype.
    const src = x.data as unknown as ArrayLike<unknown>;
    const dst = values.data as unknown as { [i: number]: unknown };
    const idx = indices.data as BigInt64Array;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        for (let j = 0; j < n; j++) {
          line[j] = xs[base + j * inner]!;
          order[j] = j;
        }
        order.sort(cmp);
        const obase = o * k * inner + i;
        for (let t = 0; t < k; t++) {
          dst[obase + t * inner] = src[base + order[t]! * inner];
          idx[obase + t * inner] = BigInt(order[t]!);
        }
      }
    }
    return [values, indices];
  },
};

// ---------------------------------------------------------------------------------------------
// CumSum

const cumSum: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'x');
    expectDtype(ctx, x.dtype, MATH_TYPES, 'x');
    expectDtype(ctx, required(ctx, inputs, 1, 'axis').dtype, ['int32', 'int64'], 'axis');
    const axis = constantInts(ctx, 1);
    if (x.shape && axis && axis.length === 1) axisOf(ctx, axis[0]!, x.shape.length);
    return [{ dtype: x.dtype, shape: x.shape?.slice() }];
  },

  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'x');
    expectDtype(ctx, x.type, MATH_TYPES, 'x');
    const axisT = required(ctx, inputs, 1, 'axis');
    expectDtype(ctx, axisT.type, ['int32', 'int64'], 'axis');
    if (axisT.size !== 1 || axisT.dims.length > 1) {
      throw nodeError(ctx, 'INPUT_INVALID', `axis has shape [${axisT.dims.join(',')}], expected a scalar`, { actual: axisT.dims });
    }
    const a = axisOf(ctx, axisT.toNumbers()[0]!, x.dims.length, 'INPUT_INVALID');
    const exclusive = attrInt(ctx.node, 'exclusive', 0) !== 0;
    const reverse = attrInt(ctx.node, 'reverse', 0) !== 0;
    const { outer, n, inner } = aroundAxis(x.dims, a);
    const out = numericOutput(x.type, x.dims, 'CumSum');
    if (x.size === 0) return [out.done()];
    const xs = numbersOf(x);
    const y = out.data;
    // Walk each line forwards or backwards; exclusive writes the sum before adding the element.
    const first = reverse ? n - 1 : 0;
    const step = (reverse ? -1 : 1) * inner;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let p = o * n * inner + i + first * inner;
        let s = 0;
        for (let j = 0; j < n; j++, p += step) {
          if (exclusive) {
            y[p] = s;
            s += xs[p]!;
          } else {
            s += xs[p]!;
            y[p] = s;
          }
        }
      }
    }
    return [out.done()];
  },
};

export const reduceOps: OpTable = {
  ...Object.fromEntries(Object.keys(FOLDS).map((name) => [name, reduceOp(name)])),
  ArgMax: argOp('max'),
  ArgMin: argOp('min'),
  TopK: topK,
  CumSum: cumSum,
};
