// NumPy .npy (format 1.0–3.0) ⇄ Tensor: little-endian, C order, the dtypes edgeinfer has.

import { EdgeError } from '../errors.js';
import { DTYPES, type DataType } from '../tensor/dtype.js';
import { checkShape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The little-endian numpy descriptors edgeinfer reads and writes. */
export const NPY_DESCR_TO_DTYPE: Readonly<Record<string, DataType>> = {
  '<f4': 'float32',
  '<f8': 'float64',
  '<f2': 'float16',
  '|i1': 'int8',
  '|u1': 'uint8',
  '<i2': 'int16',
  '<u2': 'uint16',
  '<i4': 'int32',
  '<u4': 'uint32',
  '<i8': 'int64',
  '<u8': 'uint64',
  '|b1': 'bool',
};
const DTYPE_TO_DESCR = Object.fromEntries(Object.entries(NPY_DESCR_TO_DTYPE).map(([k, v]) => [v, k])) as Record<DataType, string>;

/** dtype and dims from the text of a .npy header (the Python dict literal). */
export function parseNpyHeader(header: string, where: string): { dtype: DataType; dims: number[] } {
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new EdgeError('INPUT_INVALID', `${where}: malformed .npy header: ${header.trim()}`);
  const dtype = NPY_DESCR_TO_DTYPE[descr.replace(/^=/, '<')];
  if (!dtype) throw new EdgeError('DTYPE_MISMATCH', `${where}: dtype '${descr}' is not supported (little-endian numeric or bool only)`, { actual: descr });
  if (fortran === 'True') throw new EdgeError('INPUT_INVALID', `${where}: Fortran-order arrays are not supported; save with np.ascontiguousarray`);
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new EdgeError('INPUT_INVALID', `${where}: malformed .npy shape (${shapeText})`);
  return { dtype, dims };
}

export function readNpy(bytes: Uint8Array, where = '.npy'): Tensor {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new EdgeError('INPUT_INVALID', `${where}: not a .npy file (missing the \\x93NUMPY magic)`);
  }
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : bytes.length >= 12 ? view.getUint32(8, true) : Infinity;
  const start = major === 1 ? 10 : 12;
  if (major < 1 || major > 3 || start + headerLen > bytes.length) {
    throw new EdgeError('INPUT_INVALID', `${where}: truncated or unsupported .npy header (version ${major})`);
  }
  const { dtype, dims } = parseNpyHeader(new TextDecoder().decode(bytes.subarray(start, start + headerLen)), where);
  checkShape(dims, where);
  const n = sizeOf(dims);
  const dataStart = start + headerLen;
  const need = n * DTYPES[dtype].bytes;
  if (bytes.length - dataStart < need) {
    throw new EdgeError('INPUT_INVALID', `${where}: truncated: shape [${dims.join(',')}] needs ${need} data bytes, the file has ${bytes.length - dataStart}`, {
      expected: need,
      actual: bytes.length - dataStart,
    });
  }
  const copy = bytes.slice(dataStart, dataStart + need);
  return new Tensor(dtype, new DTYPES[dtype].array(copy.buffer, 0, n), dims);
}

export function writeNpy(t: Tensor): Uint8Array {
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  let header = `{'descr': '${DTYPE_TO_DESCR[t.type]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + t.data.byteLength);
  out.set(MAGIC);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), 10 + header.length);
  return out;
}
