// Reference kernels of the quantization ops (ONNX opsets 10-18): QuantizeLinear, DequantizeLinear,
// DynamicQuantizeLinear, QLinearConv, ConvInteger, QLinearMatMul, MatMulInteger. Arithmetic lives in quant-math.ts.

import { attrInt } from '../../ir/attrs.js';
import type { Dim, ValueType } from '../../ir/graph.js';
import { DTYPES, type DataType, type NumberArray } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { nodeError, required, type InferContext, type KernelContext, type OpDef, type OpTable } from '../op-def.js';
import { convKernel, windowGeometry } from './conv-geometry.js';
import {
  axisLayout,
  batchOffsets,
  convInteger,
  dequantizeLinear,
  matmulInteger,
  matmulOutputDims,
  planMatMul,
  quantizeLinear,
  requantize,
  requantMultiplier,
  saturateRound,
  type BatchedVector,
  type MatMulPlan,
} from './quant-math.js';

type Input = ValueType | undefined;

const INT8: readonly DataType[] = ['int8', 'uint8'];
const FLOAT: readonly DataType[] = ['float32'];

// ---------------------------------------------------------------------------------------------
// Boundary checks shared by infer() and run() (run() passes its tensors' types through typeOf)
// ---------------------------------------------------------------------------------------------

function typeOf(t: Tensor | undefined): Input {
  return t && { dtype: t.type, shape: [...t.dims] };
}

const fmt = (shape: Dim[] | readonly number[] | undefined): string => (shape ? `[${shape.map((d) => d ?? '?').join(',')}]` : '[?]');

function expectDtype(ctx: KernelContext, v: ValueType, allowed: readonly DataType[], what: string): DataType {
  if (!allowed.includes(v.dtype)) {
    throw nodeError(ctx, 'DTYPE_MISMATCH', `${what} is ${v.dtype}, expected ${allowed.join(' or ')}`, { expected: allowed, actual: v.dtype });
  }
  return v.dtype;
}

/** A zero point must have the dtype of the tensor it describes. */
function expectZeroPointDtype(ctx: KernelContext, zp: Input, dtype: DataType, what: string): void {
  if (zp && zp.dtype !== dtype) {
    throw nodeError(ctx, 'DTYPE_MISMATCH', `${what} is ${zp.dtype}, expected ${dtype} like the tensor it belongs to`, {
      expected: dtype,
      actual: zp.dtype,
    });
  }
}

/** Number of elements, or undefined when a dim is not static. */
function count(shape: Dim[] | undefined): number | undefined {
  if (!shape) return undefined;
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}

const isSingle = (shape: Dim[] | undefined): boolean => count(shape) === 1;

/** Scale and zero point shapes agree: equal dims, or both one element (scalar vs [1]). */
function sameParamShape(a: Dim[], b: Dim[]): boolean {
  if (isSingle(a) && isSingle(b)) return true;
  return a.length === b.length && a.every((d, i) => typeof d !== 'number' || typeof b[i] !== 'number' || d === b[i]);
}

function expectPairShape(ctx: KernelContext, scale: ValueType, zp: Input, what: string): void {
  if (zp?.shape && scale.shape && !sameParamShape(scale.shape, zp.shape)) {
    throw nodeError(ctx, 'QPARAMS_INVALID', `${what} zero point has shape ${fmt(zp.shape)} but its scale has ${fmt(scale.shape)}; they must match`, {
      expected: scale.shape,
      actual: zp.shape,
    });
  }
}

/** A parameter that may only be per-tensor (a scalar or a 1-element tensor). */
function expectPerTensor(ctx: KernelContext, v: Input, what: string): void {
  if (v?.shape && count(v.shape) !== undefined && !isSingle(v.shape)) {
    throw nodeError(ctx, 'QPARAMS_INVALID', `${what} must be a scalar (per-tensor), got shape ${fmt(v.shape)}`, { expected: [], actual: v.shape });
  }
}

