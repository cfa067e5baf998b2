// Reference kernels for elementwise ops: unary math and activations, Cast, broadcasting binary arithmetic,
// comparisons and logic, Where, Clip, Pow, PRelu and the variadic Max/Min/Sum/Mean (ONNX opsets 7-20).

import { attrFloat, attrInt, attrString } from '../../ir/attrs.js';
import type { Node, ValueType } from '../../ir/graph.js';
import { DTYPES, dtypeFromOnnx, type DataType, type NumberArray } from '../../tensor/dtype.js';
import { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from '../../tensor/half.js';
import { Tensor } from '../../tensor/tensor.js';
import { broadcastDims, commonDtype } from '../infer-helpers.js';
import { nodeError, required, type KernelContext, type OpDef, type OpTable } from '../op-def.js';
import { binaryInto, broadcastInto, forEachRun, planBroadcast, type Slots } from './broadcast.js';

// ---------------------------------------------------------------------------------------------------------
// Dtype groups (ONNX type constraints, restricted to the dtypes edgeinfer has).

const FLOATS: readonly DataType[] = ['float32', 'float64', 'float16', 'bfloat16'];
const SIGNED_INTS: readonly DataType[] = ['int8', 'int16', 'int32', 'int64'];
const INTS: readonly DataType[] = [...SIGNED_INTS, 'uint8', 'uint16', 'uint32', 'uint64'];
const NUMERIC: readonly DataType[] = [...FLOATS, ...INTS];
const SIGNED: readonly DataType[] = [...FLOATS, ...SIGNED_INTS];
const ALL: readonly DataType[] = [...NUMERIC, 'bool'];
const BOOL: readonly DataType[] = ['bool'];

function checkType(ctx: KernelContext, dtype: DataType, allowed: readonly DataType[], what: string): void {
  if (!allowed.includes(dtype)) {
    throw nodeError(ctx, 'DTYPE_MISMATCH', `${what} is ${dtype}, expected one of ${allowed.join(', ')}`, {
      expected: allowed,
      actual: dtype,
    });
  }
}

const isBig = (dtype: DataType): boolean => DTYPES[dtype].isBigInt;
const isHalf = (dtype: DataType): boolean => DTYPES[dtype].isHalf;

/**
 * The dtype a kernel computes in: halves are widened to float32 (as onnxruntime does) and 64-bit integers
 * go through float64 when the op has no bigint form; the result is then cast back.
 */
function computeType(dtype: DataType, hasBigForm: boolean): DataType {
  if (isHalf(dtype)) return 'float32';
  if (isBig(dtype) && !hasBigForm) return 'float64';
  return dtype;
}

// ---------------------------------------------------------------------------------------------------------
// Cast: every pair of dtypes. Floats to integers truncate toward zero and then wrap modulo 2^bits (no
// saturation; NaN and infinities give 0), integers narrow by wrapping, anything to bool is `!= 0`, and
// floats narrow to float16/bfloat16 with round-to-nearest-even.

/** Bits of `v` rounded to nearest even in a binary float format with `expBits`/`mantBits` (float16: 5/10, bfloat16: 8/7). */
function roundToMiniFloat(v: number, expBits: number, mantBits: number): number {
  const sign = v < 0 || Object.is(v, -0) ? 1 << (expBits + mantBits) : 0;
  const inf = ((1 << expBits) - 1) << mantBits;
  if (Number.isNaN(v)) return sign | inf | (1 << (mantBits - 1));
  const a = Math.abs(v);
  if (a === Infinity) return sign | inf;
  const minExp = 2 - (1 << (expBits - 1)); // exponent of the smallest normal
  let e = Math.max(minExp, Math.floor(Math.log2(a)));
  if (e > minExp && 2 ** e > a) e--; // log2 may be off by one next to powers of two
  else if (2 ** (e + 1) <= a) e++;
  const q = a / 2 ** (e - mantBits); // exact: a power-of-two scaling
  let r = Math.round(q);
  if (r - q === 0.5 && r % 2 === 1) r--; // ties to even
  // Subnormals and normals share one formula; a mantissa carry moves into the exponent, overflow gives inf.
  return sign | Math.min((e - minExp) * (1 << mantBits) + r, inf);
}

const toHalfBits = (v: number): number => roundToMiniFloat(v, 5, 10);
const toBfloat16Bits = (v: number): number => roundToMiniFloat(v, 8, 7);
const toBigInt = (v: number): bigint => (Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n);

/** `x` converted element by element to `to` with Cast semantics (also the widening/narrowing step of the kernels). */
export function castTensor(x: Tensor, to: DataType): Tensor {
  const out = Tensor.zeros(to, x.dims, 'Cast');
  const n = x.size;
  if (x.type === to) {
    (out.data as Uint8Array).set(x.data as Uint8Array);
    return out;
  }
  const dst = out.data;
  if (isBig(x.type)) {
    const src = x.data as BigInt64Array;
    if (isBig(to)) for (let i = 0; i < n; i++) dst[i] = src[i]!; // stores wrap modulo 2^64
    else if (to === 'bool') for (let i = 0; i < n; i++) dst[i] = src[i] !== 0n ? 1 : 0;
    else if (to === 'float16') for (let i = 0; i < n; i++) dst[i] = toHalfBits(Number(src[i]));
    else if (to === 'bfloat16') for (let i = 0; i < n; i++) dst[i] = toBfloat16Bits(Number(src[i]));
    else if (DTYPES[to].isFloat) for (let i = 0; i < n; i++) dst[i] = Number(src[i]);
    else for (let i = 0; i < n; i++) dst[i] = Number(BigInt.asIntN(32, src[i]!)); // keep the low bits exactly
    return out;
  }
  // Number sources; halves are decoded to (exact) float32 first.
  let src = x.data as NumberArray;
  if (x.type === 'float16' || x.type === 'bfloat16') {
    const decode = x.type === 'float16' ? halfToFloat : bfloat16ToFloat;
    const wide = new Float32Array(n);
    for (let i = 0; i < n; i++) wide[i] = decode(src[i]!);
    src = wide;
  }
  const exactF32 = src instanceof Float32Array; // float32 values narrow with half.ts's bit-level routines
  if (isBig(to)) for (let i = 0; i < n; i++) dst[i] = toBigInt(src[i]!);
  else if (to === 'bool') for (let i = 0; i < n; i++) dst[i] = src[i] !== 0 ? 1 : 0; // NaN is true, as in numpy
  else if (to === 'float16') {
    const enc = exactF32 ? floatToHalf : toHalfBits;
    for (let i = 0; i < n; i++) dst[i] = enc(src[i]!);
  } else if (to === 'bfloat16') {
    const enc = exactF32 ? floatToBfloat16 : toBfloat16Bits;
    for (let i = 0; i < n; i++) dst[i] = enc(src[i]!);
  } else (dst as Float64Array).set(src); // typed-array conversion: float32 rounding, or trunc + wrap for integers
  return out;
}

/** Applies `fn` to `x` in its compute type (see computeType) and casts the result back. */
function inComputeType(x: Tensor, compute: DataType, fn: (t: Tensor) => Tensor): Tensor {
  return compute === x.type ? fn(x) : castTensor(fn(castTensor(x, compute)), x.type);
}

// ---------------------------------------------------------------------------------------------------------
// Scalar math.

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** erf to double precision: erf(x) = 2/√π·e^(-x²)·Σ x·(2x²)^n / (1·3·…·(2n+1)), all terms positive; |erf| = 1 in doubles past 6. */
function erf(x: number): number {
  const a = Math.abs(x);
  if (a >= 6) return x > 0 ? 1 : -1;
  if (!(a > 0)) return x; // 0, -0 and NaN
  const twoA2 = 2 * a * a;
  let term = a;
  let sum = a;
  for (let n = 1; term > sum * 1e-17; n++) {
    term *= twoA2 / (2 * n + 1);
    sum += term;
  }
  const r = TWO_OVER_SQRT_PI * Math.exp(-a * a) * sum;
  return x < 0 ? -r : r;
}

/** Sigmoid without overflow for large |x|. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x) without overflow. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** Round half to even (ONNX Round, numpy.round). */
function roundHalfEven(x: number): number {
  const r = Math.round(x); // rounds halves up
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** C pow: pow(1, y) and pow(-1, ±inf) are 1 (Math.pow gives NaN). */
function powC(a: number, b: number): number {
  if (a === 1 || (a === -1 && (b === Infinity || b === -Infinity))) return 1;
  return Math.pow(a, b);
}

/** Integer power wrapping modulo 2^64; negative exponents truncate 1/a^n toward zero (0 for a = 0). */
function intPow(base: bigint, exp: bigint): bigint {
  if (exp < 0n) return base === 1n ? 1n : base === -1n ? (exp & 1n ? -1n : 1n) : 0n;
  let result = 1n;
  let b = base;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = BigInt.asIntN(64, result * b);
    b = BigInt.asIntN(64, b * b);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Unary ops: a table of functions on numbers (and on bigints where 64-bit integers need exact results).

interface UnarySpec {
  types: readonly DataType[];
  /** The function on numbers, built once per run from the node's attributes. */
  fn: (node: Node) => (x: number) => number;
  /** The exact function on int64/uint64; without it they are computed in float64. */
  big?: (x: bigint) => bigint;
}

const plain =
  (f: (x: number) => number) =>
  (): ((x: number) => number) =>
    f;

function mapUnary(x: Tensor, f: (x: number) => number, big?: (x: bigint) => bigint): Tensor {
  return inComputeType(x, computeType(x.type, big !== undefined), (t) => {
    const out = Tensor.zeros(t.type, t.dims, 'unary');
    const n = t.size;
    if (isBig(t.type)) {
      const src = t.data as BigInt64Array;
      const dst = out.data as BigInt64Array;
      for (let i = 0; i < n; i++) dst[i] = big!(src[i]!);
    } else {
      const src = t.data as NumberArray;
      const dst = out.data as NumberArray;
      for (let i = 0; i < n; i++) dst[i] = f(src[i]!);
    }
    return out;
  });
}

function unaryOp(spec: UnarySpec): OpDef {
  return {
    infer(ctx, inputs) {
      const x = required(ctx, inputs, 0, 'X');
      checkType(ctx, x.dtype, spec.types, 'input X');
      return [{ dtype: x.dtype, shape: x.shape?.slice() }];
    },
    run(ctx, inputs) {
      const x = required(ctx, inputs, 0, 'X');
      checkType(ctx, x.type, spec.types, 'input X');
      return [mapUnary(x, spec.fn(ctx.node), spec.big)];
    },
  };
}

const floatUnary = (fn: UnarySpec['fn']): OpDef => unaryOp({ types: FLOATS, fn });

const bigAbs = (x: bigint): bigint => (x < 0n ? -x : x);

const unaryOps: OpTable = {
  Abs: unaryOp({ types: NUMERIC, fn: plain(Math.abs), big: bigAbs }),
  Neg: unaryOp({ types: SIGNED, fn: plain((x) => -x), big: (x) => -x }),
  Sign: unaryOp({ types: NUMERIC, fn: plain((x) => (x > 0 ? 1 : x < 0 ? -1 : x)), big: (x) => (x > 0n ? 1n : x < 0n ? -1n : 0n) }),
  Relu: unaryOp({ types: SIGNED, fn: plain((x) => (x < 0 ? 0 : x)), big: (x) => (x < 0n ? 0n : x) }),
  // Erf-9 also allowed integers (the result truncates to 0).
  Erf: unaryOp({ types: NUMERIC, fn: plain(erf) }),
  Not: unaryOp({ types: BOOL, fn: plain((x) => (x ? 0 : 1)) }),
  Sqrt: floatUnary(plain(Math.sqrt)),
  Exp: floatUnary(plain(Math.exp)),
  Log: floatUnary(plain(Math.log)),
  Reciprocal: floatUnary(plain((x) => 1 / x)),
  Floor: floatUnary(plain(Math.floor)),
  Ceil: floatUnary(plain(Math.ceil)),
  Round: floatUnary(plain(roundHalfEven)),
  Sin: floatUnary(plain(Math.sin)),
  Cos: floatUnary(plain(Math.cos)),
  Tan: floatUnary(plain(Math.tan)),
  Asin: floatUnary(plain(Math.asin)),
  Acos: floatUnary(plain(Math.acos)),
  Atan: floatUnary(plain(Math.atan)),
  Sinh: floatUnary(plain(Math.sinh)),
  Cosh: floatUnary(plain(Math.cosh)),
  Asinh: floatUnary(plain(Math.asinh)),
  Acosh: floatUnary(plain(Math.acosh)),
  Atanh: floatUnary(plain(Math.atanh)),
  Sigmoid: floatUnary(plain(sigmoid)),
  Tanh: floatUnary(plain(Math.tanh)),
  Softplus: floatUnary(plain(softplus)),
  Softsign: floatUnary(plain((x) => x / (1 + Math.abs(x)))),
  HardSwish: floatUnary(plain((x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)))),
  HardSigmoid: floatUnary((node) => {
    const alpha = attrFloat(node, 'alpha', 0.2);
    const beta = attrFloat(node, 'beta', 0.5);
    return (x) => Math.max(0, Math.min(1, alpha * x + beta));
  }),
  LeakyRelu: floatUnary((node) => {
    const alpha = attrFloat(node, 'alpha', 0.01);
    return (x) => (x < 0 ? alpha * x : x);
  }),
  ThresholdedRelu: floatUnary((node) => {
    const alpha = attrFloat(node, 'alpha', 1);
    return (x) => (x > alpha ? x : 0);
  }),
  Elu: floatUnary((node) => {
    const alpha = attrFloat(node, 'alpha', 1);
    return (x) => (x < 0 ? alpha * Math.expm1(x) : x);
  }),
  Celu: floatUnary((node) => {
    const alpha = attrFloat(node, 'alpha', 1);
    return (x) => Math.max(0, x) + Math.min(0, alpha * Math.expm1(x / alpha));
  }),
  Selu: floatUnary((node) => {
    const alpha = attrFloat(node, 'alpha', 1.67326319217681884765625);
    const gamma = attrFloat(node, 'gamma', 1.05070102214813232421875);
    return (x) => (x > 0 ? gamma * x : gamma * alpha * Math.expm1(x));
  }),
  Gelu: {
    infer: unaryOp({ types: FLOATS, fn: plain(erf) }).infer,
    run(ctx, inputs) {
      const x = required(ctx, inputs, 0, 'X');
      checkType(ctx, x.type, FLOATS, 'input X');
      const approximate = attrString(ctx.node, 'approximate', 'none');
      const exact = (v: number): number => 0.5 * v * (1 + erf(v * SQRT_HALF));
      const tanh = (v: number): number => 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
      if (approximate !== 'none' && approximate !== 'tanh') {
        throw nodeError(ctx, 'MODEL_INVALID', `attribute approximate is '${approximate}', expected 'none' or 'tanh'`, {
          expected: ['none', 'tanh'],
          actual: approximate,
        });
      }
      return [mapUnary(x, approximate === 'tanh' ? tanh : exact)];
    },
  },
  IsNaN: floatTest(() => Number.isNaN),
  IsInf: floatTest((ctx) => {
    const neg = attrInt(ctx.node, 'detect_negative', 1) !== 0;
    const pos = attrInt(ctx.node, 'detect_positive', 1) !== 0;
    return (v) => (v === Infinity && pos) || (v === -Infinity && neg);
  }),
};

// ---------------------------------------------------------------------------------------------------------
// Binary ops with numpy broadcasting: a table of functions for floats, for integers up to 32 bits (where
// they differ: C-style division, wrapping products) and for 64-bit integers as bigints.

interface BinarySpec {
  types: readonly DataType[];
  float: (a: number, b: number) => number;
  /** Integers up to 32 bits and bool; defaults to `float` (typed-array stores then truncate and wrap). */
  int?: (a: number, b: number) => number;
  /** int64/uint64 (stores wrap modulo 2^64); without it they are computed in float64. */
  big?: (a: bigint, b: bigint) => bigint | number;
  /** The output is bool (comparisons and logic). */
  logical?: boolean;
}

/** a OP b broadcast; with `target`, b broadcasts unidirectionally to a's shape (PRelu). */
function runBinary(ctx: KernelContext, spec: BinarySpec, a: Tensor, b: Tensor, target?: readonly number[]): Tensor {
  const compute = computeType(a.type, spec.big !== undefined);
  if (compute !== a.type) {
    const r = runBinary(ctx, spec, castTensor(a, compute), castTensor(b, compute), target);
    return r.type === compute ? castTensor(r, a.type) : r;
  }
  const plan = planBroadcast(ctx, [a.dims, b.dims], target);
  const out = Tensor.zeros(spec.logical ? 'bool' : a.type, plan.dims, ctx.node.op);
  if (isBig(a.type)) {
    binaryInto(plan, a.data as BigInt64Array, b.data as BigInt64Array, out.data as Slots, spec.big!);
  } else {
    const f = DTYPES[a.type].isFloat ? spec.float : (spec.int ?? spec.float);
    binaryInto(plan, a.data as NumberArray, b.data as NumberArray, out.data as NumberArray, f);
  }
  return out;
}

function binaryTypes(ctx: KernelContext, a: { dtype: DataType } | Tensor, b: { dtype: DataType } | Tensor, spec: BinarySpec): DataType {
  const ta = 'dtype' in a ? a.dtype : a.type;
  const tb = 'dtype' in b ? b.dtype : b.type;
  if (ta !== tb) {
    throw nodeError(ctx, 'DTYPE_MISMATCH', `input B is ${tb}, expected ${ta} like input A`, { expected: ta, actual: tb });
  }
  checkType(ctx, ta, spec.types, 'input A');
  return ta;
}

function binaryOp(spec: BinarySpec): OpDef {
  return {
    infer(ctx, inputs) {
      const a = required(ctx, inputs, 0, 'A');
      const b = required(ctx, inputs, 1, 'B');
      const dtype = binaryTypes(ctx, a, b, spec);
      return [{ dtype: spec.logical ? 'bool' : dtype, shape: broadcastDims(ctx, [a.shape, b.shape]) }];
    },
    run(ctx, inputs) {
      const a = required(ctx, inputs, 0, 'A');
      const b = required(ctx, inputs, 1, 'B');
      binaryTypes(ctx, a, b, spec);
      return [runBinary(ctx, spec, a, b)];
    },
  };
}

const ADD: BinarySpec = { types: NUMERIC, float: (a, b) => a + b, big: (a, b) => a + b };
const MUL: BinarySpec = { types: NUMERIC, float: (a, b) => a * b, int: Math.imul, big: (a, b) => a * b };
const MAX: BinarySpec = { types: NUMERIC, float: Math.max, big: (a, b) => (a > b ? a : b) };
const MIN: BinarySpec = { types: NUMERIC, float: Math.min, big: (a, b) => (a < b ? a : b) };

/** Integer remainder with the divisor's sign (Python %); x mod 0 is 0 as in numpy. */
function intMod(a: number, b: number): number {
  if (b === 0) return 0;
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

function bigMod(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  const r = a % b;
  return r !== 0n && r < 0n !== b < 0n ? r + b : r;
}

const FMOD: BinarySpec = {
  types: NUMERIC,
  float: (a, b) => a % b, // JS % is C fmod: the dividend's sign
  int: (a, b) => (b === 0 ? 0 : a % b),
  big: (a, b) => (b === 0n ? 0n : a % b),
};
const INT_MOD: BinarySpec = { types: INTS, float: intMod, big: bigMod };

const PRELU: BinarySpec = {
  types: ['float32', 'float64', 'float16', 'bfloat16', 'int32', 'int64', 'uint32', 'uint64'],
  float: (x, s) => (x < 0 ? s * x : x),
  int: (x, s) => (x < 0 ? Math.imul(s, x) : x),
  big: (x, s) => (x < 0n ? s * x : x),
};

const binaryOps: OpTable = {
  Add: binaryOp(ADD),
  Sub: binaryOp({ types: NUMERIC, float: (a, b) => a - b, big: (a, b) => a - b }),
  Mul: binaryOp(MUL),
  // Integer division truncates toward zero like C; x / 0 is 0 for integers (numpy's result).
  Div: binaryOp({
    types: NUMERIC,
    float: (a, b) => a / b,
    int: (a, b) => (b === 0 ? 0 : Math.trunc(a / b)),
    big: (a, b) => (b === 0n ? 0n : a / b),
  }),
  Equal: binaryOp({ types: ALL, logical: true, float: (a, b) => (a === b ? 1 : 0), big: (a, b) => (a === b ? 1 : 0) }),
  Greater: binaryOp({ types: NUMERIC, logical: true, float: (a, b) => (a > b ? 1 : 0), big: (a, b) => (a > b ? 1 : 0) }),
  Less: binaryOp({ types: NUMERIC, logical: true, float: (a, b) => (a < b ? 1 : 0), big: (a, b) => (a < b ? 1 : 0) }),
  GreaterOrEqual: binaryOp({ types: NUMERIC, logical: true, float: (a, b) => (a >= b ? 1 : 0), big: (a, b) => (a >= b ? 1 : 0) }),
  LessOrEqual: binaryOp({ types: NUMERIC, logical: true, float: (a, b) => (a <= b ? 1 : 0), big: (a, b) => (a <= b ? 1 : 0) }),
  And: binaryOp({ types: BOOL, logical: true, float: (a, b) => (a && b ? 1 : 0) }),
  Or: binaryOp({ types: BOOL, logical: true, float: (a, b) => (a || b ? 1 : 0) }),
  Xor: binaryOp({ types: BOOL, logical: true, float: (a, b) => (!a !== !b ? 1 : 0) }),
  Mod: {
    infer: binaryOp(FMOD).infer,
    run(ctx, inputs) {
      const a = required(ctx, inputs, 0, 'A');
      const b = required(ctx, inputs, 1, 'B');
      binaryTypes(ctx, a, b, FMOD);
      const fmod = attrInt(ctx.node, 'fmod', 0) !== 0;
      if (!fmod && DTYPES[a.type].isFloat) {
        throw nodeError(ctx, 'MODEL_INVALID', `fmod must be 1 for ${a.type} inputs (integer mod is for integers only)`, {
          expected: 1,
          actual: 0,
        });
      }
      return [runBinary(ctx, fmod ? FMOD : INT_MOD, a, b)];
    },
  },
  // PRelu: the slope broadcasts unidirectionally to X.
  PRelu: {
    infer(ctx, inputs) {
      const x = required(ctx, inputs, 0, 'X');
      const slope = required(ctx, inputs, 1, 'slope');
      binaryTypes(ctx, x, slope, PRELU);
      const dims = broadcastDims(ctx, [x.shape, slope.shape]);
      if (x.shape && dims) {
        const bad = dims.length > x.shape.length || dims.some((d, i) => typeof d === 'number' && typeof x.shape![i] === 'number' && d !== x.shape![i]);
        if (bad) {
          throw nodeError(ctx, 'SHAPE_MISMATCH', `slope [${slope.shape!.join(',')}] cannot be broadcast to X [${x.shape.join(',')}]`, {
            expected: x.shape,
            actual: slope.shape,
          });
        }
      }
      return [{ dtype: x.dtype, shape: x.shape?.slice() }];
    },
    run(ctx, inputs) {
      const x = required(ctx, inputs, 0, 'X');
      const slope = required(ctx, inputs, 1, 'slope');
      binaryTypes(ctx, x, slope, PRELU);
      return [runBinary(ctx, PRELU, x, slope, x.dims)];
    },
  },
};

// ---------------------------------------------------------------------------------------------------------
// Pow: the base's dtype is the output's; the exponent may be any numeric dtype (Pow-12+).

const POW_BASE: readonly DataType[] = ['int32', 'int64', ...FLOATS];

function pow(ctx: KernelContext, x: Tensor, y: Tensor): Tensor {
  const plan = planBroadcast(ctx, [x.dims, y.dims]);
  if (DTYPES[x.type].isInteger && DTYPES[y.type].isInteger) {
    // Exact integer power, wrapping like repeated multiplication in the base's type.
    const base = castTensor(x, 'int64');
    const exponent = isBig(y.type) ? y : castTensor(y, 'int64');
    const out = Tensor.zeros('int64', plan.dims, 'Pow');
    binaryInto(plan, base.data as BigInt64Array, exponent.data as BigInt64Array, out.data as BigInt64Array, intPow);
    return castTensor(out, x.type);
  }
  // Otherwise in doubles, then stored into the base's dtype with Cast semantics (integers truncate).
  const asNumbers = (t: Tensor): Tensor => (isBig(t.type) || isHalf(t.type) ? castTensor(t, 'float64') : t);
  const outType = isBig(x.type) || isHalf(x.type) ? 'float64' : x.type;
  const out = Tensor.zeros(outType, plan.dims, 'Pow');
  binaryInto(plan, asNumbers(x).data as NumberArray, asNumbers(y).data as NumberArray, out.data as NumberArray, powC);
  return outType === x.type ? out : castTensor(out, x.type);
}

const powOp: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'X');
    const y = required(ctx, inputs, 1, 'Y');
    checkType(ctx, x.dtype, POW_BASE, 'input X (base)');
    checkType(ctx, y.dtype, NUMERIC, 'input Y (exponent)');
    return [{ dtype: x.dtype, shape: broadcastDims(ctx, [x.shape, y.shape]) }];
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'X');
    const y = required(ctx, inputs, 1, 'Y');
    checkType(ctx, x.type, POW_BASE, 'input X (base)');
    checkType(ctx, y.type, NUMERIC, 'input Y (exponent)');
    return [pow(ctx, x, y)];
  },
};

