// The observer contract: watch batches of float values, then propose a clipping range for quantization.

/** A real-valued range [min, max] to be mapped onto an integer grid. */
export interface TensorRange {
  min: number;
  max: number;
}

/**
 * Sees every batch of a tensor's values during calibration and proposes a range. Memory is bounded
 * (O(1) or O(bins)) however many values are observed. Non-finite values (NaN, ±Inf, e.g. attention
 * masks) are skipped and counted, because no finite grid can represent them.
 */
export interface Observer {
  observe(values: Float32Array): void;
  /** The proposed range; { min: 0, max: 0 } before any finite value has been seen. */
  range(): TensorRange;
  /** Finite values observed so far. */
  readonly count: number;
  /** Non-finite values skipped so far. */
  readonly skipped: number;
}

/** Min and max of the finite values of a batch, and how many of each kind it held. */
export function finiteExtent(values: Float32Array): { min: number; max: number; finite: number; skipped: number } {
  let min = Infinity;
  let max = -Infinity;
  let skipped = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) {
      skipped++; // NaN and ±Inf: v - v is NaN
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max, finite: values.length - skipped, skipped };
}
