// Tests of fuse-activation: Conv/Gemm + activation become edgeinfer.FusedConv/FusedGemm computing the same values bit for bit.

import { describe, expect, it } from 'vitest';
import { int, ints, makeModel, node } from '../../test/helpers/build.js';
import type { Attribute, Model, Node } from '../ir/graph.js';
import { randomTensor } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { fuseActivationPass } from './fuse-activation.js';
import { TEST_OPS, opsOf, runModel, showRewrite } from './testing.js';

const ctx = { ops: TEST_OPS };
const float = (value: number): Attribute => ({ type: 'float', value });

function convThen(act: Node, opset = 13, extra: Record<string, Tensor> = {}, feeds: [string, 'float32', number[]][] = []): Model {
  return makeModel({
    inputs: [['x', 'float32', [1, 2, 4, 4]], ...feeds],
    outputs: [['y', 'float32']],
    nodes: [node('Conv', ['x', 'w', 'b'], ['t'], { pads: ints([1, 1, 1, 1]) }, 'conv'), act],
    initializers: { w: randomTensor('float32', [3, 2, 3, 3], 1), b: randomTensor('float32', [3], 2), ...extra },
    opset,
  });
}

function checkFused(title: string, model: Model, feeds: Record<string, Tensor>, op: string, activation: string, params?: number[]): Model {
  const after = fuseActivationPass.run(model, ctx);
  showRewrite(title, model, after);
  expect(opsOf(after)).toEqual([`edgeinfer.${op}`]);
  const fused = after.graph.nodes[0]!;
  expect(fused.attrs.get('activation')).toEqual({ type: 'string', value: activation });
  expect(fused.attrs.get('activation_params')?.value).toEqual(params);
  expect(after.opsets.get('edgeinfer')).toBe(1);
  expect(runModel(after, feeds).y!.data).toEqual(runModel(model, feeds).y!.data);
  return after;
}

describe('fuse-activation', () => {
  const x = randomTensor('float32', [1, 2, 4, 4], 3);
  const simple: [string, Record<string, Attribute>, number[] | undefined][] = [
    ['Relu', {}, undefined],
    ['Sigmoid', {}, undefined],
    ['Tanh', {}, undefined],
    ['HardSwish', {}, undefined],
    ['LeakyRelu', { alpha: float(0.25) }, [0.25]],
    ['LeakyRelu', {}, [0.01]],
    ['HardSigmoid', { alpha: float(0.3) }, [0.3, 0.5]],
  ];
  for (const [act, attrs, params] of simple) {
    it(`fuses Conv + ${act}${params ? `(${params.join(', ')})` : ''}`, () => {
      const after = checkFused(`fuse-activation ${act}`, convThen(node(act, ['t'], ['y'], attrs)), { x }, 'FusedConv', act, params);
      expect(after.graph.nodes[0]!.attrs.get('pads')).toEqual(ints([1, 1, 1, 1]));
      expect(after.graph.nodes[0]!.name).toBe('conv');
    });
  }

  it('fuses Clip with constant bound inputs (opset 13), an omitted min as -Infinity', () => {
    const six = new Tensor('float32', [6], []);
    checkFused('fuse-activation Clip(0, 6)', convThen(node('Clip', ['t', 'lo', 'hi'], ['y']), 13, { lo: new Tensor('float32', [0], []), hi: six }), { x }, 'FusedConv', 'Clip', [0, 6]);
    checkFused('fuse-activation Clip(max 6)', convThen(node('Clip', ['t', '', 'hi'], ['y']), 13, { hi: six }), { x }, 'FusedConv', 'Clip', [-Infinity, 6]);
  });

  it('fuses Clip with bound attributes (opset 6)', () => {
    const model = convThen(node('Clip', ['t'], ['y'], { min: float(-0.5), max: float(0.5) }), 6);
    checkFused('fuse-activation Clip opset 6', model, { x }, 'FusedConv', 'Clip', [-0.5, 0.5]);
  });

  it('leaves Clip with a bound that is a feed alone', () => {
    const model = convThen(node('Clip', ['t', 'lo'], ['y']), 13, {}, [['lo', 'float32', []]]);
    expect(fuseActivationPass.run(model, ctx)).toBe(model);
  });

  it('fuses Gemm + Relu into FusedGemm keeping transB', () => {
    const model = makeModel({
      inputs: [['x', 'float32', ['batch', 5]]],
      outputs: [['y', 'float32']],
      nodes: [node('Gemm', ['x', 'w', 'b'], ['t'], { transB: int(1) }, 'fc'), node('Relu', ['t'], ['y'])],
      initializers: { w: randomTensor('float32', [3, 5], 1), b: randomTensor('float32', [3], 2) },
    });
    const after = checkFused('fuse-activation Gemm', model, { x: randomTensor('float32', [2, 5], 4) }, 'FusedGemm', 'Relu');
    expect(after.graph.nodes[0]!.attrs.get('transB')).toEqual(int(1));
  });

  it('leaves the pair alone when the Conv output has another reader', () => {
    const model = convThen(node('Relu', ['t'], ['y']));
    model.graph.nodes.push(node('Neg', ['t'], ['n']));
    model.graph.outputs.push({ name: 'n', type: { dtype: 'float32' } });
    expect(fuseActivationPass.run(model, ctx)).toBe(model);
  });

  it('leaves activations that are not in the table alone', () => {
    const model = convThen(node('Softplus', ['t'], ['y']));
    expect(fuseActivationPass.run(model, ctx)).toBe(model);
  });
});
