// End-to-end checks of runBench on the bundled ResNet-8 and the simplenet fixture: short runs,
// consistency of the numbers (never timing thresholds), scenario bookkeeping, bad options.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EdgeError } from '../errors.js';
import { compareToFirst, runBench } from './run-bench.js';
import type { BenchResult } from './types.js';

const ROOT = path.join(__dirname, '..', '..');
const RESNET8 = path.join(ROOT, 'models', 'resnet8', 'model.onnx');
const SIMPLENET = '/work/shared/fixtures/models/simplenet/model.onnx';
const tiny = fs.existsSync(SIMPLENET) ? SIMPLENET : RESNET8;

function expectConsistent(r: BenchResult): void {
  const l = r.latencyMs;
  expect(l.min).toBeLessThanOrEqual(l.p50);
  expect(l.p50).toBeLessThanOrEqual(l.p90);
  expect(l.p90).toBeLessThanOrEqual(l.p95);
  expect(l.p95).toBeLessThanOrEqual(l.p99);
  expect(l.p99).toBeLessThanOrEqual(l.p999);
  expect(l.p999).toBeLessThanOrEqual(l.max);
  expect(l.min).toBeGreaterThan(0);
  expect(r.latencyHistogram.counts.length).toBe(r.latencyHistogram.upperMs.length);
  expect(r.energy.source === 'measured' || r.energy.source === 'estimated').toBe(true);
  expect(r.energy.method.length).toBeGreaterThan(0);
  expect(r.energy.device.length).toBeGreaterThan(0);
  const c = r.coldStartMs;
  expect(c.read + c.parse + c.optimize + c.plan + c.firstInference).toBeCloseTo(c.total, 9);
  for (const phase of [c.read, c.parse, c.optimize, c.plan, c.firstInference]) expect(phase).toBeGreaterThanOrEqual(0);
  expect(r.memory.peakRssBytes).toBeGreaterThan(0);
  // JSON round trip: every figure is a finite number (no NaN/Infinity turning into null).
  expect(JSON.parse(JSON.stringify(r))).toEqual(r);
}