// ---------------------------------------------------------------------------------------------------------
// Clip: bounds are attributes before opset 11 and optional scalar inputs from 11; min > max gives max.

function isOneElement(shape: ValueType['shape']): boolean {
  return !shape || shape.some((d) => typeof d !== 'number') || shape.every((d) => d === 1);
}

/** The value of an optional scalar input (a one-element tensor) of dtype `dtype`. */
function scalarInput(ctx: KernelContext, t: Tensor | undefined, dtypes: readonly DataType[], what: string): number | bigint | undefined {
  if (!t) return undefined;
  checkType(ctx, t.type, dtypes, `input ${what}`);
  if (t.size !== 1) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `input ${what} must be a scalar, got shape [${t.dims.join(',')}]`, {
      expected: [],
      actual: t.dims,
    });
  }
  if (isBig(t.type)) return (t.data as BigInt64Array)[0]!;
  return castTensor(t, 'float64').data[0] as number;
}

function clip(t: Tensor, min: number | bigint | undefined, max: number | bigint | undefined): Tensor {
  const out = Tensor.zeros(t.type, t.dims, 'Clip');
  const n = t.size;
  if (isBig(t.type)) {
    const src = t.data as BigInt64Array;
    const dst = out.data as BigInt64Array;
    let lo = min as bigint | undefined;
    const hi = max as bigint | undefined;
    if (lo !== undefined && hi !== undefined && lo > hi) lo = hi;
    for (let i = 0; i < n; i++) {
      let v = src[i]!;
      if (lo !== undefined && v < lo) v = lo;
      if (hi !== undefined && v > hi) v = hi;
      dst[i] = v;
    }
    return out;
  }
  const src = t.data as NumberArray;
  const dst = out.data as NumberArray;
  const hi = (max as number | undefined) ?? Infinity;
  const lo = Math.min((min as number | undefined) ?? -Infinity, hi); // min > max: everything becomes max
  for (let i = 0; i < n; i++) {
    const v = src[i]!;
    dst[i] = v < lo ? lo : v > hi ? hi : v; // NaN stays NaN
  }
  return out;
}

