// Reads only the header of a .npy file from a file handle, so that samples can be streamed from its data.

import type { FileHandle } from 'node:fs/promises';
import { EdgeError } from '../errors.js';
import { parseNpyHeader } from '../formats/npy.js';
import { DTYPES, type DataType } from '../tensor/dtype.js';
import { checkShape } from '../tensor/shape.js';

export interface NpyHeader {
  dtype: DataType;
  dims: number[];
  /** Byte offset of the first element. */
  dataOffset: number;
  /** Bytes of one element. */
  itemBytes: number;
}

/** Bytes of a header at most: NumPy pads headers to 64 bytes and keeps them short; this refuses absurd ones. */
const MAX_HEADER_BYTES = 1 << 20;

export async function readNpyHeader(file: FileHandle, where: string): Promise<NpyHeader> {
  const prefix = new Uint8Array(12);
  const { bytesRead } = await file.read(prefix, 0, 12, 0);
  if (bytesRead === 0) throw new EdgeError('INPUT_INVALID', `${where}: the file is empty`);
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytesRead < 10 || !magic.every((b, i) => prefix[i] === b)) {
    throw new EdgeError('INPUT_INVALID', `${where}: not a .npy file (missing the \\x93NUMPY magic)`);
  }
  const major = prefix[6]!;
  const view = new DataView(prefix.buffer);
  if (major < 1 || major > 3 || (major > 1 && bytesRead < 12)) {
    throw new EdgeError('INPUT_INVALID', `${where}: truncated or unsupported .npy header (version ${major})`);
  }
  const start = major === 1 ? 10 : 12;
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLen > MAX_HEADER_BYTES) throw new EdgeError('INPUT_INVALID', `${where}: .npy header of ${headerLen} bytes is implausibly long`);
  const raw = new Uint8Array(headerLen);
  const got = (await file.read(raw, 0, headerLen, start)).bytesRead;
  if (got < headerLen) throw new EdgeError('INPUT_INVALID', `${where}: truncated .npy header (${got} of ${headerLen} bytes)`);
  const { dtype, dims } = parseNpyHeader(new TextDecoder().decode(raw), where);
  checkShape(dims.slice(1), where); // one sample must fit; the sample count may be large
  return { dtype, dims, dataOffset: start + headerLen, itemBytes: DTYPES[dtype].bytes };
}