/** A parameter that is per-tensor or holds one value per output channel (a 1-D tensor of M values). */
function expectPerChannel(ctx: KernelContext, v: Input, M: Dim, what: string): void {
  if (!v?.shape || isSingle(v.shape)) return;
  const n = v.shape[0];
  if (v.shape.length !== 1 || (typeof n === 'number' && typeof M === 'number' && n !== M)) {
    throw nodeError(ctx, 'QPARAMS_INVALID', `${what} must be a scalar or a 1-D tensor of ${M ?? 'M'} (output channels) values, got shape ${fmt(v.shape)}`, {
      expected: [M],
      actual: v.shape,
    });
  }
}

function checkAxis(ctx: KernelContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw nodeError(ctx, 'QPARAMS_INVALID', `axis ${axis} is out of range for an input of rank ${rank}, expected [${-rank}, ${rank - 1}]`, {
      expected: [-rank, rank - 1],
      actual: axis,
    });
  }
  return a;
}

/**
 * QuantizeLinear / DequantizeLinear parameters: scale and zero point are per-tensor (one element) or, from
 * opset 13, 1-D with one value per index of x along `axis`. Returns that axis, or undefined for per-tensor.
 */
function linearQuantAxis(ctx: KernelContext, x: ValueType, scale: ValueType, zp: Input): number | undefined {
  const s = scale.shape;
  if (!s) return undefined;
  if (s.length > 1) {
    throw nodeError(ctx, 'QPARAMS_INVALID', `scale must be a scalar or a 1-D tensor, got shape ${fmt(s)}`, { actual: s });
  }
  expectPairShape(ctx, scale, zp, 'the');
  const n = s.length === 0 ? 1 : s[0];
  if (n === 1) return undefined;
  if (ctx.opset < 13) {
    throw nodeError(ctx, 'QPARAMS_INVALID', `per-axis scale of shape ${fmt(s)} needs opset 13, the model has opset ${ctx.opset}; expected a scalar`, {
      expected: [],
      actual: s,
    });
  }
  if (!x.shape) return undefined;
  const axis = checkAxis(ctx, attrInt(ctx.node, 'axis', 1), x.shape.length);
  const d = x.shape[axis];
  if (typeof n === 'number' && typeof d === 'number' && n !== d) {
    throw nodeError(ctx, 'QPARAMS_INVALID', `per-axis scale has ${n} values but x has ${d} along axis ${axis} (shape ${fmt(x.shape)})`, {
      expected: d,
      actual: n,
    });
  }
  return axis;
}

// ---------------------------------------------------------------------------------------------
// Parameter values
// ---------------------------------------------------------------------------------------------

/** Scale values; each must be positive and finite (a zero, negative or NaN scale has no quantized meaning). */
function scaleValues(ctx: KernelContext, t: Tensor, what: string): Float32Array {
  const s = t.toFloat32();
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    if (!(v > 0) || v === Infinity) {
      throw nodeError(ctx, 'QPARAMS_INVALID', `${what} must be positive and finite, got ${v}${s.length > 1 ? ` at index ${i}` : ''}`, {
        expected: '> 0 and finite',
        actual: v,
      });
    }
  }
  return s;
}

/** Zero points as int32, `n` of them (absent = 0; one value expanded when n > 1). */
function zeroPoints(t: Tensor | undefined, n: number): Int32Array {
  const out = new Int32Array(n);
  if (!t || t.size === 0) return out;
  const d = t.data as NumberArray;
  for (let i = 0; i < n; i++) out[i] = d[t.size === 1 ? 0 : i]!;
  return out;
}

/** Checks at load time the scales that are constants (initializers), so a bad model fails early. */
function checkConstantScales(ctx: InferContext, indices: Record<number, string>): void {
  for (const [i, what] of Object.entries(indices)) {
    const c = ctx.constant(Number(i));
    if (c) scaleValues(ctx, c, what);
  }
}

