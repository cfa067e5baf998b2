// Tensors packed in a SharedArrayBuffer, the same way both directions: a Float64 header
// [byteOffset, rank, ...dims] per tensor, then each tensor's bytes at an 8-aligned offset.

import { EdgeError } from '../../errors.js';
import { DTYPES, type DataType, type TypedArray } from '../../tensor/dtype.js';
import { align8 } from './protocol.js';

export interface PackedTensor {
  data: TypedArray;
  dims: readonly number[];
}

/** Bytes a region needs to hold these tensors. */
export function packedBytes(tensors: readonly PackedTensor[]): number {
  let words = 0;
  for (const t of tensors) words += 2 + t.dims.length;
  let end = words * 8;
  for (const t of tensors) end = align8(end) + t.data.byteLength;
  return align8(end);
}

/** Writes the tensors into the region; the caller has checked `packedBytes` against its size. */
export function packTensors(region: SharedArrayBuffer, tensors: readonly PackedTensor[]): void {
  const header = new Float64Array(region);
  const bytes = new Uint8Array(region);
  let word = 0;
  for (const t of tensors) word += 2 + t.dims.length;
  let offset = word * 8;
  word = 0;
  for (const t of tensors) {
    offset = align8(offset);
    header[word++] = offset;
    header[word++] = t.dims.length;
    for (const d of t.dims) header[word++] = d;
    bytes.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), offset);
    offset += t.data.byteLength;
  }
}

/** Views (no copy) of the tensors a region holds, given their dtypes in order. */
export function unpackTensors(region: SharedArrayBuffer, dtypes: readonly DataType[]): PackedTensor[] {
  const header = new Float64Array(region);
  const out: PackedTensor[] = [];
  let word = 0;
  for (const dtype of dtypes) {
    const offset = header[word++]!;
    const rank = header[word++]!;
    const dims: number[] = [];
    for (let i = 0; i < rank; i++) dims.push(header[word++]!);
    let size = 1;
    for (const d of dims) size *= d;
    const traits = DTYPES[dtype];
    if (offset + size * traits.bytes > region.byteLength) {
      throw new EdgeError('INTERNAL', `thread pool: a shared region holds ${region.byteLength} bytes, a tensor ends at ${offset + size * traits.bytes}`);
    }
    out.push({ data: new traits.array(region as unknown as ArrayBuffer, offset, size), dims });
  }
  return out;
}

/** A region of at least `bytes`: the current one when large enough, else a new one (sized for this run, the largest so far). */
export function ensureRegion(current: SharedArrayBuffer | undefined, bytes: number): SharedArrayBuffer {
  if (current && current.byteLength >= bytes) return current;
  try {
    return new SharedArrayBuffer(Math.max(bytes, 64 * 1024));
  } catch (err) {
    throw new EdgeError('LIMIT_EXCEEDED', `thread pool: cannot allocate a shared region of ${bytes} bytes`, { cause: err });
  }
}
