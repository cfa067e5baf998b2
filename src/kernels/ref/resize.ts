// Reference Resize (opsets 10-19) and Upsample (7-10): nearest, N-linear and N-cubic interpolation over any
// subset of axes, every coordinate transformation mode, antialiasing, scales or sizes.

import { attrFloat, attrFloats, attrInt, attrInts, attrString } from '../../ir/attrs.js';
import type { Dim, ValueType } from '../../ir/graph.js';
import { DTYPES, type DataType } from '../../tensor/dtype.js';
import { sizeOf } from '../../tensor/shape.js';
import { numberReader, numberWriter, Tensor } from '../../tensor/tensor.js';
import { nodeError, required, type InferContext, type KernelContext, type OpDef, type OpTable } from '../op-def.js';
import { axesIn, checkDtype, elementOf, gatherAxes, intsOf } from './data-movement.js';

/** One resized axis: lengths, scale and the crop box (roi) as the coordinate transforms need them. */
interface AxisSpec {
  inLen: number;
  outLen: number;
  scale: number;
  /** length_resized as the ONNX reference uses it: the exact size when sizes are given, else scale * inLen (unrounded). */
  resized: number;
  roiStart: number;
  roiEnd: number;
}

/** x_original from x_resized for each coordinate_transformation_mode. */
const COORDINATE: Record<string, (x: number, a: AxisSpec) => number> = {
  half_pixel: (x, a) => (x + 0.5) / a.scale - 0.5,
  // Opset 19: keeps the centre of the input on the centre of the output when the size was rounded.
  half_pixel_symmetric: (x, a) => (a.inLen / 2) * (1 - a.outLen / a.resized) + (x + 0.5) / a.scale - 0.5,
  pytorch_half_pixel: (x, a) => (a.outLen > 1 ? (x + 0.5) / a.scale - 0.5 : 0),
  align_corners: (x, a) => (a.outLen > 1 ? (x * (a.inLen - 1)) / (a.resized - 1) : 0),
  asymmetric: (x, a) => x / a.scale,
  // Opset 11 only.
  tf_half_pixel_for_nn: (x, a) => (x + 0.5) / a.scale,
  tf_crop_and_resize: (x, a) =>
    a.outLen > 1
      ? a.roiStart * (a.inLen - 1) + (x * (a.roiEnd - a.roiStart) * (a.inLen - 1)) / (a.resized - 1)
      : 0.5 * (a.roiStart + a.roiEnd) * (a.inLen - 1),
};

/** Nearest input index for x_original, per nearest_mode ('simple' is the rule of opsets before 11). */
const NEAREST: Record<string, (x: number, downsampling: boolean) => number> = {
  round_prefer_floor: (x) => (x - Math.floor(x) === 0.5 ? Math.floor(x) : Math.round(x)),
  round_prefer_ceil: (x) => Math.round(x),
  floor: (x) => Math.floor(x),
  ceil: (x) => Math.ceil(x),
  simple: (x, down) => (down ? Math.ceil(x) : Math.trunc(x)),
};

/** Interpolation filters: weight of a sample at distance d, non-zero within `radius`. */
const FILTERS: Record<string, { radius: number; weight: (d: number, cubicA: number) => number }> = {
  linear: { radius: 1, weight: (d) => Math.max(0, 1 - Math.abs(d)) },
  cubic: {
    radius: 2,
    weight: (d, A) => {
      const x = Math.abs(d);
      if (x <= 1) return ((A + 2) * x - (A + 3)) * x * x + 1;
      if (x < 2) return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
      return 0;
    },
  },
};

const KEEP_ASPECT = ['stretch', 'not_larger', 'not_smaller'];

interface ResizeAttrs {
  mode: string;
  coordinate: string;
  nearest: string;
  cubicA: number;
  excludeOutside: boolean;
  extrapolation: number;
  antialias: boolean;
  keepAspect: string;
  axes?: number[];
}

function oneOf(ctx: KernelContext, name: string, value: string, allowed: readonly string[]): string {
  if (!allowed.includes(value)) {
    throw nodeError(ctx, 'MODEL_INVALID', `${name} '${value}' is not one of ${allowed.join(', ')}`, { expected: allowed, actual: value });
  }
  return value;
}