function range(dtype: DataType): { qmin: number; qmax: number } {
  return { qmin: DTYPES[dtype].min!, qmax: DTYPES[dtype].max! };
}

// ---------------------------------------------------------------------------------------------
// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear
// ---------------------------------------------------------------------------------------------

/** Checks QuantizeLinear's inputs and returns y's type. */
function quantizeType(ctx: KernelContext, inputs: Input[]): ValueType {
  const x = required(ctx, inputs, 0, 'x');
  const scale = required(ctx, inputs, 1, 'y_scale');
  const zp = inputs[2];
  expectDtype(ctx, x, ['float32', 'int32'], 'x');
  expectDtype(ctx, scale, FLOAT, 'y_scale');
  if (zp) expectDtype(ctx, zp, INT8, 'y_zero_point');
  linearQuantAxis(ctx, x, scale, zp);
  return { dtype: zp?.dtype ?? 'uint8', shape: x.shape };
}

const QuantizeLinear: OpDef = {
  infer(ctx, inputs) {
    const y = quantizeType(ctx, inputs);
    checkConstantScales(ctx, { 1: 'y_scale' });
    return [y];
  },
  run(ctx, inputs) {
    const yType = quantizeType(ctx, inputs.map(typeOf));
    const x = inputs[0]!;
    const axis = linearQuantAxis(ctx, typeOf(x)!, typeOf(inputs[1])!, typeOf(inputs[2]));
    const scale = scaleValues(ctx, inputs[1]!, 'y_scale');
    const layout = axisLayout(x.dims, axis);
    const zeroPoint = zeroPoints(inputs[2], layout.count);
    const y = Tensor.zeros(yType.dtype, x.dims, ctx.node.name || 'QuantizeLinear');
    const { qmin, qmax } = range(yType.dtype);
    // float32 input divides in float32 (onnxruntime); int32 input in double (numpy int32 / float32).
    quantizeLinear(x.data as NumberArray, y.data as NumberArray, { scale, zeroPoint, ...layout }, qmin, qmax, x.type === 'float32');
    y.quant = { scale, zeroPoint, ...(axis === undefined ? {} : { axis }) };
    return [y];
  },
};

/** Checks DequantizeLinear's inputs and returns y's type. */
function dequantizeType(ctx: KernelContext, inputs: Input[]): ValueType {
  const x = required(ctx, inputs, 0, 'x');
  const scale = required(ctx, inputs, 1, 'x_scale');
  const zp = inputs[2];
  expectDtype(ctx, x, ['int8', 'uint8', 'int32'], 'x');
  expectDtype(ctx, scale, FLOAT, 'x_scale');
  expectZeroPointDtype(ctx, zp, x.dtype, 'x_zero_point');
  linearQuantAxis(ctx, x, scale, zp);
  return { dtype: 'float32', shape: x.shape };
}

/** int32 input has no zero point (the spec fixes it at 0): a non-zero one is refused. */
function checkInt32ZeroPoint(ctx: KernelContext, x: Input, zp: Tensor | undefined): void {
  if (x?.dtype !== 'int32' || !zp) return;
  const d = zp.data as NumberArray;
  for (let i = 0; i < d.length; i++) {
    if (d[i] !== 0) {
      throw nodeError(ctx, 'QPARAMS_INVALID', `x_zero_point must be 0 when dequantizing int32, got ${d[i]}`, { expected: 0, actual: d[i] });
    }
  }
}

