// Reference kernels for Conv and ConvTranspose: any number of spatial axes, groups (depthwise included),
// strides, dilations, pads/auto_pad, optional bias; a branch-free box loop per kernel tap, 1x1 as a channel matmul.

import { attrInt } from '../../ir/attrs.js';
import type { Dim, ValueType } from '../../ir/graph.js';
import type { DataType, NumberArray } from '../../tensor/dtype.js';
import { sizeOf, stridesOf } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { nodeError, required, type InferContext, type KernelContext, type OpDef, type OpTable } from '../op-def.js';
import {
  FLOAT_TYPES,
  checkDtype,
  checkSameDtype,
  computeView,
  convKernel,
  int32Table,
  newOutput,
  scratch,
  windowGeometry,
  type WindowGeometry,
} from './conv-geometry.js';

interface ConvShapes {
  /** Rank of X and W, when either is known. */
  rank?: number;
  outChannels: Dim;
  kernel?: number[];
  group: number;
}

/**
 * Checks X, W and B shapes against each other (known dims only) for Conv (W is M x C/group x k...) or
 * ConvTranspose (W is C x M/group x k...); used by infer with symbolic dims and by run with real ones.
 */
function convShapes(ctx: KernelContext, transpose: boolean, x?: readonly Dim[], w?: readonly Dim[], b?: readonly Dim[]): ConvShapes {
  const group = attrInt(ctx.node, 'group', 1);
  if (!Number.isInteger(group) || group < 1) {
    throw nodeError(ctx, 'MODEL_INVALID', `group is ${group}, expected a positive integer`, { actual: group });
  }
  if (x && x.length < 3) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `X has ${x.length} dims, expected at least 3 (N x C x D1 ...)`, { expected: '>= 3', actual: x.length });
  }
  if (w && x && w.length !== x.length) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `weight has ${w.length} dims, expected ${x.length} like X`, { expected: x.length, actual: w.length });
  }
  if (w && w.length < 3) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `weight has ${w.length} dims, expected at least 3`, { expected: '>= 3', actual: w.length });
  }
  const c = x?.[1];
  const wIn = transpose ? w?.[0] : w?.[1]; // weight dim matched against X's channels
  const expectedIn = typeof wIn === 'number' ? (transpose ? wIn : wIn * group) : undefined;
  if (typeof c === 'number' && expectedIn !== undefined && c !== expectedIn) {
    const rule = transpose ? 'weight dim 0' : `weight dim 1 (${wIn}) x group (${group})`;
    throw nodeError(ctx, 'SHAPE_MISMATCH', `X has ${c} channels, expected ${rule} = ${expectedIn}`, { expected: expectedIn, actual: c });
  }
  if (transpose && typeof c === 'number' && c % group !== 0) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `X has ${c} channels, not divisible by group ${group}`, { actual: c });
  }
  let outChannels: Dim;
  if (transpose) {
    const w1 = w?.[1];
    outChannels = typeof w1 === 'number' ? w1 * group : group === 1 ? w1 : undefined;
  } else {
    outChannels = w?.[0];
    if (typeof outChannels === 'number' && outChannels % group !== 0) {
      throw nodeError(ctx, 'SHAPE_MISMATCH', `weight has ${outChannels} output channels, not divisible by group ${group}`, { actual: outChannels });
    }
  }
  if (b) {
    if (b.length !== 1) {
      throw nodeError(ctx, 'SHAPE_MISMATCH', `B has ${b.length} dims, expected 1`, { expected: 1, actual: b.length });
    }
    if (typeof b[0] === 'number' && typeof outChannels === 'number' && b[0] !== outChannels) {
      throw nodeError(ctx, 'SHAPE_MISMATCH', `B has ${b[0]} values, expected ${outChannels} (one per output channel)`, {
        expected: outChannels,
        actual: b[0],
      });
    }
  }
  const rank = x?.length ?? w?.length;
  const kernel = rank === undefined ? undefined : convKernel(ctx, w?.slice(2), rank - 2);
  return { rank, outChannels, kernel, group };
}

