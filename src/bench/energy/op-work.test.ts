// Tests of the per-node work table: fused activations, pool windows, integer MACs, aliases and the fallback rule.

import { describe, expect, it } from 'vitest';
import { ints, makeModel, node } from '../../../test/helpers/build.js';
import type { Node } from '../../ir/graph.js';
import { estimateEnergy } from './estimate.js';
import { nodeWork } from './op-work.js';
import { denseWeights, qlinearConvModel, typesOf } from './test-models.js';

const str = (value: string) => ({ type: 'string' as const, value });

function workOf(n: Node, x: number[], initializers = {}) {
  const model = makeModel({ inputs: [['x', 'float32', x]], outputs: [['y', 'float32']], nodes: [n], initializers });
  const types = typesOf(model);
  return nodeWork({ node: n, types, constant: (name) => model.graph.initializers.get(name), sparsityAware: true });
}

describe('nodeWork', () => {
  it('adds the fused activation on every output of a FusedConv', () => {
    const conv = { ...node('FusedConv', ['x', 'w'], ['y'], { activation: str('Relu') }, 'c'), domain: 'edgeinfer' };
    const work = workOf(conv, [1, 2, 4, 4], { w: denseWeights([3, 2, 3, 3]) });
    expect(work.macs.get('f32')).toBe(216);
    expect(work.ops.get('f32.add')).toBe(12); // one compare per output
  });

  it('counts the window of a pool, plus the average’s multiply', () => {
    const work = workOf(node('AveragePool', ['x'], ['y'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }), [1, 3, 4, 4]);
    expect(Object.fromEntries(work.ops)).toEqual({ 'f32.add': 12 * 4, 'f32.mult': 12 });
  });

  it('costs QLinearConv as int8 MACs plus float requantization', () => {
    const model = qlinearConvModel(denseWeights([3, 2, 3, 3]), [1, 2, 4, 4]);
    const n = model.graph.nodes[0]!;
    const work = nodeWork({ node: n, types: typesOf(model), constant: (name) => model.graph.initializers.get(name), sparsityAware: true });
    expect(Object.fromEntries(work.macs)).toEqual({ i8: 216 });
    expect(Object.fromEntries(work.ops)).toEqual({ 'f32.mult': 12, 'f32.add': 24 });
  });

  it('treats Flatten as an alias and an op without a rule as one add per output, with a warning', () => {
    expect(workOf(node('Flatten', ['x'], ['y']), [2, 3]).alias).toBe(true);
    // an op no table knows, with types given by hand (verification would refuse it)
    const model = makeModel({ inputs: [['x', 'float32', [2, 3]]], outputs: [['y', 'float32']], nodes: [node('Shrinkwrap', ['x'], ['y'])] });
    const types = new Map([['x', { dtype: 'float32' as const, shape: [2, 3] }], ['y', { dtype: 'float32' as const, shape: [2, 3] }]]);
    const e = estimateEnergy(model, types, { device: 'cortex-a72' });
    expect(e.details.warnings).toEqual(['no energy rule for Shrinkwrap: costed as one add per output element']);
    expect(e.details.nodes[0]!.microjoules).toBeGreaterThan(0);
  });
});
