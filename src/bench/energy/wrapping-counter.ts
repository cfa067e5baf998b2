// Unfolds a cumulative hardware energy counter that restarts from 0 past its range into a total that only grows.

export class WrappingCounter {
  private last: number;
  private totalUj = 0;

  /**
   * @param first the raw reading at opening (the total counts from there)
   * @param rangeOf the counter's range given the previous raw reading: RAPL's max_energy_range_uj, or a guess
   */
  constructor(first: number, private readonly rangeOf: (lastRaw: number) => number) {
    this.last = first;
  }

  /** The total since opening, after a new raw reading. A drop means one wrap: (raw − last + range) mod range. */
  advance(raw: number): number {
    const delta = raw >= this.last ? raw - this.last : raw + this.rangeOf(this.last) - this.last;
    this.totalUj += Math.max(0, delta);
    this.last = raw;
    return this.totalUj;
  }
}

/**
 * Range guess for hwmon energy counters, which publish none: a drop below a 32-bit value is a 32-bit wrap
 * (some drivers, e.g. i915, wrap at 32 bits); a drop from above 2^32 is taken as a restart from 0.
 */
export function hwmonRange(lastRaw: number): number {
  return lastRaw < 2 ** 32 ? 2 ** 32 : lastRaw;
}
