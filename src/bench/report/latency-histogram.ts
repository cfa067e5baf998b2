// Chart: the latency histogram of one result, bars over their bucket's [lo, hi] in ms, with the
// p50 and p99 marked, so the shape of the tail is visible next to the summary numbers.

import type { BenchResult } from '../types.js';
import { histogramBins } from './buckets.js';
import { axes, chartSvg, PLOT_FRAME, seriesColor } from './chart-frame.js';
import { finite, fmtCompact, fmtMs } from './format.js';
import { esc } from './html.js';
import { latencyAxisTitle, latencyScale, linearScale, px } from './scale.js';

/** The percentiles drawn as dashed lines over the bars. */
const MARKERS: readonly { key: 'p50' | 'p99'; label: string }[] = [
  { key: 'p50', label: 'p50' },
  { key: 'p99', label: 'p99' },
];

const MIN_BAR_PX = 4;

/** Marker labels closer than this share one label ("p50/p99") instead of overprinting. */
const LABEL_GAP_PX = 28;

/** The SVG, or undefined when the result has no samples or no histogram counts. */
export function latencyHistogramChart(r: BenchResult, index: number, label = r.model): string | undefined {
  if (finite(r.samples) === 0) return undefined;
  const bins = histogramBins(r.latencyHistogram, r.latencyMs?.min);
  if (bins.length === 0) return undefined;
  const f = PLOT_FRAME;
  const x = latencyScale(bins[0]!.loMs, bins[bins.length - 1]!.hiMs, f.left, f.right);
  const y = linearScale(0, Math.max(...bins.map((b) => b.count)), f.bottom, f.top, { ticks: 4, integer: true });
  const color = seriesColor(index);
  const marks: string[] = [];
  for (const b of bins) {
    if (b.count === 0) continue;
    const w = x(b.hiMs) - x(b.loMs);
    // A gap between wide bars reads as separate buckets; narrow (or zero-width) ones stay visible.
    const drawW = w > 5 ? w - 1 : Math.max(w, MIN_BAR_PX);
    const x0 = (x(b.loMs) + x(b.hiMs) - drawW) / 2;
    const top = Math.min(y(b.count), f.bottom - 1);
    marks.push(
      `<rect class="mark" x="${px(x0)}" y="${px(top)}" width="${px(drawW)}" height="${px(f.bottom - top)}" fill="${color}">` +
        `<title>${esc(`${fmtMs(b.loMs)} – ${fmtMs(b.hiMs)}: ${b.count} sample${b.count === 1 ? '' : 's'}`)}</title></rect>`,
    );
  }
  const [d0, d1] = x.domain;
  const labels: { x: number; text: string }[] = [];
  for (const m of MARKERS) {
    const v = finite(r.latencyMs?.[m.key]);
    if (v === undefined || v < d0 || v > d1) continue;
    const xx = x(v);
    marks.push(`<line class="marker" x1="${px(xx)}" x2="${px(xx)}" y1="${px(f.top)}" y2="${px(f.bottom)}"/>`);
    const last = labels[labels.length - 1];
    if (last && Math.abs(xx - last.x) < LABEL_GAP_PX) last.text += `/${m.label}`;
    else labels.push({ x: xx, text: m.label });
  }
  for (const l of labels) {
    // Kept clear of the y tick labels at the top-left corner and of the right edge.
    const half = (l.text.length * 6.2) / 2;
    const lx = Math.min(Math.max(l.x, f.left + half), f.right - half);
    marks.push(`<text class="marker-label" x="${px(lx)}" y="${px(f.top - 3)}" text-anchor="middle">${esc(l.text)}</text>`);
  }
  return chartSvg({
    id: `hist-${index}`,
    kind: 'latency-histogram',
    title: `Latency histogram — ${label}`,
    model: r.model,
    frame: f,
    body: axes(f, x, y, latencyAxisTitle(x), 'samples', fmtCompact) + marks.join(''),
  });
}