describe('runBench', () => {
  it('single-stream: ordered percentiles, throughput = 1000 / mean latency, labelled energy, cold start phases sum to the total', async () => {
    const [r] = await runBench([RESNET8], { durationMs: 600, measureOverhead: true });
    expectConsistent(r!);
    expect(r!.scenario).toBe('single-stream');
    expect(r!.batch).toBe(1);
    expect(r!.samples).toBe(r!.latencyHistogram.counts.reduce((a, b) => a + b, 0));
    expect(Math.abs(r!.throughputPerSec / (1000 / r!.latencyMs.mean) - 1)).toBeLessThan(0.05);
    expect(r!.memory.arenaBytes).toBeGreaterThan(0);
    expect(r!.perOp.length).toBeGreaterThan(0);
    expect(r!.perOp.some((o) => /Conv/.test(o.op))).toBe(true);
    expect(Number.isFinite(r!.harnessOverheadPct)).toBe(true);
  }, 30_000);

  it('single-stream on a sub-microsecond model: labelled timing, consistent JSON, overhead with its interval', async () => {
    const [r] = await runBench([tiny], { durationMs: 400 });
    expectConsistent(r!);
    const t = r!.timing!;
    expect(['per-query', 'grouped']).toContain(t.mode);
    if (t.mode === 'grouped') expect(t.groupSize).toBeGreaterThan(1);
    else expect(t.groupSize).toBe(1);
    expect(t.clockCostNs).toBeGreaterThan(0);
    expect(r!.samples).toBe(r!.latencyHistogram.counts.reduce((a, b) => a + b, 0));
    expect(Math.abs(r!.throughputPerSec / (1000 / r!.latencyMs.mean) - 1)).toBeLessThan(1e-6);
    const ci = r!.harnessOverheadInterval!;
    expect(ci.loPct).toBeLessThanOrEqual(r!.harnessOverheadPct!);
    expect(ci.hiPct).toBeGreaterThanOrEqual(r!.harnessOverheadPct!);
    expect(Number.isFinite(ci.bareSpreadPct)).toBe(true);
    expect(Number.isFinite(ci.vsInlineLoopPct)).toBe(true);
  }, 30_000);

  it('server: achieved QPS within 5 % of a modest target on the bundled ResNet-8, latency from scheduled arrivals', async () => {
    const [r] = await runBench([RESNET8], { scenario: 'server', targetQps: 40, durationMs: 2500, batch: 4 });
    expectConsistent(r!);
    expect(r!.server).toMatchObject({ targetQps: 40, maxBatchSize: 4, timeouts: 0, rejected: 0 });
    expect(r!.timing).toMatchObject({ mode: 'per-query', groupSize: 1 });
    // Every answered request ran in some batch: the histogram's rows add up to the samples.
    const h = r!.server!.batchSizeHistogram!;
    expect(Object.entries(h).reduce((sum, [rows, runs]) => sum + Number(rows) * runs, 0)).toBe(r!.samples);
    expect(Object.keys(h).every((rows) => Number(rows) >= 1 && Number(rows) <= 4)).toBe(true);
    expect(r!.samples).toBe(100);
    expect(r!.server!.achievedQps).toBeGreaterThan(40 * 0.95);
    expect(r!.server!.achievedQps).toBeLessThanOrEqual(40 * 1.0001);
  }, 30_000);

  it('server --find-peak terminates with a QPS inside its search range on a tiny model', async () => {
    const [r] = await runBench([tiny], { scenario: 'server', findPeak: true, latencyBoundMs: 20, durationMs: 1200, batch: 4 });
    const peak = r!.peak!;
    expect(peak.probes.length).toBeGreaterThan(1);
    expect(peak.probes.length).toBeLessThanOrEqual(14);
    const probed = peak.probes.map((p) => p.qps);
    expect(peak.peakQps).toBeGreaterThanOrEqual(Math.min(...probed) / 2);
    expect(peak.peakQps).toBeLessThanOrEqual(Math.max(...probed));
    if (peak.passed) expect(peak.probes.some((p) => p.pass && p.qps === peak.peakQps)).toBe(true);
    expect(r!.server!.targetQps).toBe(peak.peakQps);
  }, 60_000);

  it('multi-stream: counts queries of K samples issued on the interval grid', async () => {
    const [r] = await runBench([RESNET8], { scenario: 'multi-stream', samplesPerQuery: 2, intervalMs: 20, durationMs: 600 });
    expectConsistent(r!);
    const m = r!.multiStream!;
    expect(m).toMatchObject({ samplesPerQuery: 2, intervalMs: 20 });
    expect(r!.samples).toBe(m.queries * 2);
    expect(r!.latencyHistogram.counts.reduce((a, b) => a + b, 0)).toBe(m.queries);
    // At most one query per interval (plus the one at t = 0); fewer only when queries ran late.
    expect(m.queries).toBeLessThanOrEqual(Math.ceil(r!.durationMs / 20) + 1);
    expect(m.queries + m.missedIntervals).toBeGreaterThanOrEqual(Math.floor(600 / 20) - 1);
    expect(m.delayedQueries).toBeLessThanOrEqual(m.missedIntervals);
  }, 30_000);

  it('offline: samples per second and a sweep over batch sizes 1 … 32; several models interleaved and compared', async () => {
    const results = await runBench([tiny, RESNET8], { scenario: 'offline', batch: 8, durationMs: 400 });
    expect(results.map((r) => r.model)).toEqual([tiny, RESNET8]);
    for (const r of results) {
      expectConsistent(r);
      expect(r.batch).toBe(8);
      expect(r.samples % 8).toBe(0);
      expect(r.throughputByBatch!.map((b) => b.batch)).toEqual([1, 2, 4, 8, 16, 32]);
      expect(r.throughputByBatch!.every((b) => b.throughputPerSec > 0)).toBe(true);
    }
    const cmp = compareToFirst(results);
    expect(cmp[0]).toMatchObject({ latencyRatio: 1, throughputRatio: 1 });
    expect(cmp[1]!.throughputRatio).toBeCloseTo(results[1]!.throughputPerSec / results[0]!.throughputPerSec, 9);
  }, 60_000);

  it('refuses bad options and missing models with clear errors', async () => {
    await expect(runBench([], {})).rejects.toThrow(/at least one model/);
    await expect(runBench([RESNET8], { scenario: 'burst' as never })).rejects.toThrow(/unknown scenario 'burst'/);
    await expect(runBench([RESNET8], { scenario: 'server' })).rejects.toThrow(/target QPS/);
    await expect(runBench([RESNET8], { findPeak: true, latencyBoundMs: 5 })).rejects.toThrow(/server scenario/);
    await expect(runBench([RESNET8], { batch: 0 })).rejects.toThrow(EdgeError);
    await expect(runBench(['/nonexistent/model.onnx'], { durationMs: 100 })).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });
});