const DequantizeLinear: OpDef = {
  infer(ctx, inputs) {
    const y = dequantizeType(ctx, inputs);
    checkConstantScales(ctx, { 1: 'x_scale' });
    checkInt32ZeroPoint(ctx, inputs[0], ctx.constant(2));
    return [y];
  },
  run(ctx, inputs) {
    dequantizeType(ctx, inputs.map(typeOf));
    const x = inputs[0]!;
    checkInt32ZeroPoint(ctx, typeOf(x), inputs[2]);
    const axis = linearQuantAxis(ctx, typeOf(x)!, typeOf(inputs[1])!, typeOf(inputs[2]));
    const scale = scaleValues(ctx, inputs[1]!, 'x_scale');
    const layout = axisLayout(x.dims, axis);
    const y = Tensor.zeros('float32', x.dims, ctx.node.name || 'DequantizeLinear');
    dequantizeLinear(x.data as NumberArray, y.data as Float32Array, { scale, zeroPoint: zeroPoints(inputs[2], layout.count), ...layout });
    return [y];
  },
};

const DynamicQuantizeLinear: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'x');
    expectDtype(ctx, x, FLOAT, 'x');
    return [
      { dtype: 'uint8', shape: x.shape },
      { dtype: 'float32', shape: [] },
      { dtype: 'uint8', shape: [] },
    ];
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'x');
    expectDtype(ctx, typeOf(x)!, FLOAT, 'x');
    const data = x.data as Float32Array;
    // The range always includes 0 (so 0 is exact); NaNs fail both comparisons and are ignored.
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const { qmin, qmax } = range('uint8');
    // As onnxruntime: scale 1 for an all-zero input (the spec's formula would divide by 0), float32 arithmetic.
    const scale = hi === lo ? 1 : Math.fround(Math.fround(hi - lo) / (qmax - qmin));
    const zp = saturateRound(Math.fround(qmin - Math.fround(lo / scale)), 0, qmin, qmax);
    const params = { scale: Float32Array.of(scale), zeroPoint: Int32Array.of(zp) };
    const y = Tensor.zeros('uint8', x.dims, ctx.node.name || 'DynamicQuantizeLinear');
    quantizeLinear(data, y.data as Uint8Array, { ...params, ...axisLayout(x.dims, undefined) }, qmin, qmax, true);
    y.quant = params;
    return [y, new Tensor('float32', Float32Array.of(scale), []), new Tensor('uint8', Uint8Array.of(zp), [])];
  },
};

// ---------------------------------------------------------------------------------------------
// ConvInteger, QLinearConv
// ---------------------------------------------------------------------------------------------

/** Conv shape inference: checks x / w ranks, channels and attributes; returns the group count and y's shape. */
function convShape(ctx: KernelContext, x: ValueType, w: ValueType): { group: number; M: Dim; shape?: Dim[] } {
  const xs = x.shape;
  const ws = w.shape;
  if (xs && xs.length < 3) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `x has ${xs.length} dims, expected at least 3 (N x C x D1 ...)`, { expected: '>= 3', actual: xs.length });
  }
  if (ws && ws.length < 3) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `w has ${ws.length} dims, expected at least 3 (M x C/group x k1 ...)`, { expected: '>= 3', actual: ws.length });
  }
  if (xs && ws && xs.length !== ws.length) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `x has shape ${fmt(xs)} and w has ${fmt(ws)}: their ranks must match`, { expected: xs.length, actual: ws.length });
  }
  const group = attrInt(ctx.node, 'group', 1);
  if (!Number.isInteger(group) || group < 1) throw nodeError(ctx, 'MODEL_INVALID', `group is ${group}, expected a positive integer`, { actual: group });
  const M = ws?.[0];
  const C = xs?.[1];
  const Cg = ws?.[1];
  if (typeof C === 'number' && typeof Cg === 'number' && C !== Cg * group) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `x has ${C} channels but w expects ${Cg} per group x ${group} groups = ${Cg * group}`, {
      expected: Cg * group,
      actual: C,
    });
  }
  if (typeof M === 'number' && M % group !== 0) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `w has ${M} output channels, not divisible by group ${group}`, { expected: `multiple of ${group}`, actual: M });
  }
  const rank = xs?.length ?? ws?.length;
  if (rank === undefined) return { group, M };
  const kernel = convKernel(ctx, ws?.slice(2), rank - 2);
  if (!xs) return { group, M };
  const out = kernel ? windowGeometry(ctx, 'conv', xs.slice(2), kernel).outDims : new Array<Dim>(rank - 2).fill(undefined);
  return { group, M, shape: [xs[0], M, ...out] };
}

