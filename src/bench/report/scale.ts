// Linear scales and "nice" axis ticks for the inline SVG charts. A degenerate domain (one sample,
// all zeros) is widened instead of dividing by zero, and px() refuses to write a non-finite coordinate.

import { EdgeError } from '../../errors.js';

export interface Scale {
  (value: number): number;
  readonly domain: readonly [number, number];
  readonly ticks: readonly number[];
  /** A tick's label, with just the decimals that tell the ticks apart. */
  label(tick: number): string;
  readonly log: boolean;
}

/** A step of 1, 2 or 5 × 10^k close to span / count. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !(count > 0)) return 1;
  const raw = span / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const f = raw / pow;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * pow;
}

/** Widens an empty or inverted domain so scales never divide by zero. */
export function widenDomain(lo: number, hi: number): [number, number] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi > lo) return [lo, hi];
  const half = Math.abs(lo) * 0.05 || 0.5;
  // Stay non-negative when the value is: latencies and counts have no meaning below zero.
  return lo >= 0 && lo - half < 0 ? [0, lo + 2 * half] : [lo - half, lo + half];
}

export interface ScaleOptions {
  /** About how many ticks (default 5). */
  ticks?: number;
  /** Grow the domain outward to whole tick steps so the axis starts and ends on a tick (default true). */
  nice?: boolean;
  /** Ticks on whole numbers only: sample counts and batch sizes have no fractions. */
  integer?: boolean;
}

/** Maps the domain [d0, d1] onto the range [r0, r1] (pixels). */
export function linearScale(d0: number, d1: number, r0: number, r1: number, options: ScaleOptions = {}): Scale {
  const { ticks: tickCount = 5, nice = true, integer = false } = options;
  let [lo, hi] = widenDomain(d0, d1);
  const step = integer ? Math.max(1, niceStep(hi - lo, tickCount)) : niceStep(hi - lo, tickCount);
  if (nice) {
    lo = Math.floor(lo / step + 1e-9) * step;
    hi = Math.ceil(hi / step - 1e-9) * step;
    if (!(hi > lo)) hi = lo + step;
  }
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  const k = (r1 - r0) / (hi - lo);
  const digits = Math.min(6, Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
  const scale = (v: number) => r0 + (v - lo) * k;
  return Object.assign(scale, { domain: [lo, hi] as const, ticks, label: (t: number) => t.toFixed(digits), log: false });
}

/** Latency spanning more than this ratio (max / min) is drawn on a log axis. */
export const LOG_AXIS_RATIO = 5;

export function wantsLogAxis(lo: number, hi: number): boolean {
  return lo > 0 && hi / lo > LOG_AXIS_RATIO;
}

/**
 * Maps [d0, d1] (both > 0) onto [r0, r1] logarithmically, ticks at 1, 2, 5 × 10^k (only the
 * powers of ten when that would crowd the axis). The recorder's buckets are log-spaced, so on this
 * axis every bar has the same width.
 */
export function logScale(d0: number, d1: number, r0: number, r1: number): Scale {
  if (!(d0 > 0) || !(d1 > d0)) return linearScale(d0, d1, r0, r1, { nice: false });
  const l0 = Math.log10(d0);
  const k = (r1 - r0) / (Math.log10(d1) - l0);
  let ticks: number[] = [];
  for (let e = Math.floor(l0); e <= Math.ceil(Math.log10(d1)); e++) {
    for (const m of [1, 2, 5]) {
      const t = m * 10 ** e;
      if (t >= d0 * (1 - 1e-9) && t <= d1 * (1 + 1e-9)) ticks.push(t);
    }
  }
  if (ticks.length > 8) ticks = ticks.filter((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9);
  const scale = (v: number) => r0 + (Math.log10(v) - l0) * k;
  return Object.assign(scale, { domain: [d0, d1] as const, ticks, label: (t: number) => String(Number(t.toPrecision(6))), log: true });
}

/** A coordinate for an SVG attribute, rounded to 0.01 px; a non-finite value is a bug in a chart. */
export function px(v: number): string {
  if (!Number.isFinite(v)) throw new EdgeError('INTERNAL', `report chart: non-finite coordinate ${v}`);
  const r = Math.round(v * 100) / 100;
  return String(r === 0 ? 0 : r);
}

/** A latency range narrower than this fraction of its value is shown as ±5 % around it. */
const MIN_RELATIVE_SPAN = 0.02;

/**
 * The x axis of the latency charts: log when the samples spread over more than LOG_AXIS_RATIO;
 * a near-zero spread (one sample) is widened so the axis labels stay distinct and readable.
 */
export function latencyScale(loMs: number, hiMs: number, r0: number, r1: number): Scale {
  if (hiMs - loMs < MIN_RELATIVE_SPAN * Math.abs(hiMs)) {
    const mid = (loMs + hiMs) / 2;
    return linearScale(mid * 0.95, mid * 1.05, r0, r1, { ticks: 4, nice: false });
  }
  return wantsLogAxis(loMs, hiMs) ? logScale(loMs, hiMs, r0, r1) : linearScale(loMs, hiMs, r0, r1, { ticks: 6, nice: false });
}

export function latencyAxisTitle(x: Scale): string {
  return x.log ? 'latency (ms, log scale)' : 'latency (ms)';
}
