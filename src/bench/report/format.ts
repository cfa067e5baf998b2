// Number formatting for the report: units in the text, '—' for anything missing or not finite,
// so a NaN from an empty run never reaches the page.

export const MISSING = '—';

/** The number itself when it is finite, else undefined. */
export function finite(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

/** Three significant figures, without exponent notation for the ranges a benchmark produces. */
export function fmtNum(x: unknown): string {
  const v = finite(x);
  if (v === undefined) return MISSING;
  // Round first, so 99.99 becomes "100", not "100.0".
  const r = Number(v.toPrecision(3));
  const a = Math.abs(r);
  if (a === 0) return '0';
  // Counts (samples, batch sizes, probes) are whole numbers: no decimals for them.
  if (a >= 100 || (Number.isInteger(v) && Math.abs(v) < 1e15)) return Math.round(v).toLocaleString('en-US');
  if (a >= 0.001) return r.toPrecision(3);
  return v.toExponential(2);
}

/** A ratio, three significant figures ("1.00×" reads as measured, "1×" as a guess). */
export function fmtRatio(x: unknown): string {
  const v = finite(x);
  if (v === undefined) return MISSING;
  const a = Math.abs(v);
  return a >= 100 ? Math.round(v).toLocaleString('en-US') : a === 0 ? '0' : a < 0.001 ? v.toExponential(2) : v.toPrecision(3);
}

/** One rung of a unit ladder: values of at least `min` (in the base unit) are divided by `div`. */
type Rung = readonly [min: number, div: number, unit: string];

/** Picks the first rung the value reaches, so 0.000531 ms prints as 531 ns, not 5.31e-4 ms. */
function withUnits(x: unknown, ladder: readonly Rung[], zeroUnit: string): string {
  const v = finite(x);
  if (v === undefined) return MISSING;
  if (v === 0) return `0 ${zeroUnit}`;
  const rung = ladder.find(([min]) => Math.abs(v) >= min) ?? ladder[ladder.length - 1]!;
  return `${fmtNum(v / rung[1])} ${rung[2]}`;
}

const TIME_MS: readonly Rung[] = [[1e4, 1e3, 's'], [0.1, 1, 'ms'], [1e-3, 1e-3, 'µs'], [0, 1e-6, 'ns']];
/** Binary units, because arenas and RSS are page- and power-of-two-sized. */
const BYTES: readonly Rung[] = [[1024 ** 3, 1024 ** 3, 'GiB'], [1024 ** 2, 1024 ** 2, 'MiB'], [1024, 1024, 'KiB'], [0, 1, 'B']];
const ENERGY_UJ: readonly Rung[] = [[1e6, 1e6, 'J'], [1e3, 1e3, 'mJ'], [1, 1, 'µJ'], [1e-3, 1e-3, 'nJ'], [0, 1e-6, 'pJ']];

/** A duration given in milliseconds, in s / ms / µs / ns as its size asks. */
export function fmtMs(x: unknown): string {
  return withUnits(x, TIME_MS, 'ms');
}

export function fmtBytes(x: unknown): string {
  return withUnits(x, BYTES, 'B');
}

/** Energy given in microjoules, in J / mJ / µJ / nJ / pJ. */
export function fmtUj(x: unknown): string {
  return withUnits(x, ENERGY_UJ, 'µJ');
}

export function fmtRate(x: unknown): string {
  return finite(x) === undefined ? MISSING : `${fmtNum(x)} /s`;
}

export function fmtPct(x: unknown): string {
  return finite(x) === undefined ? MISSING : `${fmtNum(x)} %`;
}

const COMPACT: readonly Rung[] = [[1e9, 1e9, 'G'], [1e6, 1e6, 'M'], [1e4, 1e3, 'k']];

/** Short axis labels for counts and rates: 4M, 250k, 2500. */
export function fmtCompact(x: number): string {
  if (!Number.isFinite(x)) return MISSING;
  const rung = COMPACT.find(([min]) => Math.abs(x) >= min);
  const short = (v: number) => String(Number(v.toPrecision(3)));
  return rung ? `${short(x / rung[1])}${rung[2]}` : short(x);
}

/** A share of a total, one decimal: the bar labels line up and sum visibly to 100. */
export function fmtShare(fraction: number): string {
  const pct = 100 * fraction;
  if (!Number.isFinite(pct)) return MISSING;
  return pct > 0 && pct < 0.05 ? '<0.1%' : `${pct.toFixed(1)}%`;
}
