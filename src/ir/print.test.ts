// Tests of the IR printer: one line per node with types, attributes in a short form, omitted inputs as '_'.

import { describe, expect, it } from 'vitest';
import { ints, makeModel, node } from '../../test/helpers/build.js';
import { referenceOps } from '../kernels/ref/index.js';
import { Tensor } from '../tensor/tensor.js';
import { printGraph } from './print.js';
import { verifyModel } from './verify.js';

describe('printGraph', () => {
  const model = makeModel({
    inputs: [['x', 'float32', ['batch', 2, 4, 4]], ['k', 'float32', [1]]],
    outputs: [['y', 'float32']],
    nodes: [
      node('Conv', ['x', 'w', ''], ['c'], { pads: ints([1, 1, 1, 1]), epsilon: { type: 'float', value: 9.999999747378752e-6 } }, 'conv1'),
      node('Clip', ['c', '', 'k'], ['y'], { names: { type: 'strings', value: ['a'] }, value: { type: 'tensor', value: new Tensor('float32', [0.5], []) } }),
    ],
    initializers: { w: new Tensor('float32', new Float32Array(3 * 2 * 9), [3, 2, 3, 3]), k: new Tensor('float32', [6], [1]) },
  });

  it('prints types, short attributes, omitted inputs and node names', () => {
    const text = printGraph(model.graph, { types: verifyModel(model, referenceOps).types });
    console.log(text);
    expect(text.split('\n')).toEqual([
      "graph 'test': 2 nodes, 2 initializers",
      '  input  x: float32[batch,2,4,4]',
      '  input  k: float32[1] (has a default initializer)',
      '  output y: float32[batch,3,4,4]',
      '  c: float32[batch,3,4,4] = Conv[pads=[1,1,1,1], epsilon=0.00001](x[batch,2,4,4], w[3,2,3,3], _)  # conv1',
      '  y: float32[batch,3,4,4] = Clip[names=["a"], value=float32[]{0.5}](c[batch,3,4,4], _, k[1])',
    ]);
  });

  it('prints unknown types as ? and cuts long lists', () => {
    const long = makeModel({ inputs: [['x', 'float32', [2]]], outputs: [['y', 'float32']], nodes: [node('Foo', ['x'], ['t'], { v: ints([1, 2, 3, 4, 5]) }), node('Bar', ['t'], ['y'])] });
    const text = printGraph(long.graph, { maxListItems: 3 });
    expect(text).toContain('  t: ? = Foo[v=[1,2,3,…(5)]](x[2])');
    expect(text).toContain('  y: float32 = Bar(t)'); // the declared output type, without a shape
  });
});
