// Does the dynamic batcher sustain more load than batch-1 serving at the same p99 bound? Both sides are
// the bench's MLPerf Server scenario (src/bench/scenarios/server.ts) with find-peak: Poisson arrivals,
// latency from each query's scheduled arrival, LoadGen's FindPeakPerformance. They share one session
// (so the same backend and threads), the seed, the bound and the probe length, and differ only in the
// batcher's maxBatchSize (1 = batch-1 serving). Their peak searches take alternating turns, probe by
// probe, and the timed runs at the peaks alternate in blocks, so both sides see the same machine; each
// repetition draws new arrivals and swaps which side starts. The result: each side's median peak, their
// ratio, and the batch-size histogram of every timed run. A second part measures saturation throughput
// (requests issued at once) in interleaved rounds, far less sensitive to a noisy machine than a p99.
//
//   npx tsx scripts/batcher-throughput.ts [--model models/resnet8/model.onnx] [--p99-ms 10] [--threads 1]
//     [--max-batch 32] [--preferred 8,16,32] [--max-queue-delay-ms 0] [--reps 3] [--probe-ms 1000] [--trials 3]
//     [--duration-ms 4000] [--seed 1] [--backend wasm]

import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DynamicBatcher, type BatcherOptions } from '../src/batcher/index.js';
import { FeedCache } from '../src/bench/scenarios/feeds.js';
import type { ScenarioOutcome } from '../src/bench/scenarios/scenario.js';
import { serialTurns } from '../src/bench/scenarios/serial-turns.js';
import { Server, type ServerOptions } from '../src/bench/scenarios/server.js';
import { pairedRatio } from '../src/bench/stats.js';
import { EdgeError } from '../src/errors.js';
import { InferenceSession } from '../src/runtime/session.js';
import type { Tensor } from '../src/tensor/tensor.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/resnet8/model.onnx' },
    'p99-ms': { type: 'string', default: '10' },
    threads: { type: 'string', default: '1' },
    'max-batch': { type: 'string', default: '32' },
    preferred: { type: 'string' },
    'max-queue-delay-ms': { type: 'string', default: '0' },
    reps: { type: 'string', default: '3' },
    'probe-ms': { type: 'string', default: '1000' },
    trials: { type: 'string', default: '3' },
    'duration-ms': { type: 'string', default: '4000' },
    seed: { type: 'string', default: '1' },
    backend: { type: 'string', default: 'wasm' },
  },
});

function positiveNumber(flag: string, integer: boolean, min = integer ? 1 : Number.MIN_VALUE): number {
  const x = Number(args[flag as keyof typeof args]);
  if (!Number.isFinite(x) || x < min || (integer && !Number.isInteger(x))) {
    throw new EdgeError('INPUT_INVALID', `--${flag} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got '${String(args[flag as keyof typeof args])}'`);
  }
  return x;
}

const model = args.model!;
const backend = args.backend === 'ref' ? 'ref' : 'wasm';
const p99BoundMs = positiveNumber('p99-ms', false);
const threads = positiveNumber('threads', true);
const maxBatch = positiveNumber('max-batch', true, 2);
const maxQueueDelayMs = positiveNumber('max-queue-delay-ms', false, 0);
const reps = positiveNumber('reps', true);
const durationMs = positiveNumber('duration-ms', false);
const probeMs = positiveNumber('probe-ms', false);
const trialsPerProbe = positiveNumber('trials', true);
/** Length of one timed block at the peak; the sides alternate blocks. */
const BLOCK_MS = 2000;
const seed = positiveNumber('seed', true, 0);
const preferred = args.preferred?.split(',').map((x) => Number(x.trim()));

interface Side {
  name: string;
  batcher: BatcherOptions;
}

const sides: Side[] = [
  { name: 'batch-1 serving (maxBatchSize 1)', batcher: { maxBatchSize: 1, maxQueueDelayMs } },
  {
    name: `dynamic batcher (maxBatchSize ${maxBatch}${preferred ? `, preferred ${preferred.join('/')}` : ''})`,
    batcher: { maxBatchSize: maxBatch, maxQueueDelayMs, preferredBatchSizes: preferred },
  },
];

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '∞');

function histogramText(h: Record<number, number> | undefined): string {
  if (!h) return '-';
  return Object.keys(h)
    .map(Number)
    .sort((a, b) => a - b)
    .map((b) => `${b}:${h[b]}`)
    .join(' ');
}

