// ONNX TensorProto ⇄ Tensor, with every length checked against the declared shape.

import { EdgeError } from '../../errors.js';
import { DTYPES, dtypeFromOnnx, type DataType, type TypedArray } from '../../tensor/dtype.js';
import { checkShape, sizeOf } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { TensorProto, type PbInt } from './onnx-schema.js';

export function toNumber(v: PbInt | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

function toBigInt(v: PbInt, unsigned: boolean): bigint {
  if (typeof v === 'number') return BigInt(v);
  const big = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return unsigned ? big : BigInt.asIntN(64, big);
}

/** Reads external data bytes for a tensor: (location, offset, length) → bytes. */
export type ExternalDataReader = (location: string, offset: number, length: number | undefined) => Uint8Array;

// A decoded TensorProto as protobufjs returns it.
export interface TensorProtoMessage {
  dims: PbInt[];
  data_type: number;
  name: string;
  raw_data?: Uint8Array;
  float_data: number[];
  int32_data: number[];
  int64_data: PbInt[];
  double_data: number[];
  uint64_data: PbInt[];
  string_data: Uint8Array[];
  data_location: number;
  external_data: { key: string; value: string }[];
  segment?: unknown;
}

/** Decodes a TensorProto message into a Tensor; `where` names it in errors. */
export function tensorFromProto(p: TensorProtoMessage, where: string, readExternal?: ExternalDataReader): Tensor {
  const dtype = dtypeFromOnnx(p.data_type);
  if (dtype === undefined) {
    const what = p.data_type === 8 ? 'string' : `data type ${p.data_type}`;
    throw new EdgeError('DTYPE_MISMATCH', `${where}: ${what} tensors are not supported`, { actual: p.data_type });
  }
  if (p.segment) throw new EdgeError('MODEL_INVALID', `${where}: segmented tensors are not supported`);
  const dims = p.dims.map(toNumber);
  checkShape(dims, where);
  const n = sizeOf(dims);
  const traits = DTYPES[dtype];

  let raw = p.raw_data && p.raw_data.length > 0 ? p.raw_data : undefined;
  if (p.data_location === 1) {
    raw = readExternalData(p, where, n * traits.bytes, readExternal);
  }
  if (raw) {
    if (raw.length !== n * traits.bytes) {
      throw new EdgeError(
        'MODEL_INVALID',
        `${where}: raw data has ${raw.length} bytes but shape [${dims.join(',')}] of ${dtype} needs ${n * traits.bytes}`,
        { expected: n * traits.bytes, actual: raw.length },
      );
    }
    // Copy into an aligned buffer: protobuf byte fields may start at any offset.
    const copy = new Uint8Array(raw.length);
    copy.set(raw);
    return new Tensor(dtype, new traits.array(copy.buffer, 0, n), dims);
  }
  return new Tensor(dtype, typedFieldData(p, dtype, n, where), dims);
}

function typedFieldData(p: TensorProtoMessage, dtype: DataType, n: number, where: string): TypedArray {
  const traits = DTYPES[dtype];
  const out = new traits.array(n);
  const check = (len: number, field: string) => {
    if (len !== n) {
      throw new EdgeError('MODEL_INVALID', `${where}: ${field} holds ${len} values but the shape needs ${n}`, {
        expected: n,
        actual: len,
      });
    }
  };
  switch (dtype) {
    case 'float32':
      check(p.float_data.length, 'float_data');
      out.set(p.float_data as never);
      break;
    case 'float64':
      check(p.double_data.length, 'double_data');
      out.set(p.double_data as never);
      break;
    case 'int64':
      check(p.int64_data.length, 'int64_data');
      for (let i = 0; i < n; i++) out[i] = toBigInt(p.int64_data[i]!, false);
      break;
    case 'uint64':
      check(p.uint64_data.length, 'uint64_data');
      for (let i = 0; i < n; i++) out[i] = toBigInt(p.uint64_data[i]!, true);
      break;
    case 'uint32':
      check(p.uint64_data.length, 'uint64_data');
      for (let i = 0; i < n; i++) out[i] = toNumber(p.uint64_data[i]!);
      break;
    default:
      // int8/uint8/int16/uint16/int32/bool and the half types' bits live in int32_data.
      check(p.int32_data.length, 'int32_data');
      for (let i = 0; i < n; i++) out[i] = p.int32_data[i]!;
  }
  return out;
}

function readExternalData(p: TensorProtoMessage, where: string, expectedBytes: number, readExternal?: ExternalDataReader): Uint8Array {
  const entries = new Map(p.external_data.map((e) => [e.key, e.value]));
  const location = entries.get('location');
  if (!location) throw new EdgeError('MODEL_INVALID', `${where}: external data has no location`);
  if (!readExternal) {
    throw new EdgeError('MODEL_INVALID', `${where}: weights are stored in the external file '${location}'; load the model from a path so it can be found`);
  }
  const offset = Number(entries.get('offset') ?? 0);
  const lengthText = entries.get('length');
  const length = lengthText === undefined ? undefined : Number(lengthText);
  if (!Number.isSafeInteger(offset) || offset < 0 || (length !== undefined && (!Number.isSafeInteger(length) || length < 0))) {
    throw new EdgeError('MODEL_INVALID', `${where}: invalid external data offset ${entries.get('offset')} or length ${lengthText}`);
  }
  if (length !== undefined && length !== expectedBytes) {
    throw new EdgeError('MODEL_INVALID', `${where}: external data length ${length} does not match the ${expectedBytes} bytes the shape needs`);
  }
  return readExternal(location, offset, length ?? expectedBytes);
}

/** Encodes a Tensor as a TensorProto message object (values in raw_data). */
export function tensorToProto(t: Tensor, name: string): Record<string, unknown> {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return { name, dims: t.dims.slice(), data_type: DTYPES[t.type].onnx, raw_data: bytes };
}

/** Parses a serialized TensorProto (.pb file). */
export function decodeTensorProto(bytes: Uint8Array, where: string): { name: string; tensor: Tensor } {
  let msg: TensorProtoMessage;
  try {
    msg = TensorProto.decode(bytes) as unknown as TensorProtoMessage;
  } catch (err) {
    throw new EdgeError('INPUT_INVALID', `${where}: not a valid ONNX TensorProto (${(err as Error).message})`, { cause: err });
  }
  return { name: msg.name, tensor: tensorFromProto(msg, where) };
}

export function encodeTensorProto(t: Tensor, name: string): Uint8Array {
  return TensorProto.encode(TensorProto.fromObject(tensorToProto(t, name))).finish();
}
