// Reference kernels for pooling (MaxPool with Indices, AveragePool, LpPool, their Global forms) and the
// per-channel normalizations BatchNormalization (inference) and InstanceNormalization, over N x C x D1... tensors.

import { attrFloat, attrInt } from '../../ir/attrs.js';
import type { Dim, ValueType } from '../../ir/graph.js';
import { DTYPES, type DataType } from '../../tensor/dtype.js';
import { sizeOf, stridesOf } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { nodeError, required, type InferContext, type KernelContext, type OpDef, type OpTable } from '../op-def.js';
import {
  FLOAT_TYPES,
  checkDtype,
  checkSameDtype,
  computeView,
  int32Table,
  newOutput,
  scratch,
  windowGeometry,
  type WindowGeometry,
} from './conv-geometry.js';

type PoolKind = 'max' | 'avg' | 'lp';

const MAX_POOL_TYPES: readonly DataType[] = [...FLOAT_TYPES, 'int8', 'uint8'];

function poolTypes(kind: PoolKind): readonly DataType[] {
  return kind === 'max' ? MAX_POOL_TYPES : FLOAT_TYPES;
}

/** MaxPool's optional second output (Indices) is wanted. */
function wantsIndices(ctx: KernelContext): boolean {
  return (ctx.node.outputs[1] ?? '') !== '';
}

/** LpPool's p: an int since opset 2, a float in opset 1. */
function pAttr(ctx: KernelContext): number {
  const p = ctx.node.attrs.get('p')?.type === 'float' ? attrFloat(ctx.node, 'p', 2) : attrInt(ctx.node, 'p', 2);
  if (!(p > 0) || !Number.isFinite(p)) throw nodeError(ctx, 'MODEL_INVALID', `p is ${p}, expected a positive number`, { actual: p });
  return p;
}

function checkRank(ctx: KernelContext, shape: readonly Dim[] | undefined, min: number): void {
  if (shape && shape.length < min) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `X has ${shape.length} dims, expected at least ${min} (N x C x D1 ...)`, {
      expected: `>= ${min}`,
      actual: shape.length,
    });
  }
}

function poolKernel(ctx: KernelContext): number[] {
  const k = ctx.node.attrs.get('kernel_shape');
  if (!k) throw nodeError(ctx, 'MODEL_INVALID', 'attribute kernel_shape is required');
  if (k.type !== 'ints') throw nodeError(ctx, 'MODEL_INVALID', `attribute kernel_shape is ${k.type}, expected ints`);
  return (k.value as number[]).slice();
}

// ---------------------------------------------------------------- windowed pools

/**
 * Per axis and per output index along it: where the window starts in the input, the range of kernel taps
 * that land inside the input, and how many land inside the padded input (for count_include_pad).
 * Entries for axis a start at at[a].
 */
interface WindowTables {
  n: number;
  at: number[];
  start: Int32Array;
  kLo: Int32Array;
  kHi: Int32Array;
  padded: Int32Array;
  dilations: number[];
  inStrides: number[];
}

function windowTables(geo: WindowGeometry<number>, inDims: readonly number[], where: string): WindowTables {
  const n = inDims.length;
  const at: number[] = [];
  let total = 0;
  for (let a = 0; a < n; a++) {
    at.push(total);
    total += geo.outDims[a]!;
  }
  const w: WindowTables = {
    n,
    at,
    start: int32Table(total, where),
    kLo: int32Table(total, where),
    kHi: int32Table(total, where),
    padded: int32Table(total, where),
    dilations: geo.dilations,
    inStrides: stridesOf(inDims),
  };
  for (let a = 0; a < n; a++) {
    const k = geo.kernel[a]!;
    const d = geo.dilations[a]!;
    const size = inDims[a]!;
    for (let o = 0; o < geo.outDims[a]!; o++) {
      const start = o * geo.strides[a]! - geo.padsBegin[a]!;
      // Taps j with 0 <= start + j*d < size, and with -padBegin <= start + j*d < size + padEnd.
      const lo = Math.max(0, Math.ceil(-start / d));
      const hi = Math.min(k, Math.floor((size - 1 - start) / d) + 1);
      const pLo = Math.max(0, Math.ceil((-geo.padsBegin[a]! - start) / d));
      const pHi = Math.min(k, Math.floor((size + geo.padsEnd[a]! - 1 - start) / d) + 1);
      w.start[at[a]! + o] = start;
      w.kLo[at[a]! + o] = lo;
      w.kHi[at[a]! + o] = Math.max(lo, hi);
      w.padded[at[a]! + o] = Math.max(0, pHi - pLo);
    }
  }
  return w;
}

