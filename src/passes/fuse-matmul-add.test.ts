// Tests of fuse-matmul-add: a 2-D MatMul plus a constant bias becomes a Gemm; other shapes are left alone.

import { describe, expect, it } from 'vitest';
import { makeModel, node } from '../../test/helpers/build.js';
import type { Dim, Model } from '../ir/graph.js';
import { randomTensor } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { fuseMatMulAddPass } from './fuse-matmul-add.js';
import { TEST_OPS, maxAbsDiff, opsOf, runModel, showRewrite } from './testing.js';

const ctx = { ops: TEST_OPS };

function matmulAdd(xShape: Dim[], w: Tensor, bias: Tensor, biasFirst = false, extraOutput = false): Model {
  return makeModel({
    inputs: [['x', 'float32', xShape]],
    outputs: [['y', 'float32'], ...(extraOutput ? ([['t', 'float32']] as [string, 'float32'][]) : [])],
    nodes: [node('MatMul', ['x', 'w'], ['t'], {}, 'fc'), node('Add', biasFirst ? ['b', 't'] : ['t', 'b'], ['y'])],
    initializers: { w, b: bias },
  });
}

describe('fuse-matmul-add', () => {
  const w = randomTensor('float32', [6, 4], 1);

  for (const [what, bias, biasFirst] of [
    ['a [N] bias', randomTensor('float32', [4], 2), false],
    ['a [1, N] bias written first', randomTensor('float32', [1, 4], 3), true],
    ['an [M, N] bias', randomTensor('float32', [3, 4], 4), false],
  ] as const) {
    it(`fuses MatMul + ${what} into Gemm`, () => {
      const model = matmulAdd([3, 6], w, bias, biasFirst);
      const after = fuseMatMulAddPass.run(model, ctx);
      showRewrite(`fuse-matmul-add (${what})`, model, after);
      expect(opsOf(after)).toEqual(['Gemm']);
      expect(after.graph.nodes[0]!.inputs).toEqual(['x', 'w', 'b']);
      const x = randomTensor('float32', [3, 6], 5);
      expect(maxAbsDiff(runModel(after, { x }).y!, runModel(model, { x }).y!)).toBeLessThan(1e-6);
    });
  }

  it('fuses with a symbolic batch dimension', () => {
    const model = matmulAdd(['batch', 6], w, randomTensor('float32', [4], 2));
    expect(opsOf(fuseMatMulAddPass.run(model, ctx))).toEqual(['Gemm']);
  });

  it.each([
    ['a 3-D MatMul', matmulAdd([2, 3, 6], w, randomTensor('float32', [4], 2))],
    ['a bias that grows the output', matmulAdd([1, 6], w, randomTensor('float32', [3, 4], 2))],
    ['a MatMul output that is also a graph output', matmulAdd([3, 6], w, randomTensor('float32', [4], 2), false, true)],
  ])('leaves %s alone', (_what, model) => {
    expect(fuseMatMulAddPass.run(model, ctx)).toBe(model);
  });

  it('leaves a bias that is a feed alone', () => {
    const model = makeModel({
      inputs: [['x', 'float32', [3, 6]], ['b', 'float32', [4]]],
      outputs: [['y', 'float32']],
      nodes: [node('MatMul', ['x', 'w'], ['t']), node('Add', ['t', 'b'], ['y'])],
      initializers: { w },
    });
    expect(fuseMatMulAddPass.run(model, ctx)).toBe(model);
  });
});