const clipOp: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'input');
    checkType(ctx, x.dtype, NUMERIC, 'input');
    ['min', 'max'].forEach((what, k) => {
      const b = inputs[k + 1];
      if (!b) return;
      if (b.dtype !== x.dtype) {
        throw nodeError(ctx, 'DTYPE_MISMATCH', `input ${what} is ${b.dtype}, expected ${x.dtype} like the input`, {
          expected: x.dtype,
          actual: b.dtype,
        });
      }
      if (!isOneElement(b.shape)) {
        throw nodeError(ctx, 'SHAPE_MISMATCH', `input ${what} must be a scalar, got shape [${b.shape!.join(',')}]`, {
          expected: [],
          actual: b.shape,
        });
      }
    });
    return [{ dtype: x.dtype, shape: x.shape?.slice() }];
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'input');
    checkType(ctx, x.type, NUMERIC, 'input');
    let min: number | bigint | undefined;
    let max: number | bigint | undefined;
    if (ctx.opset < 11) {
      if (inputs.slice(1).some((t) => t !== undefined)) {
        throw nodeError(ctx, 'MODEL_INVALID', `takes min/max as attributes before opset 11 (model opset ${ctx.opset}), not as inputs`);
      }
      min = attrFloat(ctx.node, 'min');
      max = attrFloat(ctx.node, 'max');
    } else {
      min = scalarInput(ctx, inputs[1], [x.type], 'min');
      max = scalarInput(ctx, inputs[2], [x.type], 'max');
    }
    return [inComputeType(x, computeType(x.type, true), (t) => clip(t, min, max))];
  },
};

