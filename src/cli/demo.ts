// `edgeinfer demo`: the whole loop on the bundled default model — load, verify against the reference
// outputs, quantize to int8, benchmark fp32 against int8, write report.html — and the improvement in
// latency, throughput and energy.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { EdgeError } from '../errors.js';
import { renderReport } from '../bench/report/index.js';
import { compareToFirst, runBench } from '../bench/run-bench.js';
import { writeOnnx } from '../formats/onnx/writer.js';
import { quantizeModel } from '../quant/quantize.js';
import { loadModelFile } from '../runtime/load-file.js';
import { InferenceSession } from '../runtime/session.js';
import { runCase } from '../verify/cases.js';
import { formatBytes } from './output.js';

/** The bundled default model (models/resnet8 in the package). */
export function defaultModelDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', '..', 'models', 'resnet8');
}

interface DemoOptions {
  modelDir?: string;
  outDir: string;
  duration: string;
}

const times = (x: number) => (x >= 1 ? `${x.toFixed(2)}x` : `${x.toFixed(2)}x`);

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the whole loop on the bundled ResNet-8: load, verify against PyTorch, quantize to int8, benchmark fp32 vs int8, write report.html')
    .option('--model-dir <dir>', 'a test-case folder (model.onnx + test_data_set_* + calibration.npy) instead of the bundled model')
    .option('--out-dir <dir>', 'where to write the int8 model and report.html', '.')
    .option('--duration <s>', 'benchmark seconds per model', '3')
    .action(async (opts: DemoOptions) => {
      const dir = opts.modelDir ?? defaultModelDir();
      const modelPath = path.join(dir, 'model.onnx');
      const w = (s: string) => process.stdout.write(s + '\n');
      w(`edgeinfer demo: ${path.relative(process.cwd(), dir) || dir}\n`);

      const t0 = performance.now();
      const session = await InferenceSession.create(modelPath);
      w(`1. load      ${(performance.now() - t0).toFixed(1)} ms (parse, optimize, plan) on the ${session.backend} backend`);

      const check = await runCase(dir, { rtol: 1e-3, atol: 1e-5 });
      if (check.status !== 'passed') throw new EdgeError('INTERNAL', `verification against the reference outputs failed: ${check.reason}`);
      w(`2. verify    ${check.dataSets} reference data sets match PyTorch (max abs error ${check.maxAbsError?.toExponential(2)})`);

      const calibration = path.join(dir, 'calibration.npy');
      fs.mkdirSync(opts.outDir, { recursive: true });
      const int8Path = path.join(opts.outDir, `${path.basename(dir)}.int8.onnx`);
      const t1 = performance.now();
      const quantized = await quantizeModel(await loadModelFile(modelPath), { calibration, errorReport: true });
      const bytes = writeOnnx(quantized.model);
      fs.writeFileSync(int8Path, bytes);
      const outputError = quantized.errors?.find((e) => e.tensor === session.outputNames[0]);
      w(
        `3. quantize  int8 in ${((performance.now() - t1) / 1000).toFixed(1)} s: ${formatBytes(fs.statSync(modelPath).size)} → ${formatBytes(bytes.length)}` +
          (outputError ? `, output SQNR ${outputError.sqnrDb.toFixed(1)} dB on the calibration images` : '') +
          ` → ${int8Path}`,
      );

      const durationMs = Math.max(0.5, Number(opts.duration) || 3) * 1000;
      w(`4. bench     fp32 vs int8, single-stream, interleaved, ${durationMs / 1000} s each …`);
      const results = await runBench([modelPath, int8Path], { scenario: 'single-stream', durationMs, measureOverhead: false });
      const [fp32, int8] = results;
      const [, cmp] = compareToFirst(results);
      for (const r of results) {
        w(
          `   ${path.basename(r.model).padEnd(22)} p50 ${r.latencyMs.p50.toFixed(3)} ms  p90 ${r.latencyMs.p90.toFixed(3)} ms  ` +
            `${r.throughputPerSec.toFixed(0)} inferences/s  ${r.energy.microjoulesPerInference.toFixed(1)} µJ (${r.energy.source}, ${r.energy.device})`,
        );
      }
      const cpus = os.cpus();
      const html = renderReport(results, {
        title: 'edgeinfer demo: ResNet-8 fp32 vs int8',
        createdAt: new Date(),
        machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, os: `${os.platform()} ${os.release()}`, node: process.version },
      });
      const reportPath = path.join(opts.outDir, 'report.html');
      fs.writeFileSync(reportPath, html);
      w(`5. report    ${reportPath}`);
      if (fp32 && int8 && cmp) {
        w('\nint8 vs fp32:');
        w(`   latency    ${times(cmp.latencyRatio)} (p90 ${fp32.latencyMs.p90.toFixed(3)} → ${int8.latencyMs.p90.toFixed(3)} ms)`);
        w(`   throughput ${times(cmp.throughputRatio)} (${fp32.throughputPerSec.toFixed(0)} → ${int8.throughputPerSec.toFixed(0)} inferences/s)`);
        w(`   energy     ${times(cmp.energyRatio)} (${fp32.energy.microjoulesPerInference.toFixed(1)} → ${int8.energy.microjoulesPerInference.toFixed(1)} µJ, ${int8.energy.source})`);
        w(`   size       ${(bytes.length / fs.statSync(modelPath).size).toFixed(2)}x`);
      }
      await session.release();
    });
}