function checkTypes(ctx: KernelContext, x: DataType, w: DataType, b: DataType | undefined): void {
  checkDtype(ctx, x, FLOAT_TYPES, 'X');
  checkSameDtype(ctx, w, x, 'W');
  if (b) checkSameDtype(ctx, b, x, 'B');
}

function convDef(transpose: boolean): OpDef {
  const kind = transpose ? 'transpose' : 'conv';
  return {
    infer(ctx: InferContext, inputs: (ValueType | undefined)[]): ValueType[] {
      const x = required(ctx, inputs, 0, 'X');
      const w = required(ctx, inputs, 1, 'W');
      const b = inputs[2];
      checkTypes(ctx, x.dtype, w.dtype, b?.dtype);
      const s = convShapes(ctx, transpose, x.shape, w.shape, b?.shape);
      if (s.rank === undefined) return [{ dtype: x.dtype }];
      const inSpatial: Dim[] = x.shape ? x.shape.slice(2) : new Array<Dim>(s.rank - 2).fill(undefined);
      const outSpatial = s.kernel ? windowGeometry(ctx, kind, inSpatial, s.kernel).outDims : inSpatial.map(() => undefined);
      return [{ dtype: x.dtype, shape: [x.shape?.[0], s.outChannels, ...outSpatial] }];
    },

    run(ctx: KernelContext, inputs: (Tensor | undefined)[]): Tensor[] {
      const x = required(ctx, inputs, 0, 'X');
      const w = required(ctx, inputs, 1, 'W');
      const b = inputs[2];
      checkTypes(ctx, x.type, w.type, b?.type);
      const s = convShapes(ctx, transpose, x.dims, w.dims, b?.dims);
      const geo = windowGeometry(ctx, kind, x.dims.slice(2), s.kernel!);
      const m = s.outChannels as number;
      const out = newOutput(x.type, [x.dims[0]!, m, ...geo.outDims], ctx.node.op);
      const args: ConvArgs = {
        x: computeView(x),
        w: computeView(w),
        b: b && computeView(b),
        y: out.data,
        xDims: x.dims,
        m,
        group: s.group,
        geo,
        where: ctx.node.op,
      };
      if (transpose) convTransposeNd(args);
      else convNd(args);
      return [out.finish()];
    },
  };
}

interface ConvArgs {
  x: NumberArray;
  w: NumberArray;
  b: NumberArray | undefined;
  y: NumberArray;
  xDims: readonly number[];
  /** Output channels. */
  m: number;
  group: number;
  geo: WindowGeometry<number>;
  where: string;
}

/**
 * For each kernel tap (row-major over the kernel dims), the box of positions it touches on each axis.
 * `boxed` is the side iterated in the box (Conv: output positions; ConvTranspose: input positions) and
 * `other` the side reached through pos * stride + k * dilation - padBegin; `offset[t]` is that shift flattened.
 */
interface TapTables {
  lo: Int32Array;
  hi: Int32Array;
  offset: Int32Array;
  /** Taps whose box is not empty. */
  live: Int32Array;
  liveCount: number;
}

function tapTables(geo: WindowGeometry<number>, boxed: readonly number[], other: readonly number[], where: string): TapTables {
  const n = geo.kernel.length;
  const taps = sizeOf(geo.kernel);
  const otherStrides = stridesOf(other);
  const lo = int32Table(taps * n, where);
  const hi = int32Table(taps * n, where);
  const offset = int32Table(taps, where);
  const live = int32Table(taps, where);
  let liveCount = 0;
  for (let t = 0; t < taps; t++) {
    let rest = t;
    let empty = false;
    let off = 0;
    for (let a = n - 1; a >= 0; a--) {
      const k = rest % geo.kernel[a]!;
      rest = (rest - k) / geo.kernel[a]!;
      const shift = k * geo.dilations[a]! - geo.padsBegin[a]!;
      const s = geo.strides[a]!;
      // Keep pos with 0 <= pos * s + shift < other[a].
      const l = Math.max(0, Math.ceil(-shift / s));
      const h = Math.min(boxed[a]!, Math.floor((other[a]! - 1 - shift) / s) + 1);
      lo[t * n + a] = l;
      hi[t * n + a] = Math.max(l, h);
      if (h <= l) empty = true;
      off += shift * otherStrides[a]!;
    }
    offset[t] = off;
    if (!empty) live[liveCount++] = t;
  }
  return { lo, hi, offset, live, liveCount };
}

