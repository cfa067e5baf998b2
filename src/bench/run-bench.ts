// runBench: the benchmark API behind `edgeinfer bench` — cold start, one MLPerf scenario per model
// (several models interleaved round-robin in short blocks), memory, energy, per-op time.

import { EdgeError } from '../errors.js';
import type { Model, ValueType } from '../ir/graph.js';
import { verifyModel } from '../ir/verify.js';
import { referenceOps } from '../kernels/ref/index.js';
import type { InferenceSession } from '../runtime/session.js';
import type { Tensor } from '../tensor/tensor.js';
import { loadWasmBackend } from '../runtime/wasm/backend.js';
import { measureColdStart, type ColdStart } from './cold-start.js';
import { DEVICE_PROFILES } from './energy/index.js';
import { benchEnergy } from './scenarios/energy.js';
import { inputDims } from './scenarios/feeds.js';
import { measureHarnessOverhead } from './scenarios/harness-overhead.js';
import { measureClockCostNs, perQueryTiming } from './scenarios/query-timing.js';
import { SCENARIOS, SCENARIO_NAMES, type ScenarioName, type ScenarioOptions } from './scenarios/index.js';
import type { ScenarioRunner } from './scenarios/scenario.js';
import type { BenchResult } from './types.js';

export interface BenchOptions {
  scenario?: ScenarioName;
  /** Rows per run; for `server` the batcher's max batch size (1 = batch-1 serving). */
  batch?: number;
  /** intraOpNumThreads: runs of batch ≥ 2 are cut along the batch; the result records what the session uses. */
  threads?: number;
  backend?: 'wasm' | 'ref';
  /** Timed time per model (default 5000 ms), split into interleaved blocks. */
  durationMs?: number;
  targetQps?: number;
  /** Server: find the highest QPS whose p99 stays within latencyBoundMs. */
  findPeak?: boolean;
  latencyBoundMs?: number;
  /** Server: how long the batcher may hold a request for a fuller batch (default 0). */
  maxQueueDelayMs?: number;
  /** Server: row counts the batcher runs at once, before the queue delay ends. */
  preferredBatchSizes?: number[];
  samplesPerQuery?: number;
  intervalMs?: number;
  /** Energy profile for the estimate (when no meter is readable). */
  device?: string;
  seed?: number;
  /** Length of one interleaved block (default 500 ms; server windows at least 2000 ms). */
  blockMs?: number;
  /** Single-stream: measure the harness overhead against a bare runSync loop (default true). */
  measureOverhead?: boolean;
  /** Per-op profile runs (default: about 300 ms worth, 5 … 100). */
  profileRuns?: number;
  onProgress?: (done: number, total: number, label: string) => void;
}

/** One model's comparison with the first: < 1 means less latency, throughput or energy than the first. */
export interface Comparison {
  model: string;
  latencyRatio: number;
  throughputRatio: number;
  energyRatio: number;
}

/** The scenario's headline latency (LoadGen's metric): single-stream p90, multi-stream and server p99. */
export const HEADLINE_LATENCY: Readonly<Record<ScenarioName, keyof BenchResult['latencyMs']>> = {
  'single-stream': 'p90',
  'multi-stream': 'p99',
  server: 'p99',
  offline: 'mean',
};

interface Prepared {
  path: string;
  cold: ColdStart;
  runner: ScenarioRunner;
}

function invalid(message: string, actual?: unknown): EdgeError {
  return new EdgeError('INPUT_INVALID', `bench: ${message}`, { actual });
}

function positiveInt(name: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw invalid(`${name} must be a positive integer, got ${v}`, v);
}

function positive(name: string, v: number | undefined): void {
  if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw invalid(`${name} must be a number > 0, got ${v}`, v);
}

