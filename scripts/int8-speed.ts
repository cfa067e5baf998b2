// int8 vs fp32 batch-1 latency on the wasm backend (1 thread, same process): each model is quantized with
// quantizeModel's defaults, then fp32 and int8 sessions run in interleaved blocks and the medians are compared.
// A per-op breakdown (session.profile) shows where the int8 time goes next to the float ops.
// With --threads T, fp32 and int8 sessions with intraOpNumThreads T join the interleaving and their speedups over one
// thread are printed.
// Usage: npx tsx scripts/int8-speed.ts [--models a,b] [--fixtures ../shared/fixtures] [--blocks 15] [--runs 10]
//        [--calib 16] [--top 12] [--no-profile] [--threads 2]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeNpy } from '../src/formats/npy.js';
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

async function quantize(model: Model, calib: Tensor): Promise<Model> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'int8-speed-'));
  try {
    const file = path.join(dir, 'calib.npy');
    fs.writeFileSync(file, writeNpy(calib));
    return (await quantizeModel(model, { calibration: file })).model;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Per-block mean ms of each session, blocks alternating (and alternating which goes first) so drift hits both. */
function interleaved(sessions: InferenceSession[], feeds: Record<string, Tensor>, blocks: number, runs: number): number[][] {
  const times = sessions.map(() => [] as number[]);
  for (let b = 0; b < blocks; b++) {
    const order = b % 2 ? [...sessions.keys()].reverse() : [...sessions.keys()];
    for (const i of order) {
      const t0 = performance.now();
      for (let r = 0; r < runs; r++) sessions[i]!.runSync(feeds);
      times[i]!.push((performance.now() - t0) / runs);
    }
  }
  return times;
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
    },
  });
  const log = (s: string) => process.stdout.write(s + '\n');
  const summary: string[][] = [];
  for (const name of values.models!.split(',')) {
    const model = await loadModelFile(path.join(values.fixtures!, 'models', name, 'model.onnx'));
    const dims = model.graph.inputs[0]!.type!.shape!.map((d, i) => (i === 0 ? 1 : Number(d)));
    // Calibration quality does not matter for speed: the model's own images when it has some, else N(0,1).
    const calib = calibImages(values.fixtures!, name, Number(values.calib)) ?? randomTensor('float32', [Number(values.calib), ...dims.slice(1)], 1);
    const int8 = await quantize(model, calib);
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
    const [f, q, fT, qT] = interleaved([fp32Session, int8Session, ...threaded], feeds, Number(values.blocks), runs).map(median) as [number, number, number?, number?];
    const ratio = q / f;
    log(`${name} [${dims.join('x')}]: fp32 ${f.toFixed(3)} ms, int8 ${q.toFixed(3)} ms, int8/fp32 ${ratio.toFixed(2)}x (${values.blocks} blocks of ${runs} runs)`);
    if (fT !== undefined && qT !== undefined) {
      log(`  ${threads} threads: fp32 ${fT.toFixed(3)} ms (${(f / fT).toFixed(2)}x one thread), int8 ${qT.toFixed(3)} ms (${(q / qT).toFixed(2)}x one thread)`);
    }
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
  const widths = header.map((h, i) => Math.max(h.length, ...summary.map((r) => r[i]!.length)));
  for (const r of [header, widths.map((w) => '-'.repeat(w)), ...summary]) log(r.map((s, i) => (i === 0 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join('  '));
}

await main();
