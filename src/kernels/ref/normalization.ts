// Reference kernels for normalizations along axes: Softmax, LogSoftmax, Hardmax and LayerNormalization.
// Softmax-like ops work on lines of n elements `inner` apart, so every axis and opset layout shares one loop.

import { attrFloat, attrInt } from '../../ir/attrs.js';
import type { Dim, ValueType } from '../../ir/graph.js';
import { dtypeFromOnnx, type DataType, type NumberArray } from '../../tensor/dtype.js';
import { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from '../../tensor/half.js';
import { sizeOf } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { commonDtype } from '../infer-helpers.js';
import { nodeError, required, type KernelContext, type OpDef, type OpTable } from '../op-def.js';
import { axisOf, expectDtype, FLOAT_TYPES, numbersOf, numericOutput, offsetsOf, unidirectionalStrides } from './reduce.js';

// ---------------------------------------------------------------------------------------------
// Softmax, LogSoftmax, Hardmax

/** Writes one line y[base + k*stride], k < n, from the same line of x. */
type LineFn = (x: NumberArray, y: NumberArray, base: number, n: number, stride: number) => void;

function lineMax(x: NumberArray, base: number, n: number, stride: number): number {
  let m = -Infinity;
  for (let k = 0, p = base; k < n; k++, p += stride) if (x[p]! > m) m = x[p]!;
  return m;
}

// Stable forms: subtract the line's max before exp (a NaN anywhere makes the line NaN, as in numpy).
const LINES: Record<string, LineFn> = {
  Softmax(x, y, base, n, stride) {
    const m = lineMax(x, base, n, stride);
    let s = 0;
    for (let k = 0, p = base; k < n; k++, p += stride) s += Math.exp(x[p]! - m);
    for (let k = 0, p = base; k < n; k++, p += stride) y[p] = Math.exp(x[p]! - m) / s;
  },
  LogSoftmax(x, y, base, n, stride) {
    const m = lineMax(x, base, n, stride);
    let s = 0;
    for (let k = 0, p = base; k < n; k++, p += stride) s += Math.exp(x[p]! - m);
    const shift = m + Math.log(s);
    for (let k = 0, p = base; k < n; k++, p += stride) y[p] = x[p]! - shift;
  },
  Hardmax(x, y, base, n, stride) {
    // 1 at the first maximum (a NaN counts as the maximum, like numpy's argmax), 0 elsewhere.
    let best = 0;
    for (let k = 1; k < n; k++) {
      const v = x[base + k * stride]!;
      const b = x[base + best * stride]!;
      if (v > b || (v !== v && b === b)) best = k;
    }
    for (let k = 0, p = base; k < n; k++, p += stride) y[p] = k === best ? 1 : 0;
  },
};

/**
 * Before opset 13 the input is coerced to 2-D [d0*..*d(axis-1), d(axis)*..*d(r-1)] (axis default 1) and
 * each row is one line; from 13 a line runs along the single axis (default -1).
 */
function softmaxLines(ctx: KernelContext, dims: readonly number[]): { outer: number; n: number; inner: number } {
  const coerce = ctx.opset < 13;
  const a = axisOf(ctx, attrInt(ctx.node, 'axis', coerce ? 1 : -1), dims.length);
  const outer = sizeOf(dims.slice(0, a));
  return coerce ? { outer, n: sizeOf(dims.slice(a)), inner: 1 } : { outer, n: dims[a]!, inner: sizeOf(dims.slice(a + 1)) };
}

function softmaxOp(name: string): OpDef {
  const line = LINES[name]!;
  return {
    infer(ctx, inputs) {
      const x = required(ctx, inputs, 0, 'input');
      expectDtype(ctx, x.dtype, FLOAT_TYPES, 'input');
      if (x.shape) axisOf(ctx, attrInt(ctx.node, 'axis', ctx.opset < 13 ? 1 : -1), x.shape.length);
      return [{ dtype: x.dtype, shape: x.shape?.slice() }];
    },

    run(ctx, inputs) {
      const x = required(ctx, inputs, 0, 'input');
      expectDtype(ctx, x.type, FLOAT_TYPES, 'input');
      const { outer, n, inner } = softmaxLines(ctx, x.dims);
      const out = numericOutput(x.type, x.dims, name);
      if (x.size === 0) return [out.done()];
      const xs = numbersOf(x);
      const y = out.data;
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) line(xs, y, o * n * inner + i, n, inner);
      }
      return [out.done()];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// LayerNormalization

/** Rounding to a float dtype's precision: how the stash type's precision is applied to each step. */
const ROUND: Partial<Record<DataType, (v: number) => number>> = {
  float32: Math.fround,
  float64: (v) => v,
  float16: (v) => halfToFloat(floatToHalf(v)),
  bfloat16: (v) => bfloat16ToFloat(floatToBfloat16(v)),
};

/** The stash type (dtype of Mean and InvStdDev, precision of the statistics); default 1 = float32. */
function stashType(ctx: KernelContext): DataType {
  const code = attrInt(ctx.node, 'stash_type', 1);
  const dtype = dtypeFromOnnx(code);
  if (dtype === undefined || !FLOAT_TYPES.includes(dtype)) {
    throw nodeError(ctx, 'MODEL_INVALID', `stash_type ${code} is not a float type, expected 1 (float) or 16 (bfloat16)`, {
      expected: [1, 16],
      actual: code,
    });
  }
  return dtype;
}

/** How many outputs the node asks for (Y, then the optional Mean and InvStdDev). */
function outputCount(ctx: KernelContext): number {
  return Math.min(3, Math.max(1, ctx.node.outputs.length));
}

const layerNormalization: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'X');
    required(ctx, inputs, 1, 'Scale');
    const dtype = commonDtype(ctx, inputs, [0, 1, 2]);
    expectDtype(ctx, dtype, FLOAT_TYPES, 'X');
    const stash = stashType(ctx);
    let statShape: Dim[] | undefined;
    if (x.shape) {
      const a = axisOf(ctx, attrInt(ctx.node, 'axis', -1), x.shape.length);
      statShape = x.shape.map((d, i) => (i < a ? d : 1));
    }
    const types: ValueType[] = [
      { dtype, shape: x.shape?.slice() },
      { dtype: stash, shape: statShape },
      { dtype: stash, shape: statShape?.slice() },
    ];
    return types.slice(0, outputCount(ctx));
  },

  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'X');
    const scale = required(ctx, inputs, 1, 'Scale');
    const bias = inputs[2];
    expectDtype(ctx, x.type, FLOAT_TYPES, 'X');
    for (const [t, what] of [[scale, 'Scale'], [bias, 'B']] as const) {
      if (t && t.type !== x.type) {
        throw nodeError(ctx, 'DTYPE_MISMATCH', `${what} is ${t.type}, expected ${x.type} like X`, { expected: x.type, actual: t.type });
      }
    }
    const a = axisOf(ctx, attrInt(ctx.node, 'axis', -1), x.dims.length);
    const epsilon = attrFloat(ctx.node, 'epsilon', 1e-5);
    const stash = stashType(ctx);
    const round = ROUND[stash]!;
    const outer = sizeOf(x.dims.slice(0, a));
    const n = sizeOf(x.dims.slice(a));

    // Scale and B broadcast to X: their offset = (part from the outer index) + (part from the position in the row).
    const split = (t: Tensor, what: string) => {
      const s = unidirectionalStrides(ctx, t.dims, x.dims, what);
      return {
        data: numbersOf(t),
        outer: offsetsOf(x.dims.slice(0, a), s.slice(0, a), 'LayerNormalization'),
        inner: offsetsOf(x.dims.slice(a), s.slice(a), 'LayerNormalization'),
      };
    };
    const sc = split(scale, 'Scale');
    const bs = bias ? split(bias, 'B') : undefined;

    const statDims = x.dims.map((d, i) => (i < a ? d : 1));
    const yOut = numericOutput(x.type, x.dims, 'LayerNormalization');
    const meanOut = numericOutput(stash, statDims, 'LayerNormalization');
    const invOut = numericOutput(stash, statDims, 'LayerNormalization');
    const xs = numbersOf(x);
    const y = yOut.data;
    // Stage one follows the spec's function body in stash precision (each step rounded); stage two in X's type.
    for (let o = 0; o < outer; o++) {
      const base = o * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += round(xs[base + j]!);
      const mean = round(s / n);
      let q = 0;
      for (let j = 0; j < n; j++) {
        const d = round(round(xs[base + j]!) - mean);
        q += round(d * d);
      }
      const inv = round(1 / round(Math.sqrt(round(round(q / n) + epsilon))));
      meanOut.data[o] = mean;
      invOut.data[o] = inv;
      const so = sc.outer[o]!;
      for (let j = 0; j < n; j++) {
        const normalized = round(round(round(xs[base + j]!) - mean) * inv);
        y[base + j] = normalized * sc.data[so + sc.inner[j]!]!;
      }
      if (bs) {
        const bo = bs.outer[o]!;
        for (let j = 0; j < n; j++) y[base + j] = y[base + j]! + bs.data[bo + bs.inner[j]!]!;
      }
    }
    return [yOut.done(), meanOut.done(), invOut.done()].slice(0, outputCount(ctx));
  },
};

export const normalizationOps: OpTable = {
  Softmax: softmaxOp('Softmax'),
  LogSoftmax: softmaxOp('LogSoftmax'),
  Hardmax: softmaxOp('Hardmax'),
  LayerNormalization: layerNormalization,
};
