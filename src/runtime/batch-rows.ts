// Cutting a run along dim 0 and putting it back together (chunked batches, wasm-executor.ts): which models
// allow it, zero-copy row views of the feeds, and the concatenation of the chunks' outputs.

import { EdgeError } from '../errors.js';
import { DTYPES, type DataType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/** A tensor's dims and data (a Tensor, or its parts). */
export interface RowsTensor {
  dims: readonly number[];
  data: Tensor['data'];
}

export interface ShapeInfo {
  name: string;
  shape: readonly (number | string)[];
}

/**
 * The symbolic dim 0 that every input and every output share ('batch'), or undefined when a run cannot
 * be cut into independent row slices that way (static or differing dim 0, scalars, no inputs).
 */
export function batchSymbol(inputs: readonly ShapeInfo[], outputs: readonly ShapeInfo[]): string | undefined {
  const first = inputs[0]?.shape[0];
  if (typeof first !== 'string' || first === '?' || outputs.length === 0) return undefined;
  const all = [...inputs, ...outputs];
  return all.every((v) => v.shape[0] === first) ? first : undefined;
}

/** Rows [start, start + count) of a tensor along dim 0, as a view of its data (row-major: contiguous). */
export function sliceRows(t: Tensor, start: number, count: number): Tensor {
  const rowSize = t.dims[0] === 0 ? 0 : t.size / t.dims[0]!;
  const dims = t.dims.slice();
  dims[0] = count;
  return new Tensor(t.type, t.data.subarray(start * rowSize, (start + count) * rowSize), dims);
}

/** Concatenates the slices' values of one output along dim 0; their other dims must agree. */
export function concatRows(name: string, type: DataType, parts: readonly RowsTensor[], rows: readonly number[]): Tensor {
  const rest = parts[0]!.dims.slice(1);
  let total = 0;
  parts.forEach((p, k) => {
    if (p.dims[0] !== rows[k] || p.dims.length !== rest.length + 1 || p.dims.some((d, j) => j > 0 && d !== rest[j - 1])) {
      throw new EdgeError('INTERNAL', `output '${name}': slice ${k} of ${rows[k]} rows gave dims [${p.dims.join(',')}], slice 0 [${parts[0]!.dims.join(',')}]: its dim 0 is not the batch`, {
        expected: [rows[k], ...rest],
        actual: p.dims,
      });
    }
    total += p.dims[0]!;
  });
  const out = Tensor.zeros(type, [total, ...rest], `output '${name}'`);
  let offset = 0;
  for (const p of parts) {
    if (!(p.data instanceof DTYPES[type].array)) throw new EdgeError('INTERNAL', `output '${name}': a slice holds ${p.data.constructor.name}, expected ${type}`);
    (out.data as Uint8Array).set(p.data as Uint8Array, offset);
    offset += p.data.length;
  }
  return out;
}
