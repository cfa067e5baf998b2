// `edgeinfer inspect <model>`: inputs, outputs, op histogram, parameters, weight bytes and MACs per sample;
// with --optimized the graph after the passes, with --plan the memory arena of one sample.

import { debugLevel } from '../env.js';
import type { Command } from 'commander';
import { nodeMacs } from '../ir/cost.js';
import type { Model, ValueInfo } from '../ir/graph.js';
import { printGraph } from '../ir/print.js';
import { verifyModel } from '../ir/verify.js';
import { fusedOps } from '../kernels/ref/fused.js';
import { referenceOps } from '../kernels/ref/index.js';
import { optimizeModel } from '../passes/index.js';
import { loadModelFile } from '../runtime/load-file.js';
import { formatArenaPlan, modelLifetimes, planArena, type ArenaPlan } from '../runtime/memory-plan.js';
import { InferenceSession } from '../runtime/session.js';
import { formatBytes, formatCount, printTable } from './output.js';

/** The reference ops plus the fused ops the passes create. */
const OPS = { ...fusedOps, ...referenceOps };

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
  const session = await oneSampleSession(model);
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

/** Every symbolic input dimension of the model. */
function inputSymbols(model: Model): string[] {
  return [...new Set(model.graph.inputs.flatMap((i) => (i.type?.shape ?? []).filter((d): d is string => typeof d === 'string')))];
}

/** A session on the graph as given (no passes, so value names match the file) with every symbolic input dimension bound to 1. */
async function oneSampleSession(model: Model): Promise<InferenceSession> {
  const freeDimensionOverrides = Object.fromEntries(inputSymbols(model).map((s) => [s, 1]));
  return InferenceSession.create(model, { freeDimensionOverrides, graphOptimizationLevel: 'disabled' });
}

/** The model with every symbolic input dimension bound to 1 (one sample), bound as a session binds it. */
export async function bindOneSample(model: Model): Promise<Model> {
  return (await oneSampleSession(model)).model;
}

export interface OptimizedSummary {
  nodesBefore: number;
  nodesAfter: number;
  ops: Record<string, number>;
  graph: string;
}

export function summarizeOptimized(model: Model): OptimizedSummary {
  const optimized = optimizeModel(model, OPS);
  const ops: Record<string, number> = {};
  for (const n of optimized.graph.nodes) {
    const key = n.domain ? `${n.domain}.${n.op}` : n.op;
    ops[key] = (ops[key] ?? 0) + 1;
  }
  const types = verifyModel(optimized, OPS).types;
  return {
    nodesBefore: model.graph.nodes.length,
    nodesAfter: optimized.graph.nodes.length,
    ops: Object.fromEntries(Object.entries(ops).sort((a, b) => b[1] - a[1])),
    graph: printGraph(optimized.graph, { types }),
  };
}

export interface PlanSummary {
  arenaBytes: number;
  lowerBoundBytes: number;
  tensors: number;
  steps: number;
  /** Values whose size is not static even at batch 1 (data-dependent shapes): not in the arena. */
  unsized: string[];
  plan: ArenaPlan;
}

/** The arena of one sample over the optimized graph's execution order. */
export async function summarizePlan(model: Model): Promise<PlanSummary> {
  const optimized = optimizeModel(await bindOneSample(model), OPS);
  const lifetimes = modelLifetimes(optimized, OPS);
  const plan = planArena(lifetimes.tensors);
  return { arenaBytes: plan.arenaBytes, lowerBoundBytes: plan.lowerBoundBytes, tensors: lifetimes.tensors.length, steps: lifetimes.steps, unsized: lifetimes.unsized, plan };
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
    .option('--optimized', 'print the graph after the optimization passes, with node counts before and after')
    .option('--plan', 'print the memory arena of one sample (batch 1) against its lower bound; EDGEINFER_DEBUG=2 lists every tensor')
    .action(async (path: string, opts: { json?: boolean; optimized?: boolean; plan?: boolean }) => {
      const s = await summarizeModel(path);
      const model = opts.optimized || opts.plan ? await loadModelFile(path) : undefined;
      const optimized = opts.optimized ? summarizeOptimized(model!) : undefined;
      const plan = opts.plan ? await summarizePlan(model!) : undefined;
      if (opts.json) {
        const extra = {
          ...(optimized && { optimized: { nodesBefore: optimized.nodesBefore, nodesAfter: optimized.nodesAfter, ops: optimized.ops } }),
          ...(plan && { plan: { arenaBytes: plan.arenaBytes, lowerBoundBytes: plan.lowerBoundBytes, tensors: plan.tensors, steps: plan.steps, unsized: plan.unsized } }),
        };
        process.stdout.write(JSON.stringify({ ...s, ...extra }, null, 2) + '\n');
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
      if (optimized) {
        w(`\noptimized: ${optimized.nodesBefore} -> ${optimized.nodesAfter} nodes`);
        w(optimized.graph);
      }
      if (plan) {
        const ratio = plan.lowerBoundBytes > 0 ? (plan.arenaBytes / plan.lowerBoundBytes).toFixed(3) : '-';
        w(`\nmemory plan (batch 1, optimized graph, ${plan.steps} steps, ${plan.tensors} tensors)`);
        w(`arena        ${formatBytes(plan.arenaBytes)} (${plan.arenaBytes} bytes)`);
        w(`lower bound  ${formatBytes(plan.lowerBoundBytes)} (${plan.lowerBoundBytes} bytes); arena / bound = ${ratio}`);
        if (plan.unsized.length > 0) w(`not planned  ${plan.unsized.length} values with data-dependent shapes: ${plan.unsized.slice(0, 5).join(', ')}${plan.unsized.length > 5 ? ', …' : ''}`);
        if (debugLevel() >= 2) w(formatArenaPlan(plan.plan));
      }
    });
}