/** Attributes; Upsample and Resize-10 have only 'mode' and behave as asymmetric with the legacy nearest rule. */
function resizeAttrs(ctx: KernelContext): ResizeAttrs {
  const node = ctx.node;
  const legacy = node.op === 'Upsample' || ctx.opset < 11;
  let mode = attrString(node, 'mode', 'nearest');
  if (mode === 'bilinear' && node.op === 'Upsample') mode = 'linear'; // Upsample-1's name for it
  return {
    mode: oneOf(ctx, 'mode', mode, legacy ? ['nearest', 'linear'] : ['nearest', ...Object.keys(FILTERS)]),
    coordinate: legacy ? 'asymmetric' : oneOf(ctx, 'coordinate_transformation_mode', attrString(node, 'coordinate_transformation_mode', 'half_pixel'), Object.keys(COORDINATE)),
    nearest: legacy ? 'simple' : oneOf(ctx, 'nearest_mode', attrString(node, 'nearest_mode', 'round_prefer_floor'), Object.keys(NEAREST).filter((k) => k !== 'simple')),
    cubicA: attrFloat(node, 'cubic_coeff_a', -0.75),
    excludeOutside: attrInt(node, 'exclude_outside', 0) === 1,
    extrapolation: attrFloat(node, 'extrapolation_value', 0),
    antialias: attrInt(node, 'antialias', 0) === 1,
    keepAspect: oneOf(ctx, 'keep_aspect_ratio_policy', attrString(node, 'keep_aspect_ratio_policy', 'stretch'), KEEP_ASPECT),
    axes: attrInts(node, 'axes'),
  };
}

/** Where each op version keeps roi, scales and sizes: input indices, or the 'scales' attribute of Upsample-7. */
function inputSlots(ctx: KernelContext): { roi?: number; scales?: number; sizes?: number } {
  if (ctx.node.op === 'Upsample') return ctx.opset < 9 ? {} : { scales: 1 };
  return ctx.opset < 11 ? { scales: 1 } : { roi: 1, scales: 2, sizes: 3 };
}

interface Target {
  dims: Dim[];
  /** Scale per axis (1 for axes not resized), undefined where it depends on an unknown dim. */
  scales: (number | undefined)[];
  /** True when the output sizes were given directly (stretch), so length_resized is exact. */
  exactSizes: boolean;
}

/** Output dims and per-axis scales from either scales or sizes, over `axes`. */
function resizeTarget(
  ctx: KernelContext,
  inDims: readonly Dim[],
  axes: number[],
  scales: number[] | undefined,
  sizes: number[] | undefined,
  keepAspect: string,
): Target {
  const dims = [...inDims];
  const scale: (number | undefined)[] = inDims.map(() => 1);
  const perAxis = (values: number[], what: string): void => {
    if (values.length !== axes.length) {
      throw nodeError(ctx, 'MODEL_INVALID', `${what} has ${values.length} values, expected ${axes.length} (one per resized axis)`, {
        expected: axes.length,
        actual: values.length,
      });
    }
  };
  if (scales) {
    perAxis(scales, 'scales');
    axes.forEach((a, i) => {
      const s = scales[i]!;
      if (!(s > 0) || !Number.isFinite(s)) throw nodeError(ctx, 'MODEL_INVALID', `scale ${s} of axis ${a} must be a positive number`, { actual: scales });
      const d = inDims[a];
      scale[a] = s;
      dims[a] = typeof d === 'number' ? Math.floor(d * s) : s === 1 ? d : undefined;
    });
    return { dims, scales: scale, exactSizes: false };
  }
  if (!sizes) throw nodeError(ctx, 'MODEL_INVALID', 'needs either scales or sizes');
  perAxis(sizes, 'sizes');
  if (sizes.some((s) => !Number.isInteger(s) || s < 0)) throw nodeError(ctx, 'MODEL_INVALID', `sizes [${sizes.join(',')}] must be non-negative integers`, { actual: sizes });
  const ratios = axes.map((a, i) => (typeof inDims[a] === 'number' ? sizes[i]! / (inDims[a] as number) : undefined));
  if (keepAspect === 'stretch') {
    axes.forEach((a, i) => {
      dims[a] = sizes[i];
      scale[a] = ratios[i];
    });
    return { dims, scales: scale, exactSizes: true };
  }
  // not_larger / not_smaller: one common scale, sizes rounded half up.
  const known = ratios.every((r) => r !== undefined);
  const common = known ? (keepAspect === 'not_larger' ? Math.min(...(ratios as number[])) : Math.max(...(ratios as number[]))) : undefined;
  axes.forEach((a) => {
    scale[a] = common;
    dims[a] = common === undefined ? undefined : Math.floor(common * (inDims[a] as number) + 0.5);
  });
  return { dims, scales: scale, exactSizes: false };
}

