// `edgeinfer run <model>`: one inference on given inputs (.pb or .npy) or on seeded random inputs.

import fs from 'node:fs';
import type { Command } from 'commander';
import { EdgeError } from '../errors.js';
import { readNpy } from '../formats/npy.js';
import { decodeTensorProto } from '../formats/onnx/tensor-proto.js';
import { InferenceSession, type ValueMetadata } from '../runtime/session.js';
import { randomTensor } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { parseInteger, printTable } from './output.js';

interface RunCliOptions {
  input: string[];
  batch?: string;
  seed?: string;
  threads?: string;
  json?: boolean;
}

export function readTensorFile(file: string): Tensor {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new EdgeError('INPUT_INVALID', `cannot read input file '${file}': ${(err as Error).message}`, { cause: err });
  }
  return file.endsWith('.npy') ? readNpy(bytes, file) : decodeTensorProto(bytes, file).tensor;
}

/** Concrete dims for an input: symbolic dim 0 → batch, other unknowns → 1. */
export function concreteDims(meta: ValueMetadata, batch: number): number[] {
  return meta.shape.map((d, i) => (typeof d === 'number' ? d : i === 0 ? batch : 1));
}

function summarize(name: string, t: Tensor): Record<string, unknown> {
  const v = t.toNumbers();
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let argmax = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i]! < min) min = v[i]!;
    if (v[i]! > max) {
      max = v[i]!;
      argmax = i;
    }
    sum += v[i]!;
  }
  return { name, dtype: t.type, dims: t.dims, min, max, mean: v.length ? sum / v.length : 0, argmax, first: v.slice(0, 5) };
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a model once on given inputs or on seeded random inputs, and summarize the outputs')
    .argument('<model>', 'ONNX model file')
    .option('--input <name=file>', 'an input tensor from an ONNX TensorProto .pb or a .npy file (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--batch <n>', 'size of the symbolic batch dimension for random inputs', '1')
    .option('--seed <n>', 'seed of the random inputs', '0')
    .option('--threads <n>', 'intraOpNumThreads: threads one run may use (a batch ≥ 2 is cut along dim 0)', '1')
    .option('--json', 'print one JSON object')
    .action(async (path: string, opts: RunCliOptions) => {
      const batch = parseInteger(opts.batch, '--batch')!;
      const seed = parseInteger(opts.seed, '--seed', 0)!;
      const threads = parseInteger(opts.threads, '--threads')!;
      const t0 = performance.now();
      const session = await InferenceSession.create(path, { intraOpNumThreads: threads });
      const loadMs = performance.now() - t0;
      const given = new Map<string, Tensor>();
      for (const spec of opts.input) {
        const eq = spec.indexOf('=');
        if (eq <= 0) throw new EdgeError('INPUT_INVALID', `--input '${spec}': expected name=file`);
        given.set(spec.slice(0, eq), readTensorFile(spec.slice(eq + 1)));
      }
      const feeds: Record<string, Tensor> = {};
      for (const [name, t] of given) feeds[name] = t;
      session.inputMetadata.forEach((meta, i) => {
        if (!given.has(meta.name)) feeds[meta.name] = randomTensor(meta.type, concreteDims(meta, batch), seed + i);
      });
      const threadsUsed = session.intraOpNumThreads;
      const t1 = performance.now();
      let outputs: Record<string, Tensor>;
      let runMs: number;
      try {
        outputs = await session.run(feeds);
        runMs = performance.now() - t1;
      } finally {
        // Stops the worker threads, if any.
        await session.release();
      }
      const summary = Object.entries(outputs).map(([n, t]) => summarize(n, t));
      const inputs = Object.entries(feeds).map(([n, t]) => ({ name: n, dtype: t.type, dims: t.dims, source: given.has(n) ? 'file' : `random (seed ${seed})` }));
      if (opts.json) {
        process.stdout.write(JSON.stringify({ model: path, loadMs, runMs, threads: threadsUsed, inputs, outputs: summary }, null, 2) + '\n');
        return;
      }
      printTable(['input', 'dtype', 'dims', 'source'], inputs.map((i) => [i.name, i.dtype, `[${i.dims.join(',')}]`, i.source]));
      process.stdout.write('\n');
      printTable(
        ['output', 'dtype', 'dims', 'min', 'max', 'mean', 'argmax', 'first values'],
        summary.map((s) => [String(s.name), String(s.dtype), `[${(s.dims as number[]).join(',')}]`, fmt(s.min), fmt(s.max), fmt(s.mean), String(s.argmax), (s.first as number[]).map(fmt).join(' ')]),
      );
      process.stdout.write(`\nloaded in ${loadMs.toFixed(1)} ms, ran in ${runMs.toFixed(2)} ms${threadsUsed > 1 ? ` (${threadsUsed} threads)` : ''}\n`);
    });
}

const fmt = (x: unknown) => (typeof x === 'number' ? (Number.isInteger(x) ? String(x) : x.toPrecision(4)) : String(x));
