// Shape helpers shared by the IR, the kernels and the session: sizes, strides, broadcasting, axes.

import { EdgeError } from '../errors.js';

/** Largest number of elements one tensor may hold (2^31 - 1): larger requests are refused, not attempted. */
export const MAX_ELEMENTS = 2 ** 31 - 1;

export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function stridesOf(dims: readonly number[]): number[] {
  const strides = new Array<number>(dims.length);
  let s = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= dims[i]!;
  }
  return strides;
}

/** Throws unless `dims` is a valid concrete shape whose size fits in memory. */
export function checkShape(dims: readonly number[], where: string): void {
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) {
      throw new EdgeError('SHAPE_MISMATCH', `${where}: invalid dimension ${d} in shape [${dims.join(',')}]`, { actual: dims });
    }
    n *= d;
  }
  if (n > MAX_ELEMENTS) {
    throw new EdgeError(
      'LIMIT_EXCEEDED',
      `${where}: shape [${dims.join(',')}] has ${n.toExponential(2)} elements, more than the limit of ${MAX_ELEMENTS}`,
      { actual: dims, expected: `at most ${MAX_ELEMENTS} elements` },
    );
  }
}

/** Multidirectional (numpy) broadcasting of two or more shapes. */
export function broadcastShapes(shapes: readonly (readonly number[])[], where: string): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      if (d === out[o]) continue;
      if (out[o] === 1) out[o] = d;
      else if (d !== 1) {
        throw new EdgeError(
          'SHAPE_MISMATCH',
          `${where}: shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')} cannot be broadcast`,
          { actual: shapes },
        );
      }
    }
  }
  return out;
}

/** Strides for reading `dims` as if broadcast to `outDims` (0 where broadcast). */
export function broadcastStrides(dims: readonly number[], outDims: readonly number[]): number[] {
  const strides = stridesOf(dims);
  const out = new Array<number>(outDims.length).fill(0);
  const offset = outDims.length - dims.length;
  for (let i = 0; i < dims.length; i++) out[offset + i] = dims[i] === 1 ? 0 : strides[i]!;
  return out;
}

/** Normalizes a possibly negative axis into [0, rank). */
export function normalizeAxis(axis: number, rank: number, where: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new EdgeError('MODEL_INVALID', `${where}: axis ${axis} is out of range for rank ${rank}`, { actual: axis });
  }
  return a;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(dims: readonly (number | string)[]): string {
  return `[${dims.join(',')}]`;
}
