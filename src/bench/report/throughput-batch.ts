// Chart: throughput against batch size, one line per result that measured a batch sweep, so the
// batch size where throughput stops growing can be read off and compared across models.

import type { BenchResult } from '../types.js';
import { axes, chartSvg, frame, legend, seriesColor } from './chart-frame.js';
import { finite, fmtCompact, fmtRate } from './format.js';
import { esc } from './html.js';
import { linearScale, px } from './scale.js';

interface Series {
  label: string;
  color: string;
  points: { batch: number; perSec: number }[];
}

function seriesOf(results: readonly BenchResult[], labels: readonly string[]): Series[] {
  const out: Series[] = [];
  results.forEach((r, i) => {
    const points = (Array.isArray(r.throughputByBatch) ? r.throughputByBatch : [])
      .map((p) => ({ batch: finite(p?.batch), perSec: finite(p?.throughputPerSec) }))
      .filter((p): p is { batch: number; perSec: number } => p.batch !== undefined && p.batch > 0 && p.perSec !== undefined && p.perSec >= 0)
      .sort((a, b) => a.batch - b.batch);
    if (points.length > 0) out.push({ label: labels[i]!, color: seriesColor(i), points });
  });
  return out;
}

/** The SVG, or undefined when no result has a batch sweep. */
export function throughputBatchChart(results: readonly BenchResult[], labels: readonly string[]): string | undefined {
  const series = seriesOf(results, labels);
  if (series.length === 0) return undefined;
  const f = frame(640, 300, { top: 34, right: 20, bottom: 46, left: 70 });
  // Batch sizes are usually powers of two: equal spacing per distinct size reads better than a linear axis.
  const batches = [...new Set(series.flatMap((s) => s.points.map((p) => p.batch)))].sort((a, b) => a - b);
  const slot = (f.right - f.left) / batches.length;
  const xOf = (batch: number) => f.left + slot * (batches.indexOf(batch) + 0.5);
  const y = linearScale(0, Math.max(...series.flatMap((s) => s.points.map((p) => p.perSec))), f.bottom, f.top, { ticks: 5 });
  const marks: string[] = [];
  for (const s of series) {
    if (s.points.length > 1) {
      const line = s.points.map((p) => `${px(xOf(p.batch))},${px(y(p.perSec))}`).join(' ');
      marks.push(`<polyline class="mark" points="${line}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    }
    for (const p of s.points) {
      marks.push(
        `<circle class="mark" cx="${px(xOf(p.batch))}" cy="${px(y(p.perSec))}" r="4" fill="${s.color}">` +
          `<title>${esc(`${s.label}, batch ${p.batch}: ${fmtRate(p.perSec)}`)}</title></circle>`,
      );
    }
  }
  const xTicks = batches
    .map((b) => {
      const xx = px(xOf(b));
      return `<line class="axis" x1="${xx}" x2="${xx}" y1="${px(f.bottom)}" y2="${px(f.bottom + 4)}"/><text class="tick" x="${xx}" y="${px(f.bottom + 16)}" text-anchor="middle">${esc(b)}</text>`;
    })
    .join('');
  const body =
    axes(f, undefined, y, 'batch size', 'inferences / s', fmtCompact) +
    xTicks +
    marks.join('') +
    legend(f, series.map((s) => ({ label: s.label, color: s.color })));
  return chartSvg({ id: 'throughput-batch', kind: 'throughput-batch', title: 'Throughput by batch size', frame: f, body });
}
