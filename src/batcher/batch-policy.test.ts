// The batching rule on its own: full batches run, preferred sizes run, partial batches wait for the delay.

import { describe, expect, it } from 'vitest';
import { decideBatch, type Candidate, type PolicyInput } from './batch-policy.js';

const req = (rows: number, enqueuedMs = 0, deadlineAtMs = Infinity): Candidate => ({ rows, enqueuedMs, deadlineAtMs });
const base: Omit<PolicyInput, 'candidates'> = { flush: false, maxBatchSize: 8, maxQueueDelayMs: 10, preferredBatchSizes: [], nowMs: 0, expectedRunMs: 0 };

describe('decideBatch', () => {
  it('runs a full batch at once', () => {
    expect(decideBatch({ ...base, candidates: [req(4), req(4)] })).toEqual({ run: 2 });
  });

  it('holds a partial batch until the oldest request has waited maxQueueDelayMs', () => {
    const candidates = [req(1, 2), req(2, 5)];
    expect(decideBatch({ ...base, candidates, nowMs: 6 })).toEqual({ waitUntilMs: 12 });
    expect(decideBatch({ ...base, candidates, nowMs: 12 })).toEqual({ run: 2 });
  });

  it('runs at once with maxQueueDelayMs 0 (Triton default: largest batch without delay)', () => {
    expect(decideBatch({ ...base, maxQueueDelayMs: 0, candidates: [req(1)] })).toEqual({ run: 1 });
  });

  it('runs when the batch cannot grow (flush)', () => {
    expect(decideBatch({ ...base, flush: true, candidates: [req(3)] })).toEqual({ run: 1 });
  });

  it('runs the longest prefix that makes a preferred size before the delay ends', () => {
    const p = { ...base, preferredBatchSizes: [2, 4] };
    expect(decideBatch({ ...p, candidates: [req(1), req(1), req(2), req(1)] })).toEqual({ run: 3 });
    expect(decideBatch({ ...p, candidates: [req(1), req(1), req(1)] })).toEqual({ run: 2 });
    // 3 rows in one request: no prefix makes 2 or 4, so it waits.
    expect(decideBatch({ ...p, candidates: [req(3)] })).toEqual({ waitUntilMs: 10 });
  });

  it('runs a request before its deadline rather than holding it for the delay', () => {
    const candidates = [req(1, 0, 8)];
    expect(decideBatch({ ...base, maxQueueDelayMs: 50, candidates, nowMs: 1, expectedRunMs: 3 })).toEqual({ waitUntilMs: 5 });
    expect(decideBatch({ ...base, maxQueueDelayMs: 50, candidates, nowMs: 5, expectedRunMs: 3 })).toEqual({ run: 1 });
  });
});
