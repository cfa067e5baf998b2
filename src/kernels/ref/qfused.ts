// Reference kernels of the integer ops that the fuse-qdq pass makes out of QDQ graphs: int32 sums of
// (x - x_zero_point) * (w - w_zero_point), then requantization and the activation as a clamp. Conv and Gemm
// requantize in float32 (XNNPACK's 'fp32' scheme, as TFLite runs them through XNNPACK and onnxruntime through MLAS):
// round-half-even(f32(sum) * scale), which SIMD does in four instructions; Add and the pools keep TFLite's fixed point.

import { attrFloats, attrInt, attrInts } from '../../ir/attrs.js';
import type { Dim, ValueType } from '../../ir/graph.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../quant/qparams.js';
import { DTYPES, type DataType, type NumberArray } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { broadcastDims } from '../infer-helpers.js';
import { nodeError, required, type KernelContext, type OpDef, type OpTable } from '../op-def.js';
import { binaryInto, planBroadcast } from './broadcast.js';
import { windowGeometry } from './conv-geometry.js';
import { EDGEINFER_DOMAIN } from './fused.js';
import { quantOps } from './quant.js';
import { requantize as requantizeFloat } from './quant-math.js';

/** Names of the fused integer ops (domain edgeinfer). */
export const QFUSED = {
  conv: 'QLinearConvFixed',
  gemm: 'QGemmFixed',
  gemmToFloat: 'QGemmToFloat',
  add: 'QAddFixed',
  averagePool: 'QAveragePoolFixed',
  globalAveragePool: 'QGlobalAveragePoolFixed',
} as const;

/** TFLite's left shift of int8 Add inputs: (x - zp) * 2^20 keeps 20 fractional bits through the rescaling. */
export const ADD_LEFT_SHIFT = 20;

const QTYPES: readonly DataType[] = ['int8', 'uint8'];

// ---------------------------------------------------------------------------------------------
// Parameters (attributes), checked the same way by infer, run and the WebAssembly glue
// ---------------------------------------------------------------------------------------------

/** Fixed-point requantization of an int32 sum: y = clamp(sum * multiplier * 2^(shift - 31) + zeroPoint, min, max). */
export interface Requant {
  /** Per channel, or one value for all (length 1). */
  multiplier: Int32Array;
  shift: Int32Array;
  zeroPoint: number;
  /** The activation folded in, as bounds on the quantized output. */
  min: number;
  max: number;
}

function qdtype(ctx: KernelContext, t: ValueType | Tensor | undefined, what: string): DataType {
  const dtype = t && ('dtype' in t ? t.dtype : t.type);
  if (!dtype || !QTYPES.includes(dtype)) {
    throw nodeError(ctx, 'DTYPE_MISMATCH', `${what} is ${dtype ?? 'missing'}, expected int8 or uint8`, { expected: QTYPES, actual: dtype });
  }
  return dtype;
}

function intInRange(ctx: KernelContext, name: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw nodeError(ctx, 'QPARAMS_INVALID', `${name} is ${v}, expected an integer in [${lo}, ${hi}]`, { expected: [lo, hi], actual: v });
  }
  return v;
}

/** A zero point attribute (default 0) in the range of `dtype`. */
export function zeroPointAttr(ctx: KernelContext, name: string, dtype: DataType): number {
  return intInRange(ctx, name, attrInt(ctx.node, name, 0), DTYPES[dtype].min!, DTYPES[dtype].max!);
}

/** Per-channel ints: one value, or `channels` of them (when channels is known). */
function channelInts(ctx: KernelContext, name: string, channels: number | undefined, fallback?: number): Int32Array {
  const v = attrInts(ctx.node, name) ?? (fallback === undefined ? undefined : [fallback]);
  if (!v) throw nodeError(ctx, 'QPARAMS_INVALID', `attribute ${name} is required`);
  if (v.length !== 1 && channels !== undefined && v.length !== channels) {
    throw nodeError(ctx, 'QPARAMS_INVALID', `${name} has ${v.length} values, expected 1 or ${channels} (one per output channel)`, {
      expected: channels,
      actual: v.length,
    });
  }
  return Int32Array.from(v);
}

