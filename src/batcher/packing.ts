// Packing requests into one batch along dim 0, and splitting the batch's outputs back into each
// request's own rows (copied, so no caller can see another caller's data through a shared buffer).

import { EdgeError } from '../errors.js';
import { sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** Concatenates tensors of one dtype whose dims agree except the first. A single part is returned as is. */
export function concatRows(parts: readonly Tensor[]): Tensor {
  if (parts.length === 1) return parts[0]!;
  const first = parts[0]!;
  const rowDims = first.dims.slice(1);
  let rows = 0;
  for (const p of parts) rows += p.dims[0]!;
  const dims = [rows, ...rowDims];
  const out = Tensor.zeros(first.type, dims, 'DynamicBatcher');
  let offset = 0;
  for (const p of parts) {
    (out.data as Float32Array).set(p.data as Float32Array, offset);
    offset += p.size;
  }
  return out;
}

/** Splits a tensor along dim 0 into parts of `rows` rows each; `rows` must add up to dim 0. */
export function splitRows(t: Tensor, rows: readonly number[], name: string): Tensor[] {
  if (rows.length === 1) return [t];
  const total = rows.reduce((a, b) => a + b, 0);
  if (t.dims.length === 0 || t.dims[0] !== total) {
    throw new EdgeError('INTERNAL', `DynamicBatcher: output '${name}' has shape [${t.dims.join(',')}] but the batch has ${total} rows; is the model row-independent along dim 0?`, {
      input: name,
      expected: total,
      actual: t.dims[0],
    });
  }
  const rowSize = sizeOf(t.dims.slice(1));
  const parts: Tensor[] = [];
  let row = 0;
  for (const n of rows) {
    const data = t.data.slice(row * rowSize, (row + n) * rowSize);
    const part = new Tensor(t.type, data, [n, ...t.dims.slice(1)]);
    if (t.quant) part.quant = t.quant;
    parts.push(part);
    row += n;
  }
  return parts;
}

/** One feed record for the batch: each input's parts concatenated in request order. */
export function packFeeds(names: readonly string[], requests: readonly Record<string, Tensor>[]): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const name of names) feeds[name] = concatRows(requests.map((r) => r[name]!));
  return feeds;
}

/** Each request's outputs: every output split by the requests' row counts. */
export function unpackOutputs(outputs: Record<string, Tensor>, rows: readonly number[]): Record<string, Tensor>[] {
  const perRequest: Record<string, Tensor>[] = rows.map(() => ({}));
  for (const [name, t] of Object.entries(outputs)) {
    splitRows(t, rows, name).forEach((part, i) => (perRequest[i]![name] = part));
  }
  return perRequest;
}
