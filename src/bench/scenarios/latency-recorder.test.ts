// LatencyRecorder: percentile accuracy and order, histogram bookkeeping, empty recorders.

import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from './latency-recorder.js';

describe('LatencyRecorder', () => {
  it('gives ordered percentiles within 0.1 % of the exact ones, sub-microsecond values included', () => {
    const r = new LatencyRecorder();
    const values: number[] = [];
    for (let i = 1; i <= 1000; i++) values.push(i * 0.0005); // 0.5 µs … 0.5 ms
    values.forEach((v) => r.record(v));
    const s = r.summary();
    expect(s.min).toBe(0.0005);
    expect(s.max).toBe(0.5);
    expect(s.mean).toBeCloseTo(values.reduce((a, b) => a + b) / 1000, 12);
    expect(Math.abs(s.p50 / 0.25 - 1)).toBeLessThan(1e-3);
    expect(Math.abs(s.p99 / 0.495 - 1)).toBeLessThan(1e-3);
    const order = [s.min, s.p50, s.p90, s.p95, s.p99, s.p999, s.max];
    for (let i = 1; i < order.length; i++) expect(order[i]).toBeGreaterThanOrEqual(order[i - 1]!);
  });

  it('keeps every sample in the histogram buckets, and add() merges recorders', () => {
    const a = new LatencyRecorder();
    const b = new LatencyRecorder();
    for (let i = 0; i < 300; i++) a.record(1 + (i % 10));
    b.recordAll(Float64Array.from([0.2, 50, 3]), 3);
    a.add(b);
    const h = a.histogram(16);
    expect(h.upperMs).toHaveLength(16);
    expect(h.counts.reduce((x, y) => x + y, 0)).toBe(303);
    expect(h.upperMs.at(-1)).toBe(50);
    for (let i = 1; i < 16; i++) expect(h.upperMs[i]).toBeGreaterThan(h.upperMs[i - 1]!);
    expect(a.summary().min).toBe(0.2);
    expect(a.count).toBe(303);
  });

  it('reports zeros, not NaN, when nothing was recorded', () => {
    const s = new LatencyRecorder().summary();
    expect(Object.values(s).every((v) => v === 0)).toBe(true);
  });
});