function checkMultipliers(ctx: KernelContext, what: string, multiplier: Int32Array | number[], shift: Int32Array | number[]): void {
  if (multiplier.length !== shift.length) {
    throw nodeError(ctx, 'QPARAMS_INVALID', `${what}multiplier has ${multiplier.length} values but ${what}shift has ${shift.length}`, {
      expected: multiplier.length,
      actual: shift.length,
    });
  }
  multiplier.forEach((m) => intInRange(ctx, `${what}multiplier`, m, 0, 2147483647));
  shift.forEach((s) => intInRange(ctx, `${what}shift`, s, -31, 30));
}

/** Float32 requantization of an int32 sum: y = clamp(roundHalfEven(f32(f32(sum) * scale)) + zeroPoint, min, max). */
export interface ScaleRequant {
  /** Per channel, or one value for all (length 1); float32, positive and finite. */
  scale: Float32Array;
  zeroPoint: number;
  min: number;
  max: number;
}

/** Output requantization of Conv / Gemm from `scale` (float32 acc_scale / y_scale), `y_zero_point`, `output_min`, `output_max`. */
export function scaleRequantAttrs(ctx: KernelContext, dtype: DataType, channels?: number): ScaleRequant {
  const v = attrFloats(ctx.node, 'scale');
  if (!v) throw nodeError(ctx, 'QPARAMS_INVALID', 'attribute scale is required');
  if (v.length !== 1 && channels !== undefined && v.length !== channels) {
    throw nodeError(ctx, 'QPARAMS_INVALID', `scale has ${v.length} values, expected 1 or ${channels} (one per output channel)`, { expected: channels, actual: v.length });
  }
  for (const s of v) if (!(s > 0) || !Number.isFinite(s)) throw nodeError(ctx, 'QPARAMS_INVALID', `scale ${s} must be positive and finite`, { actual: s });
  const { min: qmin, max: qmax } = DTYPES[dtype];
  const zeroPoint = zeroPointAttr(ctx, 'y_zero_point', dtype);
  const min = intInRange(ctx, 'output_min', attrInt(ctx.node, 'output_min', qmin!), qmin!, qmax!);
  const max = intInRange(ctx, 'output_max', attrInt(ctx.node, 'output_max', qmax!), min, qmax!);
  return { scale: Float32Array.from(v), zeroPoint, min, max };
}

/** Output requantization from `multiplier`, `shift`, `y_zero_point`, `output_min`, `output_max`. */
export function requantAttrs(ctx: KernelContext, dtype: DataType, channels?: number): Requant {
  const multiplier = channelInts(ctx, 'multiplier', channels);
  const shift = channelInts(ctx, 'shift', channels);
  checkMultipliers(ctx, '', multiplier, shift);
  const { min: qmin, max: qmax } = DTYPES[dtype];
  const zeroPoint = zeroPointAttr(ctx, 'y_zero_point', dtype);
  const min = intInRange(ctx, 'output_min', attrInt(ctx.node, 'output_min', qmin!), qmin!, qmax!);
  const max = intInRange(ctx, 'output_max', attrInt(ctx.node, 'output_max', qmax!), min, qmax!);
  return { multiplier, shift, zeroPoint, min, max };
}

/** clamp(multiplyByQuantizedMultiplier(acc) + zeroPoint) for channel `c` (acc is an int32). */
export function requantize(acc: number, r: Requant, c: number): number {
  const i = r.multiplier.length === 1 ? 0 : c;
  const v = multiplyByQuantizedMultiplier(acc, r.multiplier[i]!, r.shift[i]!) + r.zeroPoint;
  return v < r.min ? r.min : v > r.max ? r.max : v;
}

