// Int8 quality gate: quantizes the fixture models with quantizeModel's default options and compares them with
// PyTorch's int8 (images/torch_int8_reference.json, digits/results.json); exits 1 when a target is missed.
// Usage: npx tsx scripts/eval-int8.ts [--fixtures ../shared/fixtures] [--json] [--models a,b] [--options '{"method":"mse"}']

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeNpy } from '../src/formats/npy.js';
import { writeOnnx } from '../src/formats/onnx/writer.js';
import type { Model } from '../src/ir/graph.js';
import { quantizeModel, type QuantizeModelOptions } from '../src/quant/quantize.js';
import { loadModelFile } from '../src/runtime/load-file.js';
import { InferenceSession } from '../src/runtime/session.js';
import { randomTensor } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EVAL_BATCH = 16;
const SQNR_CAP_DB = 100; // the reference caps each image at 100 dB (identical outputs)

/** test/conformance/int8-targets.json */
interface Targets {
  /** PyTorch configurations compared with: the best of them per metric is the bar. */
  baselines: string[];
  sizeRatioMax: number;
  images: Record<string, { sqnrMarginDb: number; centeredSqnrMarginDb: number; top1MarginPts: number }>;
  digits: { models: string[]; maxDropVsFp32Pts: number; torchMarginPts: number };
  unseen: { models: string[]; samples: number; calibSeed: number; evalSeed: number };
}

interface Check {
  model: string;
  metric: string;
  ours: number;
  reference?: number;
  /** Where the reference number comes from (the PyTorch configuration). */
  from?: string;
  target: string;
  /** undefined: shown for information, not checked. */
  pass?: boolean;
}

interface Context {
  fixtures: string;
  targets: Targets;
  /** Options on top of quantizeModel's defaults (none in CI). */
  options: Partial<QuantizeModelOptions>;
  checks: Check[];
  selected: (name: string) => boolean;
  log: (line: string) => void;
}

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

interface ImageSet {
  file: string;
  shape: [number, number, number, number];
  splits: { calib: [number, number]; eval: [number, number] };
  normalization: { kind: 'imagenet' | 'unit'; mean?: number[]; std?: number[]; used_by: string[] };
}

/** Images [from, to) as float32 NCHW, as numpy computes `(u8.astype(f32) / f32(255) - mean) / std`: float32 at each step. */
function normalizedImages(u8: Uint8Array, set: ImageSet, [from, to]: [number, number]): Tensor {
  const [, c, h, w] = set.shape;
  const plane = h * w;
  const out = new Float32Array((to - from) * c * plane);
  const mean = set.normalization.mean?.map(Math.fround);
  const std = set.normalization.std?.map(Math.fround);
  const base = from * c * plane;
  for (let i = 0; i < out.length; i++) {
    const x = Math.fround(u8[base + i]! / 255);
    const ch = Math.floor(i / plane) % c;
    out[i] = set.normalization.kind === 'unit' ? x : Math.fround(Math.fround(x - mean![ch]!) / std![ch]!);
  }
  return new Tensor('float32', out, [to - from, c, h, w]);
}

function rows(t: Tensor, from: number, to: number): Tensor {
  const per = t.size / t.dims[0]!;
  return new Tensor('float32', (t.data as Float32Array).slice(from * per, to * per), [to - from, ...t.dims.slice(1)]);
}

function readF32(file: string, offset = 0): Float32Array {
  const bytes = fs.readFileSync(file);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + bytes.byteLength));
}

/** A float32 .npy written by numpy (version 1 header). */
const readNpyF32 = (file: string) => readF32(file, 10 + fs.readFileSync(file).readUInt16LE(8));

const readJson = <T>(...parts: string[]): T => JSON.parse(fs.readFileSync(path.join(...parts), 'utf8')) as T;

// ---------------------------------------------------------------------------------------------
// Quantize and run
// ---------------------------------------------------------------------------------------------

/** quantizeModel, its calibration samples written to a temporary .npy (it takes data by path, as the CLI). */
async function quantize(c: Context, model: Model, calib: Tensor): Promise<Model> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-int8-'));
  try {
    const file = path.join(dir, 'calib.npy');
    fs.writeFileSync(file, writeNpy(calib));
    return (await quantizeModel(model, { ...c.options, calibration: file })).model;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Outputs [N, classes] of a model over the samples, in batches. */
async function logits(model: Model, x: Tensor): Promise<{ data: Float32Array; classes: number }> {
  const session = await InferenceSession.create(model);
  const n = x.dims[0]!;
  const data: number[] = [];
  for (let i = 0; i < n; i += EVAL_BATCH) {
    const y = session.runSync({ [session.inputNames[0]!]: rows(x, i, Math.min(n, i + EVAL_BATCH)) })[session.outputNames[0]!]!;
    for (const v of y.toFloat32()) data.push(v);
  }
  await session.release();
  return { data: Float32Array.from(data), classes: data.length / n };
}

// ---------------------------------------------------------------------------------------------
// Metrics, as torch_int8_reference.json defines them
// ---------------------------------------------------------------------------------------------

function argmax(v: Float32Array): number {
  let k = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[k]!) k = i;
  return k;
}

