// Tests of fold-batchnorm: Conv/Gemm/MatMul followed by an inference BatchNormalization become one node with
// rescaled weights, computing the same values; shared weights are never modified.

import { describe, expect, it } from 'vitest';
import { int, ints, makeModel, node } from '../../test/helpers/build.js';
import type { Attribute, Dim, Model, Node } from '../ir/graph.js';
import { randomTensor } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { foldBatchNormPass } from './fold-batchnorm.js';
import { TEST_OPS, maxAbsDiff, opsOf, runModel, showRewrite } from './testing.js';

const ctx = { ops: TEST_OPS };
const float = (value: number): Attribute => ({ type: 'float', value });

/** BN parameters for c channels, with a positive variance. */
function bnParams(c: number, seed: number): Record<string, Tensor> {
  const v = randomTensor('float32', [c], seed + 3).toNumbers().map((x) => Math.abs(x) + 0.1);
  return {
    gamma: randomTensor('float32', [c], seed),
    beta: randomTensor('float32', [c], seed + 1),
    mean: randomTensor('float32', [c], seed + 2),
    var: new Tensor('float32', Float32Array.from(v), [c]),
  };
}

function withBn(base: Node, xShape: Dim[], inits: Record<string, Tensor>, c: number, outputs: string[] = ['y']): Model {
  return makeModel({
    inputs: [['x', 'float32', xShape]],
    outputs: outputs.map((o) => [o, 'float32'] as [string, 'float32']),
    nodes: [base, node('BatchNormalization', ['t', 'gamma', 'beta', 'mean', 'var'], ['y'], { epsilon: float(1e-3) }, 'bn')],
    initializers: { ...inits, ...bnParams(c, 7) },
  });
}

/** Folds, prints, checks the op list and that the results match on random input. */
function checkFold(title: string, model: Model, x: Tensor, ops: string[]): Model {
  const snapshot = new Map([...model.graph.initializers].map(([k, t]) => [k, Array.from(t.data as Float32Array)]));
  const after = foldBatchNormPass.run(model, ctx);
  showRewrite(title, model, after);
  expect(opsOf(after)).toEqual(ops);
  const err = maxAbsDiff(runModel(after, { x }).y!, runModel(model, { x }).y!);
  expect(err).toBeLessThan(1e-5);
  for (const [k, t] of model.graph.initializers) expect(Array.from(t.data as Float32Array), k).toEqual(snapshot.get(k));
  return after;
}

