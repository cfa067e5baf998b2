// Reference kernels for matrix products: MatMul (numpy semantics, batch broadcasting) and Gemm.
// One strided 2-D product per number domain: floats accumulate in doubles, 32-bit ints wrap, 64-bit ints use bigints.

import { attrFloat, attrInt } from '../../ir/attrs.js';
import type { Dim, ValueType } from '../../ir/graph.js';
import { DTYPES, type DataType, type NumberArray } from '../../tensor/dtype.js';
import { broadcastStrides, sizeOf } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { broadcastDims, commonDtype, expectRank } from '../infer-helpers.js';
import { nodeError, required, type KernelContext, type OpDef, type OpTable } from '../op-def.js';
import { MATH_TYPES, expectDtype, numbersOf, numericOutput, offsetsOf, unidirectionalStrides } from './reduce.js';

/**
 * One M×K by K×N product: A[i,k] = a[aOff + i*aRow + k*aCol], B[k,j] = b[bOff + k*bRow + j*bCol],
 * and out[oOff + i*N + j] += alpha * sum_k A[i,k] * B[k,j] (out holds zeros or beta*C beforehand).
 */
interface Geometry {
  M: number;
  K: number;
  N: number;
  aRow: number;
  aCol: number;
  bRow: number;
  bCol: number;
  alpha: number;
}

type BigArray = BigInt64Array | BigUint64Array;

function floatProduct(g: Geometry, a: NumberArray, aOff: number, b: NumberArray, bOff: number, out: NumberArray, oOff: number, acc: Float64Array): void {
  const { M, K, N, aRow, aCol, bRow, bCol, alpha } = g;
  if (bRow === 1 && bCol !== 1) {
    // B stored transposed (Gemm transB=1, i.e. every exported Linear layer): dot products along contiguous k.
    for (let i = 0; i < M; i++) {
      const ai = aOff + i * aRow;
      for (let j = 0; j < N; j++) {
        const bj = bOff + j * bCol;
        let s = 0;
        for (let k = 0; k < K; k++) s += a[ai + k * aCol]! * b[bj + k]!;
        out[oOff + i * N + j] += alpha * s;
      }
    }
    return;
  }
  // i-k-j: each A[i,k] scales row k of B into a double accumulator row (contiguous reads when B is row-major).
  for (let i = 0; i < M; i++) {
    acc.fill(0);
    for (let k = 0; k < K; k++) {
      const av = a[aOff + i * aRow + k * aCol]!;
      const bk = bOff + k * bRow;
      if (bCol === 1) for (let j = 0; j < N; j++) acc[j] += av * b[bk + j]!;
      else for (let j = 0; j < N; j++) acc[j] += av * b[bk + j * bCol]!;
    }
    const o = oOff + i * N;
    for (let j = 0; j < N; j++) out[o + j] += alpha * acc[j]!;
  }
}

function int32Product(g: Geometry, a: NumberArray, aOff: number, b: NumberArray, bOff: number, out: NumberArray, oOff: number, acc: Int32Array): void {
  const { M, K, N, aRow, aCol, bRow, bCol, alpha } = g;
  // Math.imul and |0 keep the low 32 bits, which is the wrapping int32/uint32 arithmetic of C.
  for (let i = 0; i < M; i++) {
    acc.fill(0);
    for (let k = 0; k < K; k++) {
      const av = a[aOff + i * aRow + k * aCol]!;
      let p = bOff + k * bRow;
      for (let j = 0; j < N; j++, p += bCol) acc[j] = (acc[j]! + Math.imul(av, b[p]!)) | 0;
    }
    const o = oOff + i * N;
    for (let j = 0; j < N; j++) out[o + j] = (alpha === 1 ? acc[j]! : alpha * acc[j]!) + out[o + j]!;
  }
}

function bigProduct(g: Geometry, a: BigArray, aOff: number, b: BigArray, bOff: number, out: BigArray, oOff: number, acc: BigInt64Array): void {
  const { M, K, N, aRow, aCol, bRow, bCol, alpha } = g;
  // Stores into 64-bit typed arrays wrap modulo 2^64, as C's int64/uint64 arithmetic does.
  for (let i = 0; i < M; i++) {
    acc.fill(0n);
    for (let k = 0; k < K; k++) {
      const av = a[aOff + i * aRow + k * aCol]!;
      let p = bOff + k * bRow;
      for (let j = 0; j < N; j++, p += bCol) acc[j] = acc[j]! + av * b[p]!;
    }
    const o = oOff + i * N;
    for (let j = 0; j < N; j++) out[o + j] = scaleBig(alpha, acc[j]!) + out[o + j]!;
  }
}

/** alpha * v for a bigint: exact when alpha is an integer, else through doubles (truncated). */
function scaleBig(alpha: number, v: bigint): bigint {
  if (alpha === 1) return v;
  if (Number.isInteger(alpha)) return BigInt(alpha) * v;
  return BigInt(Math.trunc(alpha * Number(v)));
}

