// The frame every inline SVG chart shares: the <svg data-chart> element with its <title>, plot
// margins, axes with gridlines, a legend, and the series colours (a table, one entry per model).

import { attr, esc } from './html.js';
import { px, type Scale } from './scale.js';

/** Colour-blind-safe series colours (Okabe–Ito), by result index. */
export const SERIES_COLORS: readonly string[] = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000', '#f0e442'];

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length]!;
}

export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export function frame(width: number, height: number, margin: { top: number; right: number; bottom: number; left: number }): Frame {
  return { width, height, left: margin.left, right: width - margin.right, top: margin.top, bottom: height - margin.bottom };
}

export const PLOT_FRAME = frame(640, 280, { top: 34, right: 20, bottom: 46, left: 62 });

export interface ChartSpec {
  /** Unique within the page (the <title> id that aria-labelledby points at). */
  id: string;
  /** The data-chart attribute: what kind of chart it is (tests and readers select on it). */
  kind: string;
  title: string;
  /** Which result it belongs to, when it belongs to one. */
  model?: string;
  frame: Frame;
  body: string;
}

/** Wraps chart marks in an <svg> with a <title> (its accessible name) and a visible heading. */
export function chartSvg(spec: ChartSpec): string {
  const id = `chart-${spec.id}`;
  const { width, height } = spec.frame;
  // About 8 px per bold character at 13 px: cut long (user-named) titles; the <title> keeps the whole one.
  const maxChars = Math.floor((width - 24) / 8);
  const shown = spec.title.length > maxChars ? spec.title.slice(0, maxChars - 1) + '…' : spec.title;
  return (
    `<svg data-chart="${esc(spec.kind)}"${attr('data-model', spec.model)} role="img" aria-labelledby="${id}" ` +
    `width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<title id="${id}">${esc(spec.title)}</title>` +
    `<text class="chart-title" x="12" y="18">${esc(shown)}</text>` +
    spec.body +
    '</svg>'
  );
}

/** Horizontal gridlines and y tick labels, x tick labels, and both axis titles. */
export function axes(f: Frame, x: Scale | undefined, y: Scale, xTitle: string, yTitle: string, yFormat?: (t: number) => string): string {
  const parts: string[] = [];
  for (const t of y.ticks) {
    const yy = px(y(t));
    parts.push(`<line class="grid" x1="${px(f.left)}" x2="${px(f.right)}" y1="${yy}" y2="${yy}"/>`);
    parts.push(`<text class="tick" x="${px(f.left - 6)}" y="${yy}" text-anchor="end" dominant-baseline="middle">${esc(yFormat ? yFormat(t) : y.label(t))}</text>`);
  }
  if (x) {
    for (const t of x.ticks) {
      const xx = px(x(t));
      parts.push(`<line class="axis" x1="${xx}" x2="${xx}" y1="${px(f.bottom)}" y2="${px(f.bottom + 4)}"/>`);
      parts.push(`<text class="tick" x="${xx}" y="${px(f.bottom + 16)}" text-anchor="middle">${esc(x.label(t))}</text>`);
    }
  }
  parts.push(`<line class="axis" x1="${px(f.left)}" x2="${px(f.right)}" y1="${px(f.bottom)}" y2="${px(f.bottom)}"/>`);
  parts.push(`<line class="axis" x1="${px(f.left)}" x2="${px(f.left)}" y1="${px(f.top)}" y2="${px(f.bottom)}"/>`);
  parts.push(`<text class="axis-title" x="${px((f.left + f.right) / 2)}" y="${px(f.height - 8)}" text-anchor="middle">${esc(xTitle)}</text>`);
  const midY = px((f.top + f.bottom) / 2);
  parts.push(`<text class="axis-title" x="14" y="${midY}" text-anchor="middle" transform="rotate(-90 14 ${midY})">${esc(yTitle)}</text>`);
  return parts.join('');
}

/** A legend row in the top-right corner: one swatch and name per series. */
export function legend(f: Frame, entries: readonly { label: string; color: string }[]): string {
  const maxChars = 24;
  let x = f.right;
  const parts: string[] = [];
  // Laid out right to left so the legend hugs the right edge whatever the name lengths.
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    const label = e.label.length > maxChars ? e.label.slice(0, maxChars - 1) + '…' : e.label;
    x -= label.length * 6.2 + 20;
    parts.push(
      `<rect x="${px(x)}" y="10" width="10" height="10" fill="${esc(e.color)}"/>` +
        `<text class="legend" x="${px(x + 14)}" y="19">${esc(label)}</text>`,
    );
  }
  return `<g class="legend">${parts.join('')}</g>`;
}