function describePeak(o: ScenarioOutcome, threadsUsed: number): string {
  const p = o.peak!;
  const srv = o.server!;
  const verdict = p.passed ? `${fmt(p.peakQps)} QPS` : `none passed (down to ${fmt(p.peakQps)})`;
  return (
    `${verdict}, ${p.probes.length} probes; timed run at it: p99 ${fmt(o.latency.percentileMs(99), 2)} ms (${p.finalRunPassed ? 'kept' : 'broke'} the bound), ` +
    `achieved ${fmt(srv.achievedQps)} QPS, ${threadsUsed} thread(s), mean batch ${fmt(srv.meanBatchSize ?? 0, 2)}, batch sizes ${histogramText(srv.batchSizeHistogram)}`
  );
}

/** One repetition: both sides' peak searches in alternating turns on one session, then their timed runs in alternating blocks. */
async function repetition(rep: number): Promise<ScenarioOutcome[]> {
  const session = await InferenceSession.create(model, { backend, intraOpNumThreads: threads });
  try {
    const target = { session, feeds: new FeedCache(session, seed + rep) };
    const turns = serialTurns();
    const runners = sides.map((side) => {
      const options: ServerOptions = {
        maxBatchSize: side.batcher.maxBatchSize,
        maxQueueDelayMs: side.batcher.maxQueueDelayMs,
        preferredBatchSizes: side.batcher.preferredBatchSizes,
        seed: seed + rep,
        findPeak: { latencyBoundMs: p99BoundMs, probeMs, trialsPerProbe },
        turns,
      };
      return new Server(target, options);
    });
    const order = rep % 2 === 0 ? [0, 1] : [1, 0];
    // The first warmup() called takes the first turn; after that the two searches alternate.
    await Promise.all(order.map((i) => runners[i]!.warmup()));
    const blocks = Math.max(1, Math.round(durationMs / BLOCK_MS));
    for (let b = 0; b < blocks; b++) for (const i of b % 2 === 0 ? order : [...order].reverse()) await runners[i]!.runBlock(durationMs / blocks);
    for (const r of runners) await r.finish();
    const outcomes = runners.map((r) => r.outcome());
    for (const i of order) console.log(`  rep ${rep + 1}  ${sides[i]!.name.padEnd(44)} ${describePeak(outcomes[i]!, session.intraOpNumThreads)}`);
    return outcomes;
  } finally {
    await session.release();
  }
}

/** Part 1: the Server scenario's peak under the p99 bound, per side and repetition (0 when nothing passed). */
async function peaks(): Promise<number[][]> {
  const byside: number[][] = sides.map(() => []);
  for (let rep = 0; rep < reps; rep++) {
    const outcomes = await repetition(rep);
    outcomes.forEach((o, i) => byside[i]!.push(o.peak!.passed ? o.peak!.peakQps : 0));
  }
  return byside;
}

/** Time to answer `count` single-sample requests issued at once: the queue never empties. */
async function saturationMs(session: InferenceSession, options: BatcherOptions, feeds: Record<string, Tensor>, count: number): Promise<{ ms: number; histogram: Record<number, number> }> {
  const batcher = new DynamicBatcher(session, { ...options, maxQueueSize: 0 });
  const t0 = performance.now();
  await Promise.all(Array.from({ length: count }, () => batcher.infer(feeds)));
  const ms = performance.now() - t0;
  await batcher.close();
  return { ms, histogram: batcher.stats.batchSizeHistogram };
}

