// `quantizeModel` / `edgeinfer quantize` end to end on the bundled ResNet-8 with generated calibration data.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EdgeError } from '../src/errors.js';
import { writeNpy } from '../src/formats/npy.js';
import { readOnnx } from '../src/formats/onnx/reader.js';
import { writeOnnx } from '../src/formats/onnx/writer.js';
import { quantizeModel } from '../src/quant/quantize.js';
import { InferenceSession } from '../src/runtime/session.js';
import { randomTensor } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';

const MODEL = path.join(__dirname, '..', 'models', 'resnet8', 'model.onnx');

function calibrationFile(samples: number, mutate?: (data: Float32Array) => void): string {
  const t = randomTensor('float32', [samples, 3, 32, 32], 5);
  mutate?.(t.data as Float32Array);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'edgeinfer-calib-')), 'calib.npy');
  fs.writeFileSync(file, writeNpy(t));
  return file;
}

describe('quantizeModel', () => {
  it('quantizes ResNet-8 to a QDQ model under 0.3x the size that still agrees with fp32', async () => {
    const model = readOnnx(fs.readFileSync(MODEL));
    const result = await quantizeModel(model, { calibration: calibrationFile(16), method: 'percentile', errorReport: true });
    const bytes = writeOnnx(result.model);
    expect(bytes.length / fs.statSync(MODEL).size).toBeLessThan(0.3);
    expect(result.model.graph.nodes.some((n) => n.op === 'QuantizeLinear')).toBe(true);
    // Worst layer first, every activation and weight reported with finite cosine.
    const sqnr = result.errors!.map((e) => e.sqnrDb);
    expect(sqnr).toEqual([...sqnr].sort((a, b) => a - b));
    expect(result.errors!.some((e) => e.kind === 'weight')).toBe(true);
    expect(result.errors![0]!.sqnrDb).toBeGreaterThan(15);

    const x = randomTensor('float32', [8, 3, 32, 32], 9);
    const fp32 = (await (await InferenceSession.create(model)).run({ input: x })).output!.data as Float32Array;
    const int8 = (await (await InferenceSession.create(bytes)).run({ input: x })).output!.data as Float32Array;
    let signal = 0;
    let noise = 0;
    for (let i = 0; i < fp32.length; i++) {
      signal += fp32[i]! ** 2;
      noise += (fp32[i]! - int8[i]!) ** 2;
    }
    expect(10 * Math.log10(signal / noise)).toBeGreaterThan(20);
  });

  it('quantizes without calibration in dynamic and weight-only modes', async () => {
    const model = readOnnx(fs.readFileSync(MODEL));
    for (const mode of ['dynamic', 'weight-only'] as const) {
      const { model: q } = await quantizeModel(model, { mode });
      const session = await InferenceSession.create(q);
      const { output } = await session.run({ input: randomTensor('float32', [1, 3, 32, 32], 1) });
      expect(output!.dims).toEqual([1, 10]);
    }
  });

  it('refuses hostile calibration data with a clear error', async () => {
    const model = readOnnx(fs.readFileSync(MODEL));
    const nan = calibrationFile(4, (d) => (d[100] = NaN));
    const wrongShape = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'edgeinfer-calib-')), 'bad.npy');
    fs.writeFileSync(wrongShape, writeNpy(new Tensor('float32', new Float32Array(4 * 3 * 16 * 16), [4, 3, 16, 16])));
    const truncated = calibrationFile(4);
    fs.truncateSync(truncated, fs.statSync(truncated).size - 100);
    const empty = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'edgeinfer-calib-')), 'empty.npy');
    fs.writeFileSync(empty, new Uint8Array());
    for (const [file, pattern] of [
      [nan, /NaN|not finite|Inf/],
      [wrongShape, /shape/],
      [truncated, /truncated/],
      [empty, /empty|not a \.npy/],
    ] as const) {
      const err = await quantizeModel(model, { calibration: file }).catch((e: unknown) => e);
      expect(err, file).toBeInstanceOf(EdgeError);
      expect((err as EdgeError).message).toMatch(pattern);
    }
    await expect(quantizeModel(model, {})).rejects.toThrow(/needs calibration data/);
  });
});