function checkOptions(paths: readonly string[], o: BenchOptions): void {
  if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string')) throw invalid('needs at least one model path');
  const scenario = o.scenario ?? 'single-stream';
  if (!SCENARIO_NAMES.includes(scenario)) throw invalid(`unknown scenario '${String(scenario)}'; available: ${SCENARIO_NAMES.join(', ')}`, scenario);
  if (o.backend !== undefined && o.backend !== 'wasm' && o.backend !== 'ref') throw invalid(`unknown backend '${String(o.backend)}'; available: wasm, ref`, o.backend);
  positiveInt('batch', o.batch);
  positiveInt('threads', o.threads);
  positiveInt('samplesPerQuery', o.samplesPerQuery);
  positiveInt('profileRuns', o.profileRuns);
  positive('durationMs', o.durationMs);
  positive('targetQps', o.targetQps);
  positive('latencyBoundMs', o.latencyBoundMs);
  positive('intervalMs', o.intervalMs);
  positive('blockMs', o.blockMs);
  if (o.preferredBatchSizes !== undefined) {
    if (!Array.isArray(o.preferredBatchSizes)) throw invalid('preferredBatchSizes must be an array of positive integers', o.preferredBatchSizes);
    for (const size of o.preferredBatchSizes) {
      positiveInt('preferredBatchSizes[]', size);
      if (size > (o.batch ?? 8)) throw invalid(`preferred batch size ${size} is above the max batch size ${o.batch ?? 8}`, size);
    }
  }
  if (o.maxQueueDelayMs !== undefined && !(Number.isFinite(o.maxQueueDelayMs) && o.maxQueueDelayMs >= 0)) throw invalid(`maxQueueDelayMs must be ≥ 0, got ${o.maxQueueDelayMs}`);
  if (o.device !== undefined && !Object.hasOwn(DEVICE_PROFILES, o.device)) {
    throw invalid(`unknown device '${o.device}'; known: ${Object.keys(DEVICE_PROFILES).join(', ')}`, o.device);
  }
  if (o.findPeak && scenario !== 'server') throw invalid(`find-peak searches the server scenario's QPS, not ${scenario}'s`);
  if (o.findPeak && o.latencyBoundMs === undefined) throw invalid('find-peak needs a p99 latency bound (latencyBoundMs, --latency-bound-ms)');
  if (scenario === 'server' && !o.findPeak && o.targetQps === undefined) throw invalid('the server scenario needs a target QPS (--target-qps) or --find-peak --latency-bound-ms');
}

export async function runBench(paths: readonly string[], options: BenchOptions = {}): Promise<BenchResult[]> {
  checkOptions(paths, options);
  const scenario = options.scenario ?? 'single-stream';
  const durationMs = options.durationMs ?? 5000;
  const scenarioOptions: ScenarioOptions = {
    batch: options.batch,
    samplesPerQuery: options.samplesPerQuery,
    intervalMs: options.intervalMs,
    targetQps: options.targetQps,
    maxQueueDelayMs: options.maxQueueDelayMs,
    preferredBatchSizes: options.preferredBatchSizes,
    seed: options.seed,
    findPeak: options.findPeak ? { latencyBoundMs: options.latencyBoundMs!, probeMs: Math.min(2000, Math.max(300, durationMs / 4)) } : undefined,
    sweepMs: Math.min(500, Math.max(100, durationMs / 20)),
  };
  const backend = options.backend ?? 'wasm';
  // The WebAssembly module is compiled once per process: outside every model's cold start, so the
  // first model on the command line is not charged for it.
  if (backend === 'wasm') await loadWasmBackend();

  const prepared: Prepared[] = [];
  try {
    for (const path of paths) {
      const cold = await measureColdStart(path, { backend, batch: 1, seed: options.seed, threads: options.threads });
      prepared.push({ path, cold, runner: SCENARIOS[scenario]({ session: cold.session, feeds: cold.feeds }, scenarioOptions) });
    }
    return await runPrepared(prepared, scenario, durationMs, options);
  } finally {
    // Sessions with worker threads must stop them, or the process would not exit.
    for (const p of prepared) await p.cold.session.release();
  }
}

async function runPrepared(prepared: Prepared[], scenario: ScenarioName, durationMs: number, options: BenchOptions): Promise<BenchResult[]> {
  for (const p of prepared) await p.runner.warmup();

  // Round-robin blocks, starting each round with the next model, so slow drifts of the machine
  // (another job, thermal limits) fall on every model alike.
  const blockMs = Math.min(durationMs, Math.max(options.blockMs ?? 500, scenario === 'server' ? 2000 : 0));
  const rounds = Math.max(1, Math.round(durationMs / blockMs));
  const total = rounds * prepared.length;
  let done = 0;
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < prepared.length; k++) {
      const p = prepared[(r + k) % prepared.length]!;
      await p.runner.runBlock(durationMs / rounds);
      options.onProgress?.(++done, total, p.path);
    }
  }
  const results: BenchResult[] = [];
  for (const p of prepared) {
    await p.runner.finish();
    results.push(await assemble(p, scenario, options));
  }
  return results;
}

