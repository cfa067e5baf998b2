// Min-max observer: the running extremes, or their moving average (PyTorch's MovingAverageMinMaxObserver).

import { EdgeError } from '../../errors.js';
import { finiteExtent, type Observer, type TensorRange } from './observer.js';

export interface MinMaxOptions {
  /** Average the per-batch extremes with `averagingConstant` instead of keeping the overall extremes. */
  movingAverage?: boolean;
  /** Weight of the newest batch in the moving average (PyTorch's and onnxruntime's default 0.01). */
  averagingConstant?: number;
  /** Report [-a, a] with a = max(|min|, |max|), as onnxruntime's `symmetric=True`. */
  symmetric?: boolean;
}

export class MinMaxObserver implements Observer {
  private min = Infinity;
  private max = -Infinity;
  private finite = 0;
  private nonFinite = 0;
  private readonly movingAverage: boolean;
  private readonly constant: number;
  private readonly symmetric: boolean;

  constructor(options: MinMaxOptions = {}) {
    this.movingAverage = options.movingAverage ?? false;
    this.constant = options.averagingConstant ?? 0.01;
    this.symmetric = options.symmetric ?? false;
    if (!(this.constant > 0 && this.constant <= 1)) {
      throw new EdgeError('INPUT_INVALID', `minmax observer: averagingConstant must be in (0, 1], got ${this.constant}`, { actual: this.constant });
    }
  }

  get count(): number {
    return this.finite;
  }

  get skipped(): number {
    return this.nonFinite;
  }

  observe(values: Float32Array): void {
    const e = finiteExtent(values);
    this.nonFinite += e.skipped;
    if (e.finite === 0) return;
    if (this.finite === 0 || !this.movingAverage) {
      this.min = Math.min(this.min, e.min);
      this.max = Math.max(this.max, e.max);
    } else {
      // Each batch pulls the extremes towards its own, so a few outlier batches move the range only a little.
      this.min += this.constant * (e.min - this.min);
      this.max += this.constant * (e.max - this.max);
    }
    this.finite += e.finite;
  }

  range(): TensorRange {
    if (this.finite === 0) return { min: 0, max: 0 };
    if (!this.symmetric) return { min: this.min, max: this.max };
    const a = Math.max(Math.abs(this.min), Math.abs(this.max));
    return { min: -a, max: a };
  }
}
