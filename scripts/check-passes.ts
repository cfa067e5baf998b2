// Checks the graph passes on real models: each optimized model runs on its case's test data and must match the
// reference outputs within the case tolerance. Prints nodes before/after and the batch-1 arena against its lower bound.
// The unoptimized model's error is printed beside it, for comparison.
// Usage: npx tsx scripts/check-passes.ts [models folder (default /work/shared/fixtures/models)] [case name …]

import fs from 'node:fs';
import path from 'node:path';
import { summarizePlan } from '../src/cli/inspect.js';
import { decodeTensorProto } from '../src/formats/onnx/tensor-proto.js';
import type { Model } from '../src/ir/graph.js';
import { verifyModel } from '../src/ir/verify.js';
import { callKernel, type OpTable } from '../src/kernels/op-def.js';
import { fusedOps } from '../src/kernels/ref/fused.js';
import { referenceOps } from '../src/kernels/ref/index.js';
import { optimizeModel } from '../src/passes/index.js';
import { loadModelFile } from '../src/runtime/load-file.js';
import { buildPlan } from '../src/runtime/plan.js';
import { InferenceSession } from '../src/runtime/session.js';
import type { Tensor } from '../src/tensor/tensor.js';
import { compareTensors, type Tolerance } from '../src/verify/compare.js';

const OPS: OpTable = { ...fusedOps, ...referenceOps };
type Runner = (feeds: Record<string, Tensor>) => Record<string, Tensor>;

/** InferenceSession with its own passes disabled (so the given graph runs as is) when the reference table has the fused ops; else the session's loop. */
async function runnerFor(model: Model): Promise<{ run: Runner; inputs: readonly string[]; via: string }> {
  if (Object.hasOwn(referenceOps, 'edgeinfer.FusedConv')) {
    const session = await InferenceSession.create(model, { graphOptimizationLevel: 'disabled' });
    return { run: (f) => session.runSync(f), inputs: session.inputNames, via: 'InferenceSession' };
  }
  const verified = verifyModel(model, OPS);
  const plan = buildPlan(model, verified, OPS);
  const run: Runner = (feeds) => {
    const values = new Map<string, Tensor>(verified.constants);
    for (const [k, v] of Object.entries(feeds)) values.set(k, v);
    for (const step of plan.steps) {
      const outs = callKernel(step.op, step.ctx, step.node.inputs.map((n) => (n ? values.get(n) : undefined)));
      step.node.outputs.forEach((n, i) => n && outs[i] && values.set(n, outs[i]!));
    }
    return Object.fromEntries(model.graph.outputs.map((o) => [o.name, values.get(o.name)!]));
  };
  return { run, inputs: verified.feedInputs, via: 'plan loop (fusedOps not yet in referenceOps)' };
}

function numbered(dir: string, prefix: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length, -3)) - Number(b.slice(prefix.length, -3)))
    .map((f) => path.join(dir, f));
}

function tolerance(dir: string): Tolerance {
  const meta = path.join(dir, 'metadata.json');
  const t = fs.existsSync(meta) ? (JSON.parse(fs.readFileSync(meta, 'utf8')) as { tolerance?: Partial<Tolerance> }).tolerance : undefined;
  return { rtol: t?.rtol ?? 1e-3, atol: t?.atol ?? 1e-5 };
}

async function checkCase(dir: string): Promise<boolean> {
  const model = await loadModelFile(path.join(dir, 'model.onnx'));
  const optimized = optimizeModel(model, referenceOps);
  const { run, inputs, via } = await runnerFor(optimized);
  const { run: runOriginal } = await runnerFor(model);
  const tol = tolerance(dir);
  let maxAbs = 0;
  let maxAbsOriginal = 0;
  let failure = '';
  const sets = fs.readdirSync(dir).filter((f) => f.startsWith('test_data_set_')).sort();
  for (const set of sets) {
    const feeds: Record<string, Tensor> = {};
    numbered(path.join(dir, set), 'input_').forEach((file, i) => {
      const { name, tensor } = decodeTensorProto(fs.readFileSync(file), file);
      feeds[inputs.includes(name) ? name : inputs[i]!] = tensor;
    });
    const outputs = run(feeds);
    const original = runOriginal(feeds);
    numbered(path.join(dir, set), 'output_').forEach((file, i) => {
      const { name, tensor } = decodeTensorProto(fs.readFileSync(file), file);
      const outName = name in outputs ? name : optimized.graph.outputs[i]!.name;
      const cmp = compareTensors(outputs[outName]!, tensor, tol);
      maxAbs = Math.max(maxAbs, cmp.maxAbsError);
      maxAbsOriginal = Math.max(maxAbsOriginal, compareTensors(original[outName]!, tensor, tol).maxAbsError);
      if (!cmp.ok && !failure) failure = `${set} ${outName}: ${cmp.reason}`;
    });
  }
  const plan = await summarizePlan(model);
  const ratio = plan.lowerBoundBytes > 0 ? plan.arenaBytes / plan.lowerBoundBytes : 1;
  const status = failure ? `FAIL ${failure}` : 'ok';
  console.log(
    [
      path.basename(dir).padEnd(20),
      `${model.graph.nodes.length} -> ${optimized.graph.nodes.length} nodes`.padEnd(18),
      `max|err| ${maxAbs.toExponential(2)} (unoptimized ${maxAbsOriginal.toExponential(2)}, ${sets.length} sets)`.padEnd(50),
      `${plan.steps} steps at batch 1`.padEnd(18),
      `arena ${plan.arenaBytes} B, bound ${plan.lowerBoundBytes} B, x${ratio.toFixed(3)}`.padEnd(44),
      `${status}  [${via}]`,
    ].join(' '),
  );
  return !failure;
}

const root = process.argv[2] ?? '/work/shared/fixtures/models';
const only = process.argv.slice(3);
if (!fs.existsSync(root)) {
  console.log(`skipped: ${root} does not exist`);
  process.exit(0);
}
const cases = fs
  .readdirSync(root)
  .filter((d) => fs.existsSync(path.join(root, d, 'model.onnx')) && (only.length === 0 || only.includes(d)))
  .sort();
let ok = true;
for (const c of cases) ok = (await checkCase(path.join(root, c))) && ok;
process.exit(ok ? 0 : 1);