/** Runs the integer convolution of x and w (zero points subtracted, bias added) into an int32 tensor. */
function runConvInteger(ctx: KernelContext, group: number, x: Tensor, w: Tensor, xZero: number, wZero: Int32Array, bias: Int32Array | undefined): Tensor {
  const inSpatial = x.dims.slice(2);
  const geometry = windowGeometry(ctx, 'conv', inSpatial, convKernel(ctx, w.dims.slice(2), inSpatial.length)!);
  const M = w.dims[0]!;
  const y = Tensor.zeros('int32', [x.dims[0]!, M, ...geometry.outDims], ctx.node.name || ctx.node.op);
  convInteger(
    { x: x.data as NumberArray, xZero, w: w.data as NumberArray, wZero, bias, batch: x.dims[0]!, channels: x.dims[1]!, outChannels: M, group },
    inSpatial,
    geometry,
    y.data as Int32Array,
  );
  return y;
}

function convIntegerType(ctx: KernelContext, inputs: Input[]): { group: number; type: ValueType } {
  const x = required(ctx, inputs, 0, 'x');
  const w = required(ctx, inputs, 1, 'w');
  expectDtype(ctx, x, INT8, 'x');
  expectDtype(ctx, w, INT8, 'w');
  expectZeroPointDtype(ctx, inputs[2], x.dtype, 'x_zero_point');
  expectZeroPointDtype(ctx, inputs[3], w.dtype, 'w_zero_point');
  const { group, M, shape } = convShape(ctx, x, w);
  expectPerTensor(ctx, inputs[2], 'x_zero_point');
  expectPerChannel(ctx, inputs[3], M, 'w_zero_point');
  return { group, type: { dtype: 'int32', shape } };
}

const ConvInteger: OpDef = {
  infer(ctx, inputs) {
    return [convIntegerType(ctx, inputs).type];
  },
  run(ctx, inputs) {
    const { group } = convIntegerType(ctx, inputs.map(typeOf));
    const [x, w, xZp, wZp] = inputs as [Tensor, Tensor, Tensor | undefined, Tensor | undefined];
    return [runConvInteger(ctx, group, x, w, zeroPoints(xZp, 1)[0]!, zeroPoints(wZp, w.dims[0]!), undefined)];
  },
};

// QLinearConv inputs: x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B?
function qlinearConvType(ctx: KernelContext, inputs: Input[]): { group: number; type: ValueType } {
  const names = ['x', 'x_scale', 'x_zero_point', 'w', 'w_scale', 'w_zero_point', 'y_scale', 'y_zero_point'];
  const [x, xScale, xZp, w, wScale, wZp, yScale, yZp] = names.map((n, i) => required(ctx, inputs, i, n)) as ValueType[];
  const bias = inputs[8];
  expectDtype(ctx, x!, INT8, 'x');
  expectDtype(ctx, w!, INT8, 'w');
  expectDtype(ctx, yZp!, INT8, 'y_zero_point');
  for (const [s, n] of [[xScale, 'x_scale'], [wScale, 'w_scale'], [yScale, 'y_scale']] as const) expectDtype(ctx, s!, FLOAT, n);
  expectZeroPointDtype(ctx, xZp, x!.dtype, 'x_zero_point');
  expectZeroPointDtype(ctx, wZp, w!.dtype, 'w_zero_point');
  if (bias) expectDtype(ctx, bias, ['int32'], 'B');
  const { group, M, shape } = convShape(ctx, x!, w!);
  expectPerTensor(ctx, xScale, 'x_scale');
  expectPerTensor(ctx, xZp, 'x_zero_point');
  expectPerTensor(ctx, yScale, 'y_scale');
  expectPerTensor(ctx, yZp, 'y_zero_point');
  expectPerChannel(ctx, wScale, M, 'w_scale');
  expectPerChannel(ctx, wZp, M, 'w_zero_point');
  expectPairShape(ctx, wScale!, wZp, 'w');
  if (bias?.shape && (bias.shape.length !== 1 || (typeof M === 'number' && typeof bias.shape[0] === 'number' && bias.shape[0] !== M))) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `B must be a 1-D tensor of ${M ?? 'M'} (output channels) values, got shape ${fmt(bias.shape)}`, {
      expected: [M],
      actual: bias.shape,
    });
  }
  return { group, type: { dtype: yZp!.dtype, shape } };
}

