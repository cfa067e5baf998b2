import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { int, makeModel, node } from '../../test/helpers/build.js';
import { decodeTensorProto } from '../formats/onnx/tensor-proto.js';
import { loadModelFile } from '../runtime/load-file.js';
import { Tensor } from '../tensor/tensor.js';
import { calibrate, calibrateObservers, observedTensors } from './calibrate.js';
import { modelInputSpecs, openCalibrationData, type FeedRecord } from './calibration-data.js';

// x [batch, 4] → Mul(x, 2) = m → Relu = y → ArgMax = idx (int64: not calibrated); w is a weight.
const tiny = makeModel({
  inputs: [['x', 'float32', ['batch', 4]]],
  outputs: [['y', 'float32'], ['idx', 'int64']],
  nodes: [node('Mul', ['x', 'w'], ['m']), node('Relu', ['m'], ['y']), node('ArgMax', ['y'], ['idx'], { axis: int(1) })],
  initializers: { w: new Tensor('float32', [2], [1]) },
});

function feeds(rows: number[][]): FeedRecord[] & { count: number } {
  return Object.assign(
    rows.map((r) => ({ x: new Tensor('float32', r, [1, 4]) })),
    { count: rows.length },
  );
}

const rows = [
  [-1, 0.5, 2, 3],
  [-4, 1, 1, 1],
  [0, 0, 0, 5],
];

describe('calibrate', () => {
  it('observes the fed input and every float value a node computes (hand-checked min-max)', async () => {
    const progress: unknown[] = [];
    for (const backend of ['ref', 'wasm'] as const) {
      const ranges = await calibrate(tiny, feeds(rows), { method: 'minmax', backend, onProgress: (p) => progress.push(p) });
      expect([...ranges]).toEqual([
        ['x', { min: -4, max: 5 }],
        ['m', { min: -8, max: 10 }],
        ['y', { min: 0, max: 10 }],
      ]);
    }
    expect(progress.slice(0, 3)).toEqual([
      { done: 1, total: 3 },
      { done: 2, total: 3 },
      { done: 3, total: 3 },
    ]);
  });

  it('observes only the tensors asked for, and says which cannot be', async () => {
    const ranges = await calibrate(tiny, feeds(rows), { tensors: ['m'], method: 'percentile', percentile: 100 });
    expect([...ranges.keys()]).toEqual(['m']);
    expect(ranges.get('m')!.max).toBeCloseTo(10, 5);
    expect(() => observedTensors(tiny, ['m', 'nope', 'w'])).toThrow("cannot observe 'nope', 'w' (a constant): not a value the model computes or is fed");
    expect(() => observedTensors(tiny, ['idx'])).toThrow("cannot observe 'idx' (int64): only float tensors are calibrated");
  });

  it('names the sample that fails, and refuses an empty stream', async () => {
    const bad = [{ x: new Tensor('float32', [1, 2, 3, 4], [1, 4]) }, { x: new Tensor('float32', [1, 2, 3], [1, 3]) }];
    await expect(calibrate(tiny, bad)).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: "calibration sample 1: input 'x' must have shape [batch,4], got [1,3]",
    });
    await expect(calibrate(tiny, [])).rejects.toThrow('calibration needs at least one sample; the data yielded none');
  });

  it('calibrates the bundled ResNet-8 from its test data sets', async () => {
    const dir = 'models/resnet8';
    const model = await loadModelFile(join(dir, 'model.onnx'));
    const data = await openCalibrationData(dir, modelInputSpecs(model));
    const observers = await calibrateObservers(model, data, { method: 'minmax' });
    expect(observers.size).toBe(23); // the input and 22 float values (convs, relus, adds, pool, flatten, output)

    // The output's range is the min and max of the three reference outputs.
    let lo = Infinity;
    let hi = -Infinity;
    for (const set of [0, 1, 2]) {
      const out = decodeTensorProto(readFileSync(join(dir, `test_data_set_${set}`, 'output_0.pb')), 'output').tensor.toFloat32();
      for (const v of out) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    }
    const output = observers.get('output')!.range();
    expect(output.min).toBeCloseTo(lo, 4);
    expect(output.max).toBeCloseTo(hi, 4);
    expect(observers.get('input')!.count).toBe(6 * 3 * 32 * 32);

    // Entropy clips: every range lies within the min-max one.
    const entropy = await calibrate(model, data, { method: 'entropy' });
    for (const [name, r] of entropy) {
      const m = observers.get(name)!.range();
      expect(r.min, name).toBeGreaterThanOrEqual(Math.min(m.min, 0));
      expect(r.max, name).toBeLessThanOrEqual(Math.max(m.max, 0));
    }
  });
});
