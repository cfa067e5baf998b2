// Chart: the latency CDF of one result (fraction of requests at or under a latency), drawn through
// the exact percentiles and, between them, the histogram's bucket edges; p50/p90/p99 marked.

import type { BenchResult } from '../types.js';
import { cdfPoints, histogramBins, mergeCdf, type CdfPoint } from './buckets.js';
import { axes, chartSvg, PLOT_FRAME, seriesColor } from './chart-frame.js';
import { finite, fmtMs } from './format.js';
import { esc } from './html.js';
import { latencyAxisTitle, latencyScale, linearScale, px } from './scale.js';

type LatencyKey = keyof BenchResult['latencyMs'];

/** Where each reported statistic sits on the CDF; used both as fallback curve and as markers. */
const QUANTILES: readonly { key: LatencyKey; fraction: number; marker: boolean }[] = [
  { key: 'min', fraction: 0, marker: false },
  { key: 'p50', fraction: 0.5, marker: true },
  { key: 'p90', fraction: 0.9, marker: true },
  { key: 'p95', fraction: 0.95, marker: false },
  { key: 'p99', fraction: 0.99, marker: true },
  { key: 'p999', fraction: 0.999, marker: false },
  { key: 'max', fraction: 1, marker: false },
];

/** The subtitle by [has percentiles] + 2 × [has histogram]. */
const SOURCES = ['', 'from percentiles', 'from histogram', 'from percentiles + histogram'];

/** Width of one character of an 11 px label, to tell whether it fits beside its point. */
const LABEL_CHAR_PX = 6.2;

/** CDF points from the percentiles alone, dropping missing ones and any that would make it decrease. */
function percentilePoints(r: BenchResult): CdfPoint[] {
  const points: CdfPoint[] = [];
  for (const q of QUANTILES) {
    const v = finite(r.latencyMs?.[q.key]);
    if (v === undefined) continue;
    if (points.length > 0 && v < points[points.length - 1]!.ms) continue;
    points.push({ ms: v, fraction: q.fraction });
  }
  return points;
}

/** The SVG, or undefined when the result has no samples, or neither a histogram nor a finite percentile. */
export function latencyCdfChart(r: BenchResult, index: number, label = r.model): string | undefined {
  if (finite(r.samples) === 0) return undefined;
  const fromHistogram = cdfPoints(histogramBins(r.latencyHistogram, r.latencyMs?.min));
  const anchors = percentilePoints(r);
  const points = mergeCdf(anchors, fromHistogram);
  if (points.length === 0) return undefined;
  const f = PLOT_FRAME;
  const x = latencyScale(points[0]!.ms, points[points.length - 1]!.ms, f.left, f.right);
  const y = linearScale(0, 1, f.bottom, f.top, { ticks: 4 });
  const color = seriesColor(index);
  const line = points.map((p) => `${px(x(p.ms))},${px(y(p.fraction))}`).join(' ');
  const marks = [`<polyline class="mark" points="${line}" fill="none" stroke="${color}" stroke-width="2"/>`];
  const [d0, d1] = x.domain;
  for (const q of QUANTILES) {
    const v = finite(r.latencyMs?.[q.key]);
    if (!q.marker || v === undefined || v < d0 || v > d1) continue;
    const cx = x(v);
    const cy = y(q.fraction);
    const text = `${q.key} ${fmtMs(v)}`;
    // Right of and below a rising CDF is empty, and so is left of and above it: labels go there.
    const fitsRight = cx + 8 + text.length * LABEL_CHAR_PX <= f.right;
    const label = fitsRight
      ? `<text class="marker-label" x="${px(cx + 8)}" y="${px(cy + 12)}">${esc(text)}</text>`
      : `<text class="marker-label" x="${px(cx - 8)}" y="${px(cy - 6)}" text-anchor="end">${esc(text)}</text>`;
    marks.push(`<circle class="mark" cx="${px(cx)}" cy="${px(cy)}" r="3.5" fill="${color}"><title>${esc(`${q.key}: ${fmtMs(v)}`)}</title></circle>` + label);
  }
  const source = SOURCES[Number(anchors.length > 0) + 2 * Number(fromHistogram.length > 0)];
  return chartSvg({
    id: `cdf-${index}`,
    kind: 'latency-cdf',
    title: `Latency CDF — ${label} (${source})`,
    model: r.model,
    frame: f,
    body: axes(f, x, y, latencyAxisTitle(x), 'requests ≤ latency', (t) => `${Math.round(t * 100)}%`) + marks.join(''),
  });
}