/** Scales or sizes, whichever is given (an empty tensor counts as absent). */
function scalesAndSizes(ctx: KernelContext, get: (slot: number) => Tensor | undefined): { scales?: number[]; sizes?: number[] } {
  const slots = inputSlots(ctx);
  if (slots.scales === undefined) {
    const scales = attrFloats(ctx.node, 'scales');
    if (!scales) throw nodeError(ctx, 'MODEL_INVALID', "attribute 'scales' is missing");
    return { scales };
  }
  const s = get(slots.scales);
  const z = slots.sizes === undefined ? undefined : get(slots.sizes);
  const scales = s && s.size > 0 ? (checkDtype(ctx, s.type, ['float32'], 'scales'), s.toNumbers()) : undefined;
  const sizes = z && z.size > 0 ? intsOf(ctx, z, 'sizes') : undefined;
  if (scales && sizes) throw nodeError(ctx, 'MODEL_INVALID', 'both scales and sizes are given; exactly one is allowed');
  return { scales, sizes };
}

// ---------------------------------------------------------------------------------------------
// Sampling: per axis, which input indices (and weights) make each output index

interface AxisSampling {
  /** Taps per output index. */
  taps: number;
  /** Input index of tap k of output y at y * taps + k (clamped into the axis). */
  index: Int32Array;
  weight: Float64Array;
  /** Output indices whose source lies outside the crop box (tf_crop_and_resize): they get extrapolation_value. */
  outside: Uint8Array;
}

function sampleAxis(attrs: ResizeAttrs, a: AxisSpec): AxisSampling {
  const toSource = COORDINATE[attrs.coordinate]!;
  const crop = attrs.coordinate === 'tf_crop_and_resize';
  const outside = new Uint8Array(a.outLen);
  const last = a.inLen - 1;
  const clamp = (i: number): number => Math.min(Math.max(i, 0), last);
  if (attrs.mode === 'nearest') {
    const round = NEAREST[attrs.nearest]!;
    const index = new Int32Array(a.outLen);
    for (let y = 0; y < a.outLen; y++) {
      const x = toSource(y, a);
      if (crop && (x < 0 || x > last)) outside[y] = 1;
      index[y] = clamp(round(x, a.scale < 1));
    }
    return { taps: 1, index, weight: new Float64Array(a.outLen).fill(1), outside };
  }
  // Linear and cubic: taps around floor(x); antialiasing stretches the filter by 1/scale when downsampling.
  const filter = FILTERS[attrs.mode]!;
  const stretch = attrs.antialias && a.scale < 1 ? a.scale : 1;
  const half = Math.ceil(filter.radius / stretch);
  const taps = 2 * half;
  const index = new Int32Array(a.outLen * taps);
  const weight = new Float64Array(a.outLen * taps);
  for (let y = 0; y < a.outLen; y++) {
    const x = toSource(y, a);
    if (crop && (x < 0 || x > last)) outside[y] = 1;
    const x0 = Math.floor(x);
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const i = x0 - half + 1 + k;
      let w = filter.weight((i - x) * stretch, attrs.cubicA);
      if (attrs.excludeOutside && (i < 0 || i > last)) w = 0;
      index[y * taps + k] = clamp(i);
      weight[y * taps + k] = w;
      sum += w;
    }
    // Antialiased and exclude_outside weights are renormalized to sum to 1.
    if ((attrs.antialias || attrs.excludeOutside) && sum !== 0) for (let k = 0; k < taps; k++) weight[y * taps + k]! /= sum;
  }
  return { taps, index, weight, outside };
}

