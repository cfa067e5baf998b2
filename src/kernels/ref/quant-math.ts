// Arithmetic of edgeinfer's int8 engine: saturating round-half-to-even quantization, float requantization
// (bit-for-bit as onnxruntime's MLAS), convolution geometry, and the integer conv / matmul accumulation loops.

import { attrInt, attrInts, attrString } from '../../ir/attrs.js';
import type { Dim } from '../../ir/graph.js';
import type { NumberArray } from '../../tensor/dtype.js';
import { stridesOf } from '../../tensor/shape.js';
import { broadcastDims } from '../infer-helpers.js';
import { nodeError, type KernelContext } from '../op-def.js';

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
// Convolution geometry (ONNX Conv attributes: auto_pad, pads, strides, dilations, kernel_shape, group)
// ---------------------------------------------------------------------------------------------

export interface ConvAttrs {
  autoPad: 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
  /** Kernel spatial dims; undefined entries when neither the weight nor kernel_shape tell them. */
  kernel: Dim[];
  strides: number[];
  dilations: number[];
  /** Explicit pads [x1_begin, x2_begin, ..., x1_end, x2_end, ...] (used with NOTSET). */
  pads: number[];
  group: number;
}

const AUTO_PADS = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'] as const;

/** Reads and validates the conv attributes for `spatial` spatial dims; `weightKernel` is w.shape[2:]. */
export function convAttrs(ctx: KernelContext, spatial: number, weightKernel: Dim[]): ConvAttrs {
  const node = ctx.node;
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  if (!(AUTO_PADS as readonly string[]).includes(autoPad)) {
    throw nodeError(ctx, 'MODEL_INVALID', `auto_pad '${autoPad}' is not one of ${AUTO_PADS.join(', ')}`, { expected: AUTO_PADS, actual: autoPad });
  }
  const list = (name: string, length: number, fallback: number, min: number): number[] => {
    const v = attrInts(node, name) ?? new Array<number>(length).fill(fallback);
    if (v.length !== length) {
      throw nodeError(ctx, 'MODEL_INVALID', `attribute '${name}' has ${v.length} values, expected ${length} for ${spatial} spatial dims`, {
        expected: length,
        actual: v.length,
      });
    }
    for (const x of v) {
      if (!Number.isInteger(x) || x < min) {
        throw nodeError(ctx, 'MODEL_INVALID', `attribute '${name}' has value ${x}, expected integers >= ${min}`, { actual: v });
      }
    }
    return v;
  };
  const group = attrInt(node, 'group', 1);
  if (!Number.isInteger(group) || group < 1) throw nodeError(ctx, 'MODEL_INVALID', `group is ${group}, expected a positive integer`, { actual: group });

  const declared = attrInts(node, 'kernel_shape');
  let kernel: Dim[] = weightKernel.slice();
  if (declared) {
    const k = list('kernel_shape', spatial, 1, 1);
    k.forEach((d, i) => {
      const w = weightKernel[i];
      if (typeof w === 'number' && w !== d) {
        throw nodeError(ctx, 'SHAPE_MISMATCH', `kernel_shape [${k.join(',')}] does not match the weight's spatial dims [${weightKernel.join(',')}]`, {
          expected: weightKernel,
          actual: k,
        });
      }
    });
    kernel = k;
  }
  return {
    autoPad: autoPad as ConvAttrs['autoPad'],
    kernel,
    strides: list('strides', spatial, 1, 1),
    dilations: list('dilations', spatial, 1, 1),
    pads: list('pads', 2 * spatial, 0, 0),
    group,
  };
}

/** Output size and the padding actually applied along spatial dim `d` for an input of size `size`. */
export function convOutputDim(ctx: KernelContext, a: ConvAttrs, d: number, size: number, kernel: number): { out: number; padBegin: number } {
  const spatial = a.strides.length;
  const stride = a.strides[d]!;
  const reach = a.dilations[d]! * (kernel - 1) + 1; // extent of the dilated kernel
  let out: number;
  let padBegin = 0;
  let padEnd = 0;
  if (a.autoPad === 'SAME_UPPER' || a.autoPad === 'SAME_LOWER') {
    out = Math.ceil(size / stride);
    const total = Math.max(0, (out - 1) * stride + reach - size);
    padBegin = a.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2); // odd extra pad: end for UPPER, begin for LOWER
  } else {
    if (a.autoPad === 'NOTSET') {
      padBegin = a.pads[d]!;
      padEnd = a.pads[spatial + d]!;
    }
    out = Math.floor((size + padBegin + padEnd - reach) / stride) + 1;
  }
  if (out < 1) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `spatial dim ${d}: input size ${size} with pads ${padBegin}+${padEnd} is smaller than the dilated kernel (${reach})`, {
      expected: `padded input >= ${reach}`,
      actual: size,
    });
  }
  return { out, padBegin };
}

