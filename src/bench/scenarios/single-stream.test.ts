// The single-stream loop's bookkeeping with a fake clock and a fake session whose runs take known
// fake times: group means recorded per query, the timing label, consistent summaries. No real timing.

import { describe, expect, it } from 'vitest';
import type { ScenarioTarget } from './scenario.js';
import { LatencyRecorder } from './latency-recorder.js';
import { fakeClock } from './fake-clock.js';
import { SingleStream, singleStreamLoop, type SyncRunner } from './single-stream.js';

/** Each run advances the clock by the next duration of the cycle (µs). */
function fakeSession(clock: { t: number }, cycleUs: readonly number[]): SyncRunner & { runs: number } {
  return {
    runs: 0,
    runSync() {
      clock.t += cycleUs[this.runs++ % cycleUs.length]! / 1000;
      return {};
    },
  };
}

const fakeTarget = (session: SyncRunner) => ({ session, feeds: { feeds: () => ({}) } }) as unknown as ScenarioTarget;

describe('singleStreamLoop', () => {
  it('records every query of a group as the group mean', () => {
    const clock = fakeClock(0);
    const session = fakeSession(clock, [1, 2, 3, 4, 5, 6, 7, 8]);
    const rec = new LatencyRecorder();
    const { queries, elapsedMs } = singleStreamLoop(session, {}, rec, Infinity, { maxQueries: 400, groupSize: 4, clock });
    expect(queries).toBe(400);
    expect(session.runs).toBe(400);
    expect(rec.count).toBe(400);
    // Groups alternate 1+2+3+4 and 5+6+7+8 µs: means 2.5 and 6.5 µs, 200 queries each.
    const s = rec.summary();
    expect(s.min).toBeCloseTo(0.0025, 9);
    expect(s.max).toBeCloseTo(0.0065, 9);
    expect(Math.abs(s.p50 / 0.0025 - 1)).toBeLessThan(1e-3);
    expect(Math.abs(s.p90 / 0.0065 - 1)).toBeLessThan(1e-3);
    expect(s.mean).toBeCloseTo(elapsedMs / queries, 12);
    expect(rec.histogram(8).counts.reduce((a, b) => a + b, 0)).toBe(400);
  });

  it('meets a query count that is not a multiple of the group with one short last group', () => {
    const clock = fakeClock(0);
    const session = fakeSession(clock, [1]);
    const rec = new LatencyRecorder();
    expect(singleStreamLoop(session, {}, rec, Infinity, { maxQueries: 70, groupSize: 16, clock }).queries).toBe(70);
    expect(session.runs).toBe(70);
    expect(rec.count).toBe(70);
    expect(rec.summary().max).toBeCloseTo(0.001, 9);
  });

  it('untimed (the overhead reference) runs the queries, reads the clock once per chunk and records nothing', () => {
    const clock = fakeClock(10);
    const session = fakeSession(clock, [1]);
    const rec = new LatencyRecorder();
    const { queries, elapsedMs } = singleStreamLoop(session, {}, rec, Infinity, { maxQueries: 640, groupSize: 64, clock, untimed: true });
    expect(queries).toBe(640);
    expect(session.runs).toBe(640);
    expect(rec.count).toBe(0);
    // 640 runs of 1 µs and the one closing read of 10 ns.
    expect(elapsedMs).toBeCloseTo(0.64 + 0.00001, 9);
  });

  it('per-query timing records each run on its own, clock reads included', () => {
    const clock = fakeClock(10);
    const rec = new LatencyRecorder();
    singleStreamLoop(fakeSession(clock, [1, 3]), {}, rec, Infinity, { maxQueries: 10, clock });
    expect(rec.summary().min).toBeCloseTo(0.00101, 9);
    expect(rec.summary().max).toBeCloseTo(0.00301, 9);
  });
});

describe('SingleStream timing', () => {
  it('groups a sub-microsecond model, labels the outcome, and keeps percentiles and throughput consistent', async () => {
    const clock = fakeClock(40);
    const scenario = new SingleStream(fakeTarget(fakeSession(clock, [0.3, 0.3, 0.3, 0.9])), 1, clock);
    await scenario.warmup();
    await scenario.runBlock(5);
    await scenario.runBlock(5);
    const out = scenario.outcome();
    expect(out.timing).toMatchObject({ mode: 'grouped', clockCostNs: expect.closeTo(40, 6) });
    expect(out.timing!.groupSize).toBeGreaterThan(1);
    expect(out.latency.count * 1).toBe(out.samples);
    const l = out.latency.summary();
    const order = [l.min, l.p50, l.p90, l.p95, l.p99, l.p999, l.max];
    for (let i = 1; i < order.length; i++) expect(order[i]).toBeGreaterThanOrEqual(order[i - 1]!);
    // Group means of a 4-run cycle inside groups of a multiple of 4: every group has the same mean.
    expect(l.max / l.min).toBeLessThan(1.01);
    const throughput = (out.samples * 1000) / out.elapsedMs;
    expect(throughput / (1000 / l.mean)).toBeCloseTo(1, 9);
  });

  it('keeps per-query timing for a model a clock read cannot disturb', async () => {
    const clock = fakeClock(40);
    const scenario = new SingleStream(fakeTarget(fakeSession(clock, [400])), 1, clock);
    await scenario.warmup();
    await scenario.runBlock(20);
    expect(scenario.outcome().timing).toMatchObject({ mode: 'per-query', groupSize: 1 });
  });
});
