// Sliding-window geometry shared by Conv, ConvTranspose and the pools (output sizes and padding from
// auto_pad, pads, strides, dilations, ceil_mode, output_padding, output_shape), plus their float dtype plumbing.

import { attrInt, attrInts, attrString } from '../../ir/attrs.js';
import type { Dim } from '../../ir/graph.js';
import type { DataType, NumberArray } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { nodeError, type KernelContext } from '../op-def.js';

/** 'conv' and 'pool' slide a window over the input; 'transpose' scatters the input through the window (ConvTranspose). */
export type WindowKind = 'conv' | 'pool' | 'transpose';

export interface WindowGeometry<D extends Dim = Dim> {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Padding before / after each spatial axis; exact only where the input dim is known (0 otherwise). */
  padsBegin: number[];
  padsEnd: number[];
  /** Output spatial dims. */
  outDims: D[];
}

const AUTO_PADS = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

/**
 * The one place where window output sizes and paddings are computed: by every infer and every run of
 * Conv, ConvTranspose, MaxPool, AveragePool and LpPool. `inDims` are the input's spatial dims (symbolic
 * or unknown in infer), `kernel` the kernel's spatial dims. Throws EdgeError on bad attributes or a
 * kernel larger than the padded input.
 */
export function windowGeometry(ctx: KernelContext, kind: WindowKind, inDims: readonly number[], kernel: readonly number[]): WindowGeometry<number>;
export function windowGeometry(ctx: KernelContext, kind: WindowKind, inDims: readonly Dim[], kernel: readonly number[]): WindowGeometry;
export function windowGeometry(ctx: KernelContext, kind: WindowKind, inDims: readonly Dim[], kernel: readonly number[]): WindowGeometry {
  const node = ctx.node;
  const n = inDims.length;
  // Some exporters write auto_pad="" for the default.
  const autoPad = attrString(node, 'auto_pad', 'NOTSET') || 'NOTSET';
  if (!AUTO_PADS.includes(autoPad)) {
    throw nodeError(ctx, 'MODEL_INVALID', `auto_pad is '${autoPad}', expected one of ${AUTO_PADS.join(', ')}`, {
      expected: AUTO_PADS,
      actual: autoPad,
    });
  }
  checkInts(ctx, 'kernel_shape', kernel, n, 1);
  const strides = intsAttr(ctx, 'strides', n, 1);
  const dilations = intsAttr(ctx, 'dilations', n, 1);
  const pads = attrInts(node, 'pads') ?? new Array<number>(2 * n).fill(0);
  checkInts(ctx, 'pads', pads, 2 * n, 0);
  const ceilMode = kind === 'pool' && attrInt(node, 'ceil_mode', 0) !== 0;
  const transpose = kind === 'transpose' ? transposeAttrs(ctx, n, strides, dilations) : undefined;
  const same = autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER';

  const geo: WindowGeometry = {
    kernel: kernel.slice(),
    strides,
    dilations,
    padsBegin: new Array<number>(n).fill(0),
    padsEnd: new Array<number>(n).fill(0),
    outDims: new Array<Dim>(n),
  };
  for (let i = 0; i < n; i++) {
    const d = inDims[i];
    const s = strides[i]!;
    const span = (kernel[i]! - 1) * dilations[i]! + 1; // the dilated kernel's extent
    let total: number | undefined; // total padding when auto-generated
    // SAME_UPPER puts the odd extra pad at the end; SAME_LOWER (and ConvTranspose's default) at the start.
    const upper = autoPad === 'SAME_UPPER';

    if (transpose) {
      const adj = transpose.outputPadding[i]!;
      const full = typeof d === 'number' ? s * (d - 1) + adj + span : undefined; // output size without padding
      if (transpose.outputShape) {
        geo.outDims[i] = transpose.outputShape[i];
        if (full !== undefined) total = Math.max(0, full - transpose.outputShape[i]!);
      } else if (same) {
        if (full !== undefined) total = Math.max(0, full - (d as number) * s);
        else geo.outDims[i] = s === 1 ? d : undefined; // s=1: the output keeps the input's (symbolic) size
      } else {
        if (autoPad !== 'VALID') [geo.padsBegin[i], geo.padsEnd[i]] = [pads[i]!, pads[i + n]!];
        if (full !== undefined) {
          const out = full - geo.padsBegin[i]! - geo.padsEnd[i]!;
          if (out < 0) throw tooSmall(ctx, i, `pads ${geo.padsBegin[i]}+${geo.padsEnd[i]} exceed the full output size ${full}`);
          geo.outDims[i] = out;
        }
      }
      if (total !== undefined) {
        splitPad(geo, i, total, upper);
        if (geo.outDims[i] === undefined) geo.outDims[i] = full! - total;
      }
      continue;
    }

    if (same) {
      // Output ceil(in / stride), padded just enough (never negatively) for the last window.
      if (typeof d === 'number') {
        const out = Math.ceil(d / s);
        splitPad(geo, i, Math.max(0, (out - 1) * s + span - d), upper);
        geo.outDims[i] = out;
      } else {
        geo.outDims[i] = s === 1 ? d : undefined;
      }
      continue;
    }
    if (autoPad !== 'VALID') [geo.padsBegin[i], geo.padsEnd[i]] = [pads[i]!, pads[i + n]!];
    if (typeof d !== 'number') continue;
    const room = d + geo.padsBegin[i]! + geo.padsEnd[i]! - span;
    if (room < 0) {
      throw tooSmall(ctx, i, `kernel extent ${span} is larger than the padded input ${room + span}`);
    }
    let out = ceilMode ? Math.ceil(room / s) + 1 : Math.floor(room / s) + 1;
    // ceil_mode: a window that would start in the end padding is dropped (as PyTorch and onnxruntime do).
    if (ceilMode && (out - 1) * s >= d + geo.padsBegin[i]!) out--;
    geo.outDims[i] = out;
  }
  return geo;
}

