// `edgeinfer demo`: the main job on the bundled default model: load, verify against the reference
// outputs, run, and report latency and throughput.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { EdgeError } from '../errors.js';
import { InferenceSession } from '../runtime/session.js';
import { randomTensor } from '../tensor/random.js';
import { runCase } from '../verify/cases.js';
import { concreteDims } from './run.js';

/** The bundled default model (models/resnet8 in the package). */
export function defaultModelDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', '..', 'models', 'resnet8');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timeRuns(session: InferenceSession, batch: number, budgetMs: number, maxRuns: number): Promise<number[]> {
  const feeds = Object.fromEntries(session.inputMetadata.map((m, i) => [m.name, randomTensor(m.type, concreteDims(m, batch), i)]));
  session.runSync(feeds); // warm-up
  const times: number[] = [];
  const start = performance.now();
  while (times.length < maxRuns && (times.length < 5 || performance.now() - start < budgetMs)) {
    const t0 = performance.now();
    session.runSync(feeds);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('load the bundled ResNet-8, verify it against PyTorch reference outputs, and measure latency and throughput')
    .option('--model-dir <dir>', 'a test-case folder (model.onnx + test_data_set_*) to use instead of the bundled model')
    .action(async (opts: { modelDir?: string }) => {
      const dir = opts.modelDir ?? defaultModelDir();
      const w = (s: string) => process.stdout.write(s + '\n');
      w(`edgeinfer demo: ${path.relative(process.cwd(), dir) || dir}\n`);

      const t0 = performance.now();
      const session = await InferenceSession.create(path.join(dir, 'model.onnx'));
      w(`1. load      ${(performance.now() - t0).toFixed(1)} ms (parse, verify, infer shapes)`);

      const check = await runCase(dir, { rtol: 1e-3, atol: 1e-5 });
      if (check.status !== 'passed') throw new EdgeError('INTERNAL', `verification against the reference outputs failed: ${check.reason}`);
      w(`2. verify    ${check.dataSets} reference data sets match (max abs error ${check.maxAbsError?.toExponential(2)})`);

      const b1 = await timeRuns(session, 1, 2000, 500);
      const median = percentile(b1, 50);
      w(`3. latency   batch 1: median ${median.toFixed(2)} ms, p90 ${percentile(b1, 90).toFixed(2)} ms over ${b1.length} runs`);

      const batch = 8;
      const b8 = await timeRuns(session, batch, 2000, 200);
      const perSec = (batch * 1000) / percentile(b8, 50);
      w(`4. throughput batch ${batch}: ${perSec.toFixed(0)} inferences/s (batch 1: ${(1000 / median).toFixed(0)} inferences/s)`);
      w(`\nbackend: ${session.backend === 'wasm' ? 'wasm (WebAssembly kernels, static memory plan)' : 'ref (TypeScript reference kernels)'}`);
    });
}
