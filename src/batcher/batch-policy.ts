// When to run a batch and how many of the candidate requests it takes: Triton's dynamic-batching rule
// (full batch now; else a preferred size now; else wait for the oldest request's delay), as a pure function.

export interface Candidate {
  rows: number;
  enqueuedMs: number;
  deadlineAtMs: number;
}

export interface PolicyInput {
  /** Compatible requests in service order whose rows together fit maxBatchSize. */
  candidates: readonly Candidate[];
  /** True when waiting cannot grow the batch: the next compatible request does not fit, or the batcher is draining. */
  flush: boolean;
  maxBatchSize: number;
  maxQueueDelayMs: number;
  /** Ascending. */
  preferredBatchSizes: readonly number[];
  nowMs: number;
  /** Expected run time of a batch, so a request close to its deadline is run rather than held. */
  expectedRunMs: number;
}

export type BatchDecision = { run: number } | { waitUntilMs: number };

export function decideBatch(p: PolicyInput): BatchDecision {
  const n = p.candidates.length;
  if (n === 0) return { waitUntilMs: Infinity };
  let rows = 0;
  let oldestMs = Infinity;
  let urgentMs = Infinity;
  // Longest prefix whose rows equal a preferred size (0 when none).
  let preferredPrefix = 0;
  for (let i = 0; i < n; i++) {
    const c = p.candidates[i]!;
    rows += c.rows;
    oldestMs = Math.min(oldestMs, c.enqueuedMs);
    urgentMs = Math.min(urgentMs, c.deadlineAtMs - p.expectedRunMs);
    if (p.preferredBatchSizes.includes(rows)) preferredPrefix = i + 1;
  }
  if (p.flush || rows >= p.maxBatchSize) return { run: n };
  // Delay spent (always, when maxQueueDelayMs is 0) or a deadline about to pass: run what there is.
  const holdUntilMs = Math.min(oldestMs + p.maxQueueDelayMs, urgentMs);
  if (p.nowMs >= holdUntilMs) return { run: n };
  if (preferredPrefix > 0) return { run: preferredPrefix };
  return { waitUntilMs: holdUntilMs };
}
