// The comparison table: every metric of every result against the first one (the baseline), as a
// ratio and in words ("2.4× faster"), answering how much quantization or pruning helped.

import type { BenchResult } from '../types.js';
import { fmtRatio } from './format.js';
import { esc } from './html.js';
import { METRICS, type Metric } from './metrics.js';

export interface Comparison {
  /** value / baseline, when both are finite and the baseline is not zero. */
  ratio?: number;
  verdict: 'better' | 'worse' | 'same' | 'n/a' | 'incomparable';
  text: string;
}

/** Within ±2 %, a difference is noise on a shared 2-core machine rather than an improvement. */
const SAME_BAND = 0.02;

export function compare(metric: Metric, baseline: BenchResult, other: BenchResult): Comparison {
  const b = metric.get(baseline);
  const v = metric.get(other);
  if (metric.isEnergy && baseline.energy?.source !== other.energy?.source) {
    return { verdict: 'incomparable', text: `not comparable: ${other.energy?.source ?? '?'} vs ${baseline.energy?.source ?? '?'}` };
  }
  if (b === undefined || v === undefined || b === 0) return { verdict: 'n/a', text: '—' };
  const ratio = v / b;
  if (Math.abs(ratio - 1) <= SAME_BAND) return { ratio, verdict: 'same', text: `${fmtRatio(ratio)}× (same)` };
  const improved = metric.better === 'lower' ? ratio < 1 : ratio > 1;
  if (ratio === 0) return { ratio, verdict: improved ? 'better' : 'worse', text: '0×' };
  const word = metric.words[improved ? 0 : 1];
  const verdict = improved ? 'better' : 'worse';
  // Below 1 the inverse is the figure people quote ("2.2× faster"), so it is spelled out.
  return { ratio, verdict, text: ratio > 1 ? `${fmtRatio(ratio)}× ${word}` : `${fmtRatio(ratio)}× (${fmtRatio(1 / ratio)}× ${word})` };
}

/** The HTML table; call it only with two results or more. */
export function comparisonTable(results: readonly BenchResult[], labels: readonly string[]): string {
  const [baseline, ...others] = results;
  if (!baseline) return '';
  const head =
    `<tr><th scope="col">Metric</th><th scope="col">${esc(labels[0])}<br><span class="muted">baseline</span></th>` +
    others.map((_, i) => `<th scope="col">${esc(labels[i + 1])}</th><th scope="col">vs baseline</th>`).join('') +
    '</tr>';
  const rows = METRICS.map((m) => {
    const cells = others.map((o) => {
      const c = compare(m, baseline, o);
      return `<td class="num">${esc(m.format(m.get(o)))}</td><td class="ratio ${c.verdict.replace('/', '')}">${esc(c.text)}</td>`;
    });
    return `<tr><th scope="row">${esc(m.label)}</th><td class="num">${esc(m.format(m.get(baseline)))}</td>${cells.join('')}</tr>`;
  });
  const sources = results.map((r, i) => `${labels[i]}: ${r.energy?.source ?? 'unknown'}${r.energy?.device ? ` (${r.energy.device})` : ''}`).join(' · ');
  return (
    `<table class="comparison" data-table="comparison"><caption>Ratios are value ÷ baseline (${esc(labels[0])}). ` +
    `Energy sources — ${esc(sources)}</caption><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`
  );
}
