// Tests of fold-constants: load-time values become initializers; what they replaced is dropped.

import { describe, expect, it } from 'vitest';
import { int, makeModel, node } from '../../test/helpers/build.js';
import type { Attribute } from '../ir/graph.js';
import { randomTensor } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { foldConstantsPass } from './fold-constants.js';
import { TEST_OPS, opsOf, runModel, showRewrite } from './testing.js';

const ctx = { ops: TEST_OPS };
const tensorAttr = (t: Tensor): Attribute => ({ type: 'tensor', value: t });

describe('fold-constants', () => {
  it('folds a shape subgraph and Constant nodes into initializers', () => {
    // y = Reshape(x, [Shape(x)[0], -1]) * 2, with x static [2, 3, 4].
    const model = makeModel({
      inputs: [['x', 'float32', [2, 3, 4]]],
      outputs: [['y', 'float32']],
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Constant', [], ['i0'], { value: tensorAttr(new Tensor('int64', [0n], [])) }),
        node('Gather', ['s', 'i0'], ['n'], { axis: int(0) }),
        node('Unsqueeze', ['n', 'axes'], ['n1']),
        node('Concat', ['n1', 'minus1'], ['shape'], { axis: int(0) }),
        node('Reshape', ['x', 'shape'], ['r']),
        node('Constant', [], ['two'], { value: tensorAttr(new Tensor('float32', [2], [])) }),
        node('Mul', ['r', 'two'], ['y']),
      ],
      initializers: { axes: new Tensor('int64', [0n], [1]), minus1: new Tensor('int64', [-1n], [1]) },
    });
    const after = foldConstantsPass.run(model, ctx);
    showRewrite('fold-constants', model, after);
    expect(opsOf(after)).toEqual(['Reshape', 'Mul']);
    expect([...after.graph.initializers.keys()].sort()).toEqual(['shape', 'two']);
    expect(Array.from(after.graph.initializers.get('shape')!.data as BigInt64Array)).toEqual([2n, -1n]);
    const x = randomTensor('float32', [2, 3, 4], 3);
    const [a, b] = [runModel(model, { x }).y!, runModel(after, { x }).y!];
    expect(b.dims).toEqual([2, 12]);
    expect(b.data).toEqual(a.data);
    expect(model.graph.initializers.size).toBe(2); // the input model keeps its own map
  });

  it('folds a whole constant graph output', () => {
    const model = makeModel({
      inputs: [['x', 'float32', [2]]],
      outputs: [['y', 'float32', [2]], ['c', 'float32', [2]]],
      nodes: [node('Relu', ['x'], ['y']), node('Neg', ['k'], ['c'])],
      initializers: { k: new Tensor('float32', [1, -2], [2]) },
    });
    const after = foldConstantsPass.run(model, ctx);
    expect(opsOf(after)).toEqual(['Relu']);
    expect(after.graph.initializers.get('c')!.toNumbers()).toEqual([-1, 2]);
    expect(after.graph.initializers.has('k')).toBe(false);
  });

  it('does not fold what a feed can override', () => {
    const model = makeModel({
      inputs: [['x', 'float32', [2]], ['k', 'float32', [2]]],
      outputs: [['y', 'float32', [2]]],
      nodes: [node('Neg', ['k'], ['n']), node('Add', ['x', 'n'], ['y'])],
      initializers: { k: new Tensor('float32', [1, 2], [2]) },
    });
    const after = foldConstantsPass.run(model, ctx);
    expect(opsOf(after)).toEqual(['Neg', 'Add']);
    expect(after.graph.initializers.has('k')).toBe(true);
  });
});
