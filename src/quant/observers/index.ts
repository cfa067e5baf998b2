// The calibration methods as data: method name → observer factory, with the options each understands.

import { EdgeError } from '../../errors.js';
import type { QuantDtype } from '../qparams.js';
import { entropyObserver } from './entropy.js';
import { MinMaxObserver } from './minmax.js';
import { mseObserver } from './mse.js';
import type { Observer } from './observer.js';
import { percentileObserver } from './percentile.js';

export type { Observer, TensorRange } from './observer.js';
export { StreamingHistogram, HistogramObserver, type HistogramSnapshot } from './histogram.js';
export { MinMaxObserver } from './minmax.js';
export { percentileObserver, percentileRange } from './percentile.js';
export { entropyObserver, entropyRange } from './entropy.js';
export { mseObserver, mseRange } from './mse.js';

export type CalibrationMethod = 'minmax' | 'percentile' | 'entropy' | 'mse';

/** Options of every method; each method reads the ones that apply to it. */
export interface ObserverOptions {
  /** Symmetric ranges; the default is per method (percentile: true, others: false), as onnxruntime. */
  symmetric?: boolean;
  /** minmax: average per-batch extremes (PyTorch's MovingAverageMinMaxObserver). */
  movingAverage?: boolean;
  /** minmax with movingAverage: weight of the newest batch (default 0.01). */
  averagingConstant?: number;
  /** percentile: share kept, in percent (default 99.99). */
  percentile?: number;
  /** Histogram methods: bins of the streaming histogram (default 2048). */
  numBins?: number;
  /** entropy: levels of the candidate quantized distribution (default 128; 255 for a full int8 grid). */
  numQuantizedBins?: number;
  /** mse: the grid the range will be quantized to (default int8). */
  dtype?: QuantDtype;
}

export const OBSERVERS: Record<CalibrationMethod, (options: ObserverOptions) => Observer> = {
  minmax: (o) => new MinMaxObserver(o),
  percentile: (o) => percentileObserver(o),
  entropy: (o) => entropyObserver(o),
  mse: (o) => mseObserver(o),
};

export function isCalibrationMethod(name: string): name is CalibrationMethod {
  return Object.prototype.hasOwnProperty.call(OBSERVERS, name);
}

export function createObserver(method: string, options: ObserverOptions = {}): Observer {
  if (!isCalibrationMethod(method)) {
    throw new EdgeError('INPUT_INVALID', `unknown calibration method '${method}'; available: ${Object.keys(OBSERVERS).join(', ')}`, {
      expected: Object.keys(OBSERVERS),
      actual: method,
    });
  }
  return OBSERVERS[method](options);
}
