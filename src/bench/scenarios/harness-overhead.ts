// How much the single-stream harness (its clock reads and buffer stores, with the timing the scenario
// used) adds to the measured mean latency over a bare loop of session.runSync, measured in interleaved
// rounds so every side sees the same machine noise.

import type { Tensor } from '../../tensor/tensor.js';
import { pairedRatio } from '../stats.js';
import { LatencyRecorder } from './latency-recorder.js';
import { perQueryTiming, type QueryTiming } from './query-timing.js';
import { singleStreamLoop, type SyncRunner } from './single-stream.js';

export interface HarnessOverhead {
  /** (harness mean latency / bare time per query − 1) × 100, median over the rounds. */
  overheadPct: number;
  /** 95 % interval of the percentage (distribution-free, from the paired rounds). */
  loPct: number;
  hiPct: number;
  /** The same against a separately written inline `for` loop over runSync (includes code-layout noise). */
  vsInlineLoopPct: number;
  /**
   * How much the inline loop and the bare reference differ from each other, in %: V8 compiles each loop
   * on its own, and on a sub-microsecond model two loops doing the same runs can differ by several %
   * from one process to the next (inlining, code layout).
   */
  bareSpreadPct: number;
  rounds: number;
  bareMsPerQuery: number;
  harnessMsPerQuery: number;
}

export interface OverheadOptions {
  /** The timing the scenario used (default per query). */
  timing?: QueryTiming;
  maxRounds?: number;
  /** Time of one side of a round. */
  blockMs?: number;
  /** Time of the whole measurement, about. */
  budgetMs?: number;
}

/** The bare loop as a user would write it inline. */
function inlineBareLoop(session: SyncRunner, feeds: Record<string, Tensor>, queries: number): number {
  const t0 = performance.now();
  for (let i = 0; i < queries; i++) session.runSync(feeds);
  return performance.now() - t0;
}

const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (ratio: number) => (ratio - 1) * 100;

/**
 * Rounds of (harness loop, bare reference, inline bare loop) over the same number of queries, in
 * rotating order, up to `maxRounds` or about `budgetMs` in all. The bare reference is the harness's own
 * compiled loop with its clock reads switched off (`untimed`): both sides run the same machine code, so
 * the ratio is the harness's work and not how V8 happened to compile two loops. The inline loop shows
 * that code-layout effect (bareSpreadPct). Every side is bounded by count, not time: a time-bounded side
 * would always contain the preemptions of a busy machine, the others not. The harness side is the
 * latency the harness itself reports (its own clock reads).
 */
export function measureHarnessOverhead(session: SyncRunner, feeds: Record<string, Tensor>, options: OverheadOptions = {}): HarnessOverhead {
  const { timing = perQueryTiming(0), maxRounds = 201, blockMs = 3, budgetMs = 1500 } = options;
  const groupSize = timing.groupSize;
  const recorder = new LatencyRecorder();
  const bareReference = (queries: number) => singleStreamLoop(session, feeds, recorder, Infinity, { maxQueries: queries, groupSize, untimed: true }).elapsedMs;
  // Warm-up, not kept: every loop is compiled before they are compared.
  const warm = singleStreamLoop(session, feeds, recorder, blockMs, { groupSize });
  bareReference(warm.queries);
  inlineBareLoop(session, feeds, warm.queries);
  const queryMs = warm.elapsedMs / warm.queries;
  // Whole groups, so the harness side never times a short last group.
  const queries = groupSize * Math.max(1, Math.round(blockMs / queryMs / groupSize));
  const rounds = Math.max(11, Math.min(maxRounds, Math.floor(budgetMs / (3 * queries * queryMs))));
  const harness: number[] = [];
  const bare: number[] = [];
  const inline: number[] = [];
  const sides = [
    () => harness.push(singleStreamLoop(session, feeds, recorder, Infinity, { maxQueries: queries, groupSize }).elapsedMs / queries),
    () => bare.push(bareReference(queries) / queries),
    () => inline.push(inlineBareLoop(session, feeds, queries) / queries),
  ];
  for (let r = 0; r < rounds; r++) for (let k = 0; k < sides.length; k++) sides[(r + k) % sides.length]!();
  const ratio = pairedRatio(harness, bare);
  return {
    overheadPct: pct(ratio.ratio),
    loPct: pct(ratio.lo),
    hiPct: pct(ratio.hi),
    vsInlineLoopPct: pct(pairedRatio(harness, inline).ratio),
    bareSpreadPct: pct(pairedRatio(inline, bare).ratio),
    rounds,
    bareMsPerQuery: meanOf(bare),
    harnessMsPerQuery: meanOf(harness),
  };
}
