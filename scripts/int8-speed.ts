// int8 vs fp32 batch-1 latency on the wasm backend (1 thread, same process): each model is quantized with
// quantizeModel's defaults, then fp32 and int8 sessions run in interleaved blocks and the medians are compared.
// A per-op breakdown (session.profile) shows where the int8 time goes next to the float ops.
// With --threads T, fp32 and int8 sessions with intraOpNumThreads T join the interleaving and their speedups over one
// thread are printed.
// With --peers ort-web,ort-node the same fp32 file and the same int8 file (as saved by edgeinfer quantize) also run in
// onnxruntime-web (WebAssembly SIMD, 1 thread) and onnxruntime-node (native CPU EP, 1 thread) in the same interleaved
// blocks, so every engine's own int8 / fp32 ratio is measured under the same conditions.
// --activations uint8 quantizes activations to uint8 (onnxruntime's preferred x86 form) instead of int8.
// Usage: npx tsx scripts/int8-speed.ts [--models a,b] [--fixtures ../shared/fixtures] [--blocks 15] [--runs 10]
//        [--calib 16] [--top 12] [--no-profile] [--threads 2] [--peers ort-web,ort-node] [--activations uint8]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeNpy } from '../src/formats/npy.js';
import { writeOnnx } from '../src/formats/onnx/writer.js';
import type { Model } from '../src/ir/graph.js';
import { quantizeModel } from '../src/quant/quantize.js';
import { loadModelFile } from '../src/runtime/load-file.js';
import { InferenceSession } from '../src/runtime/session.js';
import { randomTensor } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_MODELS = ['resnet8', 'dscnn_kws', 'mobilenet_v2_035', 'mobilenet_v2'];

interface ImageSet {
  file: string;
  shape: [number, number, number, number];
  splits: { calib: [number, number] };
  normalization: { kind: 'imagenet' | 'unit'; mean?: number[]; std?: number[]; used_by: string[] };
}

/** The first `count` calibration images of the set a model uses, normalized as in scripts/eval-int8.ts; undefined when no set is. */
function calibImages(fixtures: string, name: string, count: number): Tensor | undefined {
  const dir = path.join(fixtures, 'images');
  const { sets } = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { sets: Record<string, ImageSet> };
  const set = Object.values(sets).find((s) => s.normalization.used_by.includes(`models/${name}`));
  if (!set) return undefined;
  const [, c, h, w] = set.shape;
  const plane = h * w;
  const [from, to] = [set.splits.calib[0], Math.min(set.splits.calib[1], set.splits.calib[0] + count)];
  const fd = fs.openSync(path.join(dir, set.file), 'r');
  const u8 = new Uint8Array((to - from) * c * plane);
  fs.readSync(fd, u8, 0, u8.length, from * c * plane);
  fs.closeSync(fd);
  const out = new Float32Array(u8.length);
  for (let i = 0; i < out.length; i++) {
    const x = u8[i]! / 255;
    const ch = Math.floor(i / plane) % c;
    out[i] = set.normalization.kind === 'unit' ? x : (x - set.normalization.mean![ch]!) / set.normalization.std![ch]!;
  }
  return new Tensor('float32', out, [to - from, c, h, w]);
}

