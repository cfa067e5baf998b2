// ONNX writer: load → save → load gives the same graph and identical outputs.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOnnx } from '../src/formats/onnx/reader.js';
import { writeOnnx } from '../src/formats/onnx/writer.js';
import { InferenceSession } from '../src/runtime/session.js';
import { randomTensor } from '../src/tensor/random.js';

const RESNET8 = path.join(__dirname, '..', 'models', 'resnet8', 'model.onnx');

describe('ONNX round trip', () => {
  it('keeps the graph and the outputs identical', async () => {
    const original = readOnnx(fs.readFileSync(RESNET8));
    const again = readOnnx(writeOnnx(original));
    expect(again.graph.nodes.map((n) => [n.op, n.name, n.inputs, n.outputs, [...n.attrs]])).toEqual(
      original.graph.nodes.map((n) => [n.op, n.name, n.inputs, n.outputs, [...n.attrs]]),
    );
    expect(again.graph.inputs).toEqual(original.graph.inputs);
    expect(again.graph.outputs).toEqual(original.graph.outputs);
    expect([...again.opsets]).toEqual([...original.opsets]);
    for (const [name, t] of original.graph.initializers) {
      const u = again.graph.initializers.get(name)!;
      expect(u.type).toBe(t.type);
      expect(u.dims).toEqual(t.dims);
      expect(Buffer.from(u.data.buffer, u.data.byteOffset, u.data.byteLength).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))).toBe(true);
    }
    const x = randomTensor('float32', [2, 3, 32, 32], 1);
    const a = await (await InferenceSession.create(original)).run({ input: x });
    const b = await (await InferenceSession.create(again)).run({ input: x });
    expect(b.output!.toNumbers()).toEqual(a.output!.toNumbers());
  });
});
