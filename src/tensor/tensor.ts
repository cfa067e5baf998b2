// Tensor: a dtype, a typed array and dims, shaped like onnxruntime-web's Tensor.

import { EdgeError } from '../errors.js';
import { DTYPES, isDataType, type DataType, type TypedArray } from './dtype.js';
import { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from './half.js';
import { checkShape, sizeOf } from './shape.js';

/** Per-tensor or per-axis quantization parameters carried with an int8/uint8/int32 tensor. */
export interface QuantParams {
  scale: Float32Array;
  zeroPoint: Int32Array;
  /** Axis of per-channel parameters; absent for per-tensor. */
  axis?: number;
}

export class Tensor {
  readonly type: DataType;
  readonly data: TypedArray;
  readonly dims: readonly number[];
  readonly size: number;
  /** Quantization parameters, when the tensor holds quantized values. */
  quant?: QuantParams;

  constructor(type: DataType, data: TypedArray | readonly number[] | readonly bigint[] | readonly boolean[], dims?: readonly number[]) {
    if (!isDataType(type)) throw new EdgeError('DTYPE_MISMATCH', `Tensor: unknown dtype '${String(type)}'`);
    const traits = DTYPES[type];
    let array: TypedArray;
    if (ArrayBuffer.isView(data)) {
      array = data as TypedArray;
      if (!(array instanceof traits.array)) {
        throw new EdgeError(
          'DTYPE_MISMATCH',
          `Tensor: dtype '${type}' needs a ${traits.array.name}, got a ${array.constructor.name}`,
          { expected: traits.array.name, actual: array.constructor.name },
        );
      }
    } else {
      array = fromList(type, data as readonly unknown[]);
    }
    const shape = dims ?? [array.length];
    checkShape(shape, 'Tensor');
    if (sizeOf(shape) !== array.length) {
      throw new EdgeError(
        'SHAPE_MISMATCH',
        `Tensor: dims [${shape.join(',')}] hold ${sizeOf(shape)} elements but the data has ${array.length}`,
        { expected: sizeOf(shape), actual: array.length },
      );
    }
    this.type = type;
    this.data = array;
    this.dims = shape.slice();
    this.size = array.length;
  }

  /** A zero-filled tensor; refuses shapes that would not fit in memory. */
  static zeros(type: DataType, dims: readonly number[], where = 'Tensor'): Tensor {
    checkShape(dims, where);
    return new Tensor(type, new DTYPES[type].array(sizeOf(dims)), dims);
  }

  /** The same data seen with other dims (no copy). */
  reshape(dims: readonly number[]): Tensor {
    const t = new Tensor(this.type, this.data, dims);
    if (this.quant) t.quant = this.quant;
    return t;
  }

  /** Values as JS numbers (widening halves and 64-bit integers); for small tensors and tests. */
  toNumbers(): number[] {
    const out = new Array<number>(this.size);
    const read = numberReader(this);
    for (let i = 0; i < this.size; i++) out[i] = read(i);
    return out;
  }

  /** Values as a Float32Array (a view when already float32). */
  toFloat32(): Float32Array {
    if (this.data instanceof Float32Array) return this.data;
    const out = new Float32Array(this.size);
    const read = numberReader(this);
    for (let i = 0; i < this.size; i++) out[i] = read(i);
    return out;
  }

  /** Builds a tensor of `type` from float values (narrowing halves; rounding and saturating integers). */
  static fromNumbers(type: DataType, values: ArrayLike<number>, dims: readonly number[]): Tensor {
    const t = Tensor.zeros(type, dims);
    const write = numberWriter(t);
    for (let i = 0; i < values.length; i++) write(i, values[i]!);
    return t;
  }
}

/** A function reading element i of any tensor as a JS number. */
export function numberReader(t: Tensor): (i: number) => number {
  const d = t.data;
  if (t.type === 'float16') return (i) => halfToFloat(d[i] as number);
  if (t.type === 'bfloat16') return (i) => bfloat16ToFloat(d[i] as number);
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return (i) => Number(d[i]!);
  return (i) => d[i] as number;
}

/** A function writing a JS number into element i of any tensor, converting as a Cast would. */
export function numberWriter(t: Tensor): (i: number, v: number) => void {
  const d = t.data;
  if (t.type === 'float16') return (i, v) => (d[i] = floatToHalf(v));
  if (t.type === 'bfloat16') return (i, v) => (d[i] = floatToBfloat16(v));
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    return (i, v) => (d[i] = Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n);
  }
  if (t.type === 'bool') return (i, v) => (d[i] = v !== 0 ? 1 : 0);
  return (i, v) => (d[i] = v);
}

function fromList(type: DataType, list: readonly unknown[]): TypedArray {
  const traits = DTYPES[type];
  const arr = new traits.array(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (traits.isBigInt) (arr as BigInt64Array)[i] = BigInt(v as number | bigint);
    else if (type === 'float16') arr[i] = floatToHalf(Number(v));
    else if (type === 'bfloat16') arr[i] = floatToBfloat16(Number(v));
    else (arr as Float32Array)[i] = Number(v);
  }
  return arr;
}
