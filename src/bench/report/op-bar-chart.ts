// Chart: per-op-type breakdown as horizontal bars (time per inference, or estimated energy), largest
// first, the tail folded into one "other" bar so the chart stays readable for 40-op-type models.

import type { BenchResult } from '../types.js';
import { chartSvg, frame, seriesColor } from './chart-frame.js';
import { finite, fmtMs, fmtShare, fmtUj } from './format.js';
import { esc } from './html.js';
import { px } from './scale.js';

export interface OpValue {
  op: string;
  value: number;
}

/** Bars shown before the rest is summed into "other". */
export const MAX_OP_BARS = 12;

/** Sums duplicates, drops non-finite and negative values, sorts largest first, folds the tail. */
export function topOps(rows: readonly { op: string; value: unknown }[], max = MAX_OP_BARS): OpValue[] {
  const sums = new Map<string, number>();
  for (const r of rows) {
    const v = finite(r.value);
    if (v === undefined || v < 0) continue;
    const op = String(r.op ?? '?');
    sums.set(op, (sums.get(op) ?? 0) + v);
  }
  const all = [...sums].map(([op, value]) => ({ op, value })).sort((a, b) => b.value - a.value || a.op.localeCompare(b.op));
  if (all.length <= max) return all;
  const rest = all.slice(max - 1);
  return [...all.slice(0, max - 1), { op: `other (${rest.length} op types)`, value: rest.reduce((s, r) => s + r.value, 0) }];
}

interface BarSpec {
  id: string;
  kind: string;
  title: string;
  model: string;
  color: string;
  format: (v: number) => string;
}

const ROW_PX = 22;
const LABEL_CHARS = 26;

function barChart(rows: readonly OpValue[], spec: BarSpec): string {
  const f = frame(640, 44 + rows.length * ROW_PX, { top: 34, right: 130, bottom: 10, left: 180 });
  const total = rows.reduce((s, r) => s + r.value, 0);
  const max = Math.max(...rows.map((r) => r.value));
  const width = f.right - f.left;
  const bars = rows.map((r, i) => {
    const yy = f.top + i * ROW_PX;
    // The smallest non-zero bars keep 1 px so every op type that cost something is visibly drawn.
    const w = r.value > 0 ? Math.max(1, (r.value / max) * width) : 0;
    const share = total > 0 ? r.value / total : 0;
    const label = r.op.length > LABEL_CHARS ? r.op.slice(0, LABEL_CHARS - 1) + '…' : r.op;
    const text = `${spec.format(r.value)} (${fmtShare(share)})`;
    return (
      `<text class="bar-label" x="${px(f.left - 8)}" y="${px(yy + ROW_PX / 2)}" text-anchor="end" dominant-baseline="middle">${esc(label)}</text>` +
      (w > 0
        ? `<rect class="mark" x="${px(f.left)}" y="${px(yy + 3)}" width="${px(w)}" height="${px(ROW_PX - 6)}" fill="${spec.color}">` +
          `<title>${esc(`${r.op}: ${text}`)}</title></rect>`
        : '') +
      `<text class="bar-value" x="${px(f.left + w + 6)}" y="${px(yy + ROW_PX / 2)}" dominant-baseline="middle">${esc(text)}</text>`
    );
  });
  const axis = `<line class="axis" x1="${px(f.left)}" x2="${px(f.left)}" y1="${px(f.top)}" y2="${px(f.bottom)}"/>`;
  return chartSvg({ id: spec.id, kind: spec.kind, title: spec.title, model: spec.model, frame: f, body: axis + bars.join('') });
}

/** Time per op type, or undefined when the result has no profile or every time is zero. */
export function opTimeChart(r: BenchResult, index: number, label = r.model): string | undefined {
  const rows = topOps((Array.isArray(r.perOp) ? r.perOp : []).map((p) => ({ op: p.op, value: p.ms })));
  if (rows.length === 0 || !rows.some((row) => row.value > 0)) return undefined;
  return barChart(rows, { id: `op-time-${index}`, kind: 'op-time', title: `Time per op type — ${label}`, model: r.model, color: seriesColor(index), format: fmtMs });
}

/** The per-op energy rows: the energy report's breakdown, else any per-op microjoules the profile carries. */
export function opEnergyRows(r: BenchResult): { op: string; value: unknown }[] {
  const breakdown = r.energy?.breakdown;
  if (Array.isArray(breakdown) && breakdown.length > 0) return breakdown.map((b) => ({ op: b.op, value: b.microjoules }));
  return (Array.isArray(r.perOp) ? r.perOp : []).filter((p) => p.microjoules !== undefined).map((p) => ({ op: p.op, value: p.microjoules }));
}

/** Energy per op type, or undefined when there is no split or every figure is zero. */
export function opEnergyChart(r: BenchResult, index: number, label = r.model): string | undefined {
  const rows = topOps(opEnergyRows(r));
  if (rows.length === 0 || !rows.some((row) => row.value > 0)) return undefined;
  const source = r.energy?.source === 'measured' ? 'measured' : 'estimated';
  return barChart(rows, {
    id: `op-energy-${index}`,
    kind: 'op-energy',
    title: `Energy per op type (${source}) — ${label}`,
    model: r.model,
    color: seriesColor(index),
    format: fmtUj,
  });
}