/** Concrete geometry of one convolution: spatial sizes, strides, dilations and begin pads. */
export interface ConvGeometry {
  inSpatial: number[];
  kernel: number[];
  outSpatial: number[];
  strides: number[];
  dilations: number[];
  padBegin: number[];
}

export function convGeometry(ctx: KernelContext, a: ConvAttrs, inSpatial: readonly number[], kernel: readonly number[]): ConvGeometry {
  const outSpatial: number[] = [];
  const padBegin: number[] = [];
  inSpatial.forEach((size, d) => {
    const r = convOutputDim(ctx, a, d, size, kernel[d]!);
    outSpatial.push(r.out);
    padBegin.push(r.padBegin);
  });
  return { inSpatial: inSpatial.slice(), kernel: kernel.slice(), outSpatial, strides: a.strides, dilations: a.dilations, padBegin };
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
 * Direct N-D integer convolution into `y` ([N, M, ...outSpatial], int32: sums wrap modulo 2^32 like an int32
 * accumulator). Padded positions hold x's zero point, i.e. contribute nothing, so they are skipped.
 */
export function convInteger(op: IntConvOperands, g: ConvGeometry, y: Int32Array): void {
  const D = g.inSpatial.length;
  const inSize = g.inSpatial.reduce((a, b) => a * b, 1);
  const outSize = g.outSpatial.reduce((a, b) => a * b, 1);
  const kSize = g.kernel.reduce((a, b) => a * b, 1);
  const inStrides = stridesOf(g.inSpatial);
  const Cg = op.channels / op.group;
  const Mg = op.outChannels / op.group;

  // Per kernel position: its dilated offset along each dim and its flat offset in an input image.
  const kReach = new Int32Array(kSize * D);
  const kOffset = new Int32Array(kSize);
  const kStrides = stridesOf(g.kernel);
  for (let k = 0; k < kSize; k++) {
    let off = 0;
    for (let d = 0; d < D; d++) {
      const r = Math.floor(k / kStrides[d]!) % g.kernel[d]! * g.dilations[d]!;
      kReach[k * D + d] = r;
      off += r * inStrides[d]!;
    }
    kOffset[k] = off;
  }

  // Scratch for one output position: the kernel taps that land inside the input, and their input offsets.
  const tapK = new Int32Array(kSize);
  const tapX = new Int32Array(kSize);
  const start = new Int32Array(D);
  const pos = new Int32Array(D); // output position odometer

  const { x, w, wZero, bias, xZero } = op;
  for (let n = 0; n < op.batch; n++) {
    pos.fill(0);
    for (let o = 0; o < outSize; o++) {
      let base = 0;
      for (let d = 0; d < D; d++) {
        start[d] = pos[d]! * g.strides[d]! - g.padBegin[d]!;
        base += start[d]! * inStrides[d]!;
      }
      let taps = 0;
      for (let k = 0; k < kSize; k++) {
        let inside = true;
        for (let d = 0; d < D && inside; d++) {
          const at = start[d]! + kReach[k * D + d]!;
          inside = at >= 0 && at < g.inSpatial[d]!;
        }
        if (inside) {
          tapK[taps] = k;
          tapX[taps] = base + kOffset[k]!;
          taps++;
        }
      }
      for (let grp = 0; grp < op.group; grp++) {
        const xGroup = (n * op.channels + grp * Cg) * inSize;
        for (let mm = 0; mm < Mg; mm++) {
          const m = grp * Mg + mm;
          const wz = wZero[m]!;
          let acc = bias ? bias[m]! : 0;
          for (let c = 0; c < Cg; c++) {
            const xb = xGroup + c * inSize;
            const wb = (m * Cg + c) * kSize;
            for (let t = 0; t < taps; t++) acc += (x[xb + tapX[t]!]! - xZero) * (w[wb + tapK[t]!]! - wz);
          }
          y[(n * op.outChannels + m) * outSize + o] = acc; // Int32Array store wraps like int32 accumulation
        }
      }
      for (let d = D - 1; d >= 0; d--) {
        if (++pos[d]! < g.outSpatial[d]!) break;
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
  const offsets = new Int32Array(count);
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
  const acc = new Float64Array(N); // exact integer sums (< 2^53) of one output row
  const zb = new Int32Array(N);
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
