// Test helpers of the kernel-thread tests (not built into dist/): pools released together, and the check that
// a model run whole on one thread and cut across 2 and 3 threads (its first node planned on `kernel`), at
// batch 1 and 3, gives the same bytes.

import { expect } from 'vitest';
import type { Model } from '../../ir/graph.js';
import { referenceOps } from '../../kernels/ref/index.js';
import { loadWasmKernels } from '../../kernels/wasm/module.js';
import type { Tensor } from '../../tensor/tensor.js';
import { WASM_KERNELS } from '../wasm/kernels/index.js';
import { WasmExecutor } from '../wasm/wasm-executor.js';
import { KernelPool } from './kernel-pool.js';

const pools: KernelPool[] = [];

/** A pool of `workers` on the shared kernels; released by releasePools(). */
export async function startPool(workers: number, spawn?: Parameters<typeof KernelPool.start>[2]): Promise<KernelPool> {
  const wasm = await loadWasmKernels({ variant: 'wasmsimd', shared: true });
  const p = await KernelPool.start(wasm, workers, spawn);
  pools.push(p);
  return p;
}

export async function releasePools(): Promise<void> {
  for (const p of pools.splice(0)) await p.release();
}

export const bytesOf = (t: Tensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);

/** `input(n, seed)` makes the model's input 'x' at batch n. */
export async function expectSameBytesOnThreads(model: Model, input: (n: number, seed: number) => Tensor, kernel: RegExp): Promise<void> {
  const wasm = await loadWasmKernels({ variant: 'wasmsimd', shared: true });
  const single = new WasmExecutor(model, ['x'], referenceOps, WASM_KERNELS, wasm);
  for (const threads of [2, 3]) {
    const cut = new WasmExecutor(model, ['x'], referenceOps, WASM_KERNELS, wasm, await startPool(threads - 1));
    for (const n of [1, 3]) {
      const x = input(n, n * 7 + threads);
      const planned = cut.planFor([x.dims])!.stats.kernels[0]!.kernel;
      expect(planned).toMatch(kernel);
      expect(planned).toContain(`(${threads} threads)`);
      expect(bytesOf(cut.run({ x }, [true])![0]!).equals(bytesOf(single.run({ x }, [true])![0]!))).toBe(true);
    }
  }
}
