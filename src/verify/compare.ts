// Compares an output tensor with its expected value: floats within atol + rtol·|expected|, the rest exactly.

import { DTYPES } from '../tensor/dtype.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { numberReader, type Tensor } from '../tensor/tensor.js';

export interface Tolerance {
  rtol: number;
  atol: number;
}

export interface Comparison {
  ok: boolean;
  /** Largest |actual - expected| over all elements (floats and integers alike). */
  maxAbsError: number;
  reason?: string;
}

export function compareTensors(actual: Tensor, expected: Tensor, tol: Tolerance): Comparison {
  if (actual.type !== expected.type) {
    return { ok: false, maxAbsError: NaN, reason: `dtype ${actual.type}, expected ${expected.type}` };
  }
  if (!sameShape(actual.dims, expected.dims)) {
    return { ok: false, maxAbsError: NaN, reason: `shape ${formatShape(actual.dims)}, expected ${formatShape(expected.dims)}` };
  }
  const exact = !DTYPES[actual.type].isFloat;
  if (DTYPES[actual.type].isBigInt) {
    const a = actual.data as BigInt64Array;
    const e = expected.data as BigInt64Array;
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== e[i]) return { ok: false, maxAbsError: Math.abs(Number(a[i]! - e[i]!)), reason: `element ${i} is ${a[i]}, expected ${e[i]}` };
    }
    return { ok: true, maxAbsError: 0 };
  }
  const ra = numberReader(actual);
  const re = numberReader(expected);
  let maxAbs = 0;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.size; i++) {
    const a = ra(i);
    const e = re(i);
    if (Number.isNaN(a) || Number.isNaN(e)) {
      if (Number.isNaN(a) !== Number.isNaN(e)) return { ok: false, maxAbsError: NaN, reason: `element ${i} is ${a}, expected ${e}` };
      continue;
    }
    if (a === e) continue;
    const diff = Math.abs(a - e);
    if (diff > maxAbs || Number.isNaN(diff)) maxAbs = diff;
    const allowed = exact ? 0 : tol.atol + tol.rtol * Math.abs(e);
    if (!(diff <= allowed) && diff - allowed >= worstExcess) {
      worst = i;
      worstExcess = diff - allowed;
    }
  }
  if (worst >= 0) {
    return { ok: false, maxAbsError: maxAbs, reason: `element ${worst} is ${ra(worst)}, expected ${re(worst)} (max abs error ${maxAbs.toExponential(2)})` };
  }
  return { ok: true, maxAbsError: maxAbs };
}
