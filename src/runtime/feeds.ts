// Checks feeds against the model's declared inputs: names, dtypes and shapes (symbolic dims bind once per run).

import { EdgeError } from '../errors.js';
import type { ValueType } from '../ir/graph.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

export function validateFeeds(
  feeds: Record<string, Tensor>,
  required: string[],
  optional: Set<string>,
  types: Map<string, ValueType>,
): void {
  if (feeds === null || typeof feeds !== 'object') {
    throw new EdgeError('INPUT_INVALID', `run(): feeds must be an object mapping input names to Tensors, got ${feeds === null ? 'null' : typeof feeds}`);
  }
  for (const name of Object.keys(feeds)) {
    if (!required.includes(name) && !optional.has(name)) {
      throw new EdgeError('INPUT_INVALID', `input '${name}' is not an input of this model; its inputs are: ${required.join(', ')}`, {
        input: name,
        expected: required,
        actual: name,
      });
    }
  }
  const bound = new Map<string, number>();
  for (const name of required) {
    const t = feeds[name];
    if (t === undefined) {
      throw new EdgeError('INPUT_INVALID', `input '${name}' is missing from the feeds`, { input: name, expected: name });
    }
    if (!(t instanceof Tensor)) {
      throw new EdgeError('INPUT_INVALID', `input '${name}' must be a Tensor`, { input: name, actual: typeof t });
    }
    const declared = types.get(name);
    if (!declared) continue;
    if (t.type !== declared.dtype) {
      throw new EdgeError('INPUT_INVALID', `input '${name}' must be ${declared.dtype}, got ${t.type}`, {
        input: name,
        expected: declared.dtype,
        actual: t.type,
      });
    }
    if (!declared.shape) continue;
    const expected = declared.shape.map((d) => d ?? '?');
    const mismatch = () =>
      new EdgeError('INPUT_INVALID', `input '${name}' must have shape ${formatShape(expected)}, got ${formatShape(t.dims)}`, {
        input: name,
        expected,
        actual: t.dims,
      });
    if (t.dims.length !== declared.shape.length) throw mismatch();
    declared.shape.forEach((d, i) => {
      const actual = t.dims[i]!;
      if (typeof d === 'number' && d !== actual) throw mismatch();
      if (typeof d === 'string') {
        const seen = bound.get(d);
        if (seen !== undefined && seen !== actual) {
          throw new EdgeError('INPUT_INVALID', `input '${name}': dimension '${d}' is ${actual} here but ${seen} in another input`, {
            input: name,
            expected: seen,
            actual,
          });
        }
        bound.set(d, actual);
      }
    });
  }
}