// ---------------------------------------------------------------------------------------------------------
// Where: three-way broadcast of condition, X and Y; elements are copied bit for bit.

const whereOp: OpDef = {
  infer(ctx, inputs) {
    const c = required(ctx, inputs, 0, 'condition');
    const x = required(ctx, inputs, 1, 'X');
    const y = required(ctx, inputs, 2, 'Y');
    checkType(ctx, c.dtype, BOOL, 'input condition');
    const dtype = commonDtype(ctx, [x, y]);
    return [{ dtype, shape: broadcastDims(ctx, [c.shape, x.shape, y.shape]) }];
  },
  run(ctx, inputs) {
    const c = required(ctx, inputs, 0, 'condition');
    const x = required(ctx, inputs, 1, 'X');
    const y = required(ctx, inputs, 2, 'Y');
    checkType(ctx, c.type, BOOL, 'input condition');
    if (x.type !== y.type) {
      throw nodeError(ctx, 'DTYPE_MISMATCH', `input Y is ${y.type}, expected ${x.type} like input X`, { expected: x.type, actual: y.type });
    }
    const plan = planBroadcast(ctx, [c.dims, x.dims, y.dims]);
    const out = Tensor.zeros(x.type, plan.dims, 'Where');
    const cd = c.data as Uint8Array;
    const xd = x.data as Slots;
    const yd = y.data as Slots;
    const od = out.data as Slots;
    const { run } = plan;
    const [sc, sx, sy] = plan.steps as [number, number, number];
    forEachRun(plan, (o, starts) => {
      let ic = starts[0]!;
      let ix = starts[1]!;
      let iy = starts[2]!;
      for (let i = 0; i < run; i++, ic += sc, ix += sx, iy += sy) od[o + i] = cd[ic] ? xd[ix]! : yd[iy]!;
    });
    return [out];
  },
};

