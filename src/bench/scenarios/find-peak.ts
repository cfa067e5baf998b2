// LoadGen's FindPeakPerformance: the highest QPS whose p99 latency stays within a bound, found by
// bracketing (doubling or halving) then bisection, in a bounded number of probes.

import { EdgeError } from '../../errors.js';

export interface PeakProbe {
  qps: number;
  achievedQps: number;
  p99Ms: number;
  pass: boolean;
}

export interface PeakSearchOptions {
  startQps: number;
  minQps: number;
  maxQps: number;
  /** Most probes in all (bracketing + bisection). */
  maxProbes?: number;
  /** Stop bisecting when hi / lo − 1 is below this. */
  tolerance?: number;
}

export interface PeakSearch {
  /** The highest passing QPS probed; minQps when nothing passed (then `passed` is false). */
  peakQps: number;
  passed: boolean;
  probes: PeakProbe[];
}

export async function findPeak(probe: (qps: number) => Promise<PeakProbe>, options: PeakSearchOptions): Promise<PeakSearch> {
  const { minQps, maxQps } = options;
  if (!(minQps > 0 && maxQps >= minQps && Number.isFinite(maxQps))) {
    throw new EdgeError('INPUT_INVALID', `find-peak: needs 0 < minQps ≤ maxQps, got ${minQps} … ${maxQps}`);
  }
  const maxProbes = options.maxProbes ?? 14;
  const tolerance = options.tolerance ?? 0.05;
  const probes: PeakProbe[] = [];
  const run = async (qps: number) => {
    const p = await probe(qps);
    probes.push(p);
    return p.pass;
  };
  const clamp = (q: number) => Math.min(maxQps, Math.max(minQps, q));

  // Bracket: lo passes, hi fails (undefined while not found).
  let lo: number | undefined;
  let hi: number | undefined;
  let q = clamp(options.startQps);
  if (await run(q)) lo = q;
  else hi = q;
  while (probes.length < maxProbes) {
    if (lo !== undefined && hi === undefined) {
      if (lo >= maxQps) break;
      q = clamp(lo * 2);
      if (await run(q)) lo = q;
      else hi = q;
    } else if (lo === undefined && hi !== undefined) {
      if (hi <= minQps) break;
      q = clamp(hi / 2);
      if (await run(q)) lo = q;
      else hi = q;
    } else break;
  }
  // Bisect geometrically: rates span decades, so the midpoint of their logs converges evenly.
  while (lo !== undefined && hi !== undefined && hi / lo - 1 > tolerance && probes.length < maxProbes) {
    q = Math.sqrt(lo * hi);
    if (await run(q)) lo = q;
    else hi = q;
  }
  return { peakQps: lo ?? minQps, passed: lo !== undefined, probes };
}
