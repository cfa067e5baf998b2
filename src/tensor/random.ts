// Seeded random tensors (for `run` without inputs, benchmarks and tests): reproducible across runs.

import { DTYPES, type DataType } from './dtype.js';
import { Tensor, numberWriter } from './tensor.js';

/** mulberry32: a small, fast, well-distributed 32-bit PRNG. Returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Floats ~ N(0, 1); integers uniform in the dtype's range clipped to [0, 10); bools 0/1. */
export function randomTensor(dtype: DataType, dims: readonly number[], seed = 0): Tensor {
  const t = Tensor.zeros(dtype, dims, 'random input');
  const rand = seededRandom(seed);
  const write = numberWriter(t);
  const traits = DTYPES[dtype];
  for (let i = 0; i < t.size; i++) {
    if (traits.isFloat) {
      const u = Math.max(rand(), 1e-12);
      write(i, Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand()));
    } else if (dtype === 'bool') write(i, rand() < 0.5 ? 0 : 1);
    else write(i, Math.floor(rand() * 10));
  }
  return t;
}