// ---------------------------------------------------------------------------------------------------------
// Variadic Max/Min/Sum/Mean: a left fold of the binary op over all inputs, broadcast together.

function variadicInputs(ctx: KernelContext, inputs: (Tensor | undefined)[], types: readonly DataType[]): Tensor[] {
  if (inputs.length === 0) throw nodeError(ctx, 'MODEL_INVALID', 'needs at least one input');
  const list = inputs.map((_, i) => required(ctx, inputs, i, `data_${i}`));
  checkType(ctx, list[0]!.type, types, 'input 0');
  for (let i = 1; i < list.length; i++) {
    if (list[i]!.type !== list[0]!.type) {
      throw nodeError(ctx, 'DTYPE_MISMATCH', `input ${i} is ${list[i]!.type}, expected ${list[0]!.type} like input 0`, {
        expected: list[0]!.type,
        actual: list[i]!.type,
      });
    }
  }
  return list;
}

function fold(ctx: KernelContext, spec: BinarySpec, list: Tensor[], mean: boolean): Tensor {
  const type = list[0]!.type;
  const dims = planBroadcast(ctx, list.map((t) => t.dims)).dims;
  const out = Tensor.zeros(type, dims, ctx.node.op);
  broadcastInto(ctx, list[0]!.data as Slots, list[0]!.dims, out.data as Slots, dims);
  for (let k = 1; k < list.length; k++) {
    const plan = planBroadcast(ctx, [dims, list[k]!.dims], dims);
    if (isBig(type)) {
      binaryInto(plan, out.data as BigInt64Array, list[k]!.data as BigInt64Array, out.data as Slots, spec.big!);
    } else {
      const f = DTYPES[type].isFloat ? spec.float : (spec.int ?? spec.float);
      binaryInto(plan, out.data as NumberArray, list[k]!.data as NumberArray, out.data as NumberArray, f);
    }
  }
  if (mean) {
    const d = out.data as NumberArray;
    for (let i = 0; i < d.length; i++) d[i] = d[i]! / list.length;
  }
  return out;
}

