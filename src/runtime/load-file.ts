// Loads an ONNX model from a path (Node only), resolving external-data files inside the model's folder.

import { EdgeError } from '../errors.js';
import { readOnnx } from '../formats/onnx/reader.js';
import type { Model } from '../ir/graph.js';

export async function loadModelFile(path: string): Promise<Model> {
  return parseModelFile(path, await readModelBytes(path));
}

/** The bytes of a model file, or MODEL_NOT_FOUND saying why they cannot be read. */
export async function readModelBytes(path: string): Promise<Uint8Array> {
  const fs = await import('node:fs');
  try {
    return fs.readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
    throw new EdgeError('MODEL_NOT_FOUND', `cannot read model '${path}': ${reason}`, { cause: err });
  }
}

/** Parses the bytes read from `path`; external-data weights are read from files in the model's folder. */
export async function parseModelFile(path: string, bytes: Uint8Array): Promise<Model> {
  const fs = await import('node:fs');
  const nodePath = await import('node:path');
  const dir = nodePath.resolve(nodePath.dirname(path));
  const readExternal = (location: string, offset: number, length: number | undefined): Uint8Array => {
    const target = nodePath.resolve(dir, location);
    const rel = nodePath.relative(dir, target);
    if (nodePath.isAbsolute(location) || rel.startsWith('..') || nodePath.isAbsolute(rel)) {
      throw new EdgeError('MODEL_INVALID', `external data location '${location}' points outside the model's folder; refused`, { actual: location });
    }
    let fd: number;
    try {
      fd = fs.openSync(target, 'r');
    } catch (err) {
      throw new EdgeError('MODEL_INVALID', `external data file '${location}' cannot be opened: ${(err as Error).message}`, { cause: err });
    }
    try {
      const size = fs.fstatSync(fd).size;
      const n = length ?? size - offset;
      if (offset + n > size) {
        throw new EdgeError('MODEL_INVALID', `external data file '${location}' has ${size} bytes, fewer than offset ${offset} + length ${n}`);
      }
      const out = new Uint8Array(n);
      fs.readSync(fd, out, 0, n, offset);
      return out;
    } finally {
      fs.closeSync(fd);
    }
  };
  return readOnnx(bytes, { readExternal });
}