const top5 = (v: Float32Array): number[] => [...v.keys()].sort((a, b) => v[b]! - v[a]!).slice(0, 5);

/** 10·log10(Σ ref² / Σ (q − ref)²) for one image, capped; `center` is subtracted from ref (it cancels in the error). */
function sqnrDb(ref: Float32Array, q: Float32Array, center?: Float64Array): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < ref.length; i++) {
    signal += (ref[i]! - (center?.[i] ?? 0)) ** 2;
    noise += (q[i]! - ref[i]!) ** 2;
  }
  return noise === 0 ? SQNR_CAP_DB : Math.min(SQNR_CAP_DB, 10 * Math.log10(signal / noise));
}

function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! ** 2;
    bb += b[i]! ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

interface Agreement {
  top1Pct: number;
  top5Pct: number;
  sqnrDb: number;
  cosine: number;
  centeredSqnrDb: number;
}

/** int8 outputs against fp32 outputs, per image then averaged; centered = minus the fp32 mean output vector. */
function agreement(fp32: Float32Array, int8: Float32Array, classes: number): Agreement {
  const n = fp32.length / classes;
  const mean = new Float64Array(classes);
  for (let i = 0; i < fp32.length; i++) mean[i % classes]! += fp32[i]! / n;
  const sum = { top1: 0, top5: 0, sqnr: 0, cos: 0, centered: 0 };
  for (let k = 0; k < n; k++) {
    const f = fp32.subarray(k * classes, (k + 1) * classes);
    const q = int8.subarray(k * classes, (k + 1) * classes);
    sum.top1 += argmax(q) === argmax(f) ? 1 : 0;
    sum.top5 += top5(q).includes(argmax(f)) ? 1 : 0;
    sum.sqnr += sqnrDb(f, q);
    sum.cos += cosine(f, q);
    sum.centered += sqnrDb(f, q, mean);
  }
  return { top1Pct: (100 * sum.top1) / n, top5Pct: (100 * sum.top5) / n, sqnrDb: sum.sqnr / n, cosine: sum.cos / n, centeredSqnrDb: sum.centered / n };
}

