// Kernel threads: nodes cut into shares across workers on the shared WebAssembly memory give exactly the
// single-threaded outputs, for every Conv kernel (remainder channel blocks included), Gemm and MatMul, at
// batch 1 and above; and every share still runs when a worker never takes calls, fails or dies.

import { afterAll, describe, expect, it } from 'vitest';
import { int, ints, makeModel, node } from '../../../test/helpers/build.js';
import { referenceOps } from '../../kernels/ref/index.js';
import { loadWasmKernels } from '../../kernels/wasm/module.js';
import type { Model } from '../../ir/graph.js';
import { randomTensor } from '../../tensor/random.js';
import { WASM_KERNELS } from '../wasm/kernels/index.js';
import { WasmExecutor } from '../wasm/wasm-executor.js';
import { KernelPool } from './kernel-pool.js';
import { nodeSpawner } from './node-transport.js';
import { bytesOf, expectSameBytesOnThreads, releasePools, startPool } from './testing.js';

afterAll(releasePools);

const pool = (workers: number, fault?: string) =>
  startPool(workers, { spawn: fault ? nodeSpawner(new URL('./kernel-fault-worker.fixture.ts', import.meta.url), { fault }) : undefined });

/** One Conv: c -> m channels, k x k at stride s, `group` groups, on an h x w input, bias, optional Relu. */
function conv(c: number, m: number, h: number, w: number, k: number, s: number, group = 1): Model {
  const pad = (k - 1) >> 1;
  return makeModel({
    inputs: [['x', 'float32', ['N', c, h, w]]],
    outputs: [['y', 'float32']],
    nodes: [node('Conv', ['x', 'w', 'b'], ['y'], { kernel_shape: ints([k, k]), strides: ints([s, s]), pads: ints([pad, pad, pad, pad]), group: int(group) }, 'conv')],
    initializers: { w: randomTensor('float32', [m, c / group, k, k], m * 31 + k), b: randomTensor('float32', [m], m) },
  });
}

function gemm(k: number, n: number): Model {
  return makeModel({
    inputs: [['x', 'float32', ['N', k]]],
    outputs: [['y', 'float32']],
    nodes: [node('Gemm', ['x', 'w', 'b'], ['y'], { transB: int(1) }, 'fc')],
    initializers: { w: randomTensor('float32', [n, k], n), b: randomTensor('float32', [n], k) },
  });
}

function matmul(k: number, n: number): Model {
  return makeModel({
    inputs: [['x', 'float32', ['N', 5, k]]],
    outputs: [['y', 'float32']],
    nodes: [node('MatMul', ['x', 'w'], ['y'], {}, 'mm')],
    initializers: { w: randomTensor('float32', [k, n], k + n) },
  });
}

const CASES: { what: string; model: Model; input: (n: number) => number[]; kernel: RegExp }[] = [
  { what: 'Winograd 3x3, 13 channels out (a remainder block)', model: conv(8, 13, 20, 18, 3, 1), input: (n) => [n, 8, 20, 18], kernel: /wino2x2/ },
  // A share with half the channels takes more tile rows per block: its scratch is larger than the whole node's.
  { what: 'Winograd 3x3, 24 channels on 32x32', model: conv(24, 24, 32, 32, 3, 1), input: (n) => [n, 24, 32, 32], kernel: /wino2x2/ },
  { what: 'direct 3x3 stride 2', model: conv(6, 24, 30, 30, 3, 2), input: (n) => [n, 6, 30, 30], kernel: /conv2d_direct/ },
  { what: '1x1 (GEMM over pixels), 10 channels out', model: conv(32, 10, 24, 24, 1, 1), input: (n) => [n, 32, 24, 24], kernel: /f32_conv2d_4x8/ },
  { what: 'depthwise 3x3, 22 channels', model: conv(22, 22, 40, 40, 3, 1, 22), input: (n) => [n, 22, 40, 40], kernel: /dwconv2d_3x3/ },
  { what: 'depthwise 5x5 on a narrow map (4-channel vectors), 30 channels', model: conv(30, 30, 10, 10, 5, 1, 30), input: (n) => [n, 30, 10, 10], kernel: /dwconv2d_c4/ },
  { what: 'depthwise 5x5', model: conv(12, 12, 40, 40, 5, 1, 12), input: (n) => [n, 12, 40, 40], kernel: /dwconv2d_x8/ },
  { what: 'Gemm, 300 outputs (column panels with a remainder)', model: gemm(400, 300), input: (n) => [n, 400], kernel: /gemm_4x8/ },
  { what: 'MatMul with constant B', model: matmul(200, 180), input: (n) => [n, 5, 200], kernel: /gemm_4x8/ },
];

describe('kernel threads', () => {
  it.each(CASES)('$what: the same bytes on 1, 2 and 3 threads at batch 1 and 3', ({ model, input, kernel }) =>
    expectSameBytesOnThreads(model, (n, seed) => randomTensor('float32', input(n), seed), kernel),
  );

  it.each(['idle', 'fail', 'exit'])('runs every share when a worker is %s', async (fault) => {
    const wasm = await loadWasmKernels({ variant: 'wasmsimd', shared: true });
    const model = conv(8, 16, 20, 20, 3, 1);
    const single = new WasmExecutor(model, ['x'], referenceOps, WASM_KERNELS, wasm);
    const p = await pool(1, fault);
    const cut = new WasmExecutor(model, ['x'], referenceOps, WASM_KERNELS, wasm, p);
    const check = (run: number) => {
      const x = randomTensor('float32', [1, 8, 20, 20], run);
      expect(bytesOf(cut.run({ x }, [true])![0]!).equals(bytesOf(single.run({ x }, [true])![0]!))).toBe(true);
    };
    for (let run = 0; run < 3; run++) check(run);
    // A worker that is gone leaves the pool once its exit is seen: later nodes run whole here.
    await new Promise((r) => setTimeout(r, 100));
    expect(p.threads).toBe(fault === 'exit' ? 1 : 2);
    check(3);
  });

  it('refuses the non-shared kernels', async () => {
    const wasm = await loadWasmKernels({ variant: 'wasmsimd' });
    await expect(KernelPool.start(wasm, 1)).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
