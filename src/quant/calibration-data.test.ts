import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeTensorProto } from '../formats/onnx/tensor-proto.js';
import { writeNpy } from '../formats/npy.js';
import { loadModelFile } from '../runtime/load-file.js';
import { Tensor } from '../tensor/tensor.js';
import { modelInputSpecs, openCalibrationData, type CalibrationData, type FeedRecord, type InputSpec } from './calibration-data.js';

const dir = mkdtempSync(join(tmpdir(), 'edgeinfer-calib-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const image: InputSpec[] = [{ name: 'input', type: 'float32', shape: ['batch', 2, 2] }];
const pair: InputSpec[] = [
  { name: 'a', type: 'float32', shape: ['batch', 3] },
  { name: 'b', type: 'float32', shape: ['batch', 3] },
];

async function collect(data: CalibrationData): Promise<FeedRecord[]> {
  const out: FeedRecord[] = [];
  for await (const r of data) out.push(r);
  return out;
}

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** n samples of shape [2, 2]; sample s holds s*4 .. s*4 + 3. */
function samplesNpy(name: string, n: number): string {
  return file(name, writeNpy(new Tensor('float32', Float32Array.from({ length: n * 4 }, (_, i) => i), [n, 2, 2])));
}

describe('.npy calibration data', () => {
  it('streams 10,000 samples one slice at a time', async () => {
    const data = await openCalibrationData(samplesNpy('many.npy', 10_000), image);
    expect([data.kind, data.count, data.samples]).toEqual(['npy', 10_000, 10_000]);
    let k = 0;
    for await (const r of data) {
      const t = r.input!;
      expect(t.dims).toEqual([1, 2, 2]);
      expect(t.data.buffer.byteLength).toBe(16); // a buffer per sample, never the whole file
      if (k === 9_999) expect(Array.from(t.data as Float32Array)).toEqual([39_996, 39_997, 39_998, 39_999]);
      k++;
    }
    expect(k).toBe(10_000);
  });

  it('stacks samples into batches and honours a limit', async () => {
    const path = samplesNpy('ten.npy', 10);
    const records = await collect(await openCalibrationData(path, image, { batchSize: 4 }));
    expect(records.map((r) => r.input!.dims[0])).toEqual([4, 4, 2]);
    expect(records[2]!.input!.toNumbers()).toEqual([32, 33, 34, 35, 36, 37, 38, 39]);
    const limited = await openCalibrationData(path, image, { limit: 3 });
    expect([limited.count, (await collect(limited)).length]).toEqual([3, 3]);
    // Samples that already carry a batch dim of 1 are fed as they are.
    const withBatch = file('with-batch.npy', writeNpy(new Tensor('float32', new Float32Array(8), [2, 1, 2, 2])));
    expect((await collect(await openCalibrationData(withBatch, image)))[0]!.input!.dims).toEqual([1, 2, 2]);
  });

  it('refuses truncated, empty, mistyped, misshapen and non-finite data, naming file and sample', async () => {
    const whole = writeNpy(new Tensor('float32', new Float32Array(12), [3, 2, 2]));
    const cut = file('cut.npy', whole.subarray(0, whole.length - 20));
    await expect(openCalibrationData(cut, image)).rejects.toThrow(`${cut}: truncated: the header promises 3 samples of 16 bytes but the file (${whole.length - 20} bytes) ends inside sample 1`);
    const empty = file('empty.npy', new Uint8Array(0));
    await expect(openCalibrationData(empty, image)).rejects.toThrow(`${empty}: the file is empty`);
    const f64 = file('f64.npy', writeNpy(new Tensor('float64', new Float64Array(8), [2, 2, 2])));
    await expect(openCalibrationData(f64, image)).rejects.toMatchObject({
      code: 'DTYPE_MISMATCH',
      message: `${f64}: holds float64 but input 'input' is float32; convert it, e.g. with numpy .astype(np.float32)`,
    });
    const wide = file('wide.npy', writeNpy(new Tensor('float32', new Float32Array(6), [2, 3])));
    await expect(openCalibrationData(wide, image)).rejects.toMatchObject({
      code: 'SHAPE_MISMATCH',
      message: `${wide} (every sample): shape [3] does not fit input 'input' of shape [batch,2,2]`,
    });
    const values = Float32Array.from({ length: 12 }, (_, i) => i);
    values[9] = NaN;
    const nan = file('nan.npy', writeNpy(new Tensor('float32', values, [3, 2, 2])));
    const data = await openCalibrationData(nan, image);
    await expect(collect(data)).rejects.toThrow(`${nan}: sample 2 (element 1): input 'input' holds NaN; calibration data must be finite`);
    await expect(openCalibrationData(join(dir, 'missing.npy'), image)).rejects.toThrow(/no such file or folder/);
    await expect(openCalibrationData(samplesNpy('x.npy', 2), pair)).rejects.toThrow(/a .npy file feeds single-input models; this one has 2 inputs \(a, b\)/);
    await expect(openCalibrationData(samplesNpy('y.npy', 2), [{ ...image[0]!, shape: [1, 2, 2] }], { batchSize: 2 })).rejects.toThrow(/needs a free batch dim/);
  });
});

describe('.pb calibration data', () => {
  it('reads a folder of .pb files, one sample each, in natural order', async () => {
    const folder = join(dir, 'pb-files');
    mkdirSync(folder);
    for (const i of [1, 2, 10]) writeFileSync(join(folder, `sample_${i}.pb`), encodeTensorProto(new Tensor('float32', new Float32Array(4).fill(i), [2, 2]), 'x'));
    writeFileSync(join(folder, 'README.txt'), 'not a sample');
    const data = await openCalibrationData(folder, image, { batchSize: 2 });
    expect([data.kind, data.count, data.samples]).toEqual(['pb-files', 2, 3]);
    const records = await collect(data);
    expect(records[0]!.input!.toNumbers()).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    expect(records[1]!.input!.dims).toEqual([1, 2, 2]);
  });

  it('matches a folder of sample folders to inputs by tensor name, or by file order', async () => {
    const folder = join(dir, 'pb-folders');
    for (const s of [0, 1]) {
      const sample = join(folder, `set_${s}`);
      mkdirSync(sample, { recursive: true });
      // by name: the files are in the opposite order of the inputs
      writeFileSync(join(sample, 'input_0.pb'), encodeTensorProto(new Tensor('float32', [s, s, s], [1, 3]), 'b'));
      writeFileSync(join(sample, 'input_1.pb'), encodeTensorProto(new Tensor('float32', [9, 9, 9], [1, 3]), 'a'));
      writeFileSync(join(sample, 'output_0.pb'), encodeTensorProto(new Tensor('float32', [0], [1]), 'y'));
    }
    const records = await collect(await openCalibrationData(folder, pair));
    expect(records.map((r) => [r.a!.data[0], r.b!.data[0]])).toEqual([
      [9, 0],
      [9, 1],
    ]);
    const anonymous = join(dir, 'pb-anonymous', 's0');
    mkdirSync(anonymous, { recursive: true });
    writeFileSync(join(anonymous, 'input_0.pb'), encodeTensorProto(new Tensor('float32', [1, 1, 1], [3]), ''));
    writeFileSync(join(anonymous, 'input_1.pb'), encodeTensorProto(new Tensor('float32', [2, 2, 2], [3]), ''));
    const [r] = await collect(await openCalibrationData(join(dir, 'pb-anonymous'), pair));
    expect([r!.a!.dims, r!.a!.data[0], r!.b!.data[0]]).toEqual([[1, 3], 1, 2]);
  });

  it('refuses empty files, missing inputs and wrong shapes, naming the file', async () => {
    const folder = join(dir, 'pb-bad');
    mkdirSync(join(folder, 's0'), { recursive: true });
    writeFileSync(join(folder, 's0', 'input_0.pb'), new Uint8Array(0));
    await expect(collect(await openCalibrationData(folder, image))).rejects.toThrow(`${join(folder, 's0', 'input_0.pb')}: the file is empty`);
    writeFileSync(join(folder, 's0', 'input_0.pb'), encodeTensorProto(new Tensor('float32', [1, 2, 3], [1, 3]), 'a'));
    await expect(collect(await openCalibrationData(folder, pair))).rejects.toThrow(`${join(folder, 's0')}: holds 1 input file(s) but the model has 2 input(s): a, b`);
    await expect(collect(await openCalibrationData(folder, image))).rejects.toThrow(`${join(folder, 's0', 'input_0.pb')}: shape [1,3] does not fit input 'input' of shape [batch,2,2]`);
    const none = join(dir, 'pb-none');
    mkdirSync(none);
    await expect(openCalibrationData(none, image)).rejects.toThrow(/holds no .pb files and no sample folders/);
  });

  it('reads the bundled ResNet-8 test data sets as samples', async () => {
    const model = await loadModelFile('models/resnet8/model.onnx');
    const data = await openCalibrationData('models/resnet8', modelInputSpecs(model));
    const records = await collect(data);
    expect([data.kind, data.count]).toEqual(['pb-folders', 3]);
    expect(records.map((r) => r.input!.dims)).toEqual([
      [1, 3, 32, 32],
      [1, 3, 32, 32],
      [4, 3, 32, 32],
    ]);
  });
});
