// Chunked batches: a batch runs in power-of-two chunks of rows (at most what keeps a chunk's arena in cache),
// with exactly the outputs of row-by-row runs; models without a batch dim run whole. Plans past the cache are
// evicted with their memory given back, and release() gives back everything.

import { describe, expect, it } from 'vitest';
import { int, ints, makeModel, node } from '../../../test/helpers/build.js';
import { referenceOps } from '../../kernels/ref/index.js';
import { loadWasmKernels } from '../../kernels/wasm/module.js';
import type { Dim } from '../../ir/graph.js';
import { randomTensor } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { sliceRows } from '../batch-rows.js';
import { WASM_KERNELS } from './kernels/index.js';
import { WasmExecutor } from './wasm-executor.js';

/** Conv 16 -> 16 channels, 3x3, on s x s maps: about 2 * 16 * s * s * 4 bytes of arena per row. */
function convModel(batch: Dim, s: Dim) {
  return makeModel({
    inputs: [['x', 'float32', [batch, 16, s, s]]],
    outputs: [['y', 'float32', [batch, 16, s, s]]],
    nodes: [node('Conv', ['x', 'w', 'b'], ['y'], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), group: int(1) }, 'conv')],
    initializers: { w: randomTensor('float32', [16, 16, 3, 3], 1), b: randomTensor('float32', [16], 2) },
  });
}

const bytes = (t: Tensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);

describe('chunked batches', () => {
  it('runs a batch of large rows in chunks, each row exactly as when run alone', async () => {
    const wasm = await loadWasmKernels();
    const executor = new WasmExecutor(convModel('N', 256), ['x'], referenceOps, WASM_KERNELS, wasm);
    const x = randomTensor('float32', [3, 16, 256, 256], 3);
    expect(executor.chunkRows([x.dims])).toEqual([1, 1, 1]); // 8 MiB of arena per row
    const y = executor.run({ x }, [true])![0]!;
    expect(y.dims).toEqual([3, 16, 256, 256]);
    const rowBytes = y.data.byteLength / 3;
    for (let r = 0; r < 3; r++) {
      const alone = executor.run({ x: sliceRows(x, r, 1) }, [true])![0]!;
      expect(bytes(alone).equals(bytes(y).subarray(r * rowBytes, (r + 1) * rowBytes))).toBe(true);
    }
  });

  it('cuts any batch into power-of-two chunks of small rows, so a few plans serve every batch size', async () => {
    const wasm = await loadWasmKernels();
    const executor = new WasmExecutor(convModel('N', 16), ['x'], referenceOps, WASM_KERNELS, wasm);
    expect(executor.chunkRows([[32, 16, 16, 16]])).toEqual([32]);
    expect(executor.chunkRows([[13, 16, 16, 16]])).toEqual([8, 4, 1]);
    const rows = executor.chunkRows([[300, 16, 16, 16]]);
    expect(rows.reduce((a, b) => a + b)).toBe(300);
    expect(new Set(rows).size).toBeLessThanOrEqual(8);
    rows.forEach((r, i) => {
      expect(Math.log2(r) % 1).toBe(0);
      if (i > 0) expect(r).toBeLessThanOrEqual(rows[i - 1]!);
    });
    const x = randomTensor('float32', [13, 16, 16, 16], 5);
    const y = executor.run({ x }, [true])![0]!;
    const rowBytes = y.data.byteLength / 13;
    for (const r of [0, 8, 12]) expect(bytes(executor.run({ x: sliceRows(x, r, 1) }, [true])![0]!).equals(bytes(y).subarray(r * rowBytes, (r + 1) * rowBytes))).toBe(true);
  });

  it('runs a model with a fixed batch whole', async () => {
    const wasm = await loadWasmKernels();
    expect(new WasmExecutor(convModel(3, 256), ['x'], referenceOps, WASM_KERNELS, wasm).chunkRows([[3, 16, 256, 256]])).toEqual([3]);
  });
});

