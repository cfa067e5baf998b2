// Shape of the raw results written to bench/results/peers-<date>.json (one place, for readers of the file).

import type { PairedRatio, Summary } from '../../src/bench/stats.js';
import type { EngineFamily } from './engines.js';
import type { MachineInfo } from './machine.js';
import type { RunMode } from './protocol.js';

export interface EngineRecord {
  id: string;
  family: EngineFamily;
  threads: number;
  backend?: string;
  version?: string;
  /** 'skipped' when the engine could not start or loaded no model at all. */
  status: 'ok' | 'skipped';
  reason?: string;
  /** OS threads the process gained on the engine's first model load (shows whether pthreads started). */
  threadsStarted?: number;
}

export interface EnginePhase {
  loadMs: number;
  warmupRuns: number;
  /** Untimed runs at the start of every block (see rewarmRuns in measure.ts). */
  rewarmRunsPerBlock: number;
  runs: number;
  /** Statistics over every timed run, in milliseconds. */
  ms: Summary;
  /** Median run time of each round's block: the input of the paired ratios. */
  blockMediansMs: number[];
  /** Every timed run, in milliseconds (rounded to 0.1 µs), in the order measured. */
  samplesMs: number[];
  /** Process CPU time ÷ wall time over the timed runs (≈ cores kept busy); absent under 250 ms of runs. */
  cpuPerWall?: number;
  /** CPU time of other processes ÷ wall time over the same runs (Linux); > 0 means they competed. */
  othersCpuPerWall?: number;
  /** Throughput phase: batch ÷ median run time, and batch × runs ÷ total time. */
  inferencesPerS?: number;
  aggregateInferencesPerS?: number;
}

export interface RatioRecord extends PairedRatio {
  /** Plain ratio of the two overall medians, for comparison with the paired estimate. */
  ratioOfMedians: number;
}

export interface OutputCheck {
  against: string;
  maxAbsDiff: number;
  /** max |a - b| / (atol + rtol·|b|); ≤ 1 means within tolerance. */
  worstOverTol: number;
  ok: boolean;
  /** Outputs of the reference that this engine did not produce (or produced with another size). */
  missing?: string[];
}

export interface PhaseResult {
  kind: 'latency' | 'throughput';
  batch: number;
  rounds: number;
  /** Required runs per block; fast engines may run more (see blockRuns in measure.ts). */
  runsPerBlock: number;
  engines: Record<string, EnginePhase>;
  /** Engines not measured in this phase, with the reason. */
  skipped: Record<string, string>;
  /** edgeinfer engine → peer → time ratio (edgeinfer ÷ peer; < 1 means edgeinfer is faster). */
  ratios: Record<string, Record<string, RatioRecord>>;
  outputCheck?: Record<string, OutputCheck>;
}

export interface ModelResult {
  name: string;
  path: string;
  bytes: number;
  batchDim?: string;
  latency?: PhaseResult;
  throughput?: PhaseResult;
  skipped?: string;
}

export interface OverheadEntry {
  engine: string;
  mode: RunMode;
  /** Median over rounds of (block time ÷ calls), in microseconds: a mean per call, GC pauses included. */
  usPerCall: number;
  lo: number;
  hi: number;
  confidence: number;
  perRoundUs: number[];
}

export interface OverheadResult {
  model: string;
  rounds: number;
  callsPerBlock: number;
  entries: OverheadEntry[];
  skipped: Record<string, string>;
}

export interface PeersResults {
  schema: 'edgeinfer-bench-peers/1';
  date: string;
  argv: string[];
  options: unknown;
  machine: MachineInfo;
  machineLoadAfter1m?: number;
  engines: EngineRecord[];
  models: ModelResult[];
  overhead?: OverheadResult;
  wallSeconds: number;
}
