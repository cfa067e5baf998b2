// `edgeinfer bench <model>...`: MLPerf-style scenarios, cold start, memory, energy and per-op time;
// several models run interleaved in one process and are compared with the first.

import fs from 'node:fs';
import os from 'node:os';
import type { Command } from 'commander';
import { renderReport } from '../bench/report/index.js';
import { compareToFirst, HEADLINE_LATENCY, runBench, type BenchOptions } from '../bench/run-bench.js';
import { describeTiming, SCENARIO_NAMES, type ScenarioName } from '../bench/scenarios/index.js';
import type { BenchResult } from '../bench/types.js';
import { EdgeError } from '../errors.js';
import { formatBytes, parseInteger, parseNumber, printTable, progress } from './output.js';

interface BenchCliOptions {
  scenario: string;
  batch?: string;
  threads?: string;
  backend: string;
  duration: string;
  targetQps?: string;
  findPeak?: boolean;
  latencyBoundMs?: string;
  maxQueueDelayMs?: string;
  preferredBatchSizes?: string;
  samplesPerQuery?: string;
  intervalMs?: string;
  device?: string;
  seed: string;
  json?: boolean;
  report?: string;
}

/** Milliseconds with three significant digits (simplenet runs in 0.0004 ms, a server queue in seconds). */
const ms = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toPrecision(3)) : '∞');
const num = (x: number) => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));
const ratio = (x: number) => (Number.isFinite(x) ? `${x.toPrecision(3)}×` : '-');

function toOptions(opts: BenchCliOptions): BenchOptions {
  if (!SCENARIO_NAMES.includes(opts.scenario as ScenarioName)) {
    throw new EdgeError('INPUT_INVALID', `--scenario must be one of ${SCENARIO_NAMES.join(', ')}, got '${opts.scenario}'`);
  }
  if (opts.backend !== 'wasm' && opts.backend !== 'ref') throw new EdgeError('INPUT_INVALID', `--backend must be wasm or ref, got '${opts.backend}'`);
  const duration = parseNumber(opts.duration, '--duration')!;
  if (!(duration > 0)) throw new EdgeError('INPUT_INVALID', `--duration must be a number of seconds > 0, got '${opts.duration}'`);
  return {
    scenario: opts.scenario as ScenarioName,
    batch: parseInteger(opts.batch, '--batch'),
    threads: parseInteger(opts.threads, '--threads'),
    backend: opts.backend,
    durationMs: duration * 1000,
    targetQps: parseNumber(opts.targetQps, '--target-qps'),
    findPeak: opts.findPeak,
    latencyBoundMs: parseNumber(opts.latencyBoundMs, '--latency-bound-ms'),
    maxQueueDelayMs: parseNumber(opts.maxQueueDelayMs, '--max-queue-delay-ms'),
    preferredBatchSizes: opts.preferredBatchSizes?.split(',').map((x) => parseInteger(x.trim(), '--preferred-batch-sizes')!),
    samplesPerQuery: parseInteger(opts.samplesPerQuery, '--samples-per-query'),
    intervalMs: parseNumber(opts.intervalMs, '--interval-ms'),
    device: opts.device,
    seed: parseInteger(opts.seed, '--seed', 0),
  };
}

/** `1: 40, 2: 13, …` in increasing batch size. */
export function formatBatchHistogram(h: Record<number, number>): string {
  const sizes = Object.keys(h).map(Number).sort((a, b) => a - b);
  return sizes.length === 0 ? 'none' : sizes.map((b) => `${b}: ${h[b]}`).join(', ');
}