describe('plan memory', () => {
  it('evicts the least recently used plan past 12 shapes and gives its memory back; outputs stay exact', async () => {
    const wasm = await loadWasmKernels();
    const before = wasm.heapStats().liveBytes;
    const executor = new WasmExecutor(convModel(1, 'S'), ['x'], referenceOps, WASM_KERNELS, wasm);
    const inputs = Array.from({ length: 20 }, (_, i) => randomTensor('float32', [1, 16, 8 + i, 8 + i], 10 + i));
    const first = inputs.map((x) => executor.run({ x }, [true])![0]!);
    // Every allocation still held is one of the cached plans'.
    expect(wasm.heapStats().liveBytes - before).toBe(executor.heapBytes);
    let peak = 0;
    const grown: number[] = [];
    for (let round = 0; round < 3; round++) {
      inputs.forEach((x, i) => {
        // Shape 0 stays in use every other run: it must survive while the others cycle through the cache.
        expect(bytes(executor.run({ x }, [true])![0]!).equals(bytes(first[i]!))).toBe(true);
        expect(bytes(executor.run({ x: inputs[0]! }, [true])![0]!).equals(bytes(first[0]!))).toBe(true);
        peak = Math.max(peak, wasm.heapStats().liveBytes - before);
      });
      grown.push(wasm.memory.buffer.byteLength);
    }
    expect(wasm.heapStats().liveBytes - before).toBe(executor.heapBytes);
    // At most 12 plans at a time, and the memory stops growing once their holes are reused.
    const planBytes = inputs.map((x) => {
      const alone = new WasmExecutor(convModel(1, 'S'), ['x'], referenceOps, WASM_KERNELS, wasm);
      alone.run({ x }, [true]);
      const held = alone.heapBytes;
      alone.release();
      return held;
    });
    expect(peak).toBeLessThanOrEqual(planBytes.sort((a, b) => b - a).slice(0, 12).reduce((a, b) => a + b));
    expect(grown[2]).toBe(grown[1]);
    executor.release();
    expect(wasm.heapStats().liveBytes).toBe(before);
  });

  it('packs constant weights once: the plans of other chunk sizes share them', async () => {
    const wasm = await loadWasmKernels();
    // Gemm 512 -> 512: 1 MiB of weights, 2 KiB of activations per row.
    const model = makeModel({
      inputs: [['x', 'float32', ['N', 512]]],
      outputs: [['y', 'float32', ['N', 512]]],
      nodes: [node('Gemm', ['x', 'w', 'b'], ['y'], { transB: int(1) }, 'fc')],
      initializers: { w: randomTensor('float32', [512, 512], 1), b: randomTensor('float32', [512], 2) },
    });
    const executor = new WasmExecutor(model, ['x'], referenceOps, WASM_KERNELS, wasm);
    executor.run({ x: randomTensor('float32', [1, 512], 3) }, [true]);
    const one = executor.heapBytes;
    expect(one).toBeGreaterThan(1024 * 1024);
    const x = randomTensor('float32', [13, 512], 4);
    const y = executor.run({ x }, [true])![0]!; // chunks of 8, 4 and 1 rows: three plans
    expect(executor.heapBytes - one).toBeLessThan(256 * 1024);
    const rowBytes = y.data.byteLength / 13;
    expect(bytes(executor.run({ x: sliceRows(x, 9, 1) }, [true])![0]!).equals(bytes(y).subarray(9 * rowBytes, 10 * rowBytes))).toBe(true);
    executor.release();
  });

  it('gives back the plans of every chunk size on release, and runs again afterwards', async () => {
    const wasm = await loadWasmKernels();
    const before = wasm.heapStats().liveBytes;
    const executor = new WasmExecutor(convModel('N', 16), ['x'], referenceOps, WASM_KERNELS, wasm);
    const x = randomTensor('float32', [13, 16, 16, 16], 5);
    const y = executor.run({ x }, [true])![0]!;
    expect(executor.heapBytes).toBeGreaterThan(0);
    executor.release();
    expect(wasm.heapStats().liveBytes).toBe(before);
    expect(bytes(executor.run({ x }, [true])![0]!).equals(bytes(y))).toBe(true);
    executor.release();
  });
});
