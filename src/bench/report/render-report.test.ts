// The whole report as a string: every chart kind present, names escaped, degenerate data without NaN.

import { describe, expect, it } from 'vitest';
import { EdgeError } from '../../errors.js';
import type { BenchResult } from '../types.js';
import { esc } from './html.js';
import { renderReport } from './render-report.js';
import { degenerateResult, sampleResult } from './sample-results.js';

const meta = { title: 'fp32 vs int8', createdAt: new Date('2026-11-26T12:00:00Z'), machine: { cpu: 'test', cores: 2 } };
const count = (html: string, re: RegExp) => (html.match(re) ?? []).length;

/** What a broken page would leak: not-a-number coordinates, unescaped markup, anything fetched. */
function expectClean(html: string): void {
  expect(html).not.toMatch(/NaN|Infinity|undefined|\[object Object\]/);
  expect(html).not.toMatch(/\b(src|href)=|url\(|@import|<script|<link|<img|<iframe/i);
  expect(html).not.toMatch(/https?:\/\//);
}

describe('renderReport', () => {
  const fp32 = sampleResult({ model: 'resnet8', medianMs: 4.2, seed: 1 });
  const int8 = sampleResult({ model: 'resnet8-int8', medianMs: 1.9, seed: 2, energyUjPerMs: 6000 });

  it('draws every chart kind for two models, with the comparison table', () => {
    const html = renderReport([fp32, int8], meta);
    expectClean(html);
    for (const kind of ['latency-histogram', 'latency-cdf', 'op-time', 'op-energy']) expect(count(html, new RegExp(`data-chart="${kind}"`, 'g'))).toBe(2);
    expect(count(html, /data-chart="throughput-batch"/g)).toBe(1);
    expect(count(html, /<svg /g)).toBe(9);
    expect(count(html, /<svg [^>]*>\s*<title id="chart-[^"]+">[^<]+<\/title>/g)).toBe(9);
    expect(html).toContain('data-table="comparison"');
    expect(count(html, /data-table="summary"/g)).toBe(2);
    expect(html).toContain('data-energy-source="estimated"');
    expect(html).toMatch(/2\.\d+× faster/);
    expect(html).toContain('Content-Security-Policy');
  });

  it('labels grouped latency timing and the harness overhead in the summary', () => {
    const grouped: BenchResult = {
      ...fp32,
      timing: { mode: 'grouped', groupSize: 64, clockCostNs: 38 },
      harnessOverheadPct: 0.7,
      harnessOverheadInterval: { loPct: 0.2, hiPct: 1.1, rounds: 165, vsInlineLoopPct: -0.8, bareSpreadPct: 1.5 },
    };
    const html = renderReport([grouped, { ...int8, timing: { mode: 'per-query', groupSize: 1, clockCostNs: 38 } }], meta);
    expectClean(html);
    expect(html).toContain('data-timing="grouped"');
    expect(html).toMatch(/grouped, 64 queries per clock read/);
    expect(html).toMatch(/percentiles are over group means/);
    expect(html).toContain('data-timing="per-query"');
    expect(html).toMatch(/Harness overhead.*0\.700 %.*95 % CI/);
  });

  it('escapes user-supplied names everywhere', () => {
    const evil = `<script>alert("x")</script>&'`;
    const html = renderReport([{ ...fp32, model: evil }, { ...int8, model: `a"b` }], { ...meta, title: '<b>t</b>', machine: '<i>' });
    expectClean(html);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>t</b>');
    expect(html).toContain(esc(evil));
    expect(html).toContain('data-model="a&quot;b"');
  });

  it('handles one sample, zero energy and missing sweep without NaN', () => {
    const html = renderReport([degenerateResult('one')], { title: 'x', createdAt: 'today', machine: 'm' });
    expectClean(html);
    expect(html).toContain('data-chart="latency-histogram"');
    expect(html).toContain('data-chart="latency-cdf"');
    expect(html).not.toContain('data-table="comparison"');
    for (const kind of ['throughput-batch', 'op-time', 'op-energy']) expect(html).toContain(`data-missing="${kind}"`);
    expect(html).toContain('data-energy-source="measured"');
  });

  it('shows non-finite figures as missing and falls back to percentiles for the CDF', () => {
    const broken: BenchResult = {
      ...fp32,
      model: 'broken',
      latencyMs: { ...fp32.latencyMs, p90: Number.NaN, mean: Infinity },
      latencyHistogram: { upperMs: [], counts: [] },
      throughputPerSec: Number.NaN,
      throughputByBatch: [{ batch: 1, throughputPerSec: Number.NaN }],
      energy: { ...fp32.energy, microjoulesPerInference: Number.NaN, breakdown: [{ op: 'Conv', microjoules: 0 }] },
      perOp: [{ op: 'Conv', ms: Number.NaN }],
    };
    const html = renderReport([broken, fp32], meta);
    expectClean(html);
    expect(html).toContain('<th scope="row">Latency p90</th><td>—</td>');
    expect(html).toContain('Latency CDF — broken (from percentiles)');
    expect(count(html, /data-chart="latency-histogram"/g)).toBe(1);
    expect(html).toContain('No batch-size sweep for: broken.');
  });

  it('folds a long per-op list into "other" and merges an HDR-sized histogram', () => {
    const many: BenchResult = {
      ...fp32,
      perOp: Array.from({ length: 30 }, (_, i) => ({ op: `Op${i}`, ms: 30 - i })),
      latencyHistogram: { upperMs: Array.from({ length: 3000 }, (_, i) => 1 + i / 1000), counts: Array.from({ length: 3000 }, () => 1) },
    };
    const html = renderReport([many], meta);
    const opTime = html.slice(html.indexOf('data-chart="op-time"'), html.indexOf('</svg>', html.indexOf('data-chart="op-time"')));
    expect(count(opTime, /<rect class="mark"/g)).toBe(12);
    expect(opTime).toContain('other (19 op types)');
    const hist = html.slice(html.indexOf('data-chart="latency-histogram"'), html.indexOf('</svg>', html.indexOf('data-chart="latency-histogram"')));
    expect(count(hist, /<rect class="mark"/g)).toBeLessThanOrEqual(60);
  });

  it('renders a page for no results and rejects malformed input', () => {
    expect(renderReport([], meta)).toContain('data-missing="results"');
    expect(() => renderReport({} as unknown as BenchResult[], meta)).toThrow(EdgeError);
    expect(() => renderReport([{ ...fp32, model: 3 as unknown as string }], meta)).toThrow(/results\[0\]\.model must be a string/);
    expect(() => renderReport([fp32], { ...meta, title: undefined as unknown as string })).toThrow(/meta.title/);
  });
});
