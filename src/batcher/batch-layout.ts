// Which of a model's dims is the batch, and whether one request's feeds fit the model: the checks that
// let a bad request fail alone with INPUT_INVALID instead of failing the whole batch it would join.

import { EdgeError } from '../errors.js';
import type { DataType } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** What the batcher needs to know of a value: the shape of onnxruntime-web's metadata. */
export interface BatchValueMetadata {
  name: string;
  type: DataType;
  /** Sizes, symbolic names ('batch'), or '?' where unknown. */
  shape: readonly (number | string)[];
}

export interface BatchLayout {
  inputs: readonly BatchValueMetadata[];
  /** The symbol of dim 0 shared by every input and output; undefined when requests cannot be packed. */
  batchSymbol: string | undefined;
  /** Why requests are not packed (shown in docs and errors), when batchSymbol is undefined. */
  notPackedBecause?: string;
}

/**
 * Requests are packed along dim 0 only when every input and every output has the same symbolic dim 0
 * that appears nowhere else: then row i of the outputs belongs to row i of the inputs.
 */
export function batchLayout(inputs: readonly BatchValueMetadata[], outputs: readonly BatchValueMetadata[]): BatchLayout {
  const first = inputs[0]?.shape[0];
  const symbol = typeof first === 'string' && first !== '?' ? first : undefined;
  const reason = (why: string): BatchLayout => ({ inputs, batchSymbol: undefined, notPackedBecause: why });
  if (!symbol) return reason(`input '${inputs[0]?.name ?? '?'}' has no symbolic batch dim 0 (shape ${formatShape(inputs[0]?.shape ?? [])})`);
  for (const v of [...inputs, ...outputs]) {
    if (v.shape[0] !== symbol) return reason(`'${v.name}' has dim 0 ${String(v.shape[0] ?? 'absent')}, not the batch dim '${symbol}'`);
    if (v.shape.indexOf(symbol, 1) > 0) return reason(`'${v.name}' uses '${symbol}' beyond dim 0 (shape ${formatShape(v.shape)})`);
  }
  return { inputs, batchSymbol: symbol };
}

export interface RequestShape {
  rows: number;
  key: string;
}

/**
 * Checks one request's feeds against the model (names, dtypes, ranks, static dims, symbols bound
 * consistently) and returns its rows and packing key. Throws INPUT_INVALID naming the input.
 */
export function inspectRequest(layout: BatchLayout, feeds: Record<string, Tensor>, maxBatchSize: number): RequestShape {
  if (feeds === null || typeof feeds !== 'object') {
    throw new EdgeError('INPUT_INVALID', `infer(): feeds must be an object mapping input names to Tensors, got ${feeds === null ? 'null' : typeof feeds}`);
  }
  const names = layout.inputs.map((i) => i.name);
  for (const name of Object.keys(feeds)) {
    if (!names.includes(name)) {
      throw new EdgeError('INPUT_INVALID', `infer(): '${name}' is not an input of this model; its inputs are: ${names.join(', ')}`, { input: name, expected: names, actual: name });
    }
  }
  const bound = new Map<string, number>();
  const keyParts: string[] = [];
  for (const input of layout.inputs) {
    const t = feeds[input.name];
    if (t === undefined) throw new EdgeError('INPUT_INVALID', `infer(): input '${input.name}' is missing from the feeds`, { input: input.name });
    if (!(t instanceof Tensor)) throw new EdgeError('INPUT_INVALID', `infer(): input '${input.name}' must be a Tensor`, { input: input.name, actual: typeof t });
    if (t.type !== input.type) {
      throw new EdgeError('INPUT_INVALID', `infer(): input '${input.name}' must be ${input.type}, got ${t.type}`, { input: input.name, expected: input.type, actual: t.type });
    }
    const mismatch = (why: string) =>
      new EdgeError('INPUT_INVALID', `infer(): input '${input.name}' must have shape ${formatShape(input.shape)}, got ${formatShape(t.dims)}${why}`, {
        input: input.name,
        expected: input.shape,
        actual: t.dims,
      });
    if (t.dims.length !== input.shape.length) throw mismatch('');
    input.shape.forEach((d, i) => {
      const actual = t.dims[i]!;
      if (typeof d === 'number' && d !== actual) throw mismatch('');
      if (typeof d === 'string' && d !== '?') {
        const seen = bound.get(d);
        if (seen !== undefined && seen !== actual) throw mismatch(` ('${d}' is ${seen} in another input)`);
        bound.set(d, actual);
      }
    });
    keyParts.push(t.dims.slice(1).join('x'));
  }
  if (layout.batchSymbol === undefined) return { rows: 1, key: '' };
  const rows = bound.get(layout.batchSymbol)!;
  if (rows < 1 || rows > maxBatchSize) {
    throw new EdgeError('INPUT_INVALID', `infer(): the request has ${rows} rows (dim 0 '${layout.batchSymbol}'); the batcher takes 1..${maxBatchSize} rows per request (maxBatchSize)`, {
      input: layout.inputs[0]!.name,
      expected: `1..${maxBatchSize}`,
      actual: rows,
    });
  }
  return { rows, key: keyParts.join('|') };
}
