// Seeded Poisson arrival times for the server scenario, as offsets in ms from the window's start.

import { EdgeError } from '../../errors.js';
import { seededRandom } from '../../tensor/random.js';

/**
 * round(qps × window) arrivals of a Poisson process conditioned on that count: exponential gaps,
 * normalized so the arrivals fill the window. Conditioning keeps the memoryless jitter of the
 * stream but removes the ±1/√n noise of the count, so the offered rate is exactly the target.
 */
export function poissonArrivals(targetQps: number, windowMs: number, seed: number): Float64Array {
  if (!(targetQps > 0) || !Number.isFinite(targetQps)) throw new EdgeError('INPUT_INVALID', `server: the target QPS must be a number > 0, got ${targetQps}`);
  if (!(windowMs > 0)) throw new EdgeError('INPUT_INVALID', `server: the window must be > 0 ms, got ${windowMs}`);
  const n = Math.max(1, Math.round((targetQps * windowMs) / 1000));
  const rand = seededRandom(seed);
  // n + 1 gaps: the last one is the quiet time between the final arrival and the window's end.
  const gaps = new Float64Array(n + 1);
  let total = 0;
  for (let i = 0; i <= n; i++) {
    gaps[i] = -Math.log(1 - rand()); // rand() ∈ [0, 1), so 1 − rand() > 0
    total += gaps[i]!;
  }
  const arrivals = new Float64Array(n);
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += gaps[i]!;
    arrivals[i] = (t / total) * windowMs;
  }
  return arrivals;
}