/** Writes into `taps` the in-plane offsets of the window elements of output position `o` that lie in the input; returns their count. */
function collectWindow(w: WindowTables, o: Int32Array, taps: Int32Array, k: Int32Array): number {
  const last = w.n - 1;
  for (let a = 0; a <= last; a++) {
    const e = w.at[a]! + o[a]!;
    k[a] = w.kLo[e]!;
    if (k[a]! >= w.kHi[e]!) return 0;
  }
  const eLast = w.at[last]! + o[last]!;
  const kFirst = k[last]!;
  const kEnd = w.kHi[eLast]!;
  const startLast = w.start[eLast]!;
  const dLast = w.dilations[last]!;
  let count = 0;
  for (;;) {
    let base = startLast;
    for (let a = 0; a < last; a++) base += (w.start[w.at[a]! + o[a]!]! + k[a]! * w.dilations[a]!) * w.inStrides[a]!;
    for (let j = kFirst; j < kEnd; j++) taps[count++] = base + j * dLast;
    let a = last - 1;
    while (a >= 0 && ++k[a] >= w.kHi[w.at[a]! + o[a]!]!) {
      k[a] = w.kLo[w.at[a]! + o[a]!]!;
      a--;
    }
    if (a < 0) return count;
  }
}

/** Window elements counted by count_include_pad=1: those inside the padded input. */
function paddedCount(w: WindowTables, o: Int32Array): number {
  let c = 1;
  for (let a = 0; a < w.n; a++) c *= w.padded[w.at[a]! + o[a]!]!;
  return c;
}

function poolDef(kind: PoolKind): OpDef {
  return {
    infer(ctx: InferContext, inputs: (ValueType | undefined)[]): ValueType[] {
      const x = required(ctx, inputs, 0, 'X');
      checkDtype(ctx, x.dtype, poolTypes(kind), 'X');
      checkRank(ctx, x.shape, 3);
      const kernel = poolKernel(ctx);
      const inSpatial: Dim[] = x.shape ? x.shape.slice(2) : kernel.map(() => undefined);
      const outSpatial = windowGeometry(ctx, 'pool', inSpatial, kernel).outDims;
      const shape = [x.shape?.[0], x.shape?.[1], ...outSpatial];
      const types: ValueType[] = [{ dtype: x.dtype, shape }];
      if (kind === 'max' && wantsIndices(ctx)) types.push({ dtype: 'int64', shape: shape.slice() });
      return types;
    },

    run(ctx: KernelContext, inputs: (Tensor | undefined)[]): Tensor[] {
      const x = required(ctx, inputs, 0, 'X');
      checkDtype(ctx, x.type, poolTypes(kind), 'X');
      checkRank(ctx, x.dims, 3);
      const inDims = x.dims.slice(2);
      const geo = windowGeometry(ctx, 'pool', inDims, poolKernel(ctx));
      const countPad = attrInt(ctx.node, 'count_include_pad', 0) !== 0;
      const storageOrder = attrInt(ctx.node, 'storage_order', 0);
      if (storageOrder !== 0 && storageOrder !== 1) {
        throw nodeError(ctx, 'MODEL_INVALID', `storage_order is ${storageOrder}, expected 0 (row major) or 1 (column major)`, { actual: storageOrder });
      }
      const p = kind === 'lp' ? pAttr(ctx) : 1;
      const where = ctx.node.op;
      const outDims = [x.dims[0]!, x.dims[1]!, ...geo.outDims];
      const out = newOutput(x.type, outDims, where);
      const indices = kind === 'max' && wantsIndices(ctx) ? Tensor.zeros('int64', outDims, where) : undefined;

      const src = computeView(x);
      const y = out.data;
      const n = inDims.length;
      const planes = x.dims[0]! * x.dims[1]!;
      const inSize = sizeOf(inDims);
      const outSize = sizeOf(geo.outDims);
      const w = windowTables(geo, inDims, where);
      const taps = int32Table(sizeOf(geo.kernel), where);
      const o = int32Table(n, where); // output position
      const k = int32Table(n, where);
      const lowest = DTYPES[x.type].isInteger ? DTYPES[x.type].min! : -Infinity;
      const idx = indices?.data as BigInt64Array | undefined;
      const colStrides = stridesOf(inDims.slice().reverse()).reverse();

      for (let plane = 0; plane < planes; plane++) {
        const base = plane * inSize;
        o.fill(0);
        for (let q = plane * outSize, qEnd = q + outSize; q < qEnd; q++) {
          const count = collectWindow(w, o, taps, k);
          if (kind === 'max') {
            // NaN wins, as in PyTorch; an all-padding window gives the lowest value and index -1.
            let best = lowest;
            let at = count > 0 ? taps[0]! : -1;
            for (let j = 0; j < count; j++) {
              const v = src[base + taps[j]!]!;
              if (v > best || v !== v) {
                best = v;
                at = taps[j]!;
              }
            }
            y[q] = best;
            if (idx) idx[q] = BigInt(at < 0 ? -1 : base + (storageOrder === 1 ? columnMajor(at, inDims, colStrides) : at));
          } else {
            let sum = 0;
            if (kind === 'avg') for (let j = 0; j < count; j++) sum += src[base + taps[j]!]!;
            else for (let j = 0; j < count; j++) sum += Math.abs(src[base + taps[j]!]!) ** p;
            // Padding adds zeros: it changes the average's divisor only, and never the Lp norm.
            y[q] = kind === 'avg' ? sum / (countPad ? paddedCount(w, o) : count) : sum ** (1 / p);
          }
          // Next output position (row-major odometer).
          for (let a = n - 1; a >= 0 && ++o[a] >= geo.outDims[a]!; a--) o[a] = 0;
        }
      }
      const result = [out.finish()];
      if (indices) result.push(indices);
      return result;
    },
  };
}

