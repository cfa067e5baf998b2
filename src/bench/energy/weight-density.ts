// Fraction of a weight tensor's elements that are not exact zeros (for quantized weights: not equal to the zero
// point), so a sparsity-aware estimate counts only the MACs pruned weights leave.

import { DTYPES } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';

const cache = new WeakMap<Tensor, WeakMap<object, number>>();
const NO_ZERO_POINT = {};

/**
 * Non-zero fraction of `w`. A per-channel zero point (more than one element) applies along `axis` (negative counts
 * from the end); when its length does not match that axis, the first axis of that length is used.
 */
export function nonZeroFraction(w: Tensor, zeroPoint?: Tensor, axis = 0): number {
  const key = zeroPoint ?? NO_ZERO_POINT;
  const hit = cache.get(w)?.get(key);
  if (hit !== undefined) return hit;
  const fraction = w.size === 0 ? 1 : countNonZero(w, zeroPoint, axis) / w.size;
  if (!cache.has(w)) cache.set(w, new WeakMap());
  cache.get(w)!.set(key, fraction);
  return fraction;
}

function countNonZero(w: Tensor, zeroPoint: Tensor | undefined, axis: number): number {
  const data = w.data;
  let n = 0;
  if (DTYPES[w.type].isHalf) {
    // float16 and bfloat16 bits: ±0 have every bit but the sign clear.
    for (let i = 0; i < data.length; i++) if (((data[i] as number) & 0x7fff) !== 0) n++;
    return n;
  }
  if (DTYPES[w.type].isBigInt) {
    for (let i = 0; i < data.length; i++) if (data[i] !== 0n) n++;
    return n;
  }
  const zps = zeroPoint ? zeroPoint.toNumbers() : [0];
  if (zps.length <= 1) {
    const z = zps[0] ?? 0;
    for (let i = 0; i < data.length; i++) if (data[i] !== z) n++;
    return n;
  }
  const dims = w.dims;
  let a = axis < 0 ? axis + dims.length : axis;
  if (dims[a] !== zps.length) a = dims.findIndex((d) => d === zps.length);
  if (a < 0) return data.length; // zero points that fit no axis: count everything (dense), never under-count
  const inner = dims.slice(a + 1).reduce((x, y) => x * y, 1);
  for (let i = 0; i < data.length; i++) if (data[i] !== zps[Math.floor(i / inner) % zps.length]) n++;
  return n;
}