/** Samples whose argmax is their label. */
function correct(out: Float32Array, classes: number, labels: ArrayLike<number>): number {
  let n = 0;
  for (let k = 0; k < labels.length; k++) if (argmax(out.subarray(k * classes, (k + 1) * classes)) === labels[k]) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

function atLeast(c: Context, check: Omit<Check, 'target' | 'pass'> & { reference: number }, margin: number): void {
  const bound = check.reference - margin;
  c.checks.push({ ...check, target: `>= ${bound.toFixed(2)}`, pass: check.ours >= bound - 1e-9 });
}

function sizeCheck(c: Context, model: string, file: string, quantized: Model, checked = true): void {
  const ours = writeOnnx(quantized).length / fs.statSync(file).size;
  const max = c.targets.sizeRatioMax;
  c.checks.push({ model, metric: 'file size / fp32', ours, target: `<= ${max}`, ...(checked ? { pass: ours <= max } : {}) });
}

type TorchResults = Record<string, Record<string, number>>;

/** The best value of a metric over the baseline configurations, and which one gave it. */
function best(c: Context, results: TorchResults, key: string): { reference: number; from: string } {
  const [from, reference] = c.targets.baselines.map((b) => [b, results[b]![key]!] as const).reduce((x, y) => (y[1] > x[1] ? y : x));
  return { reference, from };
}

async function evalImageModel(c: Context, name: string): Promise<void> {
  const dir = path.join(c.fixtures, 'images');
  const { sets } = readJson<{ sets: Record<string, ImageSet> }>(dir, 'manifest.json');
  const torch = readJson<{ models: Record<string, { results: TorchResults }> }>(dir, 'torch_int8_reference.json').models[name]!.results;
  const set = Object.values(sets).find((s) => s.normalization.used_by.includes(`models/${name}`));
  if (!set) throw new Error(`no image set in images/manifest.json is used by models/${name}`);
  const u8 = new Uint8Array(fs.readFileSync(path.join(dir, set.file)));
  const file = path.join(c.fixtures, 'models', name, 'model.onnx');
  const model = await loadModelFile(file);
  const t0 = performance.now();
  const int8 = await quantize(c, model, normalizedImages(u8, set, set.splits.calib));
  const t1 = performance.now();
  const x = normalizedImages(u8, set, set.splits.eval);
  const f = await logits(model, x);
  const q = await logits(int8, x);
  const ours = agreement(f.data, q.data, f.classes);
  // Our fp32 against PyTorch's on the same images: shows that the normalisation and the model agree.
  const torchFp32 = path.join(dir, 'torch_int8_logits', `${name}.fp32.npy`);
  const fp32Match = fs.existsSync(torchFp32) ? agreement(readNpyF32(torchFp32), f.data, f.classes).sqnrDb.toFixed(1) : '?';
  const t = c.targets.images[name]!;
  atLeast(c, { model: name, metric: 'top-1 agreement %', ours: ours.top1Pct, ...best(c, torch, 'top1_agreement_pct') }, t.top1MarginPts);
  atLeast(c, { model: name, metric: 'SQNR dB', ours: ours.sqnrDb, ...best(c, torch, 'sqnr_db_mean') }, t.sqnrMarginDb);
  atLeast(c, { model: name, metric: 'centered SQNR dB', ours: ours.centeredSqnrDb, ...best(c, torch, 'centered_sqnr_db_mean') }, t.centeredSqnrMarginDb);
  c.checks.push({ model: name, metric: 'cosine', ours: ours.cosine, ...best(c, torch, 'cosine_mean'), target: '' });
  c.checks.push({ model: name, metric: 'top-5 agreement %', ours: ours.top5Pct, ...best(c, torch, 'top5_agreement_pct'), target: '' });
  sizeCheck(c, name, file, int8);
  const secs = (from: number, to = performance.now()) => ((to - from) / 1000).toFixed(1);
  c.log(`${name}: ${set.file}, calibrate on ${set.splits.calib.join('..')} (${secs(t0, t1)} s), evaluate on ${set.splits.eval.join('..')} (${secs(t1)} s); our fp32 vs PyTorch fp32: ${fp32Match} dB SQNR`);
}

async function evalDigits(c: Context, name: string): Promise<void> {
  const dir = path.join(c.fixtures, 'digits');
  const test = readJson<{ split: { test: number[] } }>(dir, 'manifest.json').split.test;
  type Counted = { correct: number };
  const torch = readJson<{ models: Record<string, { fp32: Counted; int8_static_ptq: (Counted & { engine: string })[] }> }>(dir, 'results.json').models[name]!;
  const images = readF32(path.join(dir, 'images.f32'));
  const labels = new Uint8Array(fs.readFileSync(path.join(dir, 'labels.u8')));
  const calib = readF32(path.join(dir, 'calib.f32'));
  const x = new Float32Array(test.length * 64);
  test.forEach((idx, k) => x.set(images.subarray(idx * 64, idx * 64 + 64), k * 64));
  const file = path.join(dir, name, 'model.onnx');
  const model = await loadModelFile(file);
  const sample = model.graph.inputs[0]!.type?.shape?.length === 4 ? [1, 8, 8] : [64];
  const int8 = await quantize(c, model, new Tensor('float32', calib, [calib.length / 64, ...sample]));
  const xs = new Tensor('float32', x, [test.length, ...sample]);
  const f = await logits(model, xs);
  const q = await logits(int8, xs);
  // Percentages from counts (results.json's accuracies are rounded), so that equal counts compare equal.
  const pct = (n: number) => (100 * n) / test.length;
  const testLabels = test.map((i) => labels[i]!);
  const fp32Pct = pct(correct(f.data, f.classes, testLabels));
  const int8Pct = pct(correct(q.data, q.classes, testLabels));
  const torchBest = torch.int8_static_ptq.reduce((a, b) => (b.correct > a.correct ? b : a));
  c.checks.push({ model: name, metric: 'fp32 accuracy %', ours: fp32Pct, reference: pct(torch.fp32.correct), from: 'fp32', target: '' });
  atLeast(c, { model: name, metric: 'int8 accuracy % vs fp32', ours: int8Pct, reference: fp32Pct, from: 'our fp32' }, c.targets.digits.maxDropVsFp32Pts);
  atLeast(c, { model: name, metric: 'int8 accuracy % vs torch', ours: int8Pct, reference: pct(torchBest.correct), from: `static PTQ ${torchBest.engine}` }, c.targets.digits.torchMarginPts);
  sizeCheck(c, name, file, int8, false); // shown: the 0.3x size target covers the benchmark models (tiny digits files are dominated by fixed QDQ overhead)
}

/** A model no reference exists for, calibrated and evaluated on seeded N(0,1) inputs: shown, not checked. */
async function evalUnseen(c: Context, name: string): Promise<void> {
  const file = path.join(c.fixtures, 'models', name, 'model.onnx');
  const model = await loadModelFile(file);
  const dims = model.graph.inputs[0]!.type!.shape!.slice(1).map(Number);
  const { samples, calibSeed, evalSeed } = c.targets.unseen;
  const int8 = await quantize(c, model, randomTensor('float32', [samples, ...dims], calibSeed));
  const x = randomTensor('float32', [samples, ...dims], evalSeed);
  const f = await logits(model, x);
  const ours = agreement(f.data, (await logits(int8, x)).data, f.classes);
  c.checks.push({ model: name, metric: 'top-1 agreement % (N(0,1))', ours: ours.top1Pct, target: '' });
  c.checks.push({ model: name, metric: 'SQNR dB (N(0,1))', ours: ours.sqnrDb, target: '' });
  c.checks.push({ model: name, metric: 'centered SQNR dB (N(0,1))', ours: ours.centeredSqnrDb, target: '' });
  sizeCheck(c, name, file, int8, false);
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

function fmt(v: number | undefined, metric: string): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  return metric === 'cosine' || metric.startsWith('file size') ? v.toFixed(4) : v.toFixed(2);
}

function printTable(c: Context): void {
  const header = ['model', 'metric', 'ours', 'torch', 'torch config', 'target', 'result'];
  const table = c.checks.map((k) => [k.model, k.metric, fmt(k.ours, k.metric), fmt(k.reference, k.metric), k.from ?? '', k.target, k.pass === undefined ? '' : k.pass ? 'pass' : 'FAIL']);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((s, i) => (i === 2 || i === 3 ? s.padStart(widths[i]!) : s.padEnd(widths[i]!))).join('  ').trimEnd();
  c.log('');
  for (const r of [header, widths.map((w) => '-'.repeat(w)), ...table]) c.log(line(r));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      fixtures: { type: 'string', default: path.resolve(ROOT, '../shared/fixtures') },
      targets: { type: 'string', default: path.join(ROOT, 'test/conformance/int8-targets.json') },
      models: { type: 'string' },
      options: { type: 'string', default: '{}' },
      json: { type: 'boolean', default: false },
    },
  });
  const targets = JSON.parse(fs.readFileSync(values.targets!, 'utf8')) as Targets;
  const known = [...Object.keys(targets.images), ...targets.digits.models, ...targets.unseen.models];
  const only = values.models?.split(',');
  const unknown = only?.filter((m) => !known.includes(m)) ?? [];
  if (unknown.length > 0) throw new Error(`--models: unknown ${unknown.join(', ')}; known: ${known.join(', ')}`);
  const c: Context = {
    fixtures: path.resolve(values.fixtures!),
    targets,
    options: JSON.parse(values.options!) as Partial<QuantizeModelOptions>,
    checks: [],
    selected: (name) => !only || only.includes(name),
    log: (line) => (values.json ? process.stderr : process.stdout).write(line + '\n'),
  };
  const t0 = performance.now();
  for (const name of Object.keys(targets.images).filter(c.selected)) await evalImageModel(c, name);
  for (const name of targets.digits.models.filter(c.selected)) await evalDigits(c, name);
  for (const name of targets.unseen.models.filter(c.selected)) await evalUnseen(c, name);
  const failed = c.checks.filter((k) => k.pass === false);
  const summary = `${failed.length === 0 ? 'all int8 targets met' : `${failed.length} int8 target(s) missed`} (${((performance.now() - t0) / 1000).toFixed(0)} s)`;
  if (values.json) {
    process.stdout.write(JSON.stringify({ options: c.options, baselines: targets.baselines, checks: c.checks, failed: failed.length }, null, 2) + '\n');
  } else {
    printTable(c);
    c.log(`\n${summary}`);
  }
  process.exitCode = failed.length === 0 ? 0 : 1;
}

// Exit 1 means a target was missed; 2 that the evaluation could not run (missing fixtures, bad arguments).
await main().catch((err: unknown) => {
  process.stderr.write(`eval-int8: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