/** Part 2: saturation throughput of both sides on one session, interleaved rounds, paired ratio. */
async function saturation(): Promise<void> {
  const session = await InferenceSession.create(model, { backend, intraOpNumThreads: threads });
  try {
    const feeds = new FeedCache(session, seed);
    for (let rows = 1; rows <= maxBatch; rows++) session.runSync(feeds.feeds(rows)); // every plan, untimed
    // About a second of batch-1 work per round (the size-1 plan rebuilt first if the cache dropped it).
    session.runSync(feeds.feeds(1));
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) session.runSync(feeds.feeds(1));
    const count = Math.min(4000, Math.max(200, Math.round((20 * 1000) / Math.max(performance.now() - t0, 1e-3))));
    const rounds = 2 * reps + 1;
    const times: number[][] = sides.map(() => []);
    const histograms: Record<number, number>[] = sides.map(() => ({}));
    for (let i = 0; i < sides.length; i++) await saturationMs(session, sides[i]!.batcher, feeds.feeds(1), count); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < sides.length; k++) {
        const i = (k + r) % sides.length;
        const { ms, histogram } = await saturationMs(session, sides[i]!.batcher, feeds.feeds(1), count);
        times[i]!.push(ms);
        for (const [rows, n] of Object.entries(histogram)) histograms[i]![Number(rows)] = (histograms[i]![Number(rows)] ?? 0) + n;
      }
    }
    console.log(`\nsaturation: ${count} requests issued at once, ${rounds} interleaved rounds, session with ${session.intraOpNumThreads} thread(s) for batches`);
    sides.forEach((side, i) => {
      const qps = (count * 1000) / median(times[i]!);
      const vs = i === 0 ? '' : (() => {
        const r = pairedRatio(times[0]!, times[i]!);
        return `  ×${r.ratio.toFixed(2)} vs batch-1 (${(r.confidence * 100).toFixed(0)} % CI ${r.lo.toFixed(2)}–${r.hi.toFixed(2)})`;
      })();
      console.log(`  ${side.name.padEnd(44)} ${fmt(qps).padStart(7)} samples/s${vs}; batch sizes ${histogramText(histograms[i])}`);
    });
  } finally {
    await session.release();
  }
}

/**
 * A batcher forms every size from 1 to maxBatchSize. If the session keeps fewer static plans than that,
 * runs that change size rebuild plans, and the batched side pays for it: say so before measuring.
 */
async function planCacheCheck(): Promise<void> {
  const session = await InferenceSession.create(model, { backend, intraOpNumThreads: threads });
  try {
    const feeds = new FeedCache(session, seed);
    const sizes = Array.from({ length: maxBatch }, (_, i) => i + 1);
    for (const b of sizes) session.runSync(feeds.feeds(b));
    const msPerRow = (order: readonly number[]) => {
      const t0 = performance.now();
      let rows = 0;
      for (const b of order) {
        session.runSync(feeds.feeds(b));
        rows += b;
      }
      return (performance.now() - t0) / rows;
    };
    const oneSize = msPerRow(sizes.map(() => maxBatch));
    const cycling = msPerRow(sizes);
    console.log(`plan check: ${cycling.toFixed(3)} ms per row running sizes 1…${maxBatch} in turn, ${oneSize.toFixed(3)} ms per row at size ${maxBatch} only`);
    if (cycling > 2 * oneSize) {
      console.log(
        `  WARNING: changing batch size costs ×${(cycling / oneSize).toFixed(1)} per row: the session does not keep a static plan for each of the ${maxBatch} sizes ` +
          `(src/runtime/wasm/wasm-executor.ts MAX_PLANS) and rebuilds them; the batched side below pays for those rebuilds.`,
      );
    }
  } finally {
    await session.release();
  }
}

async function main(): Promise<void> {
  console.log(
    `model ${model} (${backend}), threads ${threads}; Server scenario with find-peak, p99 ≤ ${p99BoundMs} ms, max queue delay ${maxQueueDelayMs} ms, ` +
      `${probeMs} ms probes judged on the median p99 of ${trialsPerProbe}, ${durationMs} ms timed at each peak, ${reps} repetitions, seed ${seed}`,
  );
  console.log(`load average at the start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  await planCacheCheck();
  console.log('');
  const byside = await peaks();
  const [base, batched] = byside.map(median) as [number, number];
  console.log(`\nServer peak QPS with p99 ≤ ${p99BoundMs} ms (median of ${reps}):`);
  sides.forEach((side, i) => console.log(`  ${side.name.padEnd(44)} ${fmt(median(byside[i]!)).padStart(7)}   runs: ${byside[i]!.map((q) => fmt(q)).join(', ')}`));
  const perRep = byside[1]!.map((q, r) => (byside[0]![r]! > 0 ? q / byside[0]![r]! : NaN)).filter(Number.isFinite);
  const ratio = base > 0 ? batched / base : NaN;
  console.log(`  ratio batched / batch-1: ×${fmt(ratio, 2)}   per repetition: ${perRep.map((x) => `×${x.toFixed(2)}`).join(', ') || '-'}`);
  await saturation();
  console.log(`\nload average at the end (other jobs share this machine): ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

await main();