function printResults(results: readonly BenchResult[]): void {
  printTable(
    ['model', 'scenario', 'batch', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'mean ms', 'samples/s', 'cold ms', 'arena', 'peak RSS', 'µJ/inference'],
    results.map((r) => [
      r.model,
      // Grouped timing changes what the percentiles mean: say so in the table, not only below it.
      r.timing?.mode === 'grouped' ? `${r.scenario} (grouped ×${r.timing.groupSize})` : r.scenario,
      String(r.batch),
      ms(r.latencyMs.p50),
      ms(r.latencyMs.p90),
      ms(r.latencyMs.p99),
      ms(r.latencyMs.p999),
      ms(r.latencyMs.mean),
      num(r.throughputPerSec),
      ms(r.coldStartMs.total),
      formatBytes(r.memory.arenaBytes),
      formatBytes(r.memory.peakRssBytes),
      `${num(r.energy.microjoulesPerInference)} (${r.energy.source})`,
    ]),
  );
  for (const r of results) {
    const c = r.coldStartMs;
    process.stdout.write(`\n${r.model}\n`);
    process.stdout.write(`  cold start: read ${ms(c.read)} + parse ${ms(c.parse)} + optimize ${ms(c.optimize)} + plan ${ms(c.plan)} + first inference ${ms(c.firstInference)} = ${ms(c.total)} ms\n`);
    process.stdout.write(`  energy: ${r.energy.source}, ${r.energy.method} (${r.energy.device})\n`);
    if (r.timing) process.stdout.write(`  latency timing: ${describeTiming(r.timing, r.latencyMs.p50)}\n`);
    if (r.harnessOverheadPct !== undefined) {
      const ci = r.harnessOverheadInterval;
      const interval = ci
        ? ` (95 % CI ${ci.loPct.toFixed(1)} … ${ci.hiPct.toFixed(1)} %, ${ci.rounds} interleaved rounds); vs an inline runSync loop ${ci.vsInlineLoopPct.toFixed(1)} %, which differs from the same-code bare loop by ${ci.bareSpreadPct.toFixed(1)} % here (V8 code layout)`
        : '';
      process.stdout.write(`  harness overhead vs a bare runSync loop (mean latency): ${r.harnessOverheadPct.toFixed(1)} %${interval}\n`);
    }
    if (r.server) {
      const s = r.server;
      process.stdout.write(`  server: target ${num(s.targetQps)} QPS, achieved ${num(s.achievedQps)} QPS, max batch ${s.maxBatchSize}, max queue delay ${s.maxQueueDelayMs} ms${s.preferredBatchSizes ? `, preferred ${s.preferredBatchSizes.join('/')}` : ''}, timeouts ${s.timeouts}, rejected ${s.rejected}\n`);
      if (s.batchSizeHistogram) process.stdout.write(`  batch sizes (rows: runs): ${formatBatchHistogram(s.batchSizeHistogram)}, mean ${num(s.meanBatchSize ?? 0)}\n`);
    }
    if (r.peak) {
      const p = r.peak;
      const steps = p.probes.map((q) => `${num(q.qps)}${q.pass ? '✓' : '✗'}`).join(' ');
      process.stdout.write(`  find-peak (p99 ≤ ${p.latencyBoundMs} ms): ${p.passed ? `${num(p.peakQps)} QPS` : `no QPS passed, down to ${num(p.peakQps)}`} after ${p.probes.length} probes: ${steps}; the timed run at it ${p.finalRunPassed ? 'kept' : 'broke'} the bound\n`);
    }
    if (r.multiStream) {
      const m = r.multiStream;
      process.stdout.write(`  multi-stream: ${m.queries} queries of ${m.samplesPerQuery} samples every ${m.intervalMs} ms, p99 ${ms(r.latencyMs.p99)} ms, ${m.delayedQueries} delayed, ${m.missedIntervals} intervals missed\n`);
    }
    if (r.throughputByBatch) process.stdout.write(`  samples/s by batch: ${r.throughputByBatch.map((b) => `${b.batch}: ${num(b.throughputPerSec)}`).join(', ')}\n`);
    if (r.perOp.length > 0) {
      const total = r.perOp.reduce((s, o) => s + o.ms, 0);
      process.stdout.write('\n');
      printTable(
        ['  op', 'ms per run', '%', 'µJ'],
        r.perOp.slice(0, 10).map((o) => [`  ${o.op}`, ms(o.ms), ((100 * o.ms) / total).toFixed(1), o.microjoules === undefined ? '-' : num(o.microjoules)]),
      );
    }
  }
  if (results.length > 1) {
    process.stdout.write('\ncompared with the first model (interleaved in one process):\n');
    const key = HEADLINE_LATENCY[results[0]!.scenario];
    printTable(
      ['model', `${key} latency`, 'throughput', 'energy'],
      compareToFirst(results).map((c) => [c.model, ratio(c.latencyRatio), ratio(c.throughputRatio), ratio(c.energyRatio)]),
    );
  }
}