/** The column-major (storage_order=1) index of row-major in-plane offset r; colStrides[a] = dims[0] x ... x dims[a-1]. */
function columnMajor(r: number, dims: readonly number[], colStrides: readonly number[]): number {
  let index = 0;
  let rest = r;
  for (let a = dims.length - 1; a >= 0; a--) {
    const coord = rest % dims[a]!;
    rest = (rest - coord) / dims[a]!;
    index += coord * colStrides[a]!;
  }
  return index;
}

// ---------------------------------------------------------------- global pools

function globalPoolDef(kind: PoolKind): OpDef {
  return {
    infer(ctx: InferContext, inputs: (ValueType | undefined)[]): ValueType[] {
      const x = required(ctx, inputs, 0, 'X');
      checkDtype(ctx, x.dtype, FLOAT_TYPES, 'X');
      checkRank(ctx, x.shape, 2);
      if (!x.shape) return [{ dtype: x.dtype }];
      return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (i < 2 ? d : 1)) }];
    },

    run(ctx: KernelContext, inputs: (Tensor | undefined)[]): Tensor[] {
      const x = required(ctx, inputs, 0, 'X');
      checkDtype(ctx, x.type, FLOAT_TYPES, 'X');
      checkRank(ctx, x.dims, 2);
      const p = kind === 'lp' ? pAttr(ctx) : 1;
      const planes = x.dims[0]! * x.dims[1]!;
      const inSize = sizeOf(x.dims.slice(2));
      const out = newOutput(x.type, x.dims.map((d, i) => (i < 2 ? d : 1)), ctx.node.op);
      const src = computeView(x);
      const y = out.data;
      for (let plane = 0; plane < planes; plane++) {
        const start = plane * inSize;
        const end = start + inSize;
        let r = kind === 'max' ? -Infinity : 0;
        if (kind === 'max') {
          for (let i = start; i < end; i++) {
            const v = src[i]!;
            if (v > r || v !== v) r = v;
          }
        } else if (kind === 'avg') {
          for (let i = start; i < end; i++) r += src[i]!;
          r /= inSize;
        } else {
          for (let i = start; i < end; i++) r += Math.abs(src[i]!) ** p;
          r **= 1 / p;
        }
        y[plane] = r;
      }
      return [out.finish()];
    },
  };
}

// ---------------------------------------------------------------- normalizations

const BN_PARAMS = ['scale', 'B', 'mean', 'var'];