const QLinearConv: OpDef = {
  infer(ctx, inputs) {
    const { type } = qlinearConvType(ctx, inputs);
    checkConstantScales(ctx, { 1: 'x_scale', 4: 'w_scale', 6: 'y_scale' });
    return [type];
  },
  run(ctx, inputs) {
    const { group, type } = qlinearConvType(ctx, inputs.map(typeOf));
    const [x, xScaleT, xZp, w, wScaleT, wZp, yScaleT, yZp, bias] = inputs as Tensor[];
    const M = w!.dims[0]!;
    const xScale = scaleValues(ctx, xScaleT!, 'x_scale')[0]!;
    const wScale = scaleValues(ctx, wScaleT!, 'w_scale');
    const yScale = scaleValues(ctx, yScaleT!, 'y_scale')[0]!;
    const acc = runConvInteger(ctx, group, x!, w!, zeroPoints(xZp, 1)[0]!, zeroPoints(wZp, M), bias?.data as Int32Array | undefined);

    // Requantize each output channel with its own multiplier x_scale * w_scale[m] / y_scale.
    const y = Tensor.zeros(type.dtype, acc.dims, ctx.node.name || 'QLinearConv');
    const { qmin, qmax } = range(type.dtype);
    const yz = zeroPoints(yZp, 1)[0]!;
    const a = acc.data as Int32Array;
    const out = y.data as NumberArray;
    const plane = acc.size / Math.max(1, acc.dims[0]! * M);
    for (let n = 0, i = 0; n < acc.dims[0]!; n++) {
      for (let m = 0; m < M; m++) {
        const mult = requantMultiplier(xScale, wScale[wScale.length === 1 ? 0 : m]!, yScale);
        for (let j = 0; j < plane; j++, i++) out[i] = requantize(a[i]!, mult, yz, qmin, qmax);
      }
    }
    y.quant = { scale: Float32Array.of(yScale), zeroPoint: Int32Array.of(yz) };
    return [y];
  },
};

// ---------------------------------------------------------------------------------------------
// MatMulInteger, QLinearMatMul
// ---------------------------------------------------------------------------------------------

/**
 * Dims of a matmul quantization parameter as a [..., R, C] matrix: per-tensor, per-row of A ('row':
 * [M] or [..., M, 1]) or per-column of B ('col': [N] or [..., 1, N]); batch dims 1 or the operand's.
 */
function matmulParamDims(ctx: KernelContext, p: readonly number[], operand: readonly number[], side: 'row' | 'col', what: string): number[] {
  if (p.every((d) => d === 1)) return [1, 1];
  const op2 = operand.length === 1 ? (side === 'row' ? [1, operand[0]!] : [operand[0]!, 1]) : operand;
  const R = op2[op2.length - 2]!;
  const C = op2[op2.length - 1]!;
  const dims = p.length === 1 ? (side === 'row' ? [p[0]!, 1] : [1, p[0]!]) : p.slice();
  const r = dims[dims.length - 2]!;
  const c = dims[dims.length - 1]!;
  let ok = dims.length <= op2.length && (side === 'row' ? c === 1 && (r === 1 || r === R) : r === 1 && (c === 1 || c === C));
  for (let i = 0; ok && i < dims.length - 2; i++) {
    const d = dims[i]!;
    ok = d === 1 || d === op2[op2.length - dims.length + i];
  }
  if (!ok) {
    const expected = side === 'row' ? `a scalar, [${R}] or [..., ${R}, 1] (per row)` : `a scalar, [${C}] or [..., 1, ${C}] (per column)`;
    throw nodeError(ctx, 'QPARAMS_INVALID', `${what} has shape ${fmt(p)}, expected ${expected} for an operand of shape ${fmt(operand)}`, {
      expected,
      actual: p,
    });
  }
  return dims;
}