/** True when the sampling copies the axis unchanged (output y reads input y with weight 1). */
function isIdentity(s: AxisSampling, inLen: number, outLen: number): boolean {
  if (inLen !== outLen) return false;
  for (let y = 0; y < outLen; y++) {
    if (s.outside[y]) return false;
    for (let k = 0; k < s.taps; k++) {
      const w = s.weight[y * s.taps + k]!;
      if (w !== 0 && (w !== 1 || s.index[y * s.taps + k] !== y)) return false;
    }
  }
  return true;
}

/** Values as float64 for interpolation. */
function toFloat64(t: Tensor): Float64Array {
  const out = Tensor.zeros('float64', t.dims, 'Resize').data as Float64Array;
  if (DTYPES[t.type].isHalf || DTYPES[t.type].isBigInt) {
    const read = numberReader(t);
    for (let i = 0; i < t.size; i++) out[i] = read(i);
  } else {
    const d = t.data as Float32Array;
    for (let i = 0; i < t.size; i++) out[i] = d[i]!;
  }
  return out;
}

/** Round half to even, as numpy's round (the ONNX reference's saturate_cast). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Interpolated values into the output dtype: integers are rounded (half to even) and saturated, as cubic can overshoot. */
function fromFloat64(values: Float64Array, dtype: DataType, dims: number[]): Tensor {
  const out = Tensor.zeros(dtype, dims, 'Resize');
  const traits = DTYPES[dtype];
  if (dtype === 'float32' || dtype === 'float64') {
    (out.data as Float64Array).set(values);
    return out;
  }
  const write = numberWriter(out);
  const lo = traits.min ?? -Infinity;
  const hi = traits.max ?? Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    write(i, traits.isFloat ? v : Math.min(Math.max(roundHalfEven(v), lo), hi));
  }
  return out;
}

/** One separable pass: resizes axis `axis` of `src` (dims) with the sampling; returns the new buffer. */
function resizeAxis(src: Float64Array, dims: number[], axis: number, s: AxisSampling, outLen: number, extrapolation: number): Float64Array {
  const inLen = dims[axis]!;
  const outer = sizeOf(dims.slice(0, axis));
  const inner = sizeOf(dims.slice(axis + 1));
  const outDims = dims.map((d, i) => (i === axis ? outLen : d));
  const dst = Tensor.zeros('float64', outDims, 'Resize').data as Float64Array;
  const { taps, index, weight, outside } = s;
  for (let o = 0; o < outer; o++) {
    const srcBase = o * inLen * inner;
    const dstBase = o * outLen * inner;
    for (let y = 0; y < outLen; y++) {
      const row = dstBase + y * inner;
      if (outside[y]) {
        dst.fill(extrapolation, row, row + inner);
        continue;
      }
      for (let k = 0; k < taps; k++) {
        const w = weight[y * taps + k]!;
        if (w === 0) continue;
        const from = srcBase + index[y * taps + k]! * inner;
        for (let i = 0; i < inner; i++) dst[row + i]! += w * src[from + i]!;
      }
    }
  }
  return dst;
}