function splitPad(geo: WindowGeometry, i: number, total: number, upper: boolean): void {
  const small = Math.floor(total / 2);
  geo.padsBegin[i] = upper ? small : total - small;
  geo.padsEnd[i] = upper ? total - small : small;
}

function tooSmall(ctx: KernelContext, axis: number, what: string) {
  return nodeError(ctx, 'SHAPE_MISMATCH', `on spatial axis ${axis}: ${what}`);
}

/** ConvTranspose's output_padding and output_shape attributes, validated. */
function transposeAttrs(ctx: KernelContext, n: number, strides: number[], dilations: number[]) {
  const outputPadding = intsAttr(ctx, 'output_padding', n, 0, 0);
  for (let i = 0; i < n; i++) {
    // output_padding only selects extra computed values: it must stay below the stride or the dilation.
    if (outputPadding[i]! >= strides[i]! && outputPadding[i]! >= dilations[i]!) {
      throw nodeError(ctx, 'MODEL_INVALID', `output_padding[${i}] is ${outputPadding[i]}, expected less than stride ${strides[i]} or dilation ${dilations[i]}`, {
        actual: outputPadding,
      });
    }
  }
  let outputShape = attrInts(ctx.node, 'output_shape');
  // Some exporters include N and C in output_shape: keep the spatial part.
  if (outputShape && outputShape.length === n + 2) outputShape = outputShape.slice(2);
  if (outputShape) checkInts(ctx, 'output_shape', outputShape, n, 0);
  return { outputPadding, outputShape };
}

/** An ints attribute with `n` values of at least `min`, or `fallback` repeated. */
function intsAttr(ctx: KernelContext, name: string, n: number, fallback: number, min = 1): number[] {
  const v = attrInts(ctx.node, name);
  if (v === undefined) return new Array<number>(n).fill(fallback);
  checkInts(ctx, name, v, n, min);
  return v.slice();
}

