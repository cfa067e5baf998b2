// Model inputs for the benchmark: read the declared inputs, bind the batch dim, make seeded data.

import { readFileSync } from 'node:fs';
import { EdgeError } from '../../src/errors.js';
import { readOnnx } from '../../src/formats/onnx/reader.js';
import type { Dim } from '../../src/ir/graph.js';
import type { DataType } from '../../src/tensor/dtype.js';
import { randomTensor } from '../../src/tensor/random.js';
import type { FeedData } from './protocol.js';

export interface InputSpec {
  name: string;
  dtype: DataType;
  dims: Dim[];
}

export interface ModelInputs {
  inputs: InputSpec[];
  /** Name of the symbolic leading dim shared by the inputs ('batch'), if the model has one. */
  batchDim?: string;
}

export function readModelInputs(modelPath: string): ModelInputs {
  const model = readOnnx(readFileSync(modelPath));
  const inputs = model.graph.inputs
    .filter((i) => !model.graph.initializers.has(i.name))
    .map((i) => {
      if (!i.type?.shape) throw new EdgeError('INPUT_INVALID', `${modelPath}: input '${i.name}' has no declared shape`, { input: i.name });
      return { name: i.name, dtype: i.type.dtype, dims: i.type.shape };
    });
  for (const input of inputs) {
    input.dims.forEach((d, axis) => {
      if (axis > 0 && typeof d !== 'number') {
        throw new EdgeError('INPUT_INVALID', `${modelPath}: input '${input.name}' dim ${axis} is '${String(d)}'; only the leading (batch) dim may be symbolic`, { input: input.name });
      }
    });
  }
  const leading = inputs.map((i) => i.dims[0]).filter((d): d is string => typeof d === 'string');
  return { inputs, batchDim: leading[0] };
}

/** Feeds at the given batch size; the same seed gives the same bytes to every engine. */
export function makeFeeds(spec: ModelInputs, batch: number, seed = 1): FeedData[] {
  return spec.inputs.map((input, k) => {
    const dims = input.dims.map((d) => (typeof d === 'number' ? d : batch));
    if (typeof input.dims[0] === 'number' && input.dims[0] !== batch) {
      throw new EdgeError('SHAPE_MISMATCH', `input '${input.name}' has a fixed leading dim ${input.dims[0]}, so it cannot run at batch ${batch}`, {
        input: input.name,
        expected: batch,
        actual: input.dims[0],
      });
    }
    const t = randomTensor(input.dtype, dims, seed + k);
    return { name: input.name, dtype: input.dtype, dims, data: t.data };
  });
}
