// Tests of eliminate-identity: Identity and inference Dropout disappear, graph outputs keep their names.

import { describe, expect, it } from 'vitest';
import { makeModel, node } from '../../test/helpers/build.js';
import { randomTensor } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { eliminateIdentityPass } from './eliminate-identity.js';
import { TEST_OPS, opsOf, runModel, showRewrite } from './testing.js';

const ctx = { ops: TEST_OPS };
const x = randomTensor('float32', [2, 3], 1);

describe('eliminate-identity', () => {
  it('removes Identity and Dropout between two nodes', () => {
    const model = makeModel({
      inputs: [['x', 'float32', [2, 3]]],
      outputs: [['y', 'float32', [2, 3]]],
      nodes: [node('Relu', ['x'], ['a']), node('Identity', ['a'], ['b']), node('Dropout', ['b'], ['c', '']), node('Neg', ['c'], ['y'])],
    });
    const after = eliminateIdentityPass.run(model, ctx);
    showRewrite('eliminate-identity', model, after);
    expect(opsOf(after)).toEqual(['Relu', 'Neg']);
    expect(after.graph.nodes[1]!.inputs).toEqual(['a']);
    expect(runModel(after, { x }).y!.data).toEqual(runModel(model, { x }).y!.data);
    expect(opsOf(model)).toEqual(['Relu', 'Identity', 'Dropout', 'Neg']); // the input model is untouched
  });

  it('renames the producer when the copy is a graph output', () => {
    const model = makeModel({
      inputs: [['x', 'float32', [2, 3]]],
      outputs: [['y', 'float32', [2, 3]]],
      nodes: [node('Relu', ['x'], ['a']), node('Identity', ['a'], ['i']), node('Identity', ['i'], ['y'])],
    });
    const after = eliminateIdentityPass.run(model, ctx);
    showRewrite('identity as graph output', model, after);
    expect(opsOf(after)).toEqual(['Relu']);
    expect(after.graph.nodes[0]!.outputs).toEqual(['y']);
    expect(runModel(after, { x }).y!.data).toEqual(runModel(model, { x }).y!.data);
  });

  it('keeps a copy of a graph input to a graph output, and a copy of a value that is itself an output', () => {
    const model = makeModel({
      inputs: [['x', 'float32', [2, 3]]],
      outputs: [['y', 'float32', [2, 3]], ['a', 'float32', [2, 3]], ['z', 'float32', [2, 3]]],
      nodes: [node('Identity', ['x'], ['y']), node('Relu', ['x'], ['a']), node('Identity', ['a'], ['z'])],
    });
    expect(eliminateIdentityPass.run(model, ctx)).toBe(model);
  });

  it('keeps Dropout in training mode or with a used mask', () => {
    const training = makeModel({
      inputs: [['x', 'float32', [2, 3]]],
      outputs: [['y', 'float32', [2, 3]]],
      nodes: [node('Dropout', ['x', 'r', 't'], ['y'])],
      initializers: { r: new Tensor('float32', [0.5], []), t: new Tensor('bool', [1], []) },
    });
    expect(eliminateIdentityPass.run(training, ctx)).toBe(training);
    const mask = makeModel({
      inputs: [['x', 'float32', [2, 3]]],
      outputs: [['y', 'float32', [2, 3]], ['m', 'bool', [2, 3]]],
      nodes: [node('Relu', ['x'], ['a']), node('Dropout', ['a'], ['y', 'm'])],
    });
    expect(eliminateIdentityPass.run(mask, ctx)).toBe(mask);
  });

  it('removes Dropout whose training_mode is a constant false', () => {
    const model = makeModel({
      inputs: [['x', 'float32', [2, 3]]],
      outputs: [['y', 'float32', [2, 3]]],
      nodes: [node('Dropout', ['x', 'r', 't'], ['d']), node('Sigmoid', ['d'], ['y'])],
      initializers: { r: new Tensor('float32', [0.5], []), t: new Tensor('bool', [0], []) },
    });
    const after = eliminateIdentityPass.run(model, ctx);
    expect(opsOf(after)).toEqual(['Sigmoid']);
    expect(after.graph.nodes[0]!.inputs).toEqual(['x']);
  });
});