async function assemble(p: Prepared, scenario: ScenarioName, options: BenchOptions): Promise<BenchResult> {
  const { session, feeds } = p.cold;
  const out = p.runner.outcome();
  const batch = p.runner.batch;
  const dims = inputDims(session, batch);
  const arenaBytes = session.planStats(dims)?.arena.arenaBytes ?? 0;
  const latencyMs = out.latency.summary();
  const energy = benchEnergy(session, feeds.feeds(batch), {
    device: options.device,
    batch,
    types: staticTypes(session.model, session, dims),
    runMs: latencyMs.mean,
  });
  const perOp = profileByOp(session, feeds.list(batch), options.profileRuns ?? clampInt(300 / Math.max(latencyMs.mean, 1e-3), 5, 100));
  for (const op of perOp) {
    const uj = energy.breakdown?.find((b) => b.op === op.op || b.op.endsWith(`.${op.op}`));
    if (uj) op.microjoules = uj.microjoules;
  }
  const result: BenchResult = {
    model: p.path,
    scenario,
    batch,
    threads: session.intraOpNumThreads,
    backend: session.backend,
    samples: out.samples,
    durationMs: out.elapsedMs,
    latencyMs,
    latencyHistogram: out.latency.histogram(),
    throughputPerSec: out.elapsedMs > 0 ? (out.samples * 1000) / out.elapsedMs : 0,
    coldStartMs: p.cold.coldStartMs,
    memory: { arenaBytes, peakRssBytes: process.resourceUsage().maxRSS * 1024 },
    energy,
    perOp,
  };
  if (out.throughputByBatch) result.throughputByBatch = out.throughputByBatch;
  if (out.server) result.server = out.server;
  if (out.multiStream) result.multiStream = out.multiStream;
  if (out.peak) result.peak = out.peak;
  // Scenarios that space their queries out (server, multi-stream) always time each one.
  result.timing = out.timing ?? perQueryTiming(measureClockCostNs());
  if (scenario === 'single-stream' && options.measureOverhead !== false) {
    const o = measureHarnessOverhead(session, feeds.feeds(batch), { timing: result.timing });
    result.harnessOverheadPct = o.overheadPct;
    result.harnessOverheadInterval = { loPct: o.loPct, hiPct: o.hiPct, rounds: o.rounds, vsInlineLoopPct: o.vsInlineLoopPct, bareSpreadPct: o.bareSpreadPct };
  }
  return result;
}

const clampInt = (x: number, lo: number, hi: number) => Math.round(Math.min(hi, Math.max(lo, x)));

/** Median time per op type per run (summed over its nodes), slowest first; empty on the ref backend. */
function profileByOp(session: InferenceSession, feeds: readonly Tensor[], runs: number): BenchResult['perOp'] {
  if (session.backend !== 'wasm') return [];
  let steps: { op: string; ms: number }[];
  try {
    steps = session.profile(feeds, runs);
  } catch (err) {
    // Data-dependent shapes run on the reference executor: no static plan, no per-step profile.
    if (err instanceof EdgeError && err.code === 'INPUT_INVALID') return [];
    throw err;
  }
  const byOp = new Map<string, number>();
  for (const s of steps) byOp.set(s.op, (byOp.get(s.op) ?? 0) + s.ms);
  return [...byOp].map(([op, ms]) => ({ op, ms })).sort((a, b) => b.ms - a.ms);
}

/** Every value's type with the inputs bound to `dims`, so cost formulas see static shapes. */
function staticTypes(model: Model, session: InferenceSession, dims: number[][]): ReadonlyMap<string, ValueType> {
  const byName = new Map(session.inputNames.map((n, i) => [n, dims[i]!]));
  const inputs = model.graph.inputs.map((input) => {
    const d = byName.get(input.name);
    return d && input.type ? { ...input, type: { ...input.type, shape: d } } : input;
  });
  return verifyModel({ ...model, graph: { ...model.graph, inputs } }, referenceOps).types;
}

/** Ratios of every result to the first (interleaved in one process, so both saw the same machine). */
export function compareToFirst(results: readonly BenchResult[]): Comparison[] {
  const base = results[0];
  if (!base) return [];
  const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
  return results.map((r) => {
    const key = HEADLINE_LATENCY[r.scenario];
    return {
      model: r.model,
      latencyRatio: ratio(r.latencyMs[key], base.latencyMs[key]),
      throughputRatio: ratio(r.throughputPerSec, base.throughputPerSec),
      energyRatio: ratio(r.energy.microjoulesPerInference, base.energy.microjoulesPerInference),
    };
  });
}
