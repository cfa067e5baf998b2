// renderReport: benchmark results → one self-contained HTML page (inline CSS, inline SVG charts, no
// script, a CSP that forbids every fetch), so the file opens offline and can be mailed as it is.

import { EdgeError } from '../../errors.js';
import type { BenchResult } from '../types.js';
import { comparisonTable } from './comparison-table.js';
import { finite } from './format.js';
import { attr, esc } from './html.js';
import { latencyCdfChart } from './latency-cdf.js';
import { latencyHistogramChart } from './latency-histogram.js';
import { resultLabels } from './metrics.js';
import { opEnergyChart, opEnergyRows, opTimeChart } from './op-bar-chart.js';
import { REPORT_CSS } from './styles.js';
import { energyBadge, summaryTable } from './summary-table.js';
import { throughputBatchChart } from './throughput-batch.js';

export interface ReportMeta {
  title: string;
  createdAt: Date | string;
  /** A description of the machine, or its properties (cpu, cores, os, node …) shown as key: value. */
  machine: string | Readonly<Record<string, string | number>>;
}

// Nothing may load from anywhere: a chart that needed the network would fail visibly, not silently.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function checkInput(results: unknown, meta: unknown): asserts results is BenchResult[] {
  if (!Array.isArray(results)) throw new EdgeError('INPUT_INVALID', `renderReport: results must be an array, got ${typeof results}`);
  results.forEach((r, i) => {
    if (typeof r !== 'object' || r === null) throw new EdgeError('INPUT_INVALID', `renderReport: results[${i}] is not an object`);
    const model = (r as { model?: unknown }).model;
    if (typeof model !== 'string') throw new EdgeError('INPUT_INVALID', `renderReport: results[${i}].model must be a string, got ${typeof model}`, { input: `results[${i}].model` });
  });
  const m = meta as Partial<ReportMeta> | undefined;
  if (typeof m?.title !== 'string') throw new EdgeError('INPUT_INVALID', 'renderReport: meta.title must be a string');
}

function createdAtText(createdAt: Date | string): string {
  if (createdAt instanceof Date) return Number.isFinite(createdAt.getTime()) ? createdAt.toISOString() : 'unknown date';
  return String(createdAt);
}

function machineText(machine: ReportMeta['machine']): string {
  if (typeof machine === 'string') return machine;
  if (machine && typeof machine === 'object') return Object.entries(machine).map(([k, v]) => `${k}: ${v}`).join(' · ');
  return 'unknown machine';
}

function note(text: string, kind: string): string {
  return `<p class="note" data-missing="${esc(kind)}">${esc(text)}</p>`;
}

function energyNote(r: BenchResult): string {
  const rows = opEnergyRows(r);
  if (rows.length > 0) return note('Per-op energy is zero (or missing) for every op type.', 'op-energy');
  if (r.energy?.source === 'measured') return note(`Energy was measured for the whole run (${r.energy.method}); a meter gives no per-op split.`, 'op-energy');
  return note('No per-op energy estimate in this result.', 'op-energy');
}

function modelSection(r: BenchResult, index: number, label: string): string {
  const charts = [
    latencyHistogramChart(r, index, label) ?? note('No latency histogram recorded.', 'latency-histogram'),
    latencyCdfChart(r, index, label) ?? note('No latency samples recorded.', 'latency-cdf'),
    opTimeChart(r, index, label) ?? note('No per-op time profile in this result.', 'op-time'),
    opEnergyChart(r, index, label) ?? energyNote(r),
  ];
  return (
    `<section class="model" id="model-${index}"${attr('data-model', r.model)}>` +
    `<h2${attr('title', r.model)}>${esc(label)} ${energyBadge(r.energy)}</h2>` +
    summaryTable(r) +
    `<div class="charts">${charts.join('')}</div></section>`
  );
}

function throughputSection(results: readonly BenchResult[], labels: readonly string[]): string {
  const chart = throughputBatchChart(results, labels);
  const missing = labels.filter((_, i) => !(Array.isArray(results[i]!.throughputByBatch) && results[i]!.throughputByBatch!.some((p) => finite(p?.throughputPerSec) !== undefined)));
  const parts = [chart ?? note('No batch-size sweep in these results (throughputByBatch is empty).', 'throughput-batch')];
  if (chart && missing.length > 0) parts.push(note(`No batch-size sweep for: ${missing.join(', ')}.`, 'throughput-batch'));
  return `<section id="throughput"><h2>Throughput by batch size</h2>${parts.join('')}</section>`;
}

/** One HTML document for all results; the first result is the baseline of the comparison. */
export function renderReport(results: readonly BenchResult[], meta: ReportMeta): string {
  checkInput(results, meta);
  const labels = resultLabels(results);
  const body: string[] = [];
  body.push(
    `<header><h1>${esc(meta.title)}</h1><p class="meta">Created ${esc(createdAtText(meta.createdAt))} · ${esc(machineText(meta.machine))} · ` +
      `${results.length} result${results.length === 1 ? '' : 's'}</p></header>`,
  );
  if (results.length === 0) body.push(note('No benchmark results to report.', 'results'));
  if (results.length > 1) {
    body.push(`<section id="comparison"><h2>Comparison against ${esc(labels[0])}</h2>${comparisonTable(results, labels)}</section>`);
  }
  if (results.length > 0) body.push(throughputSection(results, labels));
  results.forEach((r, i) => body.push(modelSection(r, i, labels[i]!)));
  body.push('<footer>Generated by edgeinfer. Self-contained: inline CSS and SVG, no scripts, no network.</footer>');
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${esc(meta.title)}</title><style>${REPORT_CSS}</style></head>\n<body>\n${body.join('\n')}\n</body></html>\n`
  );
}