/** Writes the float32 requantization of acc[i] + bias[c] into y, channel c = floor(i / inner) % channels (NCHW: inner = H*W; [.., N]: inner = 1). */
function requantizeInto(acc: Int32Array, bias: Int32Array | undefined, r: ScaleRequant, channels: number, inner: number, y: NumberArray): void {
  for (let i = 0, c = 0, j = 0; i < acc.length; i++) {
    const sum = bias ? (acc[i]! + bias[c]!) | 0 : acc[i]!; // int32 wrap-around, like the accumulator
    y[i] = requantizeFloat(sum, r.scale[r.scale.length === 1 ? 0 : c]!, r.zeroPoint, r.min, r.max);
    if (++j === inner) {
      j = 0;
      if (++c === channels) c = 0;
    }
  }
}

function biasOf(ctx: KernelContext, b: ValueType | undefined, channels: Dim): void {
  if (!b) return;
  if (b.dtype !== 'int32') throw nodeError(ctx, 'DTYPE_MISMATCH', `B is ${b.dtype}, expected int32`, { expected: 'int32', actual: b.dtype });
  const n = b.shape?.[0];
  if (b.shape && (b.shape.length !== 1 || (typeof n === 'number' && typeof channels === 'number' && n !== channels))) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `B has shape [${b.shape.join(',')}], expected [${channels ?? 'M'}] (one int32 per output channel)`, {
      expected: [channels],
      actual: b.shape,
    });
  }
}

const typeOf = (t: Tensor | undefined): ValueType | undefined => t && { dtype: t.type, shape: [...t.dims] };
const known = (d: Dim): number | undefined => (typeof d === 'number' ? d : undefined);
const scalar = (dtype: DataType, v: number) => Tensor.fromNumbers(dtype, [v], []);

// ---------------------------------------------------------------------------------------------
// QLinearConvFixed(x, w, B?): Conv attributes + x_zero_point, w_zero_point (1 or M), requantization
// ---------------------------------------------------------------------------------------------

export interface ConvParams {
  xZero: number;
  wZero: Int32Array;
  requant: ScaleRequant;
}

export function convParams(ctx: KernelContext, xDtype: DataType, wDtype: DataType, M: number | undefined): ConvParams {
  const wZero = channelInts(ctx, 'w_zero_point', M, 0);
  wZero.forEach((z) => intInRange(ctx, 'w_zero_point', z, DTYPES[wDtype].min!, DTYPES[wDtype].max!));
  return { xZero: zeroPointAttr(ctx, 'x_zero_point', xDtype), wZero, requant: scaleRequantAttrs(ctx, xDtype, M) };
}

function convType(ctx: KernelContext, inputs: (ValueType | undefined)[]): ValueType {
  const x = required(ctx, inputs, 0, 'x');
  const w = required(ctx, inputs, 1, 'w');
  const dtype = qdtype(ctx, x, 'x');
  const M = w.shape?.[0];
  biasOf(ctx, inputs[2], M);
  convParams(ctx, dtype, qdtype(ctx, w, 'w'), known(M));
  const [acc] = quantOps.ConvInteger!.infer({ ...ctx, constant: () => undefined }, [x, w]);
  return { dtype, shape: acc!.shape };
}

const QLinearConvFixed: OpDef = {
  infer: (ctx, inputs) => [convType(ctx, inputs)],
  run(ctx, inputs) {
    const { dtype } = convType(ctx, inputs.map(typeOf));
    const [x, w, b] = inputs as [Tensor, Tensor, Tensor | undefined];
    const M = w.dims[0]!;
    const p = convParams(ctx, x.type, w.type, M);
    const wZero = Tensor.fromNumbers(w.type, p.wZero, p.wZero.length === 1 ? [] : [M]);
    const [acc] = quantOps.ConvInteger!.run(ctx, [x, w, scalar(x.type, p.xZero), wZero]);
    const y = Tensor.zeros(dtype, acc!.dims, ctx.node.name || QFUSED.conv);
    const inner = acc!.dims.slice(2).reduce((s, d) => s * d, 1);
    requantizeInto(acc!.data as Int32Array, b?.data as Int32Array | undefined, p.requant, M, inner, y.data as NumberArray);
    return [y];
  },
};