/**
 * Runs the product of every batch (A at aOffs[t], B at bOffs[t], output block t) in the domain of `type`.
 * `prefill(y)` writes beta*C into the output's number array first (Gemm); y starts as zeros otherwise.
 */
function multiply(
  where: string,
  type: DataType,
  A: Tensor,
  B: Tensor,
  outDims: readonly number[],
  g: Geometry,
  aOffs: ArrayLike<number>,
  bOffs: ArrayLike<number>,
  prefill?: (y: NumberArray | BigArray) => void,
): Tensor {
  const block = g.M * g.N;
  const tr = DTYPES[type];
  if (tr.isFloat) {
    const y = numericOutput(type, outDims, where);
    if (prefill) prefill(y.data);
    const a = numbersOf(A);
    const b = numbersOf(B);
    const acc = Tensor.zeros('float64', [g.N], where).data as Float64Array;
    for (let t = 0; t < aOffs.length; t++) floatProduct(g, a, aOffs[t]!, b, bOffs[t]!, y.data, t * block, acc);
    return y.done();
  }
  const out = Tensor.zeros(type, outDims, where);
  if (prefill) prefill(out.data);
  if (tr.isBigInt) {
    const acc = Tensor.zeros('int64', [g.N], where).data as BigInt64Array;
    const [a, b, y] = [A.data, B.data, out.data] as BigArray[];
    for (let t = 0; t < aOffs.length; t++) bigProduct(g, a!, aOffs[t]!, b!, bOffs[t]!, y!, t * block, acc);
  } else {
    const acc = Tensor.zeros('int32', [g.N], where).data as Int32Array;
    const [a, b, y] = [A.data, B.data, out.data] as NumberArray[];
    for (let t = 0; t < aOffs.length; t++) int32Product(g, a!, aOffs[t]!, b!, bOffs[t]!, y!, t * block, acc);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// MatMul

/** numpy matmul shapes: a 1-D A is a row [1,K], a 1-D B a column [K,1], and that dim is dropped from the output. */
function matmulShape<D extends Dim>(ctx: KernelContext, a: readonly D[], b: readonly D[], one: D): { a: D[]; b: D[]; out: D[] } {
  if (a.length === 0 || b.length === 0) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `inputs have ranks ${a.length} and ${b.length}, expected at least 1 each`, {
      actual: [a.length, b.length],
    });
  }
  const a2 = a.length === 1 ? [one, a[0]!] : a.slice();
  const b2 = b.length === 1 ? [b[0]!, one] : b.slice();
  const k1 = a2[a2.length - 1];
  const k2 = b2[b2.length - 2];
  if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `A is [${a.join(',')}] and B is [${b.join(',')}]: A has ${k1} columns but B has ${k2} rows`, {
      expected: k1,
      actual: k2,
    });
  }
  const batch = broadcastDims(ctx, [a2.slice(0, -2), b2.slice(0, -2)]) as D[];
  const out = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]!);
  if (b.length > 1) out.push(b2[b2.length - 1]!);
  return { a: a2, b: b2, out };
}

const matMul: OpDef = {
  infer(ctx, inputs) {
    const a = required(ctx, inputs, 0, 'A');
    const b = required(ctx, inputs, 1, 'B');
    const dtype = commonDtype(ctx, inputs, [0, 1]);
    expectDtype(ctx, dtype, MATH_TYPES, 'A');
    if (!a.shape || !b.shape) return [{ dtype }];
    return [{ dtype, shape: matmulShape<Dim>(ctx, a.shape, b.shape, 1).out }];
  },

  run(ctx, inputs) {
    const A = required(ctx, inputs, 0, 'A');
    const B = required(ctx, inputs, 1, 'B');
    expectDtype(ctx, A.type, MATH_TYPES, 'A');
    if (B.type !== A.type) throw nodeError(ctx, 'DTYPE_MISMATCH', `B is ${B.type}, expected ${A.type} like A`, { expected: A.type, actual: B.type });
    const s = matmulShape<number>(ctx, A.dims, B.dims, 1);
    const [M, K] = s.a.slice(-2) as [number, number];
    const N = s.b[s.b.length - 1]!;
    const batch = s.out.slice(0, s.out.length - (A.dims.length > 1 ? 1 : 0) - (B.dims.length > 1 ? 1 : 0));
    if (sizeOf(s.out) === 0) return [Tensor.zeros(A.type, s.out, 'MatMul')];
    // Each output block t reads the (broadcast) batch t of A and of B.
    const aOffs = offsetsOf(batch, broadcastStrides(s.a.slice(0, -2), batch).map((x) => x * M * K), 'MatMul');
    const bOffs = offsetsOf(batch, broadcastStrides(s.b.slice(0, -2), batch).map((x) => x * K * N), 'MatMul');
    const g: Geometry = { M, K, N, aRow: K, aCol: 1, bRow: N, bCol: 1, alpha: 1 };
    return [multiply('MatMul', A.type, A, B, s.out, g, aOffs, bOffs)];
  },
};