/** Checks a matmul parameter's shape when it and its operand are static (load time or run time). */
function checkMatmulParam(ctx: KernelContext, p: Input, operand: ValueType, side: 'row' | 'col', what: string): void {
  if (p?.shape && operand.shape && count(p.shape) !== undefined && count(operand.shape) !== undefined) {
    matmulParamDims(ctx, p.shape as number[], operand.shape as number[], side, what);
  }
}

/** A matmul parameter tensor (or its absence = 0) seen per output batch and per row / column. */
function batchedVector<T extends Int32Array | Float32Array>(
  ctx: KernelContext,
  values: T,
  t: Tensor | undefined,
  operand: Tensor,
  side: 'row' | 'col',
  plan: MatMulPlan,
  what: string,
): BatchedVector<T> {
  const dims = t ? matmulParamDims(ctx, t.dims, operand.dims, side, what) : [1, 1];
  const along = side === 'row' ? dims[dims.length - 2]! : dims[dims.length - 1]!;
  return { values, offsets: batchOffsets(dims, plan.batch), step: along === 1 ? 0 : 1 };
}

function matmulIntegerType(ctx: KernelContext, inputs: Input[]): ValueType {
  const a = required(ctx, inputs, 0, 'A');
  const b = required(ctx, inputs, 1, 'B');
  expectDtype(ctx, a, INT8, 'A');
  expectDtype(ctx, b, INT8, 'B');
  expectZeroPointDtype(ctx, inputs[2], a.dtype, 'a_zero_point');
  expectZeroPointDtype(ctx, inputs[3], b.dtype, 'b_zero_point');
  const shape = matmulOutputDims(ctx, a.shape, b.shape);
  checkMatmulParam(ctx, inputs[2], a, 'row', 'a_zero_point');
  checkMatmulParam(ctx, inputs[3], b, 'col', 'b_zero_point');
  return { dtype: 'int32', shape };
}

/** (A - aZero) x (B - bZero) as an int32 tensor. */
function runMatmulInteger(ctx: KernelContext, plan: MatMulPlan, a: Tensor, b: Tensor, aZp: Tensor | undefined, bZp: Tensor | undefined): Tensor {
  const y = Tensor.zeros('int32', plan.outDims, ctx.node.name || ctx.node.op);
  const zero = (t: Tensor | undefined) => zeroPoints(t, Math.max(1, t?.size ?? 1));
  matmulInteger(
    a.data as NumberArray,
    b.data as NumberArray,
    plan,
    batchedVector(ctx, zero(aZp), aZp, a, 'row', plan, 'a_zero_point'),
    batchedVector(ctx, zero(bZp), bZp, b, 'col', plan, 'b_zero_point'),
    y.data as Int32Array,
  );
  return y;
}

const MatMulInteger: OpDef = {
  infer(ctx, inputs) {
    return [matmulIntegerType(ctx, inputs)];
  },
  run(ctx, inputs) {
    matmulIntegerType(ctx, inputs.map(typeOf));
    const [a, b, aZp, bZp] = inputs as [Tensor, Tensor, Tensor | undefined, Tensor | undefined];
    return [runMatmulInteger(ctx, planMatMul(ctx, a.dims, b.dims), a, b, aZp, bZp)];
  },
};