/** BatchNormalization computes inference only: training statistics are refused. */
function checkInferenceMode(ctx: KernelContext): void {
  const extraOutputs = ctx.node.outputs.slice(1).some((name) => name !== '');
  // Before opset 14 training was signalled by asking for the extra outputs.
  const training = ctx.opset >= 14 ? attrInt(ctx.node, 'training_mode', 0) !== 0 : extraOutputs;
  if (training) {
    throw nodeError(ctx, 'OP_UNSUPPORTED', 'training mode (batch statistics, running mean/var outputs) is not supported, only inference');
  }
  if (extraOutputs) {
    throw nodeError(ctx, 'MODEL_INVALID', `has ${ctx.node.outputs.length} outputs, but running_mean/running_var exist only with training_mode=1`);
  }
}

function checkBnTypes(ctx: KernelContext, types: (DataType | undefined)[]): void {
  checkDtype(ctx, types[0]!, FLOAT_TYPES, 'X');
  for (let i = 1; i < 5; i++) {
    if (types[i] === undefined) throw nodeError(ctx, 'MODEL_INVALID', `required input ${i} (${BN_PARAMS[i - 1]}) is missing`);
    checkDtype(ctx, types[i]!, FLOAT_TYPES, BN_PARAMS[i - 1]!);
  }
  if (ctx.opset < 15) {
    for (let i = 1; i < 5; i++) checkSameDtype(ctx, types[i]!, types[0]!, BN_PARAMS[i - 1]!);
  } else {
    // Opset 15: scale and B share one float type, mean and var another.
    if (types[2] !== types[1]) throw nodeError(ctx, 'DTYPE_MISMATCH', `B is ${types[2]}, expected ${types[1]} like scale`, { expected: types[1], actual: types[2] });
    if (types[4] !== types[3]) throw nodeError(ctx, 'DTYPE_MISMATCH', `var is ${types[4]}, expected ${types[3]} like mean`, { expected: types[3], actual: types[4] });
  }
}

/**
 * How X is split for the parameters: X is seen as [outer, params, inner] with one parameter per middle
 * index: C per channel, or C x D1 x ... per element of a sample (spatial=0, opsets 7-8). Rank-1 X has C = 1.
 */
function bnLayout(ctx: KernelContext, dims: readonly Dim[]): { params: Dim; inner: Dim } {
  if (dims.length < 1) throw nodeError(ctx, 'SHAPE_MISMATCH', 'X has 0 dims, expected at least 1', { expected: '>= 1', actual: 0 });
  const spatial = ctx.opset < 9 ? attrInt(ctx.node, 'spatial', 1) !== 0 : true;
  const rest = dims.slice(2);
  const restSize = rest.every((d) => typeof d === 'number') ? sizeOf(rest as number[]) : undefined;
  const c = dims.length === 1 ? 1 : dims[1];
  if (spatial) return { params: c, inner: restSize };
  return { params: typeof c === 'number' && restSize !== undefined ? c * restSize : undefined, inner: 1 };
}

function checkParamSizes(ctx: KernelContext, params: Dim, shapes: (readonly Dim[] | undefined)[], names: readonly string[]): void {
  shapes.forEach((s, i) => {
    if (!s || typeof params !== 'number' || s.some((d) => typeof d !== 'number')) return;
    const size = sizeOf(s as number[]);
    if (size !== params) {
      throw nodeError(ctx, 'SHAPE_MISMATCH', `${names[i]} has shape [${s.join(',')}] (${size} values), expected ${params} values`, {
        expected: params,
        actual: s,
      });
    }
  });
}