async function quantize(model: Model, calib: Tensor, activationType: 'int8' | 'uint8'): Promise<Model> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'int8-speed-'));
  try {
    const file = path.join(dir, 'calib.npy');
    fs.writeFileSync(file, writeNpy(calib));
    return (await quantizeModel(model, { calibration: file, activationType })).model;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Something timed in the blocks: `runs` back-to-back runs, awaited once at the end when asynchronous. */
type Runner = (runs: number) => void | Promise<void>;

const sessionRunner = (s: InferenceSession, feeds: Record<string, Tensor>): Runner => (runs) => {
  for (let r = 0; r < runs; r++) s.runSync(feeds);
};

/** Per-block mean ms of each runner, blocks alternating (and alternating which goes first) so drift hits all alike. */
async function interleaved(runners: Runner[], blocks: number, runs: number[]): Promise<number[][]> {
  const times = runners.map(() => [] as number[]);
  for (let b = 0; b < blocks; b++) {
    const order = b % 2 ? [...runners.keys()].reverse() : [...runners.keys()];
    for (const i of order) {
      const t0 = performance.now();
      await runners[i]!(runs[i]!);
      times[i]!.push((performance.now() - t0) / runs[i]!);
    }
  }
  return times;
}

const PEERS = ['ort-web', 'ort-node'] as const;
type Peer = (typeof PEERS)[number];

/** fp32 and int8 runners of one onnxruntime package on the same files, one thread each. */
async function peerRunners(peer: Peer, files: [Uint8Array, Uint8Array], x: Tensor, inputName: string): Promise<{ runners: Runner[]; release: () => Promise<void> }> {
  const ort = peer === 'ort-web' ? await import('onnxruntime-web') : await import('onnxruntime-node');
  if (peer === 'ort-web') {
    const web = ort as typeof import('onnxruntime-web');
    web.env.wasm.numThreads = 1;
    web.env.wasm.proxy = false;
  }
  const options = peer === 'ort-web'
    ? { executionProviders: ['wasm'], graphOptimizationLevel: 'all' as const }
    : { executionProviders: ['cpu'], graphOptimizationLevel: 'all' as const, intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' as const };
  const sessions = await Promise.all(files.map((f) => ort.InferenceSession.create(f, options)));
  const feeds = { [inputName]: new ort.Tensor('float32', x.data as Float32Array, x.dims) };
  const runners = sessions.map((s): Runner => async (runs) => {
    for (let r = 0; r < runs; r++) await s.run(feeds as never);
  });
  return { runners, release: async () => void (await Promise.all(sessions.map((s) => s.release()))) };
}

type Row = { node: string; op: string; kernel: string; ms: number };

/** ms per op type (the int8 ops the pass makes keep their edgeinfer.* names), largest first. */
function byOp(rows: Row[]): Map<string, { ms: number; count: number; kernels: Set<string> }> {
  const m = new Map<string, { ms: number; count: number; kernels: Set<string> }>();
  for (const r of rows) {
    const op = r.op.replace(/^edgeinfer\./, '');
    const e = m.get(op) ?? { ms: 0, count: 0, kernels: new Set<string>() };
    e.ms += r.ms;
    e.count++;
    e.kernels.add(r.kernel.replace(/__\w+$/, ''));
    m.set(op, e);
  }
  return new Map([...m].sort((a, b) => b[1].ms - a[1].ms));
}

function printBreakdown(label: string, rows: Row[], top: number, log: (s: string) => void): void {
  const total = rows.reduce((s, r) => s + r.ms, 0);
  log(`  ${label}: ${total.toFixed(3)} ms (sum of per-step medians)`);
  for (const [op, e] of byOp(rows)) {
    log(`    ${e.ms.toFixed(3).padStart(8)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  ${String(e.count).padStart(3)}x ${op.padEnd(26)} ${[...e.kernels].join(', ')}`);
  }
  if (top > 0) {
    log(`    slowest steps:`);
    for (const r of [...rows].sort((a, b) => b.ms - a.ms).slice(0, top)) {
      log(`    ${r.ms.toFixed(4).padStart(8)} ms  ${r.op.replace(/^edgeinfer\./, '').padEnd(24)} ${r.kernel.padEnd(34)} ${r.node}`);
    }
  }
}

/** The same node (the fused int8 ops keep the float node's name) in both plans, by the time int8 loses or saves. */
function printNodePairs(fRows: Row[], qRows: Row[], top: number, log: (s: string) => void): void {
  const f = new Map(fRows.map((r) => [r.node, r]));
  const pairs = qRows.filter((q) => f.has(q.node)).map((q) => ({ q, f: f.get(q.node)! }));
  log(`    nodes by int8 - fp32 ms (fp32 kernel -> int8 kernel):`);
  for (const { q, f: r } of pairs.sort((a, b) => b.q.ms - b.f.ms - (a.q.ms - a.f.ms)).slice(0, top)) {
    const name = (k: string) => k.replace(/__\w+$/, '');
    log(`    ${r.ms.toFixed(4).padStart(8)} -> ${q.ms.toFixed(4).padStart(8)} ms ${(q.ms / r.ms).toFixed(2).padStart(5)}x  ${name(r.kernel)} -> ${name(q.kernel)}  ${q.node}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      models: { type: 'string', default: DEFAULT_MODELS.join(',') },
      fixtures: { type: 'string', default: path.resolve(ROOT, '../shared/fixtures') },
      blocks: { type: 'string', default: '15' },
      runs: { type: 'string' },
      calib: { type: 'string', default: '16' },
      top: { type: 'string', default: '8' },
      'no-profile': { type: 'boolean', default: false },
      threads: { type: 'string', default: '1' },
      peers: { type: 'string', default: '' },
      activations: { type: 'string', default: 'int8' },
    },
  });
  const peers = values.peers!.split(',').filter(Boolean) as Peer[];
  for (const p of peers) if (!PEERS.includes(p)) throw new Error(`--peers: unknown peer '${p}'; known: ${PEERS.join(', ')}`);
  const activationType = values.activations as 'int8' | 'uint8';
  if (activationType !== 'int8' && activationType !== 'uint8') throw new Error(`--activations: int8 or uint8, got '${activationType}'`);
  const peerSummary: string[][] = [];
  const log = (s: string) => process.stdout.write(s + '\n');
  const summary: string[][] = [];
  for (const name of values.models!.split(',')) {
    const model = await loadModelFile(path.join(values.fixtures!, 'models', name, 'model.onnx'));
    const dims = model.graph.inputs[0]!.type!.shape!.map((d, i) => (i === 0 ? 1 : Number(d)));
    // Calibration quality does not matter for speed: the model's own images when it has some, else N(0,1).
    const calib = calibImages(values.fixtures!, name, Number(values.calib)) ?? randomTensor('float32', [Number(values.calib), ...dims.slice(1)], 1);
    const int8 = await quantize(model, calib, activationType);
    const fp32Session = await InferenceSession.create(model, { backend: 'wasm' });
    const int8Session = await InferenceSession.create(int8, { backend: 'wasm' });
    const x = randomTensor('float32', dims, 7);
    const feeds = { [fp32Session.inputNames[0]!]: x };
    // Warm-up: plans built, the engine's tiers settled; then pick runs per block so one block takes ~50 ms.
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) {
      fp32Session.runSync(feeds);
      int8Session.runSync(feeds);
    }
    const perPair = (performance.now() - t0) / 20;
    const runs = values.runs ? Number(values.runs) : Math.max(1, Math.round(100 / perPair));
    const threads = Number(values.threads);
    const threaded = threads > 1
      ? [await InferenceSession.create(model, { backend: 'wasm', intraOpNumThreads: threads }), await InferenceSession.create(int8, { backend: 'wasm', intraOpNumThreads: threads })]
      : [];
    for (let i = 0; i < 20; i++) for (const s of threaded) s.runSync(feeds);
    const own = [fp32Session, int8Session, ...threaded].map((s) => sessionRunner(s, feeds));
    // Peers get the files as edgeinfer writes them: the fp32 fixture re-encoded and the quantized model.
    const files: [Uint8Array, Uint8Array] = [fs.readFileSync(path.join(values.fixtures!, 'models', name, 'model.onnx')), writeOnnx(int8)];
    const loaded = await Promise.all(peers.map((p) => peerRunners(p, files, x, fp32Session.inputNames[0]!)));
    const peerRuns: Runner[] = loaded.flatMap((l) => l.runners);
    // Each peer runner gets runs per block sized from its own warm-up, so every block lasts about as long.
    const peerCounts: number[] = [];
    for (const r of peerRuns) {
      for (let i = 0; i < 5; i++) await r(1);
      const p0 = performance.now();
      await r(10);
      peerCounts.push(Math.max(1, Math.round(50 / ((performance.now() - p0) / 10))));
    }
    const times = await interleaved([...own, ...peerRuns], Number(values.blocks), [...own.map(() => runs), ...peerCounts]);
    const medians = times.map(median);
    const [f, q] = medians as [number, number];
    const [fT, qT] = threaded.length ? (medians.slice(2, 4) as [number, number]) : [undefined, undefined];
    const peerMedians = medians.slice(own.length);
    for (const l of loaded) await l.release();
    const ratio = q / f;
    log(`${name} [${dims.join('x')}]: fp32 ${f.toFixed(3)} ms, int8 ${q.toFixed(3)} ms, int8/fp32 ${ratio.toFixed(2)}x (${values.blocks} blocks of ${runs} runs)`);
    if (fT !== undefined && qT !== undefined) {
      log(`  ${threads} threads: fp32 ${fT.toFixed(3)} ms (${(f / fT).toFixed(2)}x one thread), int8 ${qT.toFixed(3)} ms (${(q / qT).toFixed(2)}x one thread)`);
    }
    peers.forEach((p, i) => {
      const [pf, pq] = [peerMedians[2 * i]!, peerMedians[2 * i + 1]!];
      log(`  ${p}: fp32 ${pf.toFixed(3)} ms, int8 ${pq.toFixed(3)} ms, int8/fp32 ${(pq / pf).toFixed(2)}x; edgeinfer int8 / ${p} int8 ${(q / pq).toFixed(2)}x`);
      peerSummary.push([name, p, pf.toFixed(3), pq.toFixed(3), (pq / pf).toFixed(2) + 'x', (q / f).toFixed(2) + 'x']);
    });
    for (const s of threaded) await s.release();
    if (!values['no-profile']) {
      const profileRuns = Math.max(20, runs * 4);
      const fRows = fp32Session.profile([x], profileRuns);
      const qRows = int8Session.profile([x], profileRuns);
      printBreakdown('fp32', fRows, Number(values.top), log);
      printBreakdown('int8', qRows, Number(values.top), log);
      printNodePairs(fRows, qRows, Number(values.top), log);
    }
    summary.push([name, f.toFixed(3), q.toFixed(3), ratio.toFixed(2) + 'x', ratio <= 0.6 ? 'met' : 'not met']);
    await fp32Session.release();
    await int8Session.release();
  }
  log('');
  const header = ['model', 'fp32 ms', 'int8 ms', 'int8/fp32', 'target <= 0.6x'];
  printTable(header, summary, log);
  if (peerSummary.length) {
    log('');
    printTable(['model', 'peer', 'peer fp32 ms', 'peer int8 ms', 'peer int8/fp32', 'edgeinfer int8/fp32'], peerSummary, log);
  }
}

function printTable(header: string[], rows: string[][], log: (s: string) => void): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, widths.map((w) => '-'.repeat(w)), ...rows]) log(r.map((s, i) => (i === 0 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join('  '));
}

await main();