// ---------------------------------------------------------------------------------------------
// Gemm: Y = alpha * A' * B' + beta * C, A' = transA ? A^T : A, B' likewise, C broadcast to [M, N].

function gemmC(ctx: KernelContext, present: boolean): void {
  if (!present && ctx.opset < 11) throw nodeError(ctx, 'MODEL_INVALID', `input C is required before opset 11 (opset ${ctx.opset})`);
}

const gemm: OpDef = {
  infer(ctx, inputs) {
    const a = required(ctx, inputs, 0, 'A');
    const b = required(ctx, inputs, 1, 'B');
    gemmC(ctx, inputs[2] !== undefined);
    const dtype = commonDtype(ctx, inputs, [0, 1, 2]);
    expectDtype(ctx, dtype, MATH_TYPES, 'A');
    expectRank(ctx, a, [2], 'A');
    expectRank(ctx, b, [2], 'B');
    expectRank(ctx, inputs[2], [0, 1, 2], 'C');
    const transA = attrInt(ctx.node, 'transA', 0) !== 0;
    const transB = attrInt(ctx.node, 'transB', 0) !== 0;
    const [M, Ka] = a.shape ? (transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]]) : [undefined, undefined];
    const [Kb, N] = b.shape ? (transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]]) : [undefined, undefined];
    if (typeof Ka === 'number' && typeof Kb === 'number' && Ka !== Kb) {
      throw nodeError(ctx, 'SHAPE_MISMATCH', `A' has ${Ka} columns but B' has ${Kb} rows`, { expected: Ka, actual: Kb });
    }
    const out: ValueType = { dtype, shape: [M, N] };
    return [out];
  },

  run(ctx, inputs) {
    const A = required(ctx, inputs, 0, 'A');
    const B = required(ctx, inputs, 1, 'B');
    const C = inputs[2];
    gemmC(ctx, C !== undefined);
    expectDtype(ctx, A.type, MATH_TYPES, 'A');
    for (const [t, what] of [[B, 'B'], [C, 'C']] as const) {
      if (t && t.type !== A.type) throw nodeError(ctx, 'DTYPE_MISMATCH', `${what} is ${t.type}, expected ${A.type} like A`, { expected: A.type, actual: t.type });
    }
    for (const [t, what] of [[A, 'A'], [B, 'B']] as const) {
      if (t.dims.length !== 2) throw nodeError(ctx, 'SHAPE_MISMATCH', `${what} has ${t.dims.length} dims, expected 2`, { expected: 2, actual: t.dims.length });
    }
    const transA = attrInt(ctx.node, 'transA', 0) !== 0;
    const transB = attrInt(ctx.node, 'transB', 0) !== 0;
    const alpha = attrFloat(ctx.node, 'alpha', 1);
    const beta = attrFloat(ctx.node, 'beta', 1);
    const [a0, a1] = A.dims as [number, number];
    const [b0, b1] = B.dims as [number, number];
    const [M, K] = transA ? [a1, a0] : [a0, a1];
    const [Kb, N] = transB ? [b1, b0] : [b0, b1];
    if (K !== Kb) {
      throw nodeError(ctx, 'SHAPE_MISMATCH', `A' is ${M}x${K} but B' is ${Kb}x${N}: inner dims differ`, { expected: K, actual: Kb });
    }
    // A stored [a0,a1]: A'[i,k] is at i*a1 + k, or k*a1 + i when transposed; B likewise.
    const g: Geometry = {
      M,
      K,
      N,
      aRow: transA ? 1 : a1,
      aCol: transA ? a1 : 1,
      bRow: transB ? 1 : b1,
      bCol: transB ? b1 : 1,
      alpha,
    };
    // C counts only when beta != 0 (as onnxruntime and BLAS: then C may even hold non-finite values).
    const cs = C ? unidirectionalStrides(ctx, C.dims, [M, N], 'C') : undefined;
    const prefill =
      C && cs && beta !== 0
        ? (y: NumberArray | BigArray) => fillBetaC(y, C, cs[0]!, cs[1]!, M, N, beta)
        : undefined;
    return [multiply('Gemm', A.type, A, B, [M, N], g, [0], [0], prefill)];
  },
};

/** y[i*N + j] = beta * C[i*cs0 + j*cs1], in the output's domain. */
function fillBetaC(y: NumberArray | BigArray, C: Tensor, cs0: number, cs1: number, M: number, N: number, beta: number): void {
  if (y instanceof BigInt64Array || y instanceof BigUint64Array) {
    const c = C.data as BigArray;
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) y[i * N + j] = scaleBig(beta, c[i * cs0 + j * cs1]!);
    return;
  }
  const c = numbersOf(C);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) y[i * N + j] = beta * c[i * cs0 + j * cs1]!;
}

export const matmulOps: OpTable = {
  MatMul: matMul,
  Gemm: gemm,
};
