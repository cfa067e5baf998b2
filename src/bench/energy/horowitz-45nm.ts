// Energy per operation and per memory access at 45 nm, 0.9 V, from Horowitz, "Computing's energy problem (and what
// we can do about it)", ISSCC 2014, DOI 10.1109/ISSCC.2014.6757323; rows not in the paper are marked as estimates.

import type { DataType } from '../../tensor/dtype.js';

/** Arithmetic width classes: the dtype an operation computes in. */
export type ArithClass = 'i8' | 'i16' | 'i32' | 'i64' | 'f16' | 'f32' | 'f64';
export type PrimitiveOp = `${ArithClass}.${'add' | 'mult'}`;

export interface EnergyFigure {
  pj: number;
  /** 'Horowitz 2014', or why the figure is an estimate. */
  source: string;
}

const H = 'Horowitz 2014';

export const HOROWITZ_45NM_OPS: Readonly<Record<PrimitiveOp, EnergyFigure>> = {
  'i8.add': { pj: 0.03, source: H },
  'i16.add': { pj: 0.05, source: H },
  'i32.add': { pj: 0.1, source: H },
  'i8.mult': { pj: 0.2, source: H },
  'i32.mult': { pj: 3.1, source: H },
  'f16.add': { pj: 0.4, source: H },
  'f32.add': { pj: 0.9, source: H },
  'f16.mult': { pj: 1.1, source: H },
  'f32.mult': { pj: 3.7, source: H },
  'i16.mult': { pj: 1.0, source: 'estimate (≈1.0 in energy models built on Horowitz 2014; not in the paper)' },
  // Adders grow with width, array multipliers with width squared.
  'i64.add': { pj: 0.2, source: 'assumption: 2 × int32 add' },
  'i64.mult': { pj: 12.4, source: 'assumption: 4 × int32 mult (multiplier area ∝ width²)' },
  'f64.add': { pj: 1.8, source: 'assumption: 2 × fp32 add' },
  'f64.mult': { pj: 18.1, source: 'assumption: (53/24)² ≈ 4.9 × fp32 mult (mantissa multiplier area)' },
};

/** 64-bit reads: SRAM/cache of 8 KB, 32 KB and 1 MB, and DRAM (1.3–2.6 nJ, the paper's range). */
export const HOROWITZ_45NM_MEMORY_PJ_PER_64BIT = {
  sram8KB: 10,
  cache32KB: 20,
  cache1MB: 100,
  dramLow: 1300,
  dramHigh: 2600,
} as const;

/** Energy of a 64-bit read from an SRAM/cache of `bytes` at 45 nm: log-log interpolation between the paper's three sizes. */
export function sramPjPer64Bit45nm(bytes: number): number {
  const points: [number, number][] = [
    [8 << 10, HOROWITZ_45NM_MEMORY_PJ_PER_64BIT.sram8KB],
    [32 << 10, HOROWITZ_45NM_MEMORY_PJ_PER_64BIT.cache32KB],
    [1 << 20, HOROWITZ_45NM_MEMORY_PJ_PER_64BIT.cache1MB],
  ];
  // Outside 8 KB–1 MB the nearest segment's slope is extended (≈ √capacity, the wire-length trend): an assumption.
  const i = bytes <= points[1]![0] ? 0 : 1;
  const [[s0, e0], [s1, e1]] = [points[i]!, points[i + 1]!];
  const slope = Math.log(e1 / e0) / Math.log(s1 / s0);
  return e0 * Math.exp(slope * Math.log(bytes / s0));
}

/** The arithmetic class each dtype computes in (bool as int8, bfloat16 as fp16: an upper bound, its mantissa is narrower). */
export const ARITH_CLASS: Readonly<Record<DataType, ArithClass>> = {
  float32: 'f32',
  float64: 'f64',
  float16: 'f16',
  bfloat16: 'f16',
  int8: 'i8',
  uint8: 'i8',
  bool: 'i8',
  int16: 'i16',
  uint16: 'i16',
  int32: 'i32',
  uint32: 'i32',
  int64: 'i64',
  uint64: 'i64',
};

/** Where a MAC accumulates: integer products widen to 32 bits (int8 MAC = int8 mult + int32 add). */
export const ACCUMULATOR: Readonly<Record<ArithClass, ArithClass>> = {
  i8: 'i32',
  i16: 'i32',
  i32: 'i32',
  i64: 'i64',
  f16: 'f16',
  f32: 'f32',
  f64: 'f64',
};