const batchNormalization: OpDef = {
  infer(ctx: InferContext, inputs: (ValueType | undefined)[]): ValueType[] {
    checkInferenceMode(ctx);
    const x = required(ctx, inputs, 0, 'X');
    checkBnTypes(ctx, inputs.map((t) => t?.dtype));
    if (!x.shape) return [{ dtype: x.dtype }];
    const { params } = bnLayout(ctx, x.shape);
    checkParamSizes(ctx, params, inputs.slice(1, 5).map((t) => t?.shape), BN_PARAMS);
    return [{ dtype: x.dtype, shape: x.shape.slice() }];
  },

  run(ctx: KernelContext, inputs: (Tensor | undefined)[]): Tensor[] {
    checkInferenceMode(ctx);
    const x = required(ctx, inputs, 0, 'X');
    checkBnTypes(ctx, inputs.map((t) => t?.type));
    const layout = bnLayout(ctx, x.dims);
    const params = layout.params as number;
    const inner = layout.inner as number;
    const [scale, bias, mean, variance] = inputs.slice(1, 5) as Tensor[];
    checkParamSizes(ctx, params, [scale!.dims, bias!.dims, mean!.dims, variance!.dims], BN_PARAMS);
    const epsilon = attrFloat(ctx.node, 'epsilon', 1e-5);
    const s = computeView(scale!);
    const b = computeView(bias!);
    const mu = computeView(mean!);
    const v = computeView(variance!);
    const where = ctx.node.op;
    const factor = scratch(params, where); // scale / sqrt(var + epsilon), in double
    for (let j = 0; j < params; j++) factor[j] = s[j]! / Math.sqrt(v[j]! + epsilon);
    const out = newOutput(x.type, x.dims, where);
    const src = computeView(x);
    const y = out.data;
    const outer = params * inner === 0 ? 0 : x.size / (params * inner);
    let i = 0;
    for (let n = 0; n < outer; n++) {
      for (let j = 0; j < params; j++) {
        const f = factor[j]!;
        const m = mu[j]!;
        const add = b[j]!;
        for (const end = i + inner; i < end; i++) y[i] = (src[i]! - m) * f + add;
      }
    }
    return [out.finish()];
  },
};

const IN_PARAMS = ['scale', 'B'];

const instanceNormalization: OpDef = {
  infer(ctx: InferContext, inputs: (ValueType | undefined)[]): ValueType[] {
    const x = required(ctx, inputs, 0, 'input');
    checkDtype(ctx, x.dtype, FLOAT_TYPES, 'input');
    const params = [required(ctx, inputs, 1, 'scale'), required(ctx, inputs, 2, 'B')];
    params.forEach((t, i) => checkSameDtype(ctx, t.dtype, x.dtype, IN_PARAMS[i]!));
    checkRank(ctx, x.shape, 3);
    checkParamSizes(ctx, x.shape?.[1], params.map((t) => t.shape), IN_PARAMS);
    return [{ dtype: x.dtype, shape: x.shape?.slice() }];
  },

  run(ctx: KernelContext, inputs: (Tensor | undefined)[]): Tensor[] {
    const x = required(ctx, inputs, 0, 'input');
    checkDtype(ctx, x.type, FLOAT_TYPES, 'input');
    const scale = required(ctx, inputs, 1, 'scale');
    const bias = required(ctx, inputs, 2, 'B');
    checkSameDtype(ctx, scale.type, x.type, 'scale');
    checkSameDtype(ctx, bias.type, x.type, 'B');
    checkRank(ctx, x.dims, 3);
    const C = x.dims[1]!;
    checkParamSizes(ctx, C, [scale.dims, bias.dims], IN_PARAMS);
    const epsilon = attrFloat(ctx.node, 'epsilon', 1e-5);
    const s = computeView(scale);
    const b = computeView(bias);
    const src = computeView(x);
    const out = newOutput(x.type, x.dims, ctx.node.op);
    const y = out.data;
    const inSize = sizeOf(x.dims.slice(2));
    const planes = x.dims[0]! * C;
    for (let plane = 0; plane < planes; plane++) {
      const start = plane * inSize;
      const end = start + inSize;
      // Two passes (mean, then variance about it) for accuracy; population variance.
      let sum = 0;
      for (let i = start; i < end; i++) sum += src[i]!;
      const mean = sum / inSize;
      let sq = 0;
      for (let i = start; i < end; i++) sq += (src[i]! - mean) * (src[i]! - mean);
      const c = plane % C;
      const f = s[c]! / Math.sqrt(sq / inSize + epsilon);
      for (let i = start; i < end; i++) y[i] = (src[i]! - mean) * f + b[c]!;
    }
    return [out.finish()];
  },
};

export const poolOps: OpTable = {
  MaxPool: poolDef('max'),
  AveragePool: poolDef('avg'),
  LpPool: poolDef('lp'),
  GlobalMaxPool: globalPoolDef('max'),
  GlobalAveragePool: globalPoolDef('avg'),
  GlobalLpPool: globalPoolDef('lp'),
  BatchNormalization: batchNormalization,
  InstanceNormalization: instanceNormalization,
};
