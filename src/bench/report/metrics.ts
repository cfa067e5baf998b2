// The headline metrics as a table (label, accessor, unit format, which direction is better), shared
// by the per-model summary and the cross-model comparison so both always show the same figures.

import type { BenchResult } from '../types.js';
import { finite, fmtBytes, fmtMs, fmtRate, fmtUj } from './format.js';

export interface Metric {
  label: string;
  get(r: BenchResult): number | undefined;
  format(v: number | undefined): string;
  better: 'lower' | 'higher';
  /** How an improvement / a regression reads in the comparison: "2.1× faster". */
  words: readonly [better: string, worse: string];
  /** Energy figures compare only when both sides were obtained the same way. */
  isEnergy?: boolean;
}

const LATENCY_WORDS = ['faster', 'slower'] as const;
const MEMORY_WORDS = ['smaller', 'larger'] as const;

export const METRICS: readonly Metric[] = [
  { label: 'Latency p50', get: (r) => finite(r.latencyMs?.p50), format: fmtMs, better: 'lower', words: LATENCY_WORDS },
  { label: 'Latency p90', get: (r) => finite(r.latencyMs?.p90), format: fmtMs, better: 'lower', words: LATENCY_WORDS },
  { label: 'Latency p99', get: (r) => finite(r.latencyMs?.p99), format: fmtMs, better: 'lower', words: LATENCY_WORDS },
  { label: 'Latency mean', get: (r) => finite(r.latencyMs?.mean), format: fmtMs, better: 'lower', words: LATENCY_WORDS },
  { label: 'Throughput', get: (r) => finite(r.throughputPerSec), format: fmtRate, better: 'higher', words: ['higher', 'lower'] },
  { label: 'Cold start (total)', get: (r) => finite(r.coldStartMs?.total), format: fmtMs, better: 'lower', words: LATENCY_WORDS },
  { label: 'Arena memory', get: (r) => finite(r.memory?.arenaBytes), format: fmtBytes, better: 'lower', words: MEMORY_WORDS },
  { label: 'Peak RSS', get: (r) => finite(r.memory?.peakRssBytes), format: fmtBytes, better: 'lower', words: MEMORY_WORDS },
  {
    label: 'Energy / inference',
    get: (r) => finite(r.energy?.microjoulesPerInference),
    format: fmtUj,
    better: 'lower',
    words: ['less energy', 'more energy'],
    isEnergy: true,
  },
];

/**
 * A short name for a model: harnesses pass file paths, and "…/resnet8/model.onnx" says less than
 * "resnet8/model.onnx" in a table header. The full name stays in tooltips and data-model.
 */
export function shortModelName(model: string): string {
  const parts = model.split(/[\\/]/).filter((p) => p !== '');
  return parts.length <= 2 ? model : parts.slice(-2).join('/');
}

/** Short names, made longer where they would collide: the full name, then run settings. */
export function resultLabels(results: readonly BenchResult[]): string[] {
  const short = results.map((r) => shortModelName(String(r.model)));
  const names = short.map((n, i) => (short.some((m, j) => j !== i && m === n) ? String(results[i]!.model) : n));
  return results.map((r, i) => {
    const duplicated = names.some((n, j) => j !== i && n === names[i]);
    return duplicated ? `${names[i]} (${r.backend}, ${r.scenario}, batch ${r.batch}, ${r.threads}t)` : names[i]!;
  });
}
