// The builders of scripts/make-unseen-models.ts on one small model (a three-stage MobileNetV2 at 32x32 with its
// BatchNormalization kept): it is written as ONNX in torch's layout, and edgeinfer's ref and wasm backends (and
// onnxruntime-node, when it loads) compute the same outputs from the file.

import { describe, expect, it } from 'vitest';
import { readOnnx } from '../src/formats/onnx/reader.js';
import { writeOnnx } from '../src/formats/onnx/writer.js';
import { InferenceSession } from '../src/runtime/session.js';
import { randomTensor } from '../src/tensor/random.js';
import { mobileNetV2 } from '../scripts/unseen/families.js';
import { modelStats } from '../scripts/unseen/model-stats.js';

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('unseen model builders', () => {
  const model = mobileNetV2({ width: 0.35, resolution: 32, stages: 3, classes: 10, foldBatchNorm: false, opset: 15, seed: 5 });
  const bytes = writeOnnx(model);
  const x = randomTensor('float32', [3, 3, 32, 32], 9);

  it("writes torch's layout: symbolic batch, Clip with Constant bounds, depthwise convs, residual Add, BatchNorm kept", () => {
    const read = readOnnx(bytes);
    expect(read.graph.inputs[0]!.type!.shape).toEqual(['batch', 3, 32, 32]);
    expect(read.graph.outputs[0]!.type!.shape).toEqual(['batch', 10]);
    expect(read.opsets.get('')).toBe(15);
    const ops = new Set(read.graph.nodes.map((n) => n.op));
    for (const op of ['Conv', 'BatchNormalization', 'Clip', 'Constant', 'Add', 'GlobalAveragePool', 'Flatten', 'Gemm']) expect(ops, op).toContain(op);
    expect(read.graph.nodes.some((n) => n.op === 'Conv' && (n.attrs.get('group')?.value as number) > 1)).toBe(true);
    const { macs, params } = modelStats(model);
    expect(macs).toBeGreaterThan(0);
    expect(params).toBeGreaterThan(0);
  });

  it('runs the same on the ref and wasm backends (and in onnxruntime-node)', async () => {
    const run = async (backend: 'ref' | 'wasm') => {
      const session = await InferenceSession.create(bytes, { backend });
      return session.runSync({ input: x }).output!;
    };
    const ref = await run('ref');
    const wasm = await run('wasm');
    expect(ref.dims).toEqual([3, 10]);
    const values = ref.toFloat32();
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(1e-3); // not a constant output
    expect(maxAbsDiff(wasm.toFloat32(), values)).toBeLessThan(1e-4);

    const ort = await import('onnxruntime-node').catch(() => undefined);
    if (!ort) return;
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ input: new ort.Tensor('float32', x.data as Float32Array, [...x.dims]) });
    expect(maxAbsDiff(out.output!.data as Float32Array, values)).toBeLessThan(1e-4);
    await session.release();
  });
});