// QLinearMatMul inputs: a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point
function qlinearMatmulType(ctx: KernelContext, inputs: Input[]): ValueType {
  const names = ['a', 'a_scale', 'a_zero_point', 'b', 'b_scale', 'b_zero_point', 'y_scale', 'y_zero_point'];
  const [a, aScale, aZp, b, bScale, bZp, yScale, yZp] = names.map((n, i) => required(ctx, inputs, i, n)) as ValueType[];
  expectDtype(ctx, a!, INT8, 'a');
  expectDtype(ctx, b!, INT8, 'b');
  expectDtype(ctx, yZp!, INT8, 'y_zero_point');
  for (const [s, n] of [[aScale, 'a_scale'], [bScale, 'b_scale'], [yScale, 'y_scale']] as const) expectDtype(ctx, s!, FLOAT, n);
  expectZeroPointDtype(ctx, aZp, a!.dtype, 'a_zero_point');
  expectZeroPointDtype(ctx, bZp, b!.dtype, 'b_zero_point');
  const shape = matmulOutputDims(ctx, a!.shape, b!.shape);
  expectPairShape(ctx, aScale!, aZp, 'a');
  expectPairShape(ctx, bScale!, bZp, 'b');
  checkMatmulParam(ctx, aScale, a!, 'row', 'a_scale');
  checkMatmulParam(ctx, bScale, b!, 'col', 'b_scale');
  expectPerTensor(ctx, yScale, 'y_scale');
  expectPerTensor(ctx, yZp, 'y_zero_point');
  return { dtype: yZp!.dtype, shape };
}

const QLinearMatMul: OpDef = {
  infer(ctx, inputs) {
    const type = qlinearMatmulType(ctx, inputs);
    checkConstantScales(ctx, { 1: 'a_scale', 4: 'b_scale', 6: 'y_scale' });
    return [type];
  },
  run(ctx, inputs) {
    const type = qlinearMatmulType(ctx, inputs.map(typeOf));
    const [a, aScaleT, aZp, b, bScaleT, bZp, yScaleT, yZp] = inputs as Tensor[];
    const plan = planMatMul(ctx, a!.dims, b!.dims);
    const acc = runMatmulInteger(ctx, plan, a!, b!, aZp, bZp).data as Int32Array;
    const aScale = batchedVector(ctx, scaleValues(ctx, aScaleT!, 'a_scale'), aScaleT, a!, 'row', plan, 'a_scale');
    const bScale = batchedVector(ctx, scaleValues(ctx, bScaleT!, 'b_scale'), bScaleT, b!, 'col', plan, 'b_scale');
    const yScale = scaleValues(ctx, yScaleT!, 'y_scale')[0]!;
    const yz = zeroPoints(yZp, 1)[0]!;

    // Requantize with multiplier a_scale[row] * b_scale[col] / y_scale (float32, as onnxruntime).
    const y = Tensor.zeros(type.dtype, plan.outDims, ctx.node.name || 'QLinearMatMul');
    const out = y.data as NumberArray;
    const { qmin, qmax } = range(type.dtype);
    const { M, N } = plan;
    for (let i = 0; i < plan.aOffsets.length; i++) {
      for (let m = 0; m < M; m++) {
        const as = aScale.values[aScale.offsets[i]! + m * aScale.step]!;
        for (let n = 0, at = (i * M + m) * N; n < N; n++, at++) {
          const mult = requantMultiplier(as, bScale.values[bScale.offsets[i]! + n * bScale.step]!, yScale);
          out[at] = requantize(acc[at]!, mult, yz, qmin, qmax);
        }
      }
    }
    y.quant = { scale: Float32Array.of(yScale), zeroPoint: Int32Array.of(yz) };
    return [y];
  },
};

export const quantOps: OpTable = {
  QuantizeLinear,
  DequantizeLinear,
  DynamicQuantizeLinear,
  ConvInteger,
  QLinearConv,
  MatMulInteger,
  QLinearMatMul,
};
