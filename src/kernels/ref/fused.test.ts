// Tests of the fused reference kernels: FusedConv/FusedGemm equal the base op followed by the activation, bit for bit.

import { describe, expect, it } from 'vitest';
import { EdgeError } from '../../errors.js';
import type { Attribute, Node } from '../../ir/graph.js';
import { randomTensor } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { convOps } from './conv.js';
import { elementwiseOps } from './elementwise.js';
import { FUSED_ACTIVATIONS, fusedOps } from './fused.js';
import { matmulOps } from './matmul.js';

function node(op: string, domain: string, attrs: Record<string, Attribute>, inputs = ['x', 'w', 'b']): Node {
  return { op, domain, name: 'n', inputs, outputs: ['y'], attrs: new Map(Object.entries(attrs)) };
}

const floats = (value: number[]): Attribute => ({ type: 'floats', value });
const str = (value: string): Attribute => ({ type: 'string', value });

/** Parameters to try per activation (Clip with one bound infinite too). */
const PARAMS: Record<string, number[][]> = {
  Relu: [[]],
  Sigmoid: [[]],
  Tanh: [[]],
  HardSwish: [[]],
  LeakyRelu: [[0.1]],
  HardSigmoid: [[0.25, 0.4]],
  Clip: [
    [0, 6],
    [-Infinity, 0.5],
  ],
};

/** The unfused computation: the activation as its own node (Clip bounds as inputs from opset 11). */
function unfusedActivation(act: string, params: number[], y: Tensor, opset: number): Tensor {
  const spec = FUSED_ACTIVATIONS[act]!;
  if (spec.bounds && opset >= 11) {
    const bound = (v: number) => (Number.isFinite(v) ? new Tensor('float32', [v], []) : undefined);
    return elementwiseOps[act]!.run({ node: node(act, '', {}, ['t', 'lo', 'hi']), opset }, [y, bound(params[0]!), bound(params[1]!)])[0]!;
  }
  const attrs: Record<string, Attribute> = {};
  spec.params.forEach((p, i) => Number.isFinite(params[i]) && (attrs[p.attr] = { type: 'float', value: params[i]! }));
  return elementwiseOps[act]!.run({ node: node(act, '', attrs, ['t']), opset }, [y])[0]!;
}

describe('FusedConv', () => {
  const x = randomTensor('float32', [1, 4, 5, 5], 1);
  const w = randomTensor('float32', [6, 2, 3, 3], 2);
  const b = randomTensor('float32', [6], 3);
  const convAttrs: Record<string, Attribute> = { group: { type: 'int', value: 2 }, pads: { type: 'ints', value: [1, 1, 1, 1] } };

  for (const [act, sets] of Object.entries(PARAMS)) {
    for (const params of sets) {
      for (const opset of [10, 13]) {
        it(`equals Conv then ${act}(${params.join(', ')}) at opset ${opset}`, () => {
          const attrs = { ...convAttrs, activation: str(act), ...(params.length ? { activation_params: floats(params) } : {}) };
          const fused = fusedOps['edgeinfer.FusedConv']!.run({ node: node('FusedConv', 'edgeinfer', attrs), opset }, [x, w, b])[0]!;
          const conv = convOps.Conv!.run({ node: node('Conv', '', convAttrs), opset }, [x, w, b])[0]!;
          const expected = unfusedActivation(act, params, conv, opset);
          expect(fused.dims).toEqual([1, 6, 5, 5]);
          expect(fused.toNumbers()).toEqual(expected.toNumbers());
        });
      }
    }
  }

  it('infers the Conv output type', () => {
    const attrs = { ...convAttrs, activation: str('Relu') };
    const types = fusedOps['edgeinfer.FusedConv']!.infer({ node: node('FusedConv', 'edgeinfer', attrs), opset: 13, constant: () => undefined }, [
      { dtype: 'float32', shape: ['batch', 4, 5, 5] },
      { dtype: 'float32', shape: [6, 2, 3, 3] },
      { dtype: 'float32', shape: [6] },
    ]);
    expect(types).toEqual([{ dtype: 'float32', shape: ['batch', 6, 5, 5] }]);
  });
});

describe('FusedGemm', () => {
  it('equals Gemm (transB, bias) then LeakyRelu', () => {
    const a = randomTensor('float32', [3, 8], 4);
    const bw = randomTensor('float32', [5, 8], 5);
    const c = randomTensor('float32', [5], 6);
    const gemmAttrs: Record<string, Attribute> = { transB: { type: 'int', value: 1 }, alpha: { type: 'float', value: 0.5 } };
    const attrs = { ...gemmAttrs, activation: str('LeakyRelu'), activation_params: floats([0.2]) };
    const fused = fusedOps['edgeinfer.FusedGemm']!.run({ node: node('FusedGemm', 'edgeinfer', attrs), opset: 13 }, [a, bw, c])[0]!;
    const gemm = matmulOps.Gemm!.run({ node: node('Gemm', '', gemmAttrs), opset: 13 }, [a, bw, c])[0]!;
    const expected = unfusedActivation('LeakyRelu', [0.2], gemm, 13);
    expect(fused.dims).toEqual([3, 5]);
    expect(fused.toNumbers()).toEqual(expected.toNumbers());
    expect(fused.toNumbers().some((v) => v < 0)).toBe(true); // the slope, not a Relu
  });
});

describe('fused op errors', () => {
  const x = randomTensor('float32', [2, 3], 1);
  const w = randomTensor('float32', [3, 2], 2);
  const run = (attrs: Record<string, Attribute>) => () => fusedOps['edgeinfer.FusedGemm']!.run({ node: node('FusedGemm', 'edgeinfer', attrs, ['x', 'w']), opset: 13 }, [x, w]);
  const infer = (attrs: Record<string, Attribute>) => () =>
    fusedOps['edgeinfer.FusedGemm']!.infer({ node: node('FusedGemm', 'edgeinfer', attrs, ['x', 'w']), opset: 13, constant: () => undefined }, [
      { dtype: 'float32', shape: [2, 3] },
      { dtype: 'float32', shape: [3, 2] },
    ]);

  it.each([
    ['a missing activation', {}, /activation is missing/],
    ['an unknown activation', { activation: str('Softmax') }, /activation is 'Softmax', expected one of Relu/],
    ['a prototype name', { activation: str('toString') }, /activation is 'toString'/],
    ['too few params', { activation: str('HardSigmoid'), activation_params: floats([0.2]) }, /HardSigmoid takes 2 activation_params, got 1/],
    ['params for Relu', { activation: str('Relu'), activation_params: floats([1]) }, /Relu takes 0 activation_params, got 1/],
  ])('refuses %s at load and run time', (_what, attrs, message) => {
    for (const f of [run(attrs), infer(attrs)]) {
      expect(f).toThrow(EdgeError);
      expect(f).toThrow(message);
      try {
        f();
      } catch (err) {
        expect((err as EdgeError).code).toBe('MODEL_INVALID');
        expect((err as EdgeError).message).toMatch(/^FusedGemm 'n': /);
      }
    }
  });
});