function variadicOp(spec: BinarySpec, mean = false): OpDef {
  return {
    infer(ctx, inputs) {
      if (inputs.length === 0) throw nodeError(ctx, 'MODEL_INVALID', 'needs at least one input');
      const list = inputs.map((_, i) => required(ctx, inputs, i, `data_${i}`));
      const dtype = commonDtype(ctx, list);
      checkType(ctx, dtype, spec.types, 'input 0');
      return [{ dtype, shape: broadcastDims(ctx, list.map((t) => t.shape)) }];
    },
    run(ctx, inputs) {
      const list = variadicInputs(ctx, inputs, spec.types);
      const dtype = list[0]!.type;
      // Mean of integers is taken in float64 and truncated (the spec only has float Mean).
      const compute = mean && !DTYPES[dtype].isFloat ? 'float64' : computeType(dtype, spec.big !== undefined);
      const r = fold(ctx, spec, compute === dtype ? list : list.map((t) => castTensor(t, compute)), mean);
      return [r.type === dtype ? r : castTensor(r, dtype)];
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Cast, CastLike, Identity, Dropout (inference; training mode drops at random).

function castTarget(ctx: KernelContext): DataType {
  const code = attrInt(ctx.node, 'to');
  if (code === undefined) throw nodeError(ctx, 'MODEL_INVALID', "attribute 'to' is missing");
  const to = dtypeFromOnnx(code);
  if (!to) {
    throw nodeError(ctx, 'OP_UNSUPPORTED', `cannot cast to ONNX data type ${code}; supported: ${ALL.join(', ')}`, {
      expected: ALL.map((t) => DTYPES[t].onnx),
      actual: code,
    });
  }
  return to;
}

const castOp: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'input');
    return [{ dtype: castTarget(ctx), shape: x.shape?.slice() }];
  },
  run(ctx, inputs) {
    return [castTensor(required(ctx, inputs, 0, 'input'), castTarget(ctx))];
  },
};