// ---------------------------------------------------------------------------------------------
// QGemmFixed(a [..., K], w [K, N], B? [N]): a_zero_point, w_zero_point (1 or N), requantization per column.
// QGemmToFloat: the same int32 sums, dequantized: y = float32(sum + B) * scale[n] (float logits after int8 layers).
// ---------------------------------------------------------------------------------------------

export interface GemmParams {
  aZero: number;
  wZero: Int32Array;
}

export function gemmParams(ctx: KernelContext, aDtype: DataType, wDtype: DataType, N: number | undefined): GemmParams {
  const wZero = channelInts(ctx, 'w_zero_point', N, 0);
  wZero.forEach((z) => intInRange(ctx, 'w_zero_point', z, DTYPES[wDtype].min!, DTYPES[wDtype].max!));
  return { aZero: zeroPointAttr(ctx, 'a_zero_point', aDtype), wZero };
}

/** QGemmToFloat's `scale` (1 or N float32 values, a_scale * w_scale[n]), each positive and finite. */
export function dequantScales(ctx: KernelContext, N: number | undefined): Float32Array {
  const v = attrFloats(ctx.node, 'scale');
  if (!v || (v.length !== 1 && N !== undefined && v.length !== N)) {
    throw nodeError(ctx, 'QPARAMS_INVALID', `scale has ${v ? v.length : 'no'} values, expected 1 or ${N ?? 'N'} (one per output column)`, { expected: N, actual: v?.length });
  }
  for (const s of v) if (!(s > 0) || !Number.isFinite(s)) throw nodeError(ctx, 'QPARAMS_INVALID', `scale ${s} must be positive and finite`, { actual: s });
  return Float32Array.from(v);
}

function gemmType(ctx: KernelContext, inputs: (ValueType | undefined)[], toFloat: boolean): ValueType {
  const a = required(ctx, inputs, 0, 'a');
  const w = required(ctx, inputs, 1, 'w');
  const dtype = qdtype(ctx, a, 'a');
  if (w.shape && w.shape.length !== 2) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `w has shape [${w.shape.join(',')}], expected [K, N]`, { expected: 2, actual: w.shape.length });
  }
  if (a.shape && a.shape.length < 2) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `a has shape [${a.shape.join(',')}], expected at least 2 dims [..., M, K]`, { expected: '>= 2', actual: a.shape.length });
  }
  const N = known(w.shape?.[1]);
  biasOf(ctx, inputs[2], N);
  gemmParams(ctx, dtype, qdtype(ctx, w, 'w'), N);
  if (toFloat) dequantScales(ctx, N);
  else scaleRequantAttrs(ctx, dtype, N);
  const [acc] = quantOps.MatMulInteger!.infer({ ...ctx, constant: () => undefined }, [a, w]);
  return { dtype: toFloat ? 'float32' : dtype, shape: acc!.shape };
}

/** (a - a_zero_point) x (w - w_zero_point) as int32 sums [..., N]. */
function gemmSums(ctx: KernelContext, a: Tensor, w: Tensor): Tensor {
  const N = w.dims[1]!;
  const p = gemmParams(ctx, a.type, w.type, N);
  const wZero = Tensor.fromNumbers(w.type, p.wZero, p.wZero.length === 1 ? [] : [N]);
  return quantOps.MatMulInteger!.run(ctx, [a, w, scalar(a.type, p.aZero), wZero])[0]!;
}

