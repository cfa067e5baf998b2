// Terminal tables of bench:peers (absolute medians, throughput, ratios, overhead) and the JSON file.

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { printTable } from '../../src/cli/output.js';
import { FAMILY_LABEL } from './engines.js';
import type { PeersResults, PhaseResult } from './results.js';

const DASH = '—';

/** Three significant digits without exponent for the usual range: 0.0123, 1.23, 12.3, 1234. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return x.toFixed(0);
  return String(Number(x.toPrecision(3))); // 9.998 -> "10", not "10.00"
}

function heading(text: string): void {
  process.stdout.write(`\n${text}\n`);
}

function phaseCell(phase: PhaseResult | undefined, id: string, cell: (p: PhaseResult, id: string) => string): string {
  if (!phase) return DASH;
  if (!phase.engines[id]) return phase.skipped[id] ? 'skipped' : DASH;
  return cell(phase, id);
}

/** Fewest timed runs of any engine in the phase (fast engines may have run more). */
function minRuns(phase: PhaseResult | undefined): string {
  const runs = Object.values(phase?.engines ?? {}).map((e) => e.runs);
  return runs.length ? String(Math.min(...runs)) : DASH;
}

export function printReport(r: PeersResults): void {
  const m = r.machine;
  heading(`Machine: ${m.cpuModel}, ${m.logicalCores} logical cores, Node ${m.node}, load ${m.loadAverage1m.toFixed(2)} at start; ${r.date}`);
  printTable(
    ['engine', 'version', 'threads', 'threads started', 'status / what'],
    r.engines.map((e) => [e.id, e.version ?? DASH, String(e.threads), e.threadsStarted === undefined ? DASH : String(e.threadsStarted), e.status === 'ok' ? FAMILY_LABEL[e.family] : `skipped: ${e.reason ?? ''}`]),
  );
  const measured = r.engines.filter((e) => e.status === 'ok').map((e) => e.id);

  heading('Batch 1 latency, ms: median (p99)');
  printTable(
    ['model', 'runs ≥', ...measured],
    r.models.map((mr) => [
      mr.name,
      minRuns(mr.latency),
      ...measured.map((id) => phaseCell(mr.latency, id, (p, i) => `${fmt(p.engines[i]!.ms.median)} (${fmt(p.engines[i]!.ms.p99)})`)),
    ]),
  );

  const batch = r.models.find((mr) => mr.throughput)?.throughput?.batch;
  if (batch !== undefined) {
    heading(`Batch ${batch} throughput, inferences/s (batch ÷ median run time)`);
    printTable(
      ['model', 'runs ≥', ...measured],
      r.models.map((mr) => [
        mr.name,
        minRuns(mr.throughput),
        ...measured.map((id) => phaseCell(mr.throughput, id, (p, i) => fmt(p.engines[i]!.inferencesPerS!))),
      ]),
    );
  }

  const cpu = (p: PhaseResult, i: string) => {
    const e = p.engines[i]!;
    if (e.cpuPerWall === undefined) return DASH;
    return e.othersCpuPerWall === undefined ? e.cpuPerWall.toFixed(2) : `${e.cpuPerWall.toFixed(2)} (${e.othersCpuPerWall.toFixed(2)})`;
  };
  heading(`CPU while timing at batch ${batch ?? '?'}: our process's CPU time ÷ wall time ≈ cores kept busy (other processes' share); — under 250 ms of runs`);
  printTable(['model', ...measured], r.models.map((mr) => [mr.name, ...measured.map((id) => phaseCell(mr.throughput, id, cpu))]));

  const edgeIds = r.engines.filter((e) => e.family === 'edgeinfer' && e.status === 'ok').map((e) => e.id);
  const peerIds = measured.filter((id) => !edgeIds.includes(id));
  for (const edge of edgeIds) {
    for (const kind of ['latency', 'throughput'] as const) {
      const level = Math.min(1, ...r.models.flatMap((mr) => Object.values(mr[kind]?.ratios[edge] ?? {}).map((q) => q.confidence)));
      heading(`${edge} ÷ peer, ${kind === 'latency' ? 'batch-1 median latency' : `batch-${batch} time per inference`}: median of per-round ratios [interval, ≥ ${Math.floor(level * 100)}% coverage]; < 1 means edgeinfer is faster`);
      printTable(
        ['model', ...peerIds],
        r.models.map((mr) => [
          mr.name,
          ...peerIds.map((peer) => {
            const q = mr[kind]?.ratios[edge]?.[peer];
            return q ? `${fmt(q.ratio)} [${fmt(q.lo)}–${fmt(q.hi)}]` : DASH;
          }),
        ]),
      );
    }
  }

  if (r.overhead) {
    const o = r.overhead;
    heading(`Per-call overhead on ${o.model} (60 MACs), µs per run: median over ${o.rounds} rounds of ${o.callsPerBlock} back-to-back calls [CI]`);
    printTable(
      ['engine', 'µs/run', 'CI'],
      o.entries.map((e) => [e.engine, fmt(e.usPerCall), `${fmt(e.lo)}–${fmt(e.hi)} (${Math.round(e.confidence * 100)}%)`]),
    );
  }

  const mismatches = r.models.flatMap((mr) => Object.entries(mr.latency?.outputCheck ?? {}).filter(([, c]) => !c.ok).map(([id, c]) => `${mr.name}: ${id} vs ${c.against}, max |diff| ${c.maxAbsDiff.toExponential(2)}`));
  heading(mismatches.length ? `Output mismatches:\n  ${mismatches.join('\n  ')}` : 'Outputs: every measured engine agrees with onnxruntime-node within atol 1e-4 + rtol 1e-3.');
}

/** Writes the JSON next to a .tmp first, so an interrupted run never leaves half a file. */
export function writeResults(r: PeersResults, file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(r, null, 1) + '\n');
  renameSync(tmp, file);
  return file;
}

export function defaultResultsFile(repoRoot: string, date: Date): string {
  const stamp = date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return path.join(repoRoot, 'bench', 'results', `peers-${stamp}.json`);
}
