// `edgeinfer quantize <model> -o <out.onnx>`: int8 post-training quantization (static with calibration,
// dynamic or weight-only), QDQ or QOperator, with an optional per-layer error report.

import fs from 'node:fs';
import type { Command } from 'commander';
import { EdgeError } from '../errors.js';
import { writeOnnx } from '../formats/onnx/writer.js';
import { formatErrorTable } from '../quant/error-report.js';
import type { CalibrationMethod } from '../quant/observers/index.js';
import { checkLatency, type LatencyCheck } from '../quant/latency-check.js';
import { DEFAULT_CALIBRATION_METHOD, quantizeModel } from '../quant/quantize.js';
import { loadModelFile } from '../runtime/load-file.js';
import { formatBytes, parseInteger, parseNumber, progress } from './output.js';

interface QuantizeCliOptions {
  output: string;
  calibration?: string;
  method?: string;
  percentile?: string;
  movingAverage?: boolean;
  format: string;
  mode: string;
  perTensor?: boolean;
  activationType: string;
  quantizeOutputs?: boolean;
  exclude: string[];
  limit?: string;
  report?: string;
  check?: boolean;
  keepSlower?: boolean;
  json?: boolean;
}

const METHODS = ['minmax', 'percentile', 'entropy', 'mse'];