const QGemmFixed: OpDef = {
  infer: (ctx, inputs) => [gemmType(ctx, inputs, false)],
  run(ctx, inputs) {
    const { dtype } = gemmType(ctx, inputs.map(typeOf), false);
    const [a, w, b] = inputs as [Tensor, Tensor, Tensor | undefined];
    const N = w.dims[1]!;
    const acc = gemmSums(ctx, a, w);
    const y = Tensor.zeros(dtype, acc.dims, ctx.node.name || QFUSED.gemm);
    requantizeInto(acc.data as Int32Array, b?.data as Int32Array | undefined, scaleRequantAttrs(ctx, dtype, N), N, 1, y.data as NumberArray);
    return [y];
  },
};

const QGemmToFloat: OpDef = {
  infer: (ctx, inputs) => [gemmType(ctx, inputs, true)],
  run(ctx, inputs) {
    gemmType(ctx, inputs.map(typeOf), true);
    const [a, w, b] = inputs as [Tensor, Tensor, Tensor | undefined];
    const N = w.dims[1]!;
    const scale = dequantScales(ctx, N);
    const sums = gemmSums(ctx, a, w);
    const acc = sums.data as Int32Array;
    const bias = b?.data as Int32Array | undefined;
    const y = Tensor.zeros('float32', sums.dims, ctx.node.name || QFUSED.gemmToFloat);
    const out = y.data as Float32Array;
    for (let i = 0, n = 0; i < acc.length; i++) {
      const sum = bias ? (acc[i]! + bias[n]!) | 0 : acc[i]!;
      out[i] = Math.fround(sum) * scale[scale.length === 1 ? 0 : n]!; // exact in double, then rounded once: f32.mul
      if (++n === N) n = 0;
    }
    return [y];
  },
};

// ---------------------------------------------------------------------------------------------
// QAddFixed(a, b): TFLite's quantized Add, numpy broadcasting
// ---------------------------------------------------------------------------------------------

/** One input of QAddFixed: its zero point and the fixed-point multiplier onto the common scale 2 * max(s_a, s_b). */
export interface AddInput {
  zeroPoint: number;
  multiplier: number;
  shift: number;
}

export interface AddParams {
  a: AddInput;
  b: AddInput;
  leftShift: number;
  requant: Requant;
}

export function addParams(ctx: KernelContext, dtype: DataType): AddParams {
  const input = (k: 'a' | 'b'): AddInput => {
    const multiplier = attrInt(ctx.node, `${k}_multiplier`);
    const shift = attrInt(ctx.node, `${k}_shift`);
    if (multiplier === undefined || shift === undefined) throw nodeError(ctx, 'QPARAMS_INVALID', `attributes ${k}_multiplier and ${k}_shift are required`);
    checkMultipliers(ctx, `${k}_`, [multiplier], [shift]);
    return { zeroPoint: zeroPointAttr(ctx, `${k}_zero_point`, dtype), multiplier, shift };
  };
  const leftShift = intInRange(ctx, 'left_shift', attrInt(ctx.node, 'left_shift', ADD_LEFT_SHIFT), 0, 22);
  return { a: input('a'), b: input('b'), leftShift, requant: requantAttrs(ctx, dtype, 1) };
}

/** TFLite's int8 Add of two quantized values: both rescaled onto a common scale, summed, requantized. */
export function addQuantized(a: number, b: number, p: AddParams): number {
  const sa = multiplyByQuantizedMultiplier((a - p.a.zeroPoint) * 2 ** p.leftShift, p.a.multiplier, p.a.shift);
  const sb = multiplyByQuantizedMultiplier((b - p.b.zeroPoint) * 2 ** p.leftShift, p.b.multiplier, p.b.shift);
  return requantize((sa + sb) | 0, p.requant, 0);
}

