// Checks feeds against the model's declared inputs: names, dtypes and shapes (a symbolic dim binds to
// one size per run). Built once per session; a valid run allocates nothing here (errors may).

import { EdgeError } from '../errors.js';
import type { ValueType } from '../ir/graph.js';
import type { DataType } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

interface ExpectedInput {
  name: string;
  dtype?: DataType;
  /** Declared dims: a size, a symbol index (into the bindings), or -1 for unknown. */
  sizes?: Int32Array;
  symbols?: Int32Array;
  display: (number | string)[];
}

export class FeedValidator {
  private readonly inputs: ExpectedInput[];
  private readonly symbolNames: string[] = [];
  private readonly bound: Float64Array;

  constructor(
    private readonly required: readonly string[],
    private readonly optional: ReadonlySet<string>,
    types: ReadonlyMap<string, ValueType>,
  ) {
    this.inputs = required.map((name) => {
      const type = types.get(name);
      const shape = type?.shape;
      if (!type || !shape) return { name, dtype: type?.dtype, display: [] };
      const sizes = new Int32Array(shape.length).fill(-1);
      const symbols = new Int32Array(shape.length).fill(-1);
      shape.forEach((d, i) => {
        if (typeof d === 'number') sizes[i] = d;
        else if (typeof d === 'string') {
          let s = this.symbolNames.indexOf(d);
          if (s < 0) s = this.symbolNames.push(d) - 1;
          symbols[i] = s;
        }
      });
      return { name, dtype: type.dtype, sizes, symbols, display: shape.map((d) => d ?? '?') };
    });
    this.bound = new Float64Array(this.symbolNames.length);
  }

  validate(feeds: Record<string, Tensor>): void {
    if (feeds === null || typeof feeds !== 'object') {
      throw new EdgeError('INPUT_INVALID', `run(): feeds must be an object mapping input names to Tensors, got ${feeds === null ? 'null' : typeof feeds}`);
    }
    for (const name in feeds) {
      if (!this.required.includes(name) && !this.optional.has(name)) {
        throw new EdgeError('INPUT_INVALID', `input '${name}' is not an input of this model; its inputs are: ${this.required.join(', ')}`, {
          input: name,
          expected: this.required,
          actual: name,
        });
      }
    }
    this.bound.fill(-1);
    for (let k = 0; k < this.inputs.length; k++) this.check(this.inputs[k]!, feeds[this.inputs[k]!.name]);
  }

  private check(input: ExpectedInput, t: Tensor | undefined): void {
    const name = input.name;
    if (t === undefined) throw new EdgeError('INPUT_INVALID', `input '${name}' is missing from the feeds`, { input: name, expected: name });
    if (!(t instanceof Tensor)) throw new EdgeError('INPUT_INVALID', `input '${name}' must be a Tensor`, { input: name, actual: typeof t });
    if (input.dtype !== undefined && t.type !== input.dtype) {
      throw new EdgeError('INPUT_INVALID', `input '${name}' must be ${input.dtype}, got ${t.type}`, { input: name, expected: input.dtype, actual: t.type });
    }
    const sizes = input.sizes;
    const symbols = input.symbols;
    if (!sizes || !symbols) return;
    if (t.dims.length !== sizes.length) throw shapeMismatch(input, t);
    for (let i = 0; i < sizes.length; i++) {
      const actual = t.dims[i]!;
      if (sizes[i]! >= 0 && sizes[i] !== actual) throw shapeMismatch(input, t);
      const s = symbols[i]!;
      if (s < 0) continue;
      const seen = this.bound[s]!;
      if (seen >= 0 && seen !== actual) {
        throw new EdgeError('INPUT_INVALID', `input '${name}': dimension '${this.symbolNames[s]}' is ${actual} here but ${seen} in another input`, {
          input: name,
          expected: seen,
          actual,
        });
      }
      this.bound[s] = actual;
    }
  }
}

function shapeMismatch(input: ExpectedInput, t: Tensor): EdgeError {
  return new EdgeError('INPUT_INVALID', `input '${input.name}' must have shape ${formatShape(input.display)}, got ${formatShape(t.dims)}`, {
    input: input.name,
    expected: input.display,
    actual: t.dims,
  });
}
