// Creates sessions that are never released, drops them, collects garbage and prints the kernel heap's live bytes
// before and after (run by session-gc.test.ts in a child process started with --expose-gc).

import { InferenceSession } from '../src/runtime/session.js';
import { loadWasmKernels } from '../src/kernels/wasm/module.js';
import { Tensor } from '../src/tensor/tensor.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const wasm = await loadWasmKernels();
const before = wasm.heapStats().liveBytes;
const x = new Tensor('float32', new Float32Array(3 * 32 * 32), [1, 3, 32, 32]);
/** One session used and dropped (in a function of its own: a suspended async frame would keep it alive). */
let held = 0;
async function useAndDrop(): Promise<void> {
  const session = await InferenceSession.create(process.argv[2]!);
  session.runSync({ input: x });
  held = Math.max(held, wasm.heapStats().liveBytes - before);
}
for (let i = 0; i < 5; i++) await useAndDrop();
// Finalizers run in later tasks, after a collection has found the sessions unreachable.
for (let i = 0; i < 20 && wasm.heapStats().liveBytes > before; i++) {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 10));
}
process.stdout.write(JSON.stringify({ held, after: wasm.heapStats().liveBytes - before }) + '\n');