function oneOf(flag: string, value: string, allowed: string[]): string {
  if (!allowed.includes(value)) throw new EdgeError('INPUT_INVALID', `${flag} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value;
}

export function registerQuantize(program: Command): void {
  program
    .command('quantize')
    .description('quantize a float model to int8 (static with calibration data, dynamic or weight-only) and save standard ONNX')
    .argument('<model>', 'float ONNX model')
    .requiredOption('-o, --output <file>', 'where to write the quantized .onnx')
    .option('--calibration <data>', 'calibration data: a .npy file (first axis = samples), a folder of TensorProto .pb files, or a folder of such folders')
    .option('--method <m>', `calibration method: ${METHODS.join(', ')} (default ${DEFAULT_CALIBRATION_METHOD})`)
    .option('--percentile <p>', 'percentile method: share of values kept, in percent', '99.99')
    .option('--moving-average', 'minmax: average per-sample extremes instead of the absolute min/max')
    .option('--format <f>', 'qdq (QuantizeLinear/DequantizeLinear around float ops) or qoperator (QLinearConv, QLinearMatMul)', 'qdq')
    .option('--mode <m>', 'static, dynamic (activations quantized at run time) or weight-only', 'static')
    .option('--per-tensor', 'one weight scale per tensor instead of per output channel')
    .option('--activation-type <t>', 'int8 or uint8 activations', 'int8')
    .option('--quantize-outputs', "also quantize the model's outputs (by default they stay float)")
    .option('--exclude <names>', 'node names or op types to keep in float, comma-separated (repeatable)', (v: string, acc: string[]) => [...acc, ...v.split(',')], [])
    .option('--limit <n>', 'use at most n calibration samples')
    .option('--report <file>', 'write the per-layer error table (SQNR dB, cosine) as JSON to <file> and as text to <file>.txt')
    .option('--check', 'time every quantized op against its float form on this machine and keep in float the ops whose int8 form is slower')
    .option('--keep-slower', 'with --check: report slower int8 ops but keep them quantized')
    .option('--json', 'print a JSON summary')
    .action(async (path: string, opts: QuantizeCliOptions) => {
      const model = await loadModelFile(path);
      const opTypes = new Set(model.graph.nodes.map((n) => n.op));
      const exclude = { nodes: opts.exclude.filter((e) => !opTypes.has(e)), opTypes: opts.exclude.filter((e) => opTypes.has(e)) };
      const bars = { calibrate: progress(1, 'calibrate', !opts.json), report: progress(1, 'error report', !opts.json) };
      const t0 = performance.now();
      const quantizeOptions = {
        calibration: opts.calibration,
        method: opts.method === undefined ? undefined : (oneOf('--method', opts.method, METHODS) as CalibrationMethod),
        percentile: parseNumber(opts.percentile, '--percentile'),
        movingAverage: opts.movingAverage,
        format: oneOf('--format', opts.format, ['qdq', 'qoperator']) as 'qdq' | 'qoperator',
        mode: oneOf('--mode', opts.mode, ['static', 'dynamic', 'weight-only']) as 'static' | 'dynamic' | 'weight-only',
        perChannel: !opts.perTensor,
        activationType: oneOf('--activation-type', opts.activationType, ['int8', 'uint8']) as 'int8' | 'uint8',
        exclude,
        quantizeGraphOutputs: opts.quantizeOutputs ?? false,
        limit: parseInteger(opts.limit, '--limit'),
        errorReport: opts.report !== undefined,
        onProgress: (stage: 'calibrate' | 'report', p: { done: number; total?: number }) => bars[stage].set(p.done, p.total ?? p.done),
      };
      let result = await quantizeModel(model, quantizeOptions);
      bars.calibrate.done();
      bars.report.done();
      let check: LatencyCheck | undefined;
      let after: LatencyCheck | undefined;
      if (opts.check) {
        const fp32 = await loadModelFile(path);
        check = await checkLatency(fp32, result.model);
        if (check.slower.length > 0 && !opts.keepSlower) {
          const retry = await quantizeModel(model, { ...quantizeOptions, exclude: { ...exclude, nodes: [...exclude.nodes, ...check.slower] } });
          after = await checkLatency(fp32, retry.model);
          // Float islands add Quantize/Dequantize at their borders: keep them only if the whole model got faster.
          if (after.int8Ms < check.int8Ms) result = retry;
        }
      }
      const bytes = writeOnnx(result.model);
      fs.writeFileSync(opts.output, bytes);
      const before = fs.statSync(path).size;
      const summary = {
        model: path,
        output: opts.output,
        mode: opts.mode,
        format: opts.format,
        method: opts.mode === 'static' ? (opts.method ?? DEFAULT_CALIBRATION_METHOD) : undefined,
        bytesBefore: before,
        bytesAfter: bytes.length,
        sizeRatio: bytes.length / before,
        quantizedTensors: result.ranges.size,
        seconds: (performance.now() - t0) / 1000,
        worstLayers: result.errors?.slice(0, 5),
        check: check && {
          fp32Ms: check.fp32Ms,
          int8Ms: check.int8Ms,
          ops: check.ops,
          keptInFloat: after && after.int8Ms < check.int8Ms ? check.slower : [],
          int8MsAfter: after?.int8Ms,
        },
      };
      if (opts.report && result.errors) {
        fs.writeFileSync(opts.report, JSON.stringify(result.errors, null, 2) + '\n');
        fs.writeFileSync(`${opts.report}.txt`, formatErrorTable(result.errors));
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        return;
      }
      const w = (s: string) => process.stdout.write(s + '\n');
      w(`quantized ${path} → ${opts.output} (${opts.mode}${opts.mode === 'static' ? `, ${opts.method ?? DEFAULT_CALIBRATION_METHOD} calibration` : ''}, ${opts.format})`);
      w(`size      ${formatBytes(before)} → ${formatBytes(bytes.length)} (${(summary.sizeRatio * 100).toFixed(1)}%)`);
      w(`time      ${summary.seconds.toFixed(1)} s`);
      if (check) {
        w(`\nlatency check (batch 1, sum of per-op medians): fp32 ${check.fp32Ms.toFixed(3)} ms, int8 ${check.int8Ms.toFixed(3)} ms (${(check.int8Ms / check.fp32Ms).toFixed(2)}x)`);
        for (const o of check.ops) {
          w(`  ${o.node.padEnd(40)} ${o.int8Op.padEnd(20)} ${o.int8Ms.toFixed(4)} ms vs ${o.fp32Op} ${o.fp32Ms.toFixed(4)} ms${o.int8Ms > o.fp32Ms ? '  slower' : ''}`);
        }
        if (after && after.int8Ms < check.int8Ms) w(`kept ${check.slower.length} op(s) in float: int8 model now ${after.int8Ms.toFixed(3)} ms (${(after.int8Ms / after.fp32Ms).toFixed(2)}x fp32)`);
        else if (after) w(`keeping the ${check.slower.length} slower op(s) in float made the model slower (${after.int8Ms.toFixed(3)} ms): all ops stay int8`);
        else if (check.slower.length > 0) w(`${check.slower.length} op(s) are slower in int8 (kept quantized: --keep-slower)`);
      }
      if (result.errors) {
        w(`\nworst layers (of ${result.errors.length}; full table in ${opts.report}.txt):`);
        process.stdout.write(formatErrorTable(result.errors.slice(0, 10)));
      }
    });
}
