// The per-result summary: the headline metrics, how the run was made, the cold-start split, and the
// energy figure with its source ('measured' or 'estimated') shown as a badge next to the number.

import type { BenchResult, EnergyReport } from '../types.js';
import { finite, fmtMs, fmtNum, fmtPct, MISSING } from './format.js';
import { esc } from './html.js';
import { METRICS } from './metrics.js';

const COLD_START_PARTS: readonly (keyof BenchResult['coldStartMs'])[] = ['read', 'parse', 'optimize', 'plan', 'firstInference'];

/** The prominent label saying whether an energy figure was metered or modelled. */
export function energyBadge(energy: EnergyReport | undefined): string {
  const source = energy?.source === 'measured' || energy?.source === 'estimated' ? energy.source : 'unknown';
  return `<span class="badge ${source}" data-energy-source="${source}">${source.toUpperCase()}</span>`;
}

function row(label: string, value: string, note = ''): string {
  return `<tr><th scope="row">${esc(label)}</th><td>${value}${note ? ` <span class="muted">${note}</span>` : ''}</td></tr>`;
}

function coldStartNote(r: BenchResult): string {
  const parts = COLD_START_PARTS.filter((k) => finite(r.coldStartMs?.[k]) !== undefined).map((k) => `${k} ${fmtMs(r.coldStartMs[k])}`);
  return esc(parts.join(' · '));
}

function batchHistogramText(h: Record<number, number>): string {
  const sizes = Object.keys(h).map(Number).filter(Number.isFinite).sort((a, b) => a - b);
  return sizes.length === 0 ? MISSING : sizes.map((b) => `${b}: ${fmtNum(h[b])}`).join(', ');
}

/** How latencies were timed; grouped timing makes the percentiles percentiles of group means. */
function timingRow(r: BenchResult): string {
  const t = r.timing;
  if (!t) return '';
  const cost = `clock read ${fmtNum(t.clockCostNs)} ns`;
  if (t.mode === 'grouped') {
    return row('Latency timing', `<strong data-timing="grouped">${esc(`grouped, ${fmtNum(t.groupSize)} queries per clock read`)}</strong>`, esc(`${cost}; percentiles are over group means`));
  }
  return row('Latency timing', '<span data-timing="per-query">per query</span>', esc(cost));
}

function serverRows(r: BenchResult): string[] {
  const s = r.server;
  if (!s) return [];
  return [
    row('Server QPS (target → achieved)', `${esc(fmtNum(s.targetQps))} → ${esc(fmtNum(s.achievedQps))}`),
    row('Batcher', esc(`max batch ${fmtNum(s.maxBatchSize)}, max queue delay ${fmtMs(s.maxQueueDelayMs)}`)),
    row('Timeouts / rejected', esc(`${fmtNum(s.timeouts)} / ${fmtNum(s.rejected)}`)),
    ...(s.batchSizeHistogram ? [row('Batch sizes (rows: runs)', esc(batchHistogramText(s.batchSizeHistogram)), esc(`mean ${fmtNum(s.meanBatchSize)}`))] : []),
  ];
}

/** Rows for the optional scenario-specific blocks a result may carry. */
function scenarioRows(r: BenchResult): string[] {
  const rows: string[] = [];
  const m = r.multiStream;
  if (m) {
    rows.push(row('Multi-stream', esc(`${fmtNum(m.samplesPerQuery)} samples/query every ${fmtMs(m.intervalMs)}, ${fmtNum(m.queries)} queries`)));
    rows.push(row('Delayed queries / missed intervals', esc(`${fmtNum(m.delayedQueries)} / ${fmtNum(m.missedIntervals)}`)));
  }
  const p = r.peak;
  if (p) {
    const verdict = p.passed ? 'met' : 'not met';
    rows.push(row('Peak QPS under latency bound', esc(`${fmtNum(p.peakQps)} /s with p99 ≤ ${fmtMs(p.latencyBoundMs)} (${verdict}, ${p.probes?.length ?? 0} probes)`)));
  }
  return rows;
}

export function summaryTable(r: BenchResult): string {
  const rows: string[] = [];
  rows.push(row('Run', esc(`${r.scenario}, backend ${r.backend}, batch ${r.batch}, ${r.threads} thread${r.threads === 1 ? '' : 's'}`)));
  rows.push(row('Samples', esc(`${fmtNum(r.samples)} in ${fmtMs(r.durationMs)}`)));
  const timing = timingRow(r);
  if (timing) rows.push(timing);
  for (const m of METRICS) {
    const value = esc(m.format(m.get(r)));
    if (m.isEnergy) rows.push(`<tr class="energy"><th scope="row">${esc(m.label)}</th><td>${energyBadge(r.energy)} <strong>${value}</strong></td></tr>`);
    else if (m.label.startsWith('Cold start')) rows.push(row(m.label, value, coldStartNote(r)));
    else rows.push(row(m.label, value));
  }
  rows.push(row('Energy method', esc(r.energy?.method || MISSING), esc(r.energy?.device ? `device: ${r.energy.device}` : '')));
  rows.push(...serverRows(r), ...scenarioRows(r));
  if (finite(r.harnessOverheadPct) !== undefined) {
    const ci = r.harnessOverheadInterval;
    const spread = finite(ci?.vsInlineLoopPct) !== undefined ? `; vs an inline runSync loop ${fmtPct(ci!.vsInlineLoopPct)} (code-layout spread ${fmtPct(ci!.bareSpreadPct)})` : '';
    const note = ci ? `vs a bare runSync loop; 95 % CI ${fmtPct(ci.loPct)} … ${fmtPct(ci.hiPct)}, ${fmtNum(ci.rounds)} rounds${spread}` : 'vs a bare runSync loop';
    rows.push(row('Harness overhead', esc(fmtPct(r.harnessOverheadPct)), esc(note)));
  }
  rows.push(row('Latency max / p99.9', esc(`${fmtMs(r.latencyMs?.max)} / ${fmtMs(r.latencyMs?.p999)}`)));
  return `<table class="summary" data-table="summary">${rows.join('')}</table>`;
}