function writeReport(file: string, results: readonly BenchResult[], title: string): void {
  const cpus = os.cpus();
  const html = renderReport(results, {
    title,
    createdAt: new Date(),
    machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, os: `${os.platform()} ${os.release()}`, node: process.version },
  });
  try {
    fs.writeFileSync(file, html);
  } catch (err) {
    throw new EdgeError('INPUT_INVALID', `--report: cannot write '${file}': ${(err as Error).message}`, { cause: err });
  }
  process.stderr.write(`report written to ${file}\n`);
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('benchmark models with MLPerf-style scenarios: latency percentiles, throughput, cold start, memory, energy, per-op time')
    .argument('<model...>', 'ONNX model files (several run interleaved and are compared with the first)')
    .option('--scenario <name>', `${SCENARIO_NAMES.join(' | ')}`, 'single-stream')
    .option('--batch <n>', 'samples per run (single-stream 1, offline 32); server: the batcher\'s max batch size (8; 1 = batch-1 serving)')
    .option('--threads <n>', 'intra-op threads of the session (intraOpNumThreads); the result records what the session uses')
    .option('--backend <name>', 'wasm | ref', 'wasm')
    .option('--duration <s>', 'timed seconds per model', '5')
    .option('--target-qps <q>', 'server: Poisson arrival rate')
    .option('--find-peak', 'server: search the highest QPS whose p99 stays within --latency-bound-ms')
    .option('--latency-bound-ms <l>', 'server: p99 latency bound for --find-peak')
    .option('--max-queue-delay-ms <ms>', 'server: how long the batcher may wait for a fuller batch', '0')
    .option('--preferred-batch-sizes <list>', 'server: row counts the batcher runs at once before the delay ends, e.g. 8,16,32')
    .option('--samples-per-query <k>', 'multi-stream: samples per query', '8')
    .option('--interval-ms <i>', 'multi-stream: time between queries', '50')
    .option('--device <name>', 'energy profile for the estimate when no meter is readable (e.g. cortex-m7, cortex-a72, x86-laptop-core)')
    .option('--seed <n>', 'seed of the inputs and of the arrival schedule', '1')
    .option('--json', 'print the results as JSON: one object, or an array for several models')
    .option('--report <file>', 'write an HTML report')
    .action(async (models: string[], opts: BenchCliOptions) => {
      const options = toOptions(opts);
      let bar: ReturnType<typeof progress> | undefined;
      options.onProgress = (done, total, label) => {
        bar ??= progress(total, 'bench');
        bar.tick(label);
      };
      const results = await runBench(models, options);
      bar?.done();
      for (const r of results) {
        if (options.threads !== undefined && r.threads < options.threads) {
          process.stderr.write(`edgeinfer: note: ${r.model} ran on ${r.threads} thread(s), not ${options.threads}: the session could not split this model's runs across threads (session.intraOpNumThreads)\n`);
        }
      }
      if (opts.json) process.stdout.write(JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n');
      else printResults(results);
      if (opts.report) writeReport(opts.report, results, `edgeinfer bench: ${options.scenario} — ${models.join(', ')}`);
    });
}