function addType(ctx: KernelContext, inputs: (ValueType | undefined)[]): ValueType {
  const a = required(ctx, inputs, 0, 'A');
  const b = required(ctx, inputs, 1, 'B');
  const dtype = qdtype(ctx, a, 'A');
  if (qdtype(ctx, b, 'B') !== dtype) {
    throw nodeError(ctx, 'DTYPE_MISMATCH', `B is ${b.dtype}, expected ${dtype} like A`, { expected: dtype, actual: b.dtype });
  }
  addParams(ctx, dtype);
  return { dtype, shape: broadcastDims(ctx, [a.shape, b.shape]) };
}

const QAddFixed: OpDef = {
  infer: (ctx, inputs) => [addType(ctx, inputs)],
  run(ctx, inputs) {
    const { dtype } = addType(ctx, inputs.map(typeOf));
    const [a, b] = inputs as [Tensor, Tensor];
    const p = addParams(ctx, dtype);
    const plan = planBroadcast(ctx, [a.dims, b.dims]);
    const y = Tensor.zeros(dtype, plan.dims, ctx.node.name || QFUSED.add);
    binaryInto(plan, a.data as NumberArray, b.data as NumberArray, y.data as NumberArray, (u, v) => addQuantized(u, v, p));
    return [y];
  },
};

// ---------------------------------------------------------------------------------------------
// QAveragePoolFixed / QGlobalAveragePoolFixed (x [N, C, H, W]): sum of (x - x_zero_point) over the window,
// divided by the window's count inside the requantization: multiplier * 2^(shift-31) is x_scale / y_scale.
// ---------------------------------------------------------------------------------------------

export interface PoolParams {
  xZero: number;
  requant: Requant;
}

export function poolParams(ctx: KernelContext, dtype: DataType): PoolParams {
  return { xZero: zeroPointAttr(ctx, 'x_zero_point', dtype), requant: requantAttrs(ctx, dtype, 1) };
}

/**
 * The requantization of a window sum of `count` elements: the multiplier of x_scale / y_scale divided by count,
 * computed exactly in double from the fixed-point value and rounded once (quantizeMultiplier).
 */
export function countRequant(r: Requant, count: number): Requant {
  const real = r.multiplier[0]! * 2 ** (r.shift[0]! - 31) / count;
  const q = quantizeMultiplier(real);
  return { ...r, multiplier: Int32Array.of(q.multiplier), shift: Int32Array.of(q.shift) };
}

/** Window geometry of a 2-D pool: kernel, strides, pads, and whether pads count in the divisor. */
export interface Pool2d {
  n: number;
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  pt: number;
  pl: number;
  pb: number;
  pr: number;
  oh: number;
  ow: number;
  countIncludePad: boolean;
}

export function pool2d(ctx: KernelContext, dims: readonly number[], global: boolean): Pool2d {
  if (dims.length !== 4) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `x has shape [${dims.join(',')}], expected 4 dims [N, C, H, W]`, { expected: 4, actual: dims.length });
  }
  const [n, c, h, w] = dims as [number, number, number, number];
  if (global) return { n, c, h, w, kh: h, kw: w, sh: 1, sw: 1, pt: 0, pl: 0, pb: 0, pr: 0, oh: 1, ow: 1, countIncludePad: false };
  const kernel = attrInts(ctx.node, 'kernel_shape');
  if (!kernel || kernel.length !== 2) throw nodeError(ctx, 'MODEL_INVALID', `kernel_shape must hold 2 values, got ${kernel ? `[${kernel.join(',')}]` : 'none'}`);
  const g = windowGeometry(ctx, 'pool', [h, w], kernel);
  if (g.dilations.some((d) => d !== 1)) throw nodeError(ctx, 'MODEL_INVALID', `dilations [${g.dilations.join(',')}] are not supported, expected 1`);
  const [sh, sw] = g.strides as [number, number];
  const [pt, pl] = g.padsBegin as [number, number];
  const [pb, pr] = g.padsEnd as [number, number];
  const [oh, ow] = g.outDims as [number, number];
  return { n, c, h, w, kh: kernel[0]!, kw: kernel[1]!, sh, sw, pt, pl, pb, pr, oh, ow, countIncludePad: attrInt(ctx.node, 'count_include_pad', 0) !== 0 };
}

