// bench:peers — edgeinfer against onnxruntime-web and onnxruntime-node on the same .onnx files,
// in one process run, interleaved in short blocks so the noise of a shared machine hits all alike.
//
//   npx tsx bench/peers.ts [--quick] [--models a,b] [--models-dir dir] [--backends ref,wasm] [--fixtures dir]

import { statSync } from 'node:fs';
import path from 'node:path';
import { CommanderError } from 'commander';
import { EdgeError } from '../src/errors.js';
import { EngineHost } from './peers/engine-host.js';
import { engineList } from './peers/engines.js';
import { makeFeeds, readModelInputs } from './peers/inputs.js';
import { machineInfo } from './peers/machine.js';
import { measureOverhead, measurePhase, Notices, type LiveEngine } from './peers/measure.js';
import { modelFile, parsePeerOptions, REPO_ROOT, runCounts, type PeerOptions } from './peers/options.js';
import { defaultResultsFile, printReport, writeResults } from './peers/report.js';
import type { EngineRecord, ModelResult, PeersResults } from './peers/results.js';

const OVERHEAD_MODEL = 'simplenet';

async function startEngines(o: PeerOptions, records: EngineRecord[]): Promise<LiveEngine[]> {
  const live: LiveEngine[] = [];
  for (const spec of engineList(o.backends, o.peers, o.threads)) {
    const record: EngineRecord = { id: spec.id, family: spec.family, threads: spec.threads, backend: spec.backend, status: 'ok' };
    records.push(record);
    try {
      const { host, info } = await EngineHost.start(spec);
      record.version = info.version;
      live.push({ host, record, hasSyncRun: info.hasSyncRun });
    } catch (err) {
      record.status = 'skipped';
      record.reason = `could not start: ${(err as Error).message}`;
      process.stderr.write(`bench:peers: ${spec.id} skipped: ${record.reason}\n`);
    }
  }
  return live;
}

async function measureModel(name: string, live: LiveEngine[], o: PeerOptions, notices: Notices): Promise<ModelResult> {
  const modelPath = modelFile(name, o);
  const result: ModelResult = { name, path: modelPath, bytes: statSync(modelPath).size };
  try {
    const spec = readModelInputs(modelPath);
    result.batchDim = spec.batchDim;
    const counts = runCounts(name, o);
    const phases = [
      { kind: 'latency' as const, batch: 1, runs: counts.latencyRuns },
      { kind: 'throughput' as const, batch: o.batch, runs: counts.throughputRuns },
    ];
    for (const ph of phases) {
      let feeds;
      try {
        feeds = makeFeeds(spec, ph.batch);
      } catch (err) {
        process.stderr.write(`bench:peers: ${name}: ${ph.kind} phase skipped: ${(err as Error).message}\n`);
        continue;
      }
      const overrides = spec.batchDim ? { [spec.batchDim]: ph.batch } : {};
      result[ph.kind] = await measurePhase(live, { ...ph, model: name, modelPath, feeds, overrides, rounds: o.rounds, warmup: o.warmup, minBlockMs: o.minBlockMs }, notices);
    }
  } catch (err) {
    result.skipped = (err as Error).message;
    process.stderr.write(`bench:peers: ${name} skipped: ${result.skipped}\n`);
  }
  return result;
}

async function main(): Promise<void> {
  const o = parsePeerOptions(process.argv.slice(2));
  const started = new Date();
  const t0 = performance.now();
  const records: EngineRecord[] = [];
  const results: PeersResults = {
    schema: 'edgeinfer-bench-peers/1',
    date: started.toISOString(),
    argv: process.argv.slice(2),
    options: o,
    machine: machineInfo(),
    engines: records,
    models: [],
    wallSeconds: 0,
  };
  const live = await startEngines(o, records);
  const notices = new Notices();
  try {
    const overheadPath = path.join(o.fixtures, OVERHEAD_MODEL, 'model.onnx');
    if (o.overhead.enabled) {
      try {
        const spec = readModelInputs(overheadPath);
        const overrides = spec.batchDim ? { [spec.batchDim]: 1 } : {};
        results.overhead = await measureOverhead(live, OVERHEAD_MODEL, overheadPath, makeFeeds(spec, 1), overrides, o.overhead, notices);
      } catch (err) {
        process.stderr.write(`bench:peers: overhead measurement skipped: ${(err as Error).message}\n`);
      }
    }
    for (const name of o.models) results.models.push(await measureModel(name, live, o, notices));
  } finally {
    for (const e of live) await e.host.close();
  }
  // An engine that loaded no model at all (e.g. a backend whose create() throws) is reported as skipped.
  for (const rec of records) {
    const phases = results.models.flatMap((m) => [m.latency, m.throughput]).filter((p) => p !== undefined);
    if (rec.status === 'ok' && phases.length > 0 && phases.every((p) => !p.engines[rec.id])) {
      rec.status = 'skipped';
      rec.reason = phases.map((p) => p.skipped[rec.id]).find((s) => s) ?? 'measured on no model';
    }
  }
  results.machineLoadAfter1m = machineInfo().loadAverage1m;
  results.wallSeconds = Math.round((performance.now() - t0) / 100) / 10;
  printReport(results);
  const file = writeResults(results, o.out ? path.resolve(o.out) : defaultResultsFile(REPO_ROOT, started));
  process.stdout.write(`\nRaw figures: ${path.relative(process.cwd(), file)} (${results.wallSeconds} s)\n`);
}

main().then(
  () => process.exit(0), // onnxruntime-web's pthread workers would otherwise keep the process alive
  (err: unknown) => {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    const e = err as Error;
    process.stderr.write(err instanceof EdgeError ? `bench:peers: error [${err.code}]: ${e.message}\n` : `bench:peers: internal error: ${e?.stack ?? String(err)}\n`);
    process.exit(2);
  },
);
