// compactQuantizedModel on a small built CNN: identical constants stored once, the quantizer's names shortened,
// the float model's names kept, and the model computes exactly what it did.

import { describe, expect, it } from 'vitest';
import { ints, makeModel, node } from '../../../test/helpers/build.js';
import { readOnnx } from '../../formats/onnx/reader.js';
import { writeOnnx } from '../../formats/onnx/writer.js';
import type { Model } from '../../ir/graph.js';
import { showRewrite } from '../../passes/testing.js';
import { randomTensor } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { quantizeGraph } from '../quantize-graph.js';
import { compactQuantizedModel } from './compact.js';
import { minMaxRanges, runRef } from './testing.js';

const w = (dims: number[], seed: number) => {
  const t = randomTensor('float32', dims, seed);
  return new Tensor('float32', (t.data as Float32Array).map((v) => v * 0.3), dims);
};

/** Three 8-channel convs with long, exporter-like value names: their weight zero points are all the same zeros. */
function threeConvs(): Model {
  return makeModel({
    inputs: [['x', 'float32', ['batch', 8, 5, 5]]],
    outputs: [['y', 'float32']],
    nodes: [
      node('Conv', ['x', 'model.block1.conv.weight', 'model.block1.conv.bias'], ['/block1/conv/Conv_output_0'], { pads: ints([1, 1, 1, 1]) }, 'conv1'),
      node('Relu', ['/block1/conv/Conv_output_0'], ['/block1/relu/Relu_output_0'], {}, 'relu1'),
      node('Conv', ['/block1/relu/Relu_output_0', 'model.block2.conv.weight', 'model.block2.conv.bias'], ['/block2/conv/Conv_output_0'], { group: { type: 'int', value: 8 }, pads: ints([1, 1, 1, 1]) }, 'conv2'),
      node('Relu', ['/block2/conv/Conv_output_0'], ['/block2/relu/Relu_output_0'], {}, 'relu2'),
      node('Conv', ['/block2/relu/Relu_output_0', 'model.block3.conv.weight', 'model.block3.conv.bias'], ['y'], {}, 'conv3'),
    ],
    initializers: {
      'model.block1.conv.weight': w([8, 8, 3, 3], 1),
      'model.block1.conv.bias': w([8], 2),
      'model.block2.conv.weight': w([8, 1, 3, 3], 3),
      'model.block2.conv.bias': w([8], 4),
      'model.block3.conv.weight': w([8, 8, 1, 1], 5),
      'model.block3.conv.bias': w([8], 6),
    },
  });
}

describe('compactQuantizedModel', () => {
  it('stores identical constants once, shortens generated names, keeps the float names and the results', async () => {
    const model = threeConvs();
    const feeds = [1, 2, 3].map((s) => ({ x: randomTensor('float32', [2, 8, 5, 5], s) }));
    const q = quantizeGraph(model, await minMaxRanges(model, feeds));
    const compact = compactQuantizedModel(q, model);
    showRewrite('compact quantized model', q, compact);

    // The three per-channel weight zero points (int8 zeros of length 8) are one initializer, read by three DQs.
    const zeroPoints = (m: Model) => new Set(m.graph.nodes.filter((n) => n.op === 'DequantizeLinear' && n.inputs[2] && m.graph.initializers.get(n.inputs[2])!.size === 8).map((n) => n.inputs[2]!));
    expect(zeroPoints(q).size).toBe(3);
    expect(zeroPoints(compact).size).toBe(1);
    expect(compact.graph.initializers.size).toBeLessThan(q.graph.initializers.size);

    // Every name the quantizer made up is short; the float model's activations and graph inputs/outputs keep theirs.
    const floatNames = new Set<string>(['x', 'y', ...model.graph.nodes.flatMap((n) => n.outputs)]);
    const values = new Set([...compact.graph.initializers.keys(), ...compact.graph.nodes.flatMap((n) => [...n.inputs, ...n.outputs])]);
    for (const v of values) expect(floatNames.has(v) || v.length <= 3, v).toBe(true);
    expect(values.has('/block1/relu/Relu_output_0')).toBe(true);
    expect(compact.graph.nodes.map((n) => n.name)).toEqual(q.graph.nodes.map((n) => n.name));

    // Same computation, bit for bit, after a round trip through the file; and the file is smaller.
    const bytes = writeOnnx(compact);
    expect(bytes.length).toBeLessThan(0.8 * writeOnnx(q).length);
    for (const f of feeds) {
      const before = (await runRef(q, f)).y!;
      const after = (await runRef(readOnnx(bytes), f)).y!;
      expect([...after.data]).toEqual([...before.data]);
    }
  });

  it('leaves its inputs untouched', async () => {
    const model = threeConvs();
    const q = quantizeGraph(model, await minMaxRanges(model, [{ x: randomTensor('float32', [1, 8, 5, 5], 1) }]));
    const before = writeOnnx(q);
    compactQuantizedModel(q, model);
    expect(writeOnnx(q)).toEqual(before);
  });
});