/** Divisor of the window starting at (y0, x0): taps inside the input, or inside the padded input with count_include_pad. */
export function windowCount(g: Pool2d, y0: number, x0: number): number {
  const pad = g.countIncludePad;
  const rows = Math.min(y0 + g.kh, g.h + (pad ? g.pb : 0)) - Math.max(y0, pad ? -g.pt : 0);
  const cols = Math.min(x0 + g.kw, g.w + (pad ? g.pr : 0)) - Math.max(x0, pad ? -g.pl : 0);
  return Math.max(0, rows) * Math.max(0, cols);
}

function poolType(ctx: KernelContext, inputs: (ValueType | undefined)[], global: boolean): ValueType {
  const x = required(ctx, inputs, 0, 'X');
  const dtype = qdtype(ctx, x, 'X');
  poolParams(ctx, dtype);
  if (!x.shape) return { dtype };
  if (x.shape.length !== 4) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `X has ${x.shape.length} dims, expected 4 [N, C, H, W]`, { expected: 4, actual: x.shape.length });
  }
  if (global) return { dtype, shape: [x.shape[0], x.shape[1], 1, 1] };
  const kernel = attrInts(ctx.node, 'kernel_shape') ?? [];
  return { dtype, shape: [x.shape[0], x.shape[1], ...windowGeometry(ctx, 'pool', x.shape.slice(2), kernel).outDims] };
}

function averagePool(global: boolean): OpDef {
  return {
    infer: (ctx, inputs) => [poolType(ctx, inputs, global)],
    run(ctx, inputs) {
      const { dtype } = poolType(ctx, inputs.map(typeOf), global);
      const x = inputs[0]!;
      const p = poolParams(ctx, dtype);
      const g = pool2d(ctx, x.dims, global);
      const y = Tensor.zeros(dtype, [g.n, g.c, g.oh, g.ow], ctx.node.name || QFUSED.averagePool);
      const xd = x.data as NumberArray;
      const yd = y.data as NumberArray;
      const byCount = new Map<number, Requant>();
      for (let plane = 0, o = 0; plane < g.n * g.c; plane++) {
        const base = plane * g.h * g.w;
        for (let oy = 0; oy < g.oh; oy++) {
          for (let ox = 0; ox < g.ow; ox++, o++) {
            const y0 = oy * g.sh - g.pt;
            const x0 = ox * g.sw - g.pl;
            let sum = 0;
            for (let i = Math.max(0, y0); i < Math.min(g.h, y0 + g.kh); i++) {
              for (let j = Math.max(0, x0); j < Math.min(g.w, x0 + g.kw); j++) sum += xd[base + i * g.w + j]! - p.xZero;
            }
            const count = windowCount(g, y0, x0);
            let r = byCount.get(count);
            if (!r) byCount.set(count, (r = countRequant(p.requant, Math.max(1, count))));
            yd[o] = requantize(sum, r, 0);
          }
        }
      }
      return [y];
    },
  };
}

export const qfusedOps: OpTable = {
  [`${EDGEINFER_DOMAIN}.${QFUSED.conv}`]: QLinearConvFixed,
  [`${EDGEINFER_DOMAIN}.${QFUSED.gemm}`]: QGemmFixed,
  [`${EDGEINFER_DOMAIN}.${QFUSED.gemmToFloat}`]: QGemmToFloat,
  [`${EDGEINFER_DOMAIN}.${QFUSED.add}`]: QAddFixed,
  [`${EDGEINFER_DOMAIN}.${QFUSED.averagePool}`]: averagePool(false),
  [`${EDGEINFER_DOMAIN}.${QFUSED.globalAveragePool}`]: averagePool(true),
};
