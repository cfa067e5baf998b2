// Command-line options of bench:peers, and the run counts per model (a table: heavy models run less).

import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { EdgeError } from '../../src/errors.js';
import { PEER_FAMILIES, type EngineFamily } from './engines.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_MODELS = ['simplenet', 'dscnn_kws', 'resnet8', 'ad_autoencoder', 'mobilenet_v2_035', 'mobilenet_v2'];

export interface RunCounts {
  /** Timed batch-1 runs per engine after warm-up. */
  latencyRuns: number;
  /** Timed large-batch runs per engine after warm-up. */
  throughputRuns: number;
}

// mobilenet_v2 is ~300 M MACs per image: 500 reference-kernel runs would take most of an hour.
const RUNS: Record<string, RunCounts> = {
  default: { latencyRuns: 500, throughputRuns: 20 },
  mobilenet_v2: { latencyRuns: 50, throughputRuns: 5 },
  // scripts/make-unseen-models.ts: ~107 M MACs per image.
  mobilenet_v2_075_160: { latencyRuns: 150, throughputRuns: 10 },
};

export interface PeerOptions {
  fixtures: string;
  /** Names of the models to measure, in order: fixture models and those found by --models-dir. */
  models: string[];
  /** --models-dir: model name -> .onnx file (`<name>.onnx` or `<name>/model.onnx` in the folder). */
  extraModels: Record<string, string>;
  backends: string[];
  peers: EngineFamily[];
  threads: number[];
  batch: number;
  quick: boolean;
  /** Rounds of the round-robin; each engine's runs are split evenly over them. */
  rounds: number;
  warmup: { maxRuns: number; maxMs: number };
  minBlockMs: number;
  overhead: { enabled: boolean; rounds: number; calls: number };
  runsOverride: Partial<RunCounts>;
  out?: string;
}

/** Where a model's file is: found by --models-dir, else `<fixtures>/<name>/model.onnx`. */
export function modelFile(name: string, o: Pick<PeerOptions, 'fixtures' | 'extraModels'>): string {
  return o.extraModels[name] ?? path.join(o.fixtures, name, 'model.onnx');
}

/** The models of a folder: every `<name>.onnx` and `<name>/model.onnx` in it, by name. */
export function modelsInDir(dir: string): Record<string, string> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new EdgeError('MODEL_NOT_FOUND', `--models-dir: folder '${dir}' does not exist`);
  const found: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const nested = path.join(dir, entry.name, 'model.onnx');
    if (entry.isFile() && entry.name.endsWith('.onnx')) found[entry.name.slice(0, -'.onnx'.length)] = path.join(dir, entry.name);
    else if (entry.isDirectory() && existsSync(nested)) found[entry.name] = nested;
  }
  if (Object.keys(found).length === 0) throw new EdgeError('MODEL_NOT_FOUND', `--models-dir: no <name>.onnx or <name>/model.onnx in '${dir}'`);
  return found;
}

export function runCounts(model: string, o: PeerOptions): RunCounts {
  const base = RUNS[model] ?? RUNS.default!;
  const scaled = o.quick
    ? { latencyRuns: Math.max(5, Math.ceil(base.latencyRuns / 10)), throughputRuns: Math.max(2, Math.ceil(base.throughputRuns / 10)) }
    : base;
  return { ...scaled, ...o.runsOverride };
}

function list(text: string, flag: string): string[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new EdgeError('INPUT_INVALID', `${flag} needs a comma-separated list, got '${text}'`);
  return items;
}

function int(text: string | undefined, flag: string, min = 1): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) throw new EdgeError('INPUT_INVALID', `${flag} must be an integer ≥ ${min}, got '${text}'`);
  return v;
}