const castLikeOp: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'input');
    return [{ dtype: required(ctx, inputs, 1, 'target_type').dtype, shape: x.shape?.slice() }];
  },
  run(ctx, inputs) {
    return [castTensor(required(ctx, inputs, 0, 'input'), required(ctx, inputs, 1, 'target_type').type)];
  },
};

const identityOp: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'input');
    return [{ dtype: x.dtype, shape: x.shape?.slice() }];
  },
  // A copy, so that no two values share storage.
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'input');
    return [castTensor(x, x.type)];
  },
};

/** Dropout's mask is bool from opset 10, of the data's dtype before. */
const maskType = (ctx: KernelContext, dtype: DataType): DataType => (ctx.opset < 10 ? dtype : 'bool');

/** A small seeded generator of uniform numbers in [0, 1) (mulberry32). */
function uniformSource(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const dropoutOp: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    checkType(ctx, x.dtype, FLOATS, 'input data');
    if (inputs[1]) checkType(ctx, inputs[1].dtype, FLOATS, 'input ratio');
    if (inputs[2]) checkType(ctx, inputs[2].dtype, BOOL, 'input training_mode');
    const outs: ValueType[] = [{ dtype: x.dtype, shape: x.shape?.slice() }];
    if (ctx.node.outputs.length > 1) outs.push({ dtype: maskType(ctx, x.dtype), shape: x.shape?.slice() });
    return outs;
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    checkType(ctx, x.type, FLOATS, 'input data');
    let ratio = 0.5;
    let training = false;
    if (ctx.opset < 12) ratio = attrFloat(ctx.node, 'ratio', 0.5);
    else {
      ratio = (scalarInput(ctx, inputs[1], FLOATS, 'ratio') as number | undefined) ?? 0.5;
      training = ((scalarInput(ctx, inputs[2], BOOL, 'training_mode') as number | undefined) ?? 0) !== 0;
    }
    const wantMask = ctx.node.outputs.length > 1;
    if (!training || ratio === 0) {
      const outs = [castTensor(x, x.type)];
      if (wantMask) {
        const ones = Tensor.zeros('bool', x.dims, 'Dropout');
        (ones.data as Uint8Array).fill(1);
        outs.push(castTensor(ones, maskType(ctx, x.type)));
      }
      return outs;
    }
    if (!(ratio >= 0 && ratio < 1)) {
      throw nodeError(ctx, 'INPUT_INVALID', `ratio is ${ratio}, expected a value in [0, 1)`, { expected: '[0, 1)', actual: ratio });
    }
    // Training mode: keep each element with probability 1 - ratio and scale it by 1 / (1 - ratio).
    const seed = attrInt(ctx.node, 'seed') ?? Math.floor(Math.random() * 2 ** 32);
    const uniform = uniformSource(seed);
    const keep = Tensor.zeros('bool', x.dims, 'Dropout');
    const k = keep.data as Uint8Array;
    for (let i = 0; i < k.length; i++) k[i] = uniform() >= ratio ? 1 : 0;
    const scale = 1 / (1 - ratio);
    const y = inComputeType(x, computeType(x.type, false), (t) => {
      const out = Tensor.zeros(t.type, t.dims, 'Dropout');
      const src = t.data as NumberArray;
      const dst = out.data as NumberArray;
      for (let i = 0; i < src.length; i++) dst[i] = k[i] ? src[i]! * scale : 0;
      return out;
    });
    return wantMask ? [y, castTensor(keep, maskType(ctx, x.type))] : [y];
  },
};

export const elementwiseOps: OpTable = {
  ...unaryOps,
  ...binaryOps,
  Pow: powOp,
  Clip: clipOp,
  Where: whereOp,
  Max: variadicOp(MAX),
  Min: variadicOp(MIN),
  Sum: variadicOp(ADD),
  Mean: variadicOp(ADD, true),
  Cast: castOp,
  CastLike: castLikeOp,
  Identity: identityOp,
  Dropout: dropoutOp,
};

/** A float → bool test per element (IsNaN, IsInf); the test is built from the node's attributes. */
function floatTest(test: (ctx: KernelContext) => (v: number) => boolean): OpDef {
  return {
    infer(ctx, inputs) {
      const x = required(ctx, inputs, 0, 'X');
      checkType(ctx, x.dtype, FLOATS, 'input X');
      return [{ dtype: 'bool', shape: x.shape?.slice() }];
    },
    run(ctx, inputs) {
      const x = required(ctx, inputs, 0, 'X');
      checkType(ctx, x.type, FLOATS, 'input X');
      const t = test(ctx);
      return [castTensor(mapUnary(x, (v) => (t(v) ? 1 : 0)), 'bool')];
    },
  };
}