/** Strides of `dims` multiplied by the window strides: how far one boxed step moves on the other side. */
function steppedStrides(dims: readonly number[], strides: readonly number[], where: string): Int32Array {
  const st = stridesOf(dims);
  const out = int32Table(dims.length, where);
  for (let a = 0; a < dims.length; a++) out[a] = st[a]! * strides[a]!;
  return out;
}

function plainStrides(dims: readonly number[], where: string): Int32Array {
  const out = int32Table(dims.length, where);
  out.set(stridesOf(dims));
  return out;
}

function convNd(p: ConvArgs): void {
  const { x, w, b, y, xDims, m: M, group, geo, where } = p;
  const N = xDims[0]!;
  const C = xDims[1]!;
  const inDims = xDims.slice(2);
  const outDims = geo.outDims;
  const n = inDims.length;
  const cg = C / group;
  const mg = M / group;
  const inSize = sizeOf(inDims);
  const outSize = sizeOf(outDims);
  const taps = sizeOf(geo.kernel);
  const acc = scratch(outSize, where); // one output plane, accumulated in double

  // 1x1, stride 1, no padding: a matrix product over channels.
  const pointwise = taps === 1 && geo.strides.every((s) => s === 1) && geo.padsBegin.every((q) => q === 0) && outSize === inSize;

  const tables = pointwise ? undefined : tapTables(geo, outDims, inDims, where);
  const dStep = plainStrides(outDims, where);
  const sStep = steppedStrides(inDims, geo.strides, where);
  const odometer = int32Table(n, where);

  for (let i = 0; i < N; i++) {
    for (let m = 0; m < M; m++) {
      const g = Math.floor(m / mg);
      acc.fill(b ? b[m]! : 0);
      if (!tables) {
        pointwiseAccumulate(acc, x, (i * C + g * cg) * inSize, inSize, w, m * cg, cg);
        y.set(acc, (i * M + m) * outSize);
        continue;
      }
      for (let c = 0; c < cg; c++) {
        const xBase = (i * C + g * cg + c) * inSize;
        const wBase = (m * cg + c) * taps;
        for (let j = 0; j < tables.liveCount; j++) {
          const t = tables.live[j]!;
          boxAxpy(acc, 0, dStep, x, xBase + tables.offset[t]!, sStep, tables.lo, tables.hi, t * n, n, w[wBase + t]!, odometer);
        }
      }
      y.set(acc, (i * M + m) * outSize);
    }
  }
}

/** acc[q] += sum over c < count of w[wBase + c] * x[xBase + c * plane + q]: one row of a 1x1 convolution's matrix product. */
function pointwiseAccumulate(acc: Float64Array, x: NumberArray, xBase: number, plane: number, w: NumberArray, wBase: number, count: number): void {
  let c = 0;
  // Four input channels per pass over the plane: a quarter of the accumulator traffic.
  for (; c + 4 <= count; c += 4) {
    const w0 = w[wBase + c]!;
    const w1 = w[wBase + c + 1]!;
    const w2 = w[wBase + c + 2]!;
    const w3 = w[wBase + c + 3]!;
    const x0 = xBase + c * plane;
    const x1 = x0 + plane;
    const x2 = x1 + plane;
    const x3 = x2 + plane;
    for (let q = 0; q < plane; q++) acc[q] += w0 * x[x0 + q]! + w1 * x[x1 + q]! + w2 * x[x2 + q]! + w3 * x[x3 + q]!;
  }
  for (; c < count; c++) {
    const wv = w[wBase + c]!;
    const x0 = xBase + c * plane;
    for (let q = 0; q < plane; q++) acc[q] += wv * x[x0 + q]!;
  }
}

