// Tests of eliminate-dead: unread nodes (transitively), unread initializers and stale value_info go; graph inputs stay.

import { describe, expect, it } from 'vitest';
import { makeModel, node } from '../../test/helpers/build.js';
import { Tensor } from '../tensor/tensor.js';
import { eliminateDeadPass } from './eliminate-dead.js';
import { TEST_OPS, opsOf, showRewrite } from './testing.js';

describe('eliminate-dead', () => {
  it('removes a dead chain and the initializers only it read', () => {
    const model = makeModel({
      inputs: [['x', 'float32', [2]], ['k', 'float32', [2]]],
      outputs: [['y', 'float32', [2]]],
      nodes: [node('Relu', ['x'], ['y']), node('Add', ['x', 'w'], ['d1']), node('Neg', ['d1'], ['d2'])],
      initializers: { w: new Tensor('float32', [1, 2], [2]), unused: new Tensor('float32', [3], [1]), k: new Tensor('float32', [0, 0], [2]) },
    });
    model.graph.valueInfo.set('d2', { dtype: 'float32', shape: [2] });
    const after = eliminateDeadPass.run(model, { ops: TEST_OPS });
    showRewrite('eliminate-dead', model, after);
    expect(opsOf(after)).toEqual(['Relu']);
    expect([...after.graph.initializers.keys()]).toEqual(['k']); // an overridable input keeps its default
    expect(after.graph.valueInfo.size).toBe(0);
    expect(opsOf(model)).toHaveLength(3);
  });

  it('returns the same model when nothing is dead', () => {
    const model = makeModel({ inputs: [['x', 'float32', [2]]], outputs: [['y', 'float32', [2]]], nodes: [node('Relu', ['x'], ['y'])] });
    expect(eliminateDeadPass.run(model, { ops: TEST_OPS })).toBe(model);
  });
});
