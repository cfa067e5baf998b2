// `edgeinfer inspect <model>`: inputs, outputs, op histogram, parameters, weight bytes and MACs per sample.

import type { Command } from 'commander';
import { nodeMacs } from '../ir/cost.js';
import type { Model, ValueInfo } from '../ir/graph.js';
import { loadModelFile } from '../runtime/load-file.js';
import { InferenceSession } from '../runtime/session.js';
import { formatBytes, formatCount, printTable } from './output.js';

export interface ModelSummary {
  model: string;
  producer: string;
  opsets: Record<string, number>;
  inputs: { name: string; dtype: string; shape: (number | string)[] }[];
  outputs: { name: string; dtype: string; shape: (number | string)[] }[];
  nodes: number;
  ops: Record<string, number>;
  parameters: number;
  weightBytes: number;
  macsPerSample: number | null;
}

export async function summarizeModel(path: string): Promise<ModelSummary> {
  const model = await loadModelFile(path);
  const feedNames = new Set(model.graph.inputs.filter((i) => !model.graph.initializers.has(i.name)).map((i) => i.name));
  // One sample: every symbolic input dimension bound to 1.
  const symbols = new Set(model.graph.inputs.flatMap((i) => (i.type?.shape ?? []).filter((d): d is string => typeof d === 'string')));
  const session = await InferenceSession.create(model, { freeDimensionOverrides: Object.fromEntries([...symbols].map((s) => [s, 1])) });
  let macs = 0;
  let known = true;
  for (const node of model.graph.nodes) {
    const m = nodeMacs(node, session.valueTypes);
    if (m === undefined && ['Conv', 'ConvTranspose', 'MatMul', 'Gemm', 'LSTM', 'GRU', 'RNN'].includes(node.op)) known = false;
    macs += m ?? 0;
  }
  const ops: Record<string, number> = {};
  for (const n of model.graph.nodes) ops[n.op] = (ops[n.op] ?? 0) + 1;
  let parameters = 0;
  let weightBytes = 0;
  for (const t of model.graph.initializers.values()) {
    parameters += t.size;
    weightBytes += t.data.byteLength;
  }
  const io = (v: ValueInfo) => ({ name: v.name, dtype: v.type?.dtype ?? '?', shape: (v.type?.shape ?? []).map((d) => d ?? '?') });
  return {
    model: path,
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    opsets: opsetRecord(model),
    inputs: model.graph.inputs.filter((i) => feedNames.has(i.name)).map(io),
    outputs: model.graph.outputs.map(io),
    nodes: model.graph.nodes.length,
    ops: Object.fromEntries(Object.entries(ops).sort((a, b) => b[1] - a[1])),
    parameters,
    weightBytes,
    macsPerSample: known ? macs : null,
  };
}

function opsetRecord(model: Model): Record<string, number> {
  return Object.fromEntries([...model.opsets].map(([d, v]) => [d || 'ai.onnx', v]));
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show a model: inputs, outputs, op histogram, parameter count, weight bytes, MACs per sample')
    .argument('<model>', 'ONNX model file')
    .option('--json', 'print one JSON object')
    .action(async (path: string, opts: { json?: boolean }) => {
      const s = await summarizeModel(path);
      if (opts.json) {
        process.stdout.write(JSON.stringify(s, null, 2) + '\n');
        return;
      }
      const w = (line: string) => process.stdout.write(line + '\n');
      w(`model      ${s.model}`);
      w(`producer   ${s.producer || '(unknown)'}; opsets ${Object.entries(s.opsets).map(([d, v]) => `${d} ${v}`).join(', ')}`);
      w(`parameters ${formatCount(s.parameters)} (${s.parameters}), weights ${formatBytes(s.weightBytes)}`);
      w(`MACs       ${s.macsPerSample === null ? 'unknown (shapes not static)' : `${formatCount(s.macsPerSample)} per sample (${s.macsPerSample})`}`);
      w('');
      printTable(
        ['', 'name', 'dtype', 'shape'],
        [...s.inputs.map((v) => ['input', v.name, v.dtype, `[${v.shape.join(', ')}]`]), ...s.outputs.map((v) => ['output', v.name, v.dtype, `[${v.shape.join(', ')}]`])],
      );
      w('');
      printTable(['op', 'count'], Object.entries(s.ops).map(([op, n]) => [op, String(n)]));
      w(`\n${s.nodes} nodes`);
    });
}
