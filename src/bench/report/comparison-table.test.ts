// The comparison against the baseline: ratios, their direction in words, and energy figures that do not compare.

import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../types.js';
import { compare, comparisonTable } from './comparison-table.js';
import { METRICS, resultLabels, shortModelName } from './metrics.js';
import { degenerateResult, sampleResult } from './sample-results.js';

const metric = (label: string) => METRICS.find((m) => m.label === label)!;

function withValues(base: BenchResult, p50: number, perSec: number, energyUj: number, source: 'measured' | 'estimated' = 'estimated'): BenchResult {
  return { ...base, latencyMs: { ...base.latencyMs, p50 }, throughputPerSec: perSec, energy: { ...base.energy, source, microjoulesPerInference: energyUj } };
}

describe('comparison against the baseline', () => {
  const base = withValues(sampleResult({ model: 'fp32', medianMs: 4, samples: 50 }), 4, 250, 40_000);

  it('states ratios and which way is better', () => {
    const int8 = withValues(base, 1.6, 600, 10_000);
    expect(compare(metric('Latency p50'), base, int8)).toEqual({ ratio: 0.4, verdict: 'better', text: '0.400× (2.50× faster)' });
    expect(compare(metric('Throughput'), base, int8)).toMatchObject({ verdict: 'better', text: '2.40× higher' });
    expect(compare(metric('Energy / inference'), base, int8)).toMatchObject({ ratio: 0.25, verdict: 'better', text: '0.250× (4.00× less energy)' });
    const slower = withValues(base, 6, 160, 40_400);
    expect(compare(metric('Latency p50'), base, slower)).toMatchObject({ verdict: 'worse', text: '1.50× slower' });
    expect(compare(metric('Energy / inference'), base, slower)).toMatchObject({ verdict: 'same' });
  });

  it('refuses to compare measured with estimated energy, and a zero baseline', () => {
    const metered = withValues(base, 4, 250, 30_000, 'measured');
    expect(compare(metric('Energy / inference'), base, metered)).toEqual({ verdict: 'incomparable', text: 'not comparable: measured vs estimated' });
    const zero = degenerateResult('zero');
    expect(compare(metric('Arena memory'), zero, base)).toEqual({ verdict: 'n/a', text: '—' });
  });

  it('renders one row per metric and two columns per compared result', () => {
    const html = comparisonTable([base, withValues(base, 2, 500, 20_000), withValues(base, 8, 125, 80_000)], ['a', 'b', 'c']);
    expect(html.match(/<tr>/g)!.length).toBe(METRICS.length + 1);
    expect(html.match(/class="ratio better"/g)!.length).toBeGreaterThanOrEqual(3);
    expect(html).toContain('class="ratio worse"');
  });

  it('labels results by short model names, longer only where they collide', () => {
    expect(shortModelName('/work/shared/fixtures/models/simplenet/model.onnx')).toBe('simplenet/model.onnx');
    expect(shortModelName('resnet8')).toBe('resnet8');
    const a = { ...base, model: '/x/resnet8/model.onnx' };
    const b = { ...base, model: '/y/resnet8/model.onnx' };
    const c = { ...base, model: '/y/resnet8/model.onnx', backend: 'ref' };
    expect(resultLabels([a, b])).toEqual(['/x/resnet8/model.onnx', '/y/resnet8/model.onnx']);
    expect(resultLabels([b, c])).toEqual(['/y/resnet8/model.onnx (wasm, single-stream, batch 1, 1t)', '/y/resnet8/model.onnx (ref, single-stream, batch 1, 1t)']);
  });
});