describe('fold-batchnorm', () => {
  it('folds into a grouped Conv with a bias', () => {
    const conv = node('Conv', ['x', 'w', 'b'], ['t'], { group: int(2), pads: ints([1, 1, 1, 1]) }, 'conv');
    const model = withBn(conv, [1, 4, 5, 5], { w: randomTensor('float32', [6, 2, 3, 3], 1), b: randomTensor('float32', [6], 2) }, 6);
    const after = checkFold('fold-batchnorm into Conv', model, randomTensor('float32', [1, 4, 5, 5], 3), ['Conv']);
    expect(after.graph.nodes[0]!.outputs).toEqual(['y']);
    expect(after.graph.nodes[0]!.attrs.get('group')).toEqual(int(2));
  });

  it('folds into a Conv without a bias, batch symbolic', () => {
    const conv = node('Conv', ['x', 'w'], ['t'], {}, 'conv');
    const model = withBn(conv, ['batch', 3, 4, 4], { w: randomTensor('float32', [5, 3, 1, 1], 1) }, 5);
    const after = checkFold('fold-batchnorm into Conv without bias', model, randomTensor('float32', [2, 3, 4, 4], 3), ['Conv']);
    expect(after.graph.nodes[0]!.inputs).toHaveLength(3);
  });

  it('folds into a Gemm with transB (a Linear layer, as in ad_autoencoder)', () => {
    const gemm = node('Gemm', ['x', 'w', 'b'], ['t'], { transB: int(1), alpha: float(1), beta: float(1) }, 'fc');
    const model = withBn(gemm, ['batch', 8], { w: randomTensor('float32', [4, 8], 1), b: randomTensor('float32', [4], 2) }, 4);
    const after = checkFold('fold-batchnorm into Gemm', model, randomTensor('float32', [3, 8], 3), ['Gemm']);
    expect(after.graph.nodes[0]!.attrs.get('beta')).toEqual(float(1));
  });

  it('folds into a Gemm with a [1, N] C, beta and alpha', () => {
    const gemm = node('Gemm', ['x', 'w', 'b'], ['t'], { alpha: float(0.5), beta: float(2) }, 'fc');
    const model = withBn(gemm, [3, 8], { w: randomTensor('float32', [8, 4], 1), b: randomTensor('float32', [1, 4], 2) }, 4);
    checkFold('fold-batchnorm into Gemm (beta=2)', model, randomTensor('float32', [3, 8], 3), ['Gemm']);
  });

  it('turns a 2-D MatMul with constant weights into a Gemm', () => {
    const mm = node('MatMul', ['x', 'w'], ['t'], {}, 'mm');
    const model = withBn(mm, [3, 8], { w: randomTensor('float32', [8, 4], 1) }, 4);
    checkFold('fold-batchnorm into MatMul', model, randomTensor('float32', [3, 8], 3), ['Gemm']);
  });

  it('leaves the BN alone when the Conv output has another reader or is a graph output', () => {
    const conv = node('Conv', ['x', 'w'], ['t'], {}, 'conv');
    const w = randomTensor('float32', [5, 3, 1, 1], 1);
    const asOutput = withBn(conv, [1, 3, 4, 4], { w }, 5, ['y', 't']);
    expect(foldBatchNormPass.run(asOutput, ctx)).toBe(asOutput);
    const shared = withBn(conv, [1, 3, 4, 4], { w }, 5);
    shared.graph.nodes.push(node('Relu', ['t'], ['r']));
    shared.graph.outputs.push({ name: 'r', type: { dtype: 'float32' } });
    expect(foldBatchNormPass.run(shared, ctx)).toBe(shared);
  });

  it('leaves the BN alone when its parameters or the weights are not constants', () => {
    const conv = node('Conv', ['x', 'w'], ['t'], {}, 'conv');
    const model = withBn(conv, [1, 3, 4, 4], { w: randomTensor('float32', [5, 3, 1, 1], 1) }, 5);
    const feedMean = { ...model, graph: { ...model.graph, inputs: [...model.graph.inputs, { name: 'mean', type: { dtype: 'float32' as const, shape: [5] } }] } };
    expect(foldBatchNormPass.run(feedMean, ctx)).toBe(feedMean);
    const feedW = { ...model, graph: { ...model.graph, inputs: [...model.graph.inputs, { name: 'w', type: { dtype: 'float32' as const, shape: [5, 3, 1, 1] } }] } };
    expect(foldBatchNormPass.run(feedW, ctx)).toBe(feedW);
  });

  it('gives two Convs sharing one weight their own folded copies', () => {
    const w = randomTensor('float32', [2, 2, 1, 1], 1);
    const model = makeModel({
      inputs: [['x', 'float32', [1, 2, 3, 3]]],
      outputs: [['y', 'float32']],
      nodes: [
        node('Conv', ['x', 'w'], ['t']),
        node('BatchNormalization', ['t', 'gamma', 'beta', 'mean', 'var'], ['u']),
        node('Conv', ['u', 'w'], ['t2']),
        node('BatchNormalization', ['t2', 'gamma', 'beta', 'mean', 'var'], ['y']),
      ],
      initializers: { w, ...bnParams(2, 3) },
    });
    const after = checkFold('fold-batchnorm with a shared weight', model, randomTensor('float32', [1, 2, 3, 3], 5), ['Conv', 'Conv']);
    const [w1, w2] = after.graph.nodes.map((n) => n.inputs[1]);
    expect(w1).not.toBe(w2);
    expect(after.graph.initializers.get('w')).toBe(w); // still there, untouched (dead-code removal drops it later)
  });
});
