// The public API: create, metadata, run with feeds and fetches, clear INPUT_INVALID errors.

import path from 'node:path';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EdgeError, InferenceSession, Tensor } from '../src/index.js';
import { decodeTensorProto } from '../src/formats/onnx/tensor-proto.js';
import { loadWasmKernels } from '../src/kernels/wasm/module.js';
import { makeModel, node } from './helpers/build.js';

const RESNET8_DIR = path.join(__dirname, '..', 'models', 'resnet8');

async function inputInvalid(p: Promise<unknown>, pattern: RegExp): Promise<EdgeError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(EdgeError);
  expect((e as EdgeError).code).toBe('INPUT_INVALID');
  expect((e as EdgeError).message).toMatch(pattern);
  return e as EdgeError;
}

describe('InferenceSession', () => {
  it('gives its kernel memory back on release: creating and releasing sessions does not grow the process heap', async () => {
    const wasm = await loadWasmKernels();
    const before = wasm.heapStats().liveBytes;
    const model = path.join(RESNET8_DIR, 'model.onnx');
    const x = new Tensor('float32', new Float32Array(5 * 3 * 32 * 32).fill(0.5), [5, 3, 32, 32]);
    const sizes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const session = await InferenceSession.create(model);
      await session.run({ input: x }); // plans for chunks of 4 and 1 rows
      expect(wasm.heapStats().liveBytes).toBeGreaterThan(before);
      await session.release();
      expect(wasm.heapStats().liveBytes).toBe(before);
      sizes.push(wasm.memory.buffer.byteLength);
    }
    expect(new Set(sizes).size).toBe(1);
  });

  it('exposes names and metadata with symbolic dims', async () => {
    const session = await InferenceSession.create(path.join(RESNET8_DIR, 'model.onnx'));
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['output']);
    expect(session.inputMetadata[0]).toEqual({ name: 'input', isTensor: true, type: 'float32', shape: ['batch', 3, 32, 32] });
    expect(session.outputMetadata[0]!.shape).toEqual(['batch', 10]);
  });

  it('matches the reference outputs at batch 1 and batch 4', async () => {
    const session = await InferenceSession.create(fs.readFileSync(path.join(RESNET8_DIR, 'model.onnx')));
    for (const set of ['test_data_set_0', 'test_data_set_2']) {
      const x = decodeTensorProto(fs.readFileSync(path.join(RESNET8_DIR, set, 'input_0.pb')), 'input').tensor;
      const expected = decodeTensorProto(fs.readFileSync(path.join(RESNET8_DIR, set, 'output_0.pb')), 'output').tensor;
      const { output } = await session.run({ input: x });
      expect(output!.dims).toEqual(expected.dims);
      const a = output!.data as Float32Array;
      const e = expected.data as Float32Array;
      for (let i = 0; i < e.length; i++) expect(Math.abs(a[i]! - e[i]!)).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(e[i]!));
    }
  });

  const tiny = makeModel({
    inputs: [
      ['a', 'float32', ['n', 2]],
      ['b', 'float32', ['n', 2]],
    ],
    outputs: [
      ['sum', 'float32'],
      ['relu', 'float32'],
    ],
    nodes: [node('Add', ['a', 'b'], ['sum']), node('Relu', ['sum'], ['relu'])],
  });

  it('runs with fetches selecting outputs', async () => {
    const session = await InferenceSession.create(tiny);
    const a = new Tensor('float32', [1, -5, 3, 4], [2, 2]);
    const b = new Tensor('float32', [1, 1, 1, 1], [2, 2]);
    const all = await session.run({ a, b });
    expect(Object.keys(all).sort()).toEqual(['relu', 'sum']);
    expect(all.relu!.toNumbers()).toEqual([2, 0, 4, 5]);
    const only = await session.run({ a, b }, { fetches: ['sum'] });
    expect(Object.keys(only)).toEqual(['sum']);
    await inputInvalid(session.run({ a, b }, ['nope']), /fetch 'nope' is not an output/);
  });

  it('names the input, the expectation and the value on a bad feed', async () => {
    const session = await InferenceSession.create(tiny);
    const good = new Tensor('float32', [1, 2], [1, 2]);
    await inputInvalid(session.run({ a: good, c: good } as never), /input 'c' is not an input of this model/);
    await inputInvalid(session.run({ a: good } as never), /input 'b' is missing/);
    const e = await inputInvalid(session.run({ a: good, b: new Tensor('int32', [1, 2], [1, 2]) }), /input 'b' must be float32, got int32/);
    expect(e.input).toBe('b');
    await inputInvalid(session.run({ a: good, b: new Tensor('float32', [1, 2, 3], [1, 3]) }), /input 'b' must have shape \[n,2\], got \[1,3\]/);
    await inputInvalid(session.run({ a: good, b: new Tensor('float32', [1, 2, 3, 4], [2, 2]) }), /dimension 'n' is 2 here but 1/);
  });

  it('refuses to run after release', async () => {
    const session = await InferenceSession.create(tiny);
    await session.release();
    await expect(session.run({})).rejects.toBeInstanceOf(EdgeError);
  });

  it('binds symbolic dimensions with freeDimensionOverrides', async () => {
    const session = await InferenceSession.create(tiny, { freeDimensionOverrides: { n: 3 } });
    expect(session.inputMetadata[0]!.shape).toEqual([3, 2]);
    expect(session.outputMetadata[0]!.shape).toEqual([3, 2]);
  });
});
