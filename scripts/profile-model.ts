// Per-node time of a model on the wasm backend: median over runs of each step of the static plan.
// Usage: npx tsx scripts/profile-model.ts <model.onnx> [batch] [runs]

import { InferenceSession } from '../src/runtime/session.js';
import { concreteDims } from '../src/cli/run.js';
import { randomTensor } from '../src/tensor/random.js';

const [path, batchText = '1', runsText = '200'] = process.argv.slice(2);
if (!path) {
  process.stderr.write('usage: npx tsx scripts/profile-model.ts <model.onnx> [batch] [runs]\n');
  process.exit(2);
}
const session = await InferenceSession.create(path);
const feeds = session.inputMetadata.map((m, i) => randomTensor(m.type, concreteDims(m, Number(batchText)), i));
const rows = session.profile(feeds, Number(runsText));
let total = 0;
for (const r of rows) {
  total += r.ms;
  process.stdout.write(`${r.ms.toFixed(4).padStart(9)} ms  ${r.op.padEnd(14)} ${r.kernel.padEnd(36)} ${r.node}\n`);
}
process.stdout.write(`${total.toFixed(3).padStart(9)} ms  total (sum of per-step medians)\n`);
