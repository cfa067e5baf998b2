// Data type traits: one table that every other module asks instead of switching on names.

export type DataType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool';

export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** Arrays whose elements are JS numbers (everything but the 64-bit integers). */
export type NumberArray = Exclude<TypedArray, BigInt64Array | BigUint64Array>;

export interface DataTypeTraits {
  name: DataType;
  /** ONNX TensorProto.DataType number. */
  onnx: number;
  bytes: number;
  array: { new (n: number): TypedArray; new (buf: ArrayBuffer, offset: number, n: number): TypedArray };
  isFloat: boolean;
  isInteger: boolean;
  isSigned: boolean;
  /** Elements are bigint (int64 and uint64). */
  isBigInt: boolean;
  /** Stored as raw bits in a Uint16Array and widened to float32 to compute (float16, bfloat16). */
  isHalf: boolean;
  /** Integer range for saturating casts (quantization); absent for floats and 64-bit integers. */
  min?: number;
  max?: number;
}

type ArrayCtor = DataTypeTraits['array'];
const t = (
  name: DataType,
  onnx: number,
  bytes: number,
  array: unknown,
  kind: 'float' | 'int' | 'uint' | 'bool',
  extra: Partial<DataTypeTraits> = {},
): DataTypeTraits => ({
  name,
  onnx,
  bytes,
  array: array as ArrayCtor,
  isFloat: kind === 'float',
  isInteger: kind === 'int' || kind === 'uint',
  isSigned: kind === 'int' || kind === 'float',
  isBigInt: array === BigInt64Array || array === BigUint64Array,
  isHalf: false,
  ...extra,
});

export const DTYPES: Record<DataType, DataTypeTraits> = {
  float32: t('float32', 1, 4, Float32Array, 'float'),
  uint8: t('uint8', 2, 1, Uint8Array, 'uint', { min: 0, max: 255 }),
  int8: t('int8', 3, 1, Int8Array, 'int', { min: -128, max: 127 }),
  uint16: t('uint16', 4, 2, Uint16Array, 'uint', { min: 0, max: 65535 }),
  int16: t('int16', 5, 2, Int16Array, 'int', { min: -32768, max: 32767 }),
  int32: t('int32', 6, 4, Int32Array, 'int', { min: -2147483648, max: 2147483647 }),
  int64: t('int64', 7, 8, BigInt64Array, 'int'),
  bool: t('bool', 9, 1, Uint8Array, 'bool', { min: 0, max: 1 }),
  float16: t('float16', 10, 2, Uint16Array, 'float', { isHalf: true }),
  float64: t('float64', 11, 8, Float64Array, 'float'),
  uint32: t('uint32', 12, 4, Uint32Array, 'uint', { min: 0, max: 4294967295 }),
  uint64: t('uint64', 13, 8, BigUint64Array, 'uint'),
  bfloat16: t('bfloat16', 16, 2, Uint16Array, 'float', { isHalf: true }),
};

const BY_ONNX = new Map<number, DataTypeTraits>(Object.values(DTYPES).map((d) => [d.onnx, d]));

export function dtypeFromOnnx(code: number): DataType | undefined {
  return BY_ONNX.get(code)?.name;
}

export function isDataType(name: string): name is DataType {
  return Object.prototype.hasOwnProperty.call(DTYPES, name);
}

export function traits(dtype: DataType): DataTypeTraits {
  return DTYPES[dtype];
}
