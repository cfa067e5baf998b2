// Arithmetic of edgeinfer's int8 engine: saturating round-half-to-even quantization, float requantization
// (bit-for-bit as onnxruntime's MLAS), and the integer conv / matmul accumulation loops.

import type { Dim } from '../../ir/graph.js';
import type { NumberArray } from '../../tensor/dtype.js';
import { stridesOf } from '../../tensor/shape.js';
import { broadcastDims } from '../infer-helpers.js';
import { nodeError, type KernelContext } from '../op-def.js';
import { int32Table, scratch, type WindowGeometry } from './conv-geometry.js';

// ---------------------------------------------------------------------------------------------
// Scalar quantization arithmetic
// ---------------------------------------------------------------------------------------------

/** Rounds to the nearest integer, ties to even (numpy rint, C nearbyint in the default mode). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v); // ties go up here...
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r; // ...so an odd tie result steps back down to even
}

/**
 * `round(v) + zeroPoint`, saturated to [qmin, qmax]. `v` is the real value already divided by the scale.
 * NaN saturates to qmin, as in onnxruntime (its MAXPS/FMAXNM clamp picks the bound when the value is NaN).
 */
export function saturateRound(v: number, zeroPoint: number, qmin: number, qmax: number): number {
  const q = roundHalfEven(v) + zeroPoint;
  if (!(q >= qmin)) return qmin; // also catches NaN
  return q > qmax ? qmax : q;
}

/** Float32 requantization multiplier `a_scale * b_scale / y_scale`, evaluated in float32 like onnxruntime. */
export function requantMultiplier(aScale: number, bScale: number, yScale: number): number {
  return Math.fround(Math.fround(aScale * bScale) / yScale);
}

/** An int32 accumulator → quantized value: saturate(round(float32(acc) * multiplier) + zeroPoint), all in float32. */
export function requantize(acc: number, multiplier: number, zeroPoint: number, qmin: number, qmax: number): number {
  return saturateRound(Math.fround(Math.fround(acc) * multiplier), zeroPoint, qmin, qmax);
}

// ---------------------------------------------------------------------------------------------
// Per-tensor / per-axis parameters over a tensor
// ---------------------------------------------------------------------------------------------

/**
 * Quantization parameters laid over a tensor seen as [outer, count, inner]: element (o, c, i) uses
 * scale[c] and zeroPoint[c]. Per-tensor is count = 1 (outer = 1, inner = size).
 */
export interface AxisParams {
  scale: Float32Array;
  zeroPoint: Int32Array;
  outer: number;
  count: number;
  inner: number;
}

/** Lays per-axis parameters over `dims` (axis undefined = per-tensor). */
export function axisLayout(dims: readonly number[], axis: number | undefined): { outer: number; count: number; inner: number } {
  if (axis === undefined) return { outer: 1, count: 1, inner: dims.reduce((a, b) => a * b, 1) };
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= dims[i]!;
  for (let i = axis + 1; i < dims.length; i++) inner *= dims[i]!;
  return { outer, count: dims[axis]!, inner };
}

/**
 * y = saturate(round(x / scale) + zeroPoint). `single` divides in float32 (float inputs, as onnxruntime);
 * otherwise in double (int32 inputs, as numpy's int32 / float32).
 */
export function quantizeLinear(x: ArrayLike<number>, y: NumberArray, p: AxisParams, qmin: number, qmax: number, single: boolean): void {
  let i = 0;
  for (let o = 0; o < p.outer; o++) {
    for (let c = 0; c < p.count; c++) {
      const s = p.scale[c]!;
      const z = p.zeroPoint[c]!;
      for (let j = 0; j < p.inner; j++, i++) {
        const v = single ? Math.fround(x[i]! / s) : x[i]! / s;
        y[i] = saturateRound(v, z, qmin, qmax);
      }
    }
  }
}