export function parsePeerOptions(argv: string[]): PeerOptions {
  const cmd = new Command()
    .name('bench:peers')
    .description('edgeinfer against onnxruntime-web and onnxruntime-node, interleaved in one process')
    .option('--fixtures <dir>', 'folder holding <model>/model.onnx', path.resolve(REPO_ROOT, '../shared/fixtures/models'))
    .option('--models <list>', `models to measure (default: ${DEFAULT_MODELS.join(',')}, then every model of --models-dir)`)
    .option('--models-dir <dir>', 'also measure every <name>.onnx and <name>/model.onnx in this folder (batch dim from the input)')
    .option('--backends <list>', 'edgeinfer backends (a backend whose create() throws is skipped)', 'ref,wasm')
    .option('--peers <list>', `peer engines: ${PEER_FAMILIES.join(',')}`, PEER_FAMILIES.join(','))
    .option('--threads <list>', 'thread counts', '1,2')
    .option('--batch <n>', 'batch size of the throughput measurement', '32')
    .option('--quick', 'short run (about a tenth of the runs)', false)
    .option('--rounds <n>', 'round-robin rounds (default 20, quick 5)')
    .option('--runs <n>', 'batch-1 timed runs per engine (overrides the per-model table)')
    .option('--throughput-runs <n>', 'large-batch timed runs per engine (overrides the per-model table)')
    .option('--no-overhead', 'skip the simplenet per-call overhead measurement')
    .option('--out <file>', 'results file (default bench/results/peers-<date>.json)')
    .showHelpAfterError()
    .exitOverride();
  cmd.parse(argv, { from: 'user' });
  const o = cmd.opts<Record<string, string | boolean | undefined>>();

  const fixtures = path.resolve(String(o.fixtures));
  if (!existsSync(fixtures)) throw new EdgeError('MODEL_NOT_FOUND', `--fixtures: folder '${fixtures}' does not exist`);
  const extraModels = o.modelsDir === undefined ? {} : modelsInDir(path.resolve(String(o.modelsDir)));
  const clashes = Object.keys(extraModels).filter((m) => existsSync(path.join(fixtures, m, 'model.onnx')));
  if (clashes.length > 0) throw new EdgeError('INPUT_INVALID', `--models-dir: ${clashes.join(', ')} also name fixture models; rename them so results stay unambiguous`);
  const models = o.models === undefined ? [...DEFAULT_MODELS, ...Object.keys(extraModels)] : list(String(o.models), '--models');
  for (const m of models) {
    if (!existsSync(modelFile(m, { fixtures, extraModels }))) {
      throw new EdgeError('MODEL_NOT_FOUND', `--models: no ${m}/model.onnx under ${fixtures}${o.modelsDir === undefined ? '' : ` and no ${m} in --models-dir`}`);
    }
  }
  const peers = list(String(o.peers), '--peers') as EngineFamily[];
  for (const p of peers) {
    if (!PEER_FAMILIES.includes(p)) throw new EdgeError('INPUT_INVALID', `--peers: unknown peer '${p}'; known: ${PEER_FAMILIES.join(', ')}`);
  }
  const quick = o.quick === true;
  const runs = int(o.runs as string | undefined, '--runs');
  const throughputRuns = int(o.throughputRuns as string | undefined, '--throughput-runs');
  return {
    fixtures,
    models,
    extraModels,
    backends: list(String(o.backends), '--backends'),
    peers,
    threads: list(String(o.threads), '--threads').map((t) => int(t, '--threads')!),
    batch: int(String(o.batch), '--batch')!,
    quick,
    rounds: int(o.rounds as string | undefined, '--rounds') ?? (quick ? 5 : 20),
    warmup: quick ? { maxRuns: 5, maxMs: 200 } : { maxRuns: 20, maxMs: 1000 },
    minBlockMs: quick ? 20 : 50,
    // ~10 ms blocks at least: one preemption or GC must not be a whole block.
    overhead: { enabled: o.overhead !== false, rounds: quick ? 7 : 15, calls: quick ? 1000 : 5000 },
    runsOverride: { ...(runs ? { latencyRuns: runs } : {}), ...(throughputRuns ? { throughputRuns } : {}) },
    out: o.out as string | undefined,
  };
}