function convTransposeNd(p: ConvArgs): void {
  const { x, w, b, y, xDims, m: M, group, geo, where } = p;
  const N = xDims[0]!;
  const C = xDims[1]!;
  const inDims = xDims.slice(2);
  const outDims = geo.outDims;
  const n = inDims.length;
  const cg = C / group;
  const mg = M / group;
  const inSize = sizeOf(inDims);
  const outSize = sizeOf(outDims);
  const taps = sizeOf(geo.kernel);
  const acc = scratch(outSize, where);

  // Each input position scatters into output position in * stride + k * dilation - padBegin.
  const tables = tapTables(geo, inDims, outDims, where);
  const dStep = steppedStrides(outDims, geo.strides, where);
  const sStep = plainStrides(inDims, where);
  const odometer = int32Table(n, where);

  for (let i = 0; i < N; i++) {
    for (let m = 0; m < M; m++) {
      const g = Math.floor(m / mg);
      acc.fill(b ? b[m]! : 0);
      for (let c = 0; c < cg; c++) {
        const ci = g * cg + c;
        const xBase = (i * C + ci) * inSize;
        const wBase = (ci * mg + (m - g * mg)) * taps; // W is C x M/group x k...
        for (let j = 0; j < tables.liveCount; j++) {
          const t = tables.live[j]!;
          boxAxpy(acc, tables.offset[t]!, dStep, x, xBase, sStep, tables.lo, tables.hi, t * n, n, w[wBase + t]!, odometer);
        }
      }
      y.set(acc, (i * M + m) * outSize);
    }
  }
}

/**
 * dst[dBase + v.dStep] += wv * src[sBase + v.sStep] for every v in the non-empty box lo[t+a] <= v[a] < hi[t+a]
 * (innermost axis last). No bounds checks: the tap tables keep every index in range.
 */
function boxAxpy(
  dst: Float64Array,
  dBase: number,
  dStep: Int32Array,
  src: NumberArray,
  sBase: number,
  sStep: Int32Array,
  lo: Int32Array,
  hi: Int32Array,
  t: number,
  n: number,
  wv: number,
  v: Int32Array,
): void {
  const last = n - 1;
  const l = lo[t + last]!;
  const h = hi[t + last]!;
  const ds = dStep[last]!;
  const ss = sStep[last]!;
  if (n === 2) {
    // The common 2-D case, written out: rows of the box, then a contiguous (conv) or strided run.
    const ds0 = dStep[0]!;
    const ss0 = sStep[0]!;
    const h0 = hi[t]!;
    for (let r = lo[t]!; r < h0; r++) {
      let d = dBase + r * ds0 + l * ds;
      let s = sBase + r * ss0 + l * ss;
      for (let j = l; j < h; j++) {
        dst[d] += wv * src[s]!;
        d += ds;
        s += ss;
      }
    }
    return;
  }
  // Any rank: an odometer over the outer axes, a run along the last one.
  for (let a = 0; a < last; a++) v[a] = lo[t + a]!;
  for (;;) {
    let d = dBase + l * ds;
    let s = sBase + l * ss;
    for (let a = 0; a < last; a++) {
      d += v[a]! * dStep[a]!;
      s += v[a]! * sStep[a]!;
    }
    for (let j = l; j < h; j++) {
      dst[d] += wv * src[s]!;
      d += ds;
      s += ss;
    }
    let a = last - 1;
    while (a >= 0 && ++v[a] >= hi[t + a]!) {
      v[a] = lo[t + a]!;
      a--;
    }
    if (a < 0) return;
  }
}

export const convOps: OpTable = {
  Conv: convDef(false),
  ConvTranspose: convDef(true),
};
