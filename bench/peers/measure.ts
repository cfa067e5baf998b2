// The measured phases: batch-1 latency, large-batch throughput and per-call overhead, each run
// over all engines in interleaved rounds, with a paired time ratio of each edgeinfer engine to each peer.

import { pairedRatio, medianInterval, median, summarize } from '../../src/bench/stats.js';
import { progress } from '../../src/cli/output.js';
import type { EngineHost } from './engine-host.js';
import { isEdgeinfer } from './engines.js';
import { interleave, type Participant } from './interleave.js';
import type { FeedData, Replies, RunMode } from './protocol.js';
import type { EnginePhase, EngineRecord, OutputCheck, OverheadEntry, OverheadResult, PhaseResult, RatioRecord } from './results.js';

export interface LiveEngine {
  host: EngineHost;
  record: EngineRecord;
  hasSyncRun: boolean;
}

/** Prints each distinct skip reason of an engine once, so a missing backend does not flood the log. */
export class Notices {
  private readonly seen = new Set<string>();
  skip(engine: string, where: string, reason: string): void {
    const key = `${engine}\u0000${reason}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    process.stderr.write(`bench:peers: ${engine} skipped (${where}): ${reason}\n`);
  }
}

export interface PhaseSpec {
  kind: 'latency' | 'throughput';
  model: string;
  modelPath: string;
  feeds: FeedData[];
  overrides: Record<string, number>;
  batch: number;
  runs: number;
  rounds: number;
  warmup: { maxRuns: number; maxMs: number };
  /** Fast engines run more than the required runs per block, up to this much time (see blockRuns). */
  minBlockMs: number;
}

/**
 * Untimed runs at the start of each block: the first run after another engine had the CPU pays
 * for cold caches and sleeping threads, which would otherwise make up the p99 of fast models.
 * About 2 ms of runs, and none for slow models, where that effect is lost in the run time.
 */
export function rewarmRuns(meanRunMs: number): number {
  return meanRunMs >= 20 ? 0 : Math.min(20, Math.max(1, Math.ceil(2 / meanRunMs)));
}

/**
 * Runs per block for one engine: the required share, or more when the engine is fast enough to
 * fill minBlockMs, capped at 4x so the raw samples stay a reasonable size. Costs little and gives
 * tiny models (simplenet at batch 32) more than a couple of samples in a quick run.
 */
export function blockRuns(required: number, meanRunMs: number, minBlockMs: number): number {
  const fill = Math.ceil(minBlockMs / Math.max(meanRunMs, 1e-6));
  return Math.min(Math.max(required, fill), Math.max(4 * required, 50));
}

// Process CPU time is counted in scheduler ticks and includes other threads' brief spinning:
// only over a quarter second of timed runs does CPU ÷ wall say how many cores an engine used.
const MIN_CPU_WALL_MS = 250;

function cpuShares(blocks: readonly Replies['time'][]): Pick<EnginePhase, 'cpuPerWall' | 'othersCpuPerWall'> {
  const sum = (f: (b: Replies['time']) => number) => blocks.reduce((s, b) => s + f(b), 0);
  const wallMs = sum((b) => b.wallMs);
  if (wallMs < MIN_CPU_WALL_MS) return {};
  const cpuPerWall = sum((b) => b.cpuMs) / wallMs;
  if (blocks.some((b) => b.machineBusyMs === undefined)) return { cpuPerWall };
  return { cpuPerWall, othersCpuPerWall: Math.max(0, sum((b) => b.machineBusyMs! - b.cpuMs) / wallMs) };
}

// Output agreement between engines: loose enough for fused kernels and other summation orders.
const ATOL = 1e-4;
const RTOL = 1e-3;

/** Loads the phase's model in every engine; returns the engines that loaded. */
async function loadAll(engines: readonly LiveEngine[], spec: PhaseSpec, skipped: Record<string, string>, notices: Notices): Promise<Map<string, { e: LiveEngine; loadMs: number }>> {
  const ready = new Map<string, { e: LiveEngine; loadMs: number }>();
  for (const e of engines) {
    try {
      const r = await e.host.call({ cmd: 'load', modelPath: spec.modelPath, feeds: spec.feeds, overrides: spec.overrides });
      if (e.record.threadsStarted === undefined && r.threadsStarted !== undefined) e.record.threadsStarted = r.threadsStarted;
      ready.set(e.record.id, { e, loadMs: r.loadMs });
    } catch (err) {
      skipped[e.record.id] = `load failed: ${(err as Error).message}`;
      notices.skip(e.record.id, `${spec.model}, batch ${spec.batch}`, (err as Error).message);
    }
  }
  return ready;
}

/**
 * Compares every engine's outputs with onnxruntime-node's (or the first peer's) on the same input.
 * An engine whose run fails here leaves `ready` and is skipped for the phase.
 */
async function checkOutputs(ready: Map<string, { e: LiveEngine }>, skipped: Record<string, string>, where: string, notices: Notices): Promise<Record<string, OutputCheck> | undefined> {
  const outputs = new Map<string, Record<string, Float32Array>>();
  for (const [id, { e }] of ready) {
    try {
      outputs.set(id, (await e.host.call({ cmd: 'outputs' })).outputs);
    } catch (err) {
      ready.delete(id);
      skipped[id] = `run failed: ${(err as Error).message}`;
      notices.skip(id, where, (err as Error).message);
    }
  }
  const ids = [...outputs.keys()];
  const peers = ids.filter((id) => !isEdgeinfer(ready.get(id)!.e.record));
  const reference = peers.find((id) => ready.get(id)!.e.record.family === 'ort-node') ?? peers[0];
  if (!reference) return undefined;
  const ref = outputs.get(reference)!;
  const checks: Record<string, OutputCheck> = {};
  for (const [id, out] of outputs) {
    if (id === reference) continue;
    let maxAbsDiff = 0;
    let worstOverTol = 0;
    const missing: string[] = [];
    for (const [name, expected] of Object.entries(ref)) {
      const actual = out[name];
      if (!actual || actual.length !== expected.length) {
        missing.push(name);
        continue;
      }
      for (let i = 0; i < expected.length; i++) {
        const d = Math.abs(actual[i]! - expected[i]!);
        maxAbsDiff = Math.max(maxAbsDiff, d);
        worstOverTol = Math.max(worstOverTol, d / (ATOL + RTOL * Math.abs(expected[i]!)));
      }
    }
    // NaN anywhere fails the check (comparisons with NaN are false).
    checks[id] = { against: reference, maxAbsDiff, worstOverTol, ok: worstOverTol <= 1 && missing.length === 0, ...(missing.length ? { missing } : {}) };
  }
  return checks;
}

function ratios(engines: Record<string, EnginePhase>, edgeIds: ReadonlySet<string>): PhaseResult['ratios'] {
  const out: PhaseResult['ratios'] = {};
  const ids = Object.keys(engines);
  for (const a of ids.filter((id) => edgeIds.has(id))) {
    out[a] = {};
    for (const b of ids.filter((id) => !edgeIds.has(id))) {
      const ea = engines[a]!;
      const eb = engines[b]!;
      const r: RatioRecord = { ...pairedRatio(ea.blockMediansMs, eb.blockMediansMs), ratioOfMedians: ea.ms.median / eb.ms.median };
      out[a]![b] = r;
    }
  }
  return out;
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

export async function measurePhase(engines: readonly LiveEngine[], spec: PhaseSpec, notices: Notices): Promise<PhaseResult> {
  const skipped: Record<string, string> = {};
  const rounds = Math.min(spec.rounds, spec.runs);
  const runsPerBlock = Math.ceil(spec.runs / rounds);
  process.stderr.write(`bench:peers: ${spec.model} batch ${spec.batch} (${spec.kind}): ${rounds} rounds × ${runsPerBlock} runs per engine\n`);
  const ready = await loadAll(engines, spec, skipped, notices);
  const where = `${spec.model}, batch ${spec.batch}`;
  const outputCheck = spec.kind === 'latency' ? await checkOutputs(ready, skipped, where, notices) : undefined;
  for (const [id, c] of Object.entries(outputCheck ?? {})) {
    if (!c.ok) process.stderr.write(`bench:peers: warning: ${id} output differs from ${c.against} on ${where} (max |diff| ${c.maxAbsDiff.toExponential(2)}${c.missing ? `, missing ${c.missing.join(', ')}` : ''})\n`);
  }

  const warmups = new Map<string, Replies['warmup']>();
  for (const [id, { e }] of ready) {
    try {
      warmups.set(id, await e.host.call({ cmd: 'warmup', ...spec.warmup, mode: 'sync' }));
    } catch (err) {
      ready.delete(id);
      skipped[id] = `run failed: ${(err as Error).message}`;
      notices.skip(id, where, (err as Error).message);
    }
  }

  const participants: Participant<Replies['time']>[] = [...ready].map(([id, { e }]) => {
    const { meanMs } = warmups.get(id)!;
    const runs = blockRuns(runsPerBlock, meanMs, spec.minBlockMs);
    return { id, block: () => e.host.call({ cmd: 'time', runs, mode: 'sync', rewarmRuns: rewarmRuns(meanMs) }) };
  });
  const bar = progress(rounds * participants.length, `${spec.model} b${spec.batch}`);
  const { blocks, failed } = await interleave(participants, rounds, (id, r) => bar.tick(`round ${r + 1}/${rounds} ${id}`));
  bar.done();
  for (const [id, err] of failed) {
    skipped[id] = `run failed: ${err.message}`;
    notices.skip(id, where, err.message);
  }
  for (const { e } of ready.values()) await e.host.call({ cmd: 'release' }).catch(() => undefined);

  const results: Record<string, EnginePhase> = {};
  for (const [id, perRound] of blocks) {
    const all = perRound.flatMap((b) => Array.from(b.samplesMs));
    const ms = summarize(all);
    const totalMs = all.reduce((s, x) => s + x, 0);
    results[id] = {
      loadMs: ready.get(id)!.loadMs,
      warmupRuns: warmups.get(id)!.runs,
      rewarmRunsPerBlock: rewarmRuns(warmups.get(id)!.meanMs),
      runs: all.length,
      ms,
      blockMediansMs: perRound.map((b) => median(b.samplesMs)),
      ...cpuShares(perRound),
      samplesMs: all.map(round4),
      ...(spec.kind === 'throughput' ? { inferencesPerS: (spec.batch * 1000) / ms.median, aggregateInferencesPerS: (spec.batch * all.length * 1000) / totalMs } : {}),
    };
  }
  const edgeIds = new Set(engines.filter((e) => isEdgeinfer(e.record)).map((e) => e.record.id));
  return { kind: spec.kind, batch: spec.batch, rounds, runsPerBlock, engines: results, skipped, ratios: ratios(results, edgeIds), outputCheck };
}

/**
 * Per-call overhead on a model that does almost no arithmetic (simplenet: 60 MACs): blocks of
 * back-to-back calls with no timer inside, so the figure is the engine's fixed cost per run.
 */
export async function measureOverhead(engines: readonly LiveEngine[], model: string, modelPath: string, feeds: FeedData[], overrides: Record<string, number>, o: { rounds: number; calls: number }, notices: Notices): Promise<OverheadResult> {
  const skipped: Record<string, string> = {};
  process.stderr.write(`bench:peers: per-call overhead on ${model}: ${o.rounds} rounds × ${o.calls} calls per engine\n`);
  const spec: PhaseSpec = { kind: 'latency', model, modelPath, feeds, overrides, batch: 1, runs: 1, rounds: 1, warmup: { maxRuns: 1, maxMs: 0 }, minBlockMs: 0 };
  const ready = await loadAll(engines, spec, skipped, notices);
  const participants: (Participant<number> & { engine: string; mode: RunMode })[] = [];
  for (const [id, { e }] of ready) {
    const modes: RunMode[] = e.hasSyncRun ? ['sync', 'async'] : ['async'];
    for (const mode of modes) {
      await e.host.call({ cmd: 'burst', calls: o.calls, mode, rewarmRuns: 0 }); // warm-up
      participants.push({
        id: e.hasSyncRun ? `${id} ${mode === 'sync' ? 'runSync' : 'await run'}` : id,
        engine: id,
        mode,
        block: async () => ((await e.host.call({ cmd: 'burst', calls: o.calls, mode, rewarmRuns: 20 })).totalMs * 1000) / o.calls,
      });
    }
  }
  const bar = progress(o.rounds * participants.length, `overhead ${model}`);
  const { blocks, failed } = await interleave(participants, o.rounds, (id, r) => bar.tick(`round ${r + 1}/${o.rounds} ${id}`));
  bar.done();
  for (const [id, err] of failed) skipped[id] = `run failed: ${err.message}`;
  for (const { e } of ready.values()) await e.host.call({ cmd: 'release' }).catch(() => undefined);
  const entries: OverheadEntry[] = [];
  for (const p of participants) {
    const perRoundUs = blocks.get(p.id);
    if (!perRoundUs) continue;
    const ci = medianInterval(perRoundUs);
    entries.push({ engine: p.id, mode: p.mode, usPerCall: median(perRoundUs), lo: ci.lo, hi: ci.hi, confidence: ci.confidence, perRoundUs });
  }
  return { model, rounds: o.rounds, callsPerBlock: o.calls, entries, skipped };
}