function checkInts(ctx: KernelContext, name: string, v: readonly number[], n: number, min: number): void {
  if (v.length !== n) {
    throw nodeError(ctx, 'MODEL_INVALID', `${name} has ${v.length} values, expected ${n}`, { expected: n, actual: v.length });
  }
  for (const x of v) {
    if (!Number.isInteger(x) || x < min) {
      throw nodeError(ctx, 'MODEL_INVALID', `${name} [${v.join(',')}] holds ${x}, expected integers >= ${min}`, { actual: v });
    }
  }
}

/**
 * The kernel's spatial dims: the kernel_shape attribute when present (checked against the weight),
 * otherwise the weight's spatial dims; undefined while some of them are unknown.
 */
export function convKernel(ctx: KernelContext, weightSpatial: readonly Dim[] | undefined, n: number): number[] | undefined {
  const attr = attrInts(ctx.node, 'kernel_shape');
  if (attr) {
    checkInts(ctx, 'kernel_shape', attr, n, 1);
    weightSpatial?.forEach((d, i) => {
      if (typeof d === 'number' && d !== attr[i]) {
        throw nodeError(ctx, 'SHAPE_MISMATCH', `kernel_shape [${attr.join(',')}] does not match the weight's spatial dims [${weightSpatial.join(',')}]`, {
          expected: attr,
          actual: weightSpatial,
        });
      }
    });
    return attr.slice();
  }
  if (!weightSpatial || weightSpatial.some((d) => typeof d !== 'number')) return undefined;
  return weightSpatial as number[];
}

// ---- float dtype plumbing shared by the conv, pool and normalization kernels ----

export const FLOAT_TYPES: readonly DataType[] = ['float32', 'float64', 'float16', 'bfloat16'];

/** Throws DTYPE_MISMATCH unless `dtype` is one of `allowed`. */
export function checkDtype(ctx: KernelContext, dtype: DataType, allowed: readonly DataType[], what: string): void {
  if (!allowed.includes(dtype)) {
    throw nodeError(ctx, 'DTYPE_MISMATCH', `${what} is ${dtype}, expected one of ${allowed.join(', ')}`, {
      expected: allowed,
      actual: dtype,
    });
  }
}

/** Throws DTYPE_MISMATCH unless `dtype` equals the reference dtype. */
export function checkSameDtype(ctx: KernelContext, dtype: DataType, expected: DataType, what: string): void {
  if (dtype !== expected) {
    throw nodeError(ctx, 'DTYPE_MISMATCH', `${what} is ${dtype}, expected ${expected} like X`, { expected, actual: dtype });
  }
}

/** The values to compute with: the typed array itself, or a float32 copy for the half types. */
export function computeView(t: Tensor): NumberArray {
  return t.type === 'float16' || t.type === 'bfloat16' ? t.toFloat32() : (t.data as NumberArray);
}

/** An output to fill through `data` (float32 for the half types), turned into a tensor of `type` by `finish`. */
export function newOutput(type: DataType, dims: readonly number[], where: string): { data: NumberArray; finish(): Tensor } {
  if (type === 'float16' || type === 'bfloat16') {
    const data = Tensor.zeros('float32', dims, where).data as Float32Array;
    return { data, finish: () => Tensor.fromNumbers(type, data, dims) };
  }
  const t = Tensor.zeros(type, dims, where);
  return { data: t.data as NumberArray, finish: () => t };
}

/** A zeroed float64 scratch array of n elements (bounded by an output already allocated). */
export function scratch(n: number, where: string): Float64Array {
  return Tensor.zeros('float64', [n], where).data as Float64Array;
}

/** A zeroed Int32Array of n elements for index tables. */
export function int32Table(n: number, where: string): Int32Array {
  return Tensor.zeros('int32', [n], where).data as Int32Array;
}
