// How much the single-stream harness (one clock read and one buffer store per query) adds over a bare
// loop of session.runSync, measured in interleaved pairs so both sides see the same machine noise.

import type { InferenceSession } from '../../runtime/session.js';
import type { Tensor } from '../../tensor/tensor.js';
import { pairedRatio } from '../stats.js';
import { LatencyRecorder } from './latency-recorder.js';
import { singleStreamLoop } from './single-stream.js';

export interface HarnessOverhead {
  /** (harness time per query / bare time per query − 1) × 100, median over the rounds. */
  overheadPct: number;
  /** 95 % interval of the percentage (distribution-free, from the paired rounds). */
  loPct: number;
  hiPct: number;
  rounds: number;
  bareMsPerQuery: number;
}

function bareLoop(session: InferenceSession, feeds: Record<string, Tensor>, queries: number): number {
  const t0 = performance.now();
  for (let i = 0; i < queries; i++) session.runSync(feeds);
  return performance.now() - t0;
}

/**
 * Pairs of (harness loop, bare loop) over the same number of queries, alternating which goes first,
 * up to `maxRounds` pairs or about `budgetMs` in all. Both sides are bounded by count, not time: a
 * time-bounded side would always contain the preemptions of a busy machine, the other side not.
 */
export function measureHarnessOverhead(session: InferenceSession, feeds: Record<string, Tensor>, maxRounds = 201, blockMs = 3, budgetMs = 1500): HarnessOverhead {
  const harness: number[] = [];
  const bare: number[] = [];
  const recorder = new LatencyRecorder();
  // Warm-up pair, not kept: both loops are compiled before they are compared.
  const warm = singleStreamLoop(session, feeds, recorder, blockMs);
  bareLoop(session, feeds, warm.queries);
  const queryMs = warm.elapsedMs / warm.queries;
  const queries = Math.max(1, Math.round(blockMs / queryMs));
  const rounds = Math.max(11, Math.min(maxRounds, Math.floor(budgetMs / (2 * queries * queryMs))));
  const timeHarness = () => {
    const h = singleStreamLoop(session, feeds, recorder, Infinity, queries);
    harness.push(h.elapsedMs / h.queries);
  };
  const timeBare = () => bare.push(bareLoop(session, feeds, queries) / queries);
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      timeHarness();
      timeBare();
    } else {
      timeBare();
      timeHarness();
    }
  }
  const ratio = pairedRatio(harness, bare);
  const pct = (x: number) => (x - 1) * 100;
  return { overheadPct: pct(ratio.ratio), loPct: pct(ratio.lo), hiPct: pct(ratio.hi), rounds, bareMsPerQuery: bare.reduce((a, b) => a + b, 0) / bare.length };
}
