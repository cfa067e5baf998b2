// Tests of the optimizer as a whole: a small CNN + classifier with every pattern the passes handle shrinks to
// fused nodes, computes the same outputs, survives an ONNX round trip, and leaves the input model untouched.

import { describe, expect, it } from 'vitest';
import { int, ints, makeModel, node } from '../../test/helpers/build.js';
import { readOnnx } from '../formats/onnx/reader.js';
import { writeOnnx } from '../formats/onnx/writer.js';
import type { Attribute, Model } from '../ir/graph.js';
import { printGraph } from '../ir/print.js';
import { referenceOps } from '../kernels/ref/index.js';
import { randomTensor } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { optimizeModel, PASSES } from './index.js';
import { maxAbsDiff, opsOf, runModel, showRewrite } from './testing.js';

const tensorAttr = (t: Tensor): Attribute => ({ type: 'tensor', value: t });

function bn(c: number, seed: number): Record<string, Tensor> {
  const v = randomTensor('float32', [c], seed).toNumbers().map((x) => Math.abs(x) + 0.1);
  return {
    [`g${seed}`]: randomTensor('float32', [c], seed + 1),
    [`b${seed}`]: randomTensor('float32', [c], seed + 2),
    [`m${seed}`]: randomTensor('float32', [c], seed + 3),
    [`v${seed}`]: new Tensor('float32', Float32Array.from(v), [c]),
  };
}
const bnNode = (x: string, y: string, seed: number) => node('BatchNormalization', [x, `g${seed}`, `b${seed}`, `m${seed}`, `v${seed}`], [y]);

/** x -> Conv -> BN -> Relu -> Identity -> Conv(dw) -> BN -> Clip(Constant 0, Constant 6) -> Flatten -> MatMul + Add -> Dropout -> y */
function smallNet(): Model {
  return makeModel({
    inputs: [['x', 'float32', ['batch', 3, 6, 6]]],
    outputs: [['y', 'float32']],
    nodes: [
      node('Conv', ['x', 'w1'], ['c1'], { pads: ints([1, 1, 1, 1]) }, 'conv1'),
      bnNode('c1', 'n1', 10),
      node('Relu', ['n1'], ['r1']),
      node('Identity', ['r1'], ['i1']),
      node('Conv', ['i1', 'w2'], ['c2'], { group: int(4), strides: ints([2, 2]) }, 'dw2'),
      bnNode('c2', 'n2', 20),
      node('Constant', [], ['lo'], { value: tensorAttr(new Tensor('float32', [0], [])) }),
      node('Constant', [], ['hi'], { value: tensorAttr(new Tensor('float32', [6], [])) }),
      node('Clip', ['n2', 'lo', 'hi'], ['r2']),
      node('Flatten', ['r2'], ['f']),
      node('MatMul', ['f', 'wf'], ['mm'], {}, 'fc'),
      node('Add', ['mm', 'bf'], ['logits']),
      node('Dropout', ['logits'], ['y']),
    ],
    initializers: {
      w1: randomTensor('float32', [4, 3, 3, 3], 1),
      w2: randomTensor('float32', [4, 1, 2, 2], 2),
      wf: randomTensor('float32', [36, 5], 3),
      bf: randomTensor('float32', [5], 4),
      ...bn(4, 10),
      ...bn(4, 20),
    },
  });
}

describe('optimizeModel', () => {
  it('fuses a small CNN into FusedConv, FusedConv, Flatten, Gemm with the same outputs', () => {
    const model = smallNet();
    const printedBefore = printGraph(model.graph);
    const data = new Map([...model.graph.initializers].map(([k, t]) => [k, Array.from(t.data as Float32Array)]));
    const counts: string[] = [];
    const after = optimizeModel(model, referenceOps, { onPass: (p, m) => counts.push(`${p.name}: ${m.graph.nodes.length}`) });
    showRewrite('optimizeModel', model, after);
    console.log(counts.join('\n'));

    expect(opsOf(after)).toEqual(['edgeinfer.FusedConv', 'edgeinfer.FusedConv', 'Flatten', 'Gemm']);
    expect(counts).toHaveLength(PASSES.length);
    expect([...after.graph.initializers.keys()].sort()).toHaveLength(6); // 2 folded weights + 2 biases, fc weight + bias
    const x = randomTensor('float32', [2, 3, 6, 6], 9);
    const [want, got] = [runModel(model, { x }).y!, runModel(after, { x }).y!];
    expect(got.dims).toEqual([2, 5]);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);

    // The input model is exactly as it was: same printed IR, same weights.
    expect(printGraph(model.graph)).toBe(printedBefore);
    for (const [k, t] of model.graph.initializers) expect(Array.from(t.data as Float32Array), k).toEqual(data.get(k));
  });

  it('writes an optimized model to ONNX and reads it back with the edgeinfer domain', () => {
    const after = optimizeModel(smallNet(), referenceOps);
    const back = readOnnx(writeOnnx(after));
    expect(back.opsets.get('edgeinfer')).toBe(1);
    expect(opsOf(back)).toEqual(opsOf(after));
    const x = randomTensor('float32', [1, 3, 6, 6], 2);
    expect(runModel(back, { x }).y!.data).toEqual(runModel(after, { x }).y!.data);
  });

  it('is idempotent', () => {
    const once = optimizeModel(smallNet(), referenceOps);
    const twice = optimizeModel(once, referenceOps);
    expect(printGraph(twice.graph)).toBe(printGraph(once.graph));
  });

  it('reports an invalid model with the verifier error', () => {
    const bad = makeModel({ inputs: [['x', 'float32', [2]]], outputs: [['y', 'float32']], nodes: [node('Relu', ['nope'], ['y'])] });
    expect(() => optimizeModel(bad, referenceOps)).toThrow(/input 'nope' is not defined/);
  });
});
