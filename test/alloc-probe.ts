// Measures JS heap bytes allocated per steady-state runSync (run by allocation.test.ts in a child process
// started with --expose-gc and a large young generation, so no collection happens while measuring).
// Prints JSON: { bytesPerRun, outputBytesPerRun } for the model path given as argument.

import v8 from 'node:v8';
import { InferenceSession } from '../src/runtime/session.js';
import { randomTensor } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

/**
 * Heap bytes per call: the least of 5 rounds. What a call allocates is the same every time; the engine's own work
 * in between (tiering up the code, late on a loaded machine) only adds, so the least round is the call's own.
 */
function bytesPerCall(f: () => unknown, n = 2000): number {
  for (let i = 0; i < 3000; i++) f();
  let least = Infinity;
  for (let round = 0; round < 5; round++) {
    gc!();
    const before = v8.getHeapStatistics().used_heap_size;
    for (let i = 0; i < n; i++) f();
    least = Math.min(least, (v8.getHeapStatistics().used_heap_size - before) / n);
  }
  return least;
}

const session = await InferenceSession.create(process.argv[2]!);
const feeds = Object.fromEntries(session.inputMetadata.map((m, i) => [m.name, randomTensor(m.type, m.shape.map((d) => (typeof d === 'number' ? d : 1)), i)]));
const sample = session.runSync(feeds);
// What returning the outputs costs by itself: a copy of each output tensor in a fresh record.
const outputBytesPerRun = bytesPerCall(() => {
  const r: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(sample)) r[name] = new Tensor(t.type, t.data.slice(), t.dims);
  return r;
});
const bytesPerRun = bytesPerCall(() => session.runSync(feeds));
process.stdout.write(JSON.stringify({ bytesPerRun, outputBytesPerRun, nodes: session.model.graph.nodes.length }) + '\n');
