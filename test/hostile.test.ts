// Hostile and malformed models: each gets a clear EdgeError, never a crash, a hang or a huge allocation.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EdgeError, type EdgeErrorCode } from '../src/errors.js';
import { ModelProto, TensorProto } from '../src/formats/onnx/onnx-schema.js';
import { readOnnx } from '../src/formats/onnx/reader.js';
import { writeOnnx } from '../src/formats/onnx/writer.js';
import { InferenceSession } from '../src/runtime/session.js';
import { seededRandom } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';
import { makeModel, node } from './helpers/build.js';

const RESNET8 = path.join(__dirname, '..', 'models', 'resnet8', 'model.onnx');

async function expectEdgeError(promise: Promise<unknown>, code: EdgeErrorCode, pattern?: RegExp): Promise<EdgeError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected an EdgeError').toBeInstanceOf(EdgeError);
  const e = caught as EdgeError;
  expect(e.code, e.message).toBe(code);
  if (pattern) expect(e.message).toMatch(pattern);
  return e;
}

const load = (bytes: Uint8Array) => InferenceSession.create(bytes);
const loadModel = (m: Parameters<typeof makeModel>[0]) => InferenceSession.create(writeOnnx(makeModel(m)));

describe('hostile model files', () => {
  it('rejects an empty file', async () => {
    await expectEdgeError(load(new Uint8Array()), 'MODEL_INVALID', /empty/);
  });

  it('rejects a truncated model', async () => {
    const bytes = fs.readFileSync(RESNET8);
    await expectEdgeError(load(bytes.subarray(0, Math.floor(bytes.length / 2))), 'MODEL_INVALID');
  });

  it('rejects random bytes', async () => {
    const rand = seededRandom(7);
    for (let trial = 0; trial < 20; trial++) {
      const bytes = Uint8Array.from({ length: 4096 }, () => Math.floor(rand() * 256));
      await expect(load(bytes)).rejects.toBeInstanceOf(EdgeError);
    }
  });

  it('rejects a text file', async () => {
    await expect(load(new TextEncoder().encode('# README\n\nThis is not a model, just some text.\n'))).rejects.toBeInstanceOf(EdgeError);
  });

  it('rejects a graph with a cycle', async () => {
    const model = {
      inputs: [['x', 'float32', [2]]] as [string, 'float32', number[]][],
      outputs: [['y', 'float32']] as [string, 'float32'][],
      nodes: [node('Add', ['x', 'b'], ['a'], {}, 'first'), node('Relu', ['a'], ['b'], {}, 'second'), node('Relu', ['a'], ['y'])],
    };
    await expectEdgeError(loadModel(model), 'MODEL_INVALID', /cycle/);
  });

  it('rejects a reference to an undefined value', async () => {
    await expectEdgeError(
      loadModel({ inputs: [['x', 'float32', [2]]], outputs: [['y', 'float32']], nodes: [node('Add', ['x', 'ghost'], ['y'], {}, 'add')] }),
      'MODEL_INVALID',
      /'ghost' is not defined/,
    );
  });

  it('rejects an initializer whose data is shorter than its shape', async () => {
    const m = makeModel({ inputs: [['x', 'float32', [4]]], outputs: [['y', 'float32']], nodes: [node('Add', ['x', 'w'], ['y'])], initializers: { w: new Tensor('float32', [1, 2, 3, 4]) } });
    const bytes = writeOnnx(m);
    // Re-encode the initializer with dims [1000] but only 4 floats of data.
    const decoded = readOnnx(bytes);
    expect(decoded.graph.initializers.get('w')!.size).toBe(4);
    const proto = TensorProto.encode(TensorProto.fromObject({ name: 'w', dims: [1000], data_type: 1, raw_data: new Uint8Array(16) })).finish();
    const tampered = spliceInitializer(bytes, proto);
    await expectEdgeError(load(tampered), 'MODEL_INVALID', /raw data has 16 bytes .* needs 4000/);
  });

  it('rejects a Conv whose weight has the wrong rank', async () => {
    await expectEdgeError(
      loadModel({
        inputs: [['x', 'float32', [1, 3, 8, 8]]],
        outputs: [['y', 'float32']],
        nodes: [node('Conv', ['x', 'w'], ['y'], {}, 'stem/conv')],
        initializers: { w: Tensor.zeros('float32', [4, 3, 3]) },
      }),
      'SHAPE_MISMATCH',
      /stem\/conv.*weight has 3 dims, expected 4/,
    );
  });

  it('refuses an op that would create 2^40 elements, without allocating', async () => {
    const shape = new Tensor('int64', BigInt64Array.from([2n ** 20n, 2n ** 20n]), [2]);
    await expectEdgeError(
      loadModel({ inputs: [['x', 'float32', [1]]], outputs: [['y', 'float32']], nodes: [node('ConstantOfShape', ['s'], ['big']), node('Add', ['x', 'big'], ['y'])], initializers: { s: shape } }),
      'LIMIT_EXCEEDED',
    );
  });

  it('refuses a run whose data-dependent shape would create 2^40 elements', async () => {
    const session = await loadModel({ inputs: [['s', 'int64', [2]]], outputs: [['y', 'float32']], nodes: [node('ConstantOfShape', ['s'], ['y'])] });
    await expectEdgeError(session.run({ s: new Tensor('int64', BigInt64Array.from([2n ** 20n, 2n ** 20n]), [2]) }), 'LIMIT_EXCEEDED');
  });

  it('rejects an input declared with absurd dimensions', async () => {
    await expectEdgeError(
      loadModel({ inputs: [['x', 'float32', [1e6, 1e6, 1e6]]], outputs: [['y', 'float32']], nodes: [node('Relu', ['x'], ['y'])] }),
      'LIMIT_EXCEEDED',
    );
  });

  it('refuses external data that points outside the model folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeinfer-ext-'));
    fs.writeFileSync(path.join(os.tmpdir(), 'secret.bin'), new Uint8Array(16));
    const base = writeOnnx(makeModel({ inputs: [['x', 'float32', [4]]], outputs: [['y', 'float32']], nodes: [node('Add', ['x', 'w'], ['y'])], initializers: { w: new Tensor('float32', [1, 2, 3, 4]) } }));
    const external = TensorProto.encode(
      TensorProto.fromObject({ name: 'w', dims: [4], data_type: 1, data_location: 1, external_data: [{ key: 'location', value: '../secret.bin' }] }),
    ).finish();
    fs.writeFileSync(path.join(dir, 'model.onnx'), spliceInitializer(base, external));
    await expectEdgeError(InferenceSession.create(path.join(dir, 'model.onnx')), 'MODEL_INVALID', /outside the model's folder/);
  });

  it('reads external data inside the model folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeinfer-ext-'));
    fs.writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(new Float32Array([0, 10, 20, 30, 40]).buffer));
    const base = writeOnnx(makeModel({ inputs: [['x', 'float32', [4]]], outputs: [['y', 'float32']], nodes: [node('Add', ['x', 'w'], ['y'])], initializers: { w: new Tensor('float32', [0, 0, 0, 0]) } }));
    const external = TensorProto.encode(
      TensorProto.fromObject({
        name: 'w',
        dims: [4],
        data_type: 1,
        data_location: 1,
        external_data: [
          { key: 'location', value: 'weights.bin' },
          { key: 'offset', value: '4' },
          { key: 'length', value: '16' },
        ],
      }),
    ).finish();
    fs.writeFileSync(path.join(dir, 'model.onnx'), spliceInitializer(base, external));
    const session = await InferenceSession.create(path.join(dir, 'model.onnx'));
    const { y } = await session.run({ x: new Tensor('float32', [1, 1, 1, 1]) });
    expect(Array.from(y!.data as Float32Array)).toEqual([11, 21, 31, 41]);
  });

  it('lists every unsupported op at once', async () => {
    const e = await expectEdgeError(
      loadModel({
        inputs: [['x', 'float32', [2]]],
        outputs: [['y', 'float32']],
        nodes: [node('FancyOp', ['x'], ['a']), node('OtherOp', ['a'], ['b']), node('FancyOp', ['b'], ['y'])],
      }),
      'OP_UNSUPPORTED',
    );
    expect(e.message).toMatch(/FancyOp \(2 nodes\)/);
    expect(e.message).toMatch(/OtherOp/);
    expect(e.details).toEqual(['FancyOp', 'OtherOp']);
  });

  it('loads and runs a valid graph of 200,000 nodes', async () => {
    const n = 200_000;
    const nodes = Array.from({ length: n }, (_, i) => node('Relu', [i === 0 ? 'x' : `v${i - 1}`], [i === n - 1 ? 'y' : `v${i}`]));
    const session = await InferenceSession.create(makeModel({ inputs: [['x', 'float32', [3]]], outputs: [['y', 'float32', [3]]], nodes }));
    const { y } = await session.run({ x: new Tensor('float32', [-1, 0, 2]) });
    expect(Array.from(y!.data as Float32Array)).toEqual([0, 0, 2]);
  });
});

/** The model with its initializers replaced by one hand-made TensorProto (to plant malformed data). */
function spliceInitializer(modelBytes: Uint8Array, proto: Uint8Array): Uint8Array {
  const msg = ModelProto.toObject(ModelProto.decode(modelBytes)) as { graph: { initializer: unknown[] } };
  msg.graph.initializer = [TensorProto.toObject(TensorProto.decode(proto))];
  return ModelProto.encode(ModelProto.fromObject(msg)).finish();
}
