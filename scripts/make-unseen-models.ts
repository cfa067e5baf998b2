// Writes CNNs of the benchmark's families that are not in the fixtures (issue 3: "unseen CNNs of the same
// families"), built with edgeinfer's IR and ONNX writer the way torch.onnx.export lays them out, with seeded
// weights. Each is checked: edgeinfer (wasm and ref backends) against onnxruntime-node on a seeded batch.
//
//   npx tsx scripts/make-unseen-models.ts [--out bench/unseen] [--models a,b] [--batch 2]
//   then: npx tsx bench/peers.ts --models-dir bench/unseen

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeOnnx } from '../src/formats/onnx/writer.js';
import { InferenceSession } from '../src/runtime/session.js';
import { randomTensor } from '../src/tensor/random.js';
import type { Tensor } from '../src/tensor/tensor.js';
import { UNSEEN_MODELS } from './unseen/families.js';
import { modelStats } from './unseen/model-stats.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The bench's output check (bench/README.md): |a - b| <= atol + rtol * |b|. */
const ATOL = 1e-4;
const RTOL = 1e-3;

interface Written {
  name: string;
  family: string;
  about: string;
  file: string;
  bytes: number;
  opset: number;
  input: (string | number | undefined)[];
  macs: number;
  params: number;
  /** Largest |edgeinfer - onnxruntime| per edgeinfer backend; absent when onnxruntime-node cannot load. */
  maxAbsDiff: Record<string, number>;
  ok: boolean;
}

type Ort = typeof import('onnxruntime-node');

async function loadOrt(): Promise<Ort | undefined> {
  try {
    return await import('onnxruntime-node');
  } catch (err) {
    process.stderr.write(`make-unseen-models: onnxruntime-node cannot load (${(err as Error).message}); outputs are not cross-checked\n`);
    return undefined;
  }
}

async function runOrt(ort: Ort, bytes: Uint8Array, x: Tensor): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ input: new ort.Tensor('float32', x.data as Float32Array, [...x.dims]) });
  await session.release();
  return out.output!.data as Float32Array;
}

async function runEdgeinfer(bytes: Uint8Array, x: Tensor, backend: 'wasm' | 'ref'): Promise<Float32Array> {
  const session = await InferenceSession.create(bytes, { backend });
  const out = session.runSync({ input: x }).output!.toFloat32();
  await session.release();
  return out;
}

/** Largest |a - b|, and whether every element is within ATOL + RTOL * |b|. */
function compare(a: Float32Array, b: Float32Array): { maxAbsDiff: number; ok: boolean } {
  let maxAbsDiff = 0;
  let ok = a.length === b.length;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    maxAbsDiff = Math.max(maxAbsDiff, d);
    if (!(d <= ATOL + RTOL * Math.abs(b[i]!))) ok = false;
  }
  return { maxAbsDiff, ok };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: path.join(ROOT, 'bench/unseen') },
      models: { type: 'string' },
      batch: { type: 'string', default: '2' },
    },
  });
  const only = values.models?.split(',');
  const unknown = only?.filter((m) => !UNSEEN_MODELS.some((s) => s.name === m)) ?? [];
  if (unknown.length > 0) throw new Error(`--models: unknown ${unknown.join(', ')}; known: ${UNSEEN_MODELS.map((s) => s.name).join(', ')}`);
  const batch = Number(values.batch);
  const out = path.resolve(values.out!);
  const ort = await loadOrt();
  const written: Written[] = [];

  for (const spec of UNSEEN_MODELS.filter((s) => !only || only.includes(s.name))) {
    const model = spec.build();
    const bytes = writeOnnx(model);
    const file = path.join(out, spec.name, 'model.onnx');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
    const input = model.graph.inputs[0]!.type!.shape!;
    const x = randomTensor('float32', [batch, ...input.slice(1).map(Number)], 7);
    const entry: Written = {
      name: spec.name,
      family: spec.family,
      about: spec.about,
      file: path.relative(out, file),
      bytes: bytes.length,
      opset: model.opsets.get('')!,
      input,
      ...modelStats(model),
      maxAbsDiff: {},
      ok: true,
    };
    if (ort) {
      const reference = await runOrt(ort, bytes, x);
      for (const backend of ['wasm', 'ref'] as const) {
        const c = compare(await runEdgeinfer(bytes, x, backend), reference);
        entry.maxAbsDiff[backend] = c.maxAbsDiff;
        entry.ok &&= c.ok;
      }
    }
    written.push(entry);
    const diffs = Object.entries(entry.maxAbsDiff).map(([b, d]) => `${b} ${d.toExponential(2)}`).join(', ');
    console.log(
      `${spec.name.padEnd(22)} ${(entry.macs / 1e6).toFixed(2).padStart(8)} M MACs ${(entry.params / 1e3).toFixed(1).padStart(8)} k params ` +
        `${(entry.bytes / 1024).toFixed(0).padStart(6)} KiB  opset ${entry.opset}  [${input.join(',')}]  ` +
        (ort ? `edgeinfer vs onnxruntime max |diff|: ${diffs} ${entry.ok ? 'ok' : 'MISMATCH'}` : 'not cross-checked'),
    );
  }
  fs.writeFileSync(path.join(out, 'index.json'), JSON.stringify({ about: 'written by scripts/make-unseen-models.ts', atol: ATOL, rtol: RTOL, batch, models: written }, null, 2) + '\n');
  console.log(`\n${written.length} models in ${path.relative(process.cwd(), out) || '.'}`);
  if (written.some((w) => !w.ok)) process.exitCode = 1;
}

await main().catch((err: unknown) => {
  process.stderr.write(`make-unseen-models: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 2;
});