/** y = (x - zeroPoint) * scale, in float32 (the integer difference is exact, then one float32 product). */
export function dequantizeLinear(x: NumberArray, y: Float32Array, p: AxisParams): void {
  let i = 0;
  for (let o = 0; o < p.outer; o++) {
    for (let c = 0; c < p.count; c++) {
      const s = p.scale[c]!;
      const z = p.zeroPoint[c]!;
      for (let j = 0; j < p.inner; j++, i++) y[i] = Math.fround(x[i]! - z) * s;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Integer convolution: y[n, m, o] = bias[m] + sum over (c, k) of (x - xZero) * (w - wZero[m]), int32
// ---------------------------------------------------------------------------------------------

export interface IntConvOperands {
  /** [N, C, ...inSpatial] int8/uint8 data. */
  x: NumberArray;
  xZero: number;
  /** [M, C/group, ...kernel] int8/uint8 data. */
  w: NumberArray;
  /** One zero point per output channel (per-tensor expanded to M). */
  wZero: Int32Array;
  bias?: Int32Array;
  batch: number;
  channels: number;
  outChannels: number;
  group: number;
}

/**
 * Direct N-D integer convolution of x ([N, C, ...inSpatial]) into `y` ([N, M, ...g.outDims], int32: sums wrap
 * modulo 2^32 like an int32 accumulator). Padded positions hold x's zero point, i.e. contribute nothing, so
 * they are skipped.
 */
export function convInteger(op: IntConvOperands, inSpatial: readonly number[], g: WindowGeometry<number>, y: Int32Array): void {
  const D = inSpatial.length;
  const inSize = inSpatial.reduce((a, b) => a * b, 1);
  const outSize = g.outDims.reduce((a, b) => a * b, 1);
  const kSize = g.kernel.reduce((a, b) => a * b, 1);
  const inStrides = stridesOf(inSpatial);
  const Cg = op.channels / op.group;
  const Mg = op.outChannels / op.group;
  const where = 'integer conv';

  // Per kernel position: its dilated offset along each dim and its flat offset in an input image.
  const kReach = int32Table(kSize * D, where);
  const kOffset = int32Table(kSize, where);
  const kStrides = stridesOf(g.kernel);
  for (let k = 0; k < kSize; k++) {
    let off = 0;
    for (let d = 0; d < D; d++) {
      const r = (Math.floor(k / kStrides[d]!) % g.kernel[d]!) * g.dilations[d]!;
      kReach[k * D + d] = r;
      off += r * inStrides[d]!;
    }
    kOffset[k] = off;
  }

  // Weights regrouped as [group][c][k][m] with their zero points subtracted: the innermost loop then runs over
  // a group's output channels contiguously (a row of a matrix product, as in the matmul loop).
  const { x, w, wZero, bias, xZero } = op;
  const wT = int32Table(w.length, where);
  for (let m = 0; m < op.outChannels; m++) {
    const grp = Math.floor(m / Mg);
    for (let c = 0; c < Cg; c++) {
      for (let k = 0; k < kSize; k++) wT[((grp * Cg + c) * kSize + k) * Mg + (m - grp * Mg)] = w[(m * Cg + c) * kSize + k]! - wZero[m]!;
    }
  }

  // Scratch for one output position: the kernel taps that land inside the input, their input offsets, and the
  // exact integer sums of the group's output channels.
  const tapK = int32Table(kSize, where);
  const tapX = int32Table(kSize, where);
  const acc = scratch(Mg, where);
  const start = new Array<number>(D).fill(0);
  const pos = new Array<number>(D).fill(0); // output position odometer

  for (let n = 0; n < op.batch; n++) {
    pos.fill(0);
    for (let o = 0; o < outSize; o++) {
      let base = 0;
      for (let d = 0; d < D; d++) {
        start[d] = pos[d]! * g.strides[d]! - g.padsBegin[d]!;
        base += start[d]! * inStrides[d]!;
      }
      let taps = 0;
      for (let k = 0; k < kSize; k++) {
        let inside = true;
        for (let d = 0; d < D && inside; d++) {
          const at = start[d]! + kReach[k * D + d]!;
          inside = at >= 0 && at < inSpatial[d]!;
        }
        if (inside) {
          tapK[taps] = k;
          tapX[taps] = base + kOffset[k]!;
          taps++;
        }
      }
      for (let grp = 0; grp < op.group; grp++) {
        const xGroup = (n * op.channels + grp * Cg) * inSize;
        for (let mm = 0; mm < Mg; mm++) acc[mm] = bias ? bias[grp * Mg + mm]! : 0;
        for (let c = 0; c < Cg; c++) {
          const xb = xGroup + c * inSize;
          const wc = (grp * Cg + c) * kSize;
          for (let t = 0; t < taps; t++) {
            const xv = x[xb + tapX[t]!]! - xZero;
            if (xv === 0) continue;
            const wr = (wc + tapK[t]!) * Mg;
            for (let mm = 0; mm < Mg; mm++) acc[mm] += xv * wT[wr + mm]!;
          }
        }
        const yb = (n * op.outChannels + grp * Mg) * outSize + o;
        for (let mm = 0; mm < Mg; mm++) y[yb + mm * outSize] = acc[mm]!; // Int32Array store wraps like int32 accumulation
      }
      for (let d = D - 1; d >= 0; d--) {
        if (++pos[d]! < g.outDims[d]!) break;
        pos[d] = 0;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Integer matmul with numpy.matmul broadcasting and per-row (A) / per-column (B) zero points
// ---------------------------------------------------------------------------------------------

/** Shapes of a batched matmul [..., M, K] x [..., K, N] after numpy's 1-D promotion and batch broadcasting. */
export interface MatMulPlan {
  M: number;
  K: number;
  N: number;
  /** Broadcast batch dims of the output. */
  batch: number[];
  outDims: number[];
  /** Start of each batch's matrix in A and B, per output batch index. */
  aOffsets: Int32Array;
  bOffsets: Int32Array;
}

/** Output shape of numpy.matmul on possibly symbolic shapes (undefined when a rank is unknown). */
export function matmulOutputDims(ctx: KernelContext, a: Dim[] | undefined, b: Dim[] | undefined): Dim[] | undefined {
  if (!a || !b) return undefined;
  if (a.length === 0 || b.length === 0) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `matmul inputs must have at least 1 dim, got [${a.join(',')}] and [${b.join(',')}]`, {
      actual: [a, b],
    });
  }
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const K = a2[a2.length - 1];
  const Kb = b2[b2.length - 2];
  if (typeof K === 'number' && typeof Kb === 'number' && K !== Kb) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `A has ${K} columns but B has ${Kb} rows ([${a.join(',')}] x [${b.join(',')}])`, {
      expected: K,
      actual: Kb,
    });
  }
  const batch = broadcastDims(ctx, [a2.slice(0, -2), b2.slice(0, -2)]) ?? [];
  return [...batch, ...(a.length === 1 ? [] : [a2[a2.length - 2]]), ...(b.length === 1 ? [] : [b2[b2.length - 1]])];
}

export function planMatMul(ctx: KernelContext, aDims: readonly number[], bDims: readonly number[]): MatMulPlan {
  const outDims = matmulOutputDims(ctx, [...aDims], [...bDims]) as number[];
  const a2 = aDims.length === 1 ? [1, aDims[0]!] : aDims;
  const b2 = bDims.length === 1 ? [bDims[0]!, 1] : bDims;
  const batch = outDims.slice(0, outDims.length - (aDims.length === 1 ? 0 : 1) - (bDims.length === 1 ? 0 : 1));
  return {
    M: a2[a2.length - 2]!,
    K: a2[a2.length - 1]!,
    N: b2[b2.length - 1]!,
    batch,
    outDims,
    aOffsets: batchOffsets(a2, batch),
    bOffsets: batchOffsets(b2, batch),
  };
}

/**
 * For a tensor [...batch, R, C] broadcast over the output batch dims, the start of the matrix that each output
 * batch index reads (its batch dims must each be 1 or equal to the output's).
 */
export function batchOffsets(dims: readonly number[], outBatch: readonly number[]): Int32Array {
  const matrix = dims[dims.length - 2]! * dims[dims.length - 1]!;
  const own = dims.slice(0, -2);
  const ownStrides = stridesOf(own);
  const strides = outBatch.map(() => 0);
  own.forEach((d, i) => {
    if (d !== 1) strides[outBatch.length - own.length + i] = ownStrides[i]! * matrix;
  });
  const count = outBatch.reduce((a, b) => a * b, 1);
  const offsets = int32Table(count, 'matmul batch offsets'); // refuses absurd broadcast batch counts
  const idx = new Array<number>(outBatch.length).fill(0);
  for (let i = 0, off = 0; i < count; i++) {
    offsets[i] = off;
    for (let d = outBatch.length - 1; d >= 0; d--) {
      off += strides[d]!;
      if (++idx[d]! < outBatch[d]!) break;
      off -= strides[d]! * outBatch[d]!;
      idx[d] = 0;
    }
  }
  return offsets;
}

/**
 * A per-row (of A) or per-column (of B) vector of a batched matmul: the value for output batch i and
 * row/column j is values[offsets[i] + j * step] (step 0 when the vector is per-tensor along that dim).
 */
export interface BatchedVector<T extends Int32Array | Float32Array> {
  values: T;
  offsets: Int32Array;
  step: number;
}

/** Int32 C = (A - aZero) x (B - bZero); sums wrap modulo 2^32 like an int32 accumulator. */
export function matmulInteger(
  a: NumberArray,
  b: NumberArray,
  plan: MatMulPlan,
  aZero: BatchedVector<Int32Array>,
  bZero: BatchedVector<Int32Array>,
  y: Int32Array,
): void {
  const { M, K, N } = plan;
  const acc = scratch(N, 'integer matmul'); // exact integer sums (< 2^53) of one output row
  const zb = int32Table(N, 'integer matmul');
  const batches = plan.aOffsets.length;
  for (let i = 0; i < batches; i++) {
    const aBase = plan.aOffsets[i]!;
    const bBase = plan.bOffsets[i]!;
    for (let n = 0; n < N; n++) zb[n] = bZero.values[bZero.offsets[i]! + n * bZero.step]!;
    for (let m = 0; m < M; m++) {
      const za = aZero.values[aZero.offsets[i]! + m * aZero.step]!;
      acc.fill(0);
      const aRow = aBase + m * K;
      for (let k = 0; k < K; k++) {
        const av = a[aRow + k]! - za;
        if (av === 0) continue;
        const bRow = bBase + k * N;
        for (let n = 0; n < N; n++) acc[n] += av * (b[bRow + n]! - zb[n]!);
      }
      const yRow = (i * M + m) * N;
      for (let n = 0; n < N; n++) y[yRow + n] = acc[n]!;
    }
  }
}