/** The kernel shared by Resize and Upsample. */
function resize(ctx: KernelContext, inputs: (Tensor | undefined)[]): Tensor {
  const x = required(ctx, inputs, 0, 'X');
  const attrs = resizeAttrs(ctx);
  const rank = x.dims.length;
  const axes = attrs.axes ? axesIn(ctx, attrs.axes, rank) : Array.from({ length: rank }, (_, i) => i);
  const { scales, sizes } = scalesAndSizes(ctx, (i) => inputs[i]);
  const target = resizeTarget(ctx, x.dims, axes, scales, sizes, attrs.keepAspect);
  const outDims = target.dims as number[];

  // roi: [starts..., ends...] over the resized axes; the full box [0, 1] by default.
  const roiSlot = inputSlots(ctx).roi;
  const roiTensor = roiSlot === undefined ? undefined : inputs[roiSlot];
  let roi: number[] | undefined;
  if (attrs.coordinate === 'tf_crop_and_resize' && roiTensor && roiTensor.size > 0) {
    checkDtype(ctx, roiTensor.type, ['float16', 'float32', 'float64'], 'roi');
    roi = roiTensor.toNumbers();
    if (roi.length !== 2 * axes.length) {
      throw nodeError(ctx, 'MODEL_INVALID', `roi has ${roi.length} values, expected ${2 * axes.length} (start and end per resized axis)`, {
        expected: 2 * axes.length,
        actual: roi.length,
      });
    }
  }

  const specs: AxisSpec[] = x.dims.map((inLen, a) => ({ inLen, outLen: outDims[a]!, scale: 1, resized: inLen, roiStart: 0, roiEnd: 1 }));
  axes.forEach((a, i) => {
    const spec = specs[a]!;
    if (spec.inLen === 0 && spec.outLen > 0) {
      throw nodeError(ctx, 'INPUT_INVALID', `cannot resize the empty axis ${a} to ${spec.outLen}`, { actual: x.dims });
    }
    spec.scale = target.scales[a]!;
    spec.resized = target.exactSizes ? spec.outLen : spec.scale * spec.inLen;
    if (roi) [spec.roiStart, spec.roiEnd] = [roi[i]!, roi[axes.length + i]!];
  });

  const samplings = specs.map((spec) => sampleAxis(attrs, spec));
  if (attrs.mode === 'nearest') {
    // Exact copies for every dtype: one index per output coordinate, -1 where extrapolated.
    const strides = x.dims.map((_, a) => sizeOf(x.dims.slice(a + 1)));
    const maps = samplings.map((s, a) => s.index.map((i, y) => (s.outside[y] ? -1 : i * strides[a]!)));
    return gatherAxes(x, outDims, maps, elementOf(x.type, attrs.extrapolation), 'Resize');
  }
  const out = Tensor.zeros(x.type, outDims, 'Resize'); // refuses absurd sizes before any work
  if (out.size === 0) return out;
  // Separable passes, shrinking axes first so that intermediates stay within max(input, output).
  const order = specs
    .map((_, a) => a)
    .filter((a) => !isIdentity(samplings[a]!, specs[a]!.inLen, specs[a]!.outLen))
    .sort((a, b) => specs[a]!.outLen / specs[a]!.inLen - specs[b]!.outLen / specs[b]!.inLen);
  let values = toFloat64(x);
  const dims = [...x.dims];
  for (const a of order) {
    values = resizeAxis(values, dims, a, samplings[a]!, outDims[a]!, attrs.extrapolation);
    dims[a] = outDims[a]!;
  }
  return fromFloat64(values, x.type, outDims);
}

function inferResize(ctx: InferContext, inputs: (ValueType | undefined)[]): ValueType[] {
  const x = required(ctx, inputs, 0, 'X');
  const attrs = resizeAttrs(ctx);
  const slots = inputSlots(ctx);
  if (slots.scales !== undefined && inputs[slots.scales]) checkDtype(ctx, inputs[slots.scales]!.dtype, ['float32'], 'scales');
  if (slots.sizes !== undefined && inputs[slots.sizes]) checkDtype(ctx, inputs[slots.sizes]!.dtype, ['int64'], 'sizes');
  if (slots.roi !== undefined && inputs[slots.roi]) checkDtype(ctx, inputs[slots.roi]!.dtype, ['float16', 'float32', 'float64'], 'roi');
  if (!x.shape) return [{ dtype: x.dtype }];
  const rank = x.shape.length;
  const axes = attrs.axes ? axesIn(ctx, attrs.axes, rank) : Array.from({ length: rank }, (_, i) => i);
  const unknown = (slot: number | undefined): boolean => slot !== undefined && !!ctx.node.inputs[slot] && !ctx.constant(slot);
  if (unknown(slots.scales) || unknown(slots.sizes)) {
    const resized = new Set(axes);
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (resized.has(i) ? undefined : d)) }];
  }
  const { scales, sizes } = scalesAndSizes(ctx, (i) => ctx.constant(i));
  return [{ dtype: x.dtype, shape: resizeTarget(ctx, x.shape, axes, scales, sizes, attrs.keepAspect).dims }];
}

const resizeOp: OpDef = { infer: inferResize, run: (ctx, inputs) => [resize(ctx, inputs)] };

export const resizeOps: OpTable = {
  Resize: resizeOp,
  Upsample: resizeOp,
};
