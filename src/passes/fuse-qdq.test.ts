// Tests of fuse-qdq: hand-built QDQ graphs become edgeinfer.Q*Fixed nodes (or int8 data movement) that agree with the
// float QDQ graph within one quantization step; patterns the integer kernels cannot run stay as they are.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { int, ints, makeModel, node } from '../../test/helpers/build.js';
import { readOnnx } from '../formats/onnx/reader.js';
import type { Model, Node } from '../ir/graph.js';
import { printGraph } from '../ir/print.js';
import { verifyModel } from '../ir/verify.js';
import { callKernel, type OpTable } from '../kernels/op-def.js';
import { qfusedOps } from '../kernels/ref/qfused.js';
import { minMaxRanges } from '../quant/graph/testing.js';
import { quantizeGraph } from '../quant/quantize-graph.js';
import { buildPlan } from '../runtime/plan.js';
import type { DataType } from '../tensor/dtype.js';
import { randomTensor } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { eliminateIdentityPass } from './eliminate-identity.js';
import { fuseQdqPass } from './fuse-qdq.js';
import { TEST_OPS, opsOf } from './testing.js';

const OPS: OpTable = { ...TEST_OPS, ...qfusedOps };
const ctx = { ops: OPS };

/** Every value of one run (reference kernels plus the fused integer ops). */
function runAll(model: Model, feeds: Record<string, Tensor>): Map<string, Tensor> {
  const verified = verifyModel(model, OPS);
  const values = new Map<string, Tensor>(verified.constants);
  for (const [name, t] of Object.entries(feeds)) values.set(name, t);
  for (const step of buildPlan(model, verified, OPS).steps) {
    const outs = callKernel(step.op, step.ctx, step.node.inputs.map((n) => (n ? values.get(n) : undefined)));
    step.node.outputs.forEach((n, i) => n && outs[i] && values.set(n, outs[i]!));
  }
  return values;
}

function show(title: string, before: Model, after: Model): void {
  const typed = (m: Model) => printGraph(m.graph, { types: verifyModel(m, OPS).types, maxListItems: 4 });
  console.log(`--- ${title}: before\n${typed(before)}\n--- ${title}: after\n${typed(after)}`);
}

/** Largest difference, in quantization steps, between the quantized value `name` of two runs. */
function stepsApart(a: Map<string, Tensor>, b: Map<string, Tensor>, name: string): number {
  const x = a.get(name)!.toNumbers();
  const y = b.get(name)!.toNumbers();
  expect(y.length).toBe(x.length);
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
}

const f32 = (v: number[], dims: number[] = []) => new Tensor('float32', Float32Array.from(v), dims);
const q = (dtype: DataType, v: number[], dims: number[] = []) => Tensor.fromNumbers(dtype, v, dims);
const clampInt = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(v)));
const randomQ = (dtype: DataType, dims: number[], seed: number, gain = 40) => {
  const [lo, hi] = dtype === 'int8' ? [-127, 127] : [0, 255];
  return q(dtype, randomTensor('float32', dims, seed).toNumbers().map((v) => clampInt(v * gain, lo, hi)), dims);
};

/** Q -> DQ of an activation: `name` quantized into `${name}_q`, dequantized into `${name}_dq`. */
function qdq(name: string, scale: string, zp: string): Node[] {
  return [node('QuantizeLinear', [name, scale, zp], [`${name}_q`]), node('DequantizeLinear', [`${name}_q`, scale, zp], [`${name}_dq`])];
}

/** x -> QDQ -> Conv(DQ(w), DQ(b)) [-> act] -> QDQ -> y, with int8 per-channel weights and an int32 bias. */
function qdqConv(options: { act?: Node[]; dtype?: DataType; floatBias?: boolean; extra?: Record<string, Tensor>; wAxis?: number } = {}): Model {
  const dtype = options.dtype ?? 'int8';
  const zp = dtype === 'int8' ? [-5, 3] : [120, 128];
  const ws = [0.011, 0.02, 0.017, 0.009];
  const xs = 0.04;
  return makeModel({
    inputs: [['x', 'float32', [1, 3, 7, 6]]],
    outputs: [['y', 'float32']],
    nodes: [
      ...qdq('x', 'xs', 'xz'),
      node('DequantizeLinear', ['wq', 'ws', 'wz'], ['wd'], { axis: int(options.wAxis ?? 0) }),
      ...(options.floatBias ? [] : [node('DequantizeLinear', ['bq', 'bs'], ['bd'], { axis: int(0) })]),
      node('Conv', ['x_dq', 'wd', options.floatBias ? 'bf' : 'bd'], [options.act ? 't' : 'a'], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), strides: ints([2, 1]) }, 'conv'),
      ...(options.act ?? []),
      node('QuantizeLinear', ['a', 'ys', 'yz'], ['c_q']),
      node('DequantizeLinear', ['c_q', 'ys', 'yz'], ['y']),
    ],
    initializers: {
      xs: f32([xs]),
      xz: q(dtype, [zp[0]!]),
      wq: randomQ('int8', [4, 3, 3, 3], 1),
      ws: f32(ws, [4]),
      wz: q('int8', [0, 0, 0, 0], [4]),
      bq: q('int32', [300, -120, 0, 45], [4]),
      bs: f32(ws.map((s) => Math.fround(xs * s)), [4]),
      bf: f32([0.3, -0.1, 0.05, 0.2], [4]),
      ys: f32([0.05]),
      yz: q(dtype, [zp[1]!]),
      ...options.extra,
    },
  });
}

/** Runs the pass, prints the IR, checks the fused ops and that the quantized output is within `steps` of the QDQ graph. */
function checkFused(title: string, model: Model, feeds: Record<string, Tensor>, expectedOps: string[], quantized: string, steps = 1): Model {
  const after = fuseQdqPass.run(model, ctx);
  show(title, model, after);
  expect(opsOf(after)).toEqual(expectedOps);
  expect(stepsApart(runAll(model, feeds), runAll(after, feeds), quantized)).toBeLessThanOrEqual(steps);
  return after;
}

const fusedNode = (m: Model, op: string) => m.graph.nodes.find((n) => n.op === op)!;
const attr = (n: Node, name: string) => n.attrs.get(name)?.value;
const x = { x: randomTensor('float32', [1, 3, 7, 6], 9) };

describe('fuse-qdq: Conv', () => {
  it('fuses DQ -> Conv -> Q into QLinearConvFixed with per-channel float32 scales (int8, int32 bias kept)', () => {
    const after = checkFused('Conv', qdqConv(), x, ['QuantizeLinear', 'edgeinfer.QLinearConvFixed', 'DequantizeLinear'], 'c_q');
    const conv = fusedNode(after, 'QLinearConvFixed');
    expect(conv.inputs).toEqual(['x_q', 'wq', 'bq']);
    expect(conv.name).toBe('conv');
    expect(attr(conv, 'strides')).toEqual([2, 1]);
    expect(attr(conv, 'x_zero_point')).toBe(-5);
    expect((attr(conv, 'scale') as number[]).length).toBe(4);
    expect(attr(conv, 'multiplier')).toBeUndefined();
    expect([attr(conv, 'output_min'), attr(conv, 'output_max')]).toEqual([-128, 127]);
    expect(after.opsets.get('edgeinfer')).toBe(1);
    expect(after.graph.initializers.has('bs')).toBe(false); // the bias scale went with its DequantizeLinear
  });

  it('folds a Relu into output_min = y_zero_point', () => {
    const after = checkFused('Conv + Relu', qdqConv({ act: [node('Relu', ['t'], ['a'])] }), x, ['QuantizeLinear', 'edgeinfer.QLinearConvFixed', 'DequantizeLinear'], 'c_q');
    expect([attr(fusedNode(after, 'QLinearConvFixed'), 'output_min'), attr(fusedNode(after, 'QLinearConvFixed'), 'output_max')]).toEqual([3, 127]);
  });

  it('folds Clip(0, 0.5) into quantized bounds [Q(0), Q(0.5)]', () => {
    const model = qdqConv({ act: [node('Clip', ['t', 'lo', 'hi'], ['a'])], extra: { lo: f32([0]), hi: f32([0.5]) } });
    const after = checkFused('Conv + Clip', model, x, ['QuantizeLinear', 'edgeinfer.QLinearConvFixed', 'DequantizeLinear'], 'c_q');
    const conv = fusedNode(after, 'QLinearConvFixed');
    expect([attr(conv, 'output_min'), attr(conv, 'output_max')]).toEqual([3, 13]); // 0.5 / 0.05 = 10, + 3
  });

  it('takes uint8 activations and a float bias (rounded to int32 at x_scale * w_scale)', () => {
    const after = checkFused('Conv uint8, float bias', qdqConv({ dtype: 'uint8', floatBias: true }), x, ['QuantizeLinear', 'edgeinfer.QLinearConvFixed', 'DequantizeLinear'], 'c_q');
    const conv = fusedNode(after, 'QLinearConvFixed');
    const bias = after.graph.initializers.get(conv.inputs[2]!)!;
    expect(bias.type).toBe('int32');
    expect(bias.toNumbers()[0]).toBe(Math.round(0.3 / (0.04 * 0.011)));
    expect(runAll(after, x).get('c_q')!.type).toBe('uint8');
  });

  it('leaves the Conv in float when the weight scales lie on another axis, or an activation is not Relu / Clip', () => {
    const wrongAxis = qdqConv({ wAxis: 1, extra: { ws: f32([0.01, 0.02, 0.03], [3]), wz: q('int8', [0, 0, 0], [3]) } });
    expect(fuseQdqPass.run(wrongAxis, ctx)).toBe(wrongAxis);
    const sigmoid = qdqConv({ act: [node('Sigmoid', ['t'], ['a'])] });
    expect(fuseQdqPass.run(sigmoid, ctx)).toBe(sigmoid);
  });

  it('leaves it when a scale is a feed, not a constant', () => {
    const model = qdqConv();
    model.graph.initializers.delete('ys');
    model.graph.inputs.push({ name: 'ys', type: { dtype: 'float32', shape: [] } });
    expect(fuseQdqPass.run(model, ctx)).toBe(model);
  });
});

describe('fuse-qdq: Gemm, MatMul', () => {
  function qdqGemm(op: 'Gemm' | 'MatMul', aDims: number[], wDims: number[], attrs = {}): Model {
    const N = op === 'Gemm' ? wDims[0]! : wDims[1]!;
    const ws = Array.from({ length: N }, (_, i) => 0.01 + 0.002 * i);
    return makeModel({
      inputs: [['a', 'float32', aDims]],
      outputs: [['y', 'float32']],
      nodes: [
        ...qdq('a', 'as', 'az'),
        node('DequantizeLinear', ['wq', 'ws'], ['wd'], { axis: int(op === 'Gemm' ? 0 : 1) }),
        ...(op === 'Gemm' ? [node('DequantizeLinear', ['bq', 'bs'], ['bd'], { axis: int(0) })] : []),
        node(op, op === 'Gemm' ? ['a_dq', 'wd', 'bd'] : ['a_dq', 'wd'], ['m'], attrs, 'fc'),
        ...qdq('m', 'ys', 'yz'),
      ].map((n) => (n.outputs[0] === 'm_dq' ? { ...n, outputs: ['y'] } : n)),
      initializers: {
        as: f32([0.05]),
        az: q('int8', [2]),
        wq: randomQ('int8', wDims, 3),
        ws: f32(ws, [N]),
        bq: q('int32', Array.from({ length: N }, (_, i) => 50 * i - 100), [N]),
        bs: f32(ws.map((s) => Math.fround(0.05 * s)), [N]),
        ys: f32([0.08]),
        yz: q('int8', [-1]),
      },
    });
  }

  it('fuses Gemm (transB = 1, bias) into QGemmFixed with the weights transposed to [K, N]', () => {
    const model = qdqGemm('Gemm', [2, 12], [5, 12], { transB: int(1) });
    const after = checkFused('Gemm transB', model, { a: randomTensor('float32', [2, 12], 4) }, ['QuantizeLinear', 'edgeinfer.QGemmFixed', 'DequantizeLinear'], 'm_q');
    const gemm = fusedNode(after, 'QGemmFixed');
    expect(after.graph.initializers.get(gemm.inputs[1]!)!.dims).toEqual([12, 5]);
    expect(gemm.inputs[2]).toBe('bq');
  });

  it('fuses a batched MatMul [B, M, K] x [K, N] without bias', () => {
    const after = checkFused('MatMul', qdqGemm('MatMul', [3, 2, 8], [8, 6]), { a: randomTensor('float32', [3, 2, 8], 5) }, ['QuantizeLinear', 'edgeinfer.QGemmFixed', 'DequantizeLinear'], 'm_q');
    expect(fusedNode(after, 'QGemmFixed').inputs).toEqual(['a_q', 'wq', '']);
  });
});

describe('fuse-qdq: Add, pools, data movement', () => {
  const feeds = { a: randomTensor('float32', [1, 2, 6, 6], 11), b: randomTensor('float32', [1, 2, 6, 6], 12) };
  const params = { as: f32([0.03]), az: q('int8', [-4]), bs: f32([0.05]), bz: q('int8', [7]), ys: f32([0.06]), yz: q('int8', [-20]), ys2: f32([0.045]) };
  const twoInputs = (nodes: Node[]) =>
    makeModel({ inputs: [['a', 'float32', [1, 2, 6, 6]], ['b', 'float32', [1, 2, 6, 6]]], outputs: [['y', 'float32']], nodes, initializers: params });

  it('fuses DQ + DQ -> Add [-> Relu] -> Q into QAddFixed', () => {
    const model = twoInputs([
      ...qdq('a', 'as', 'az'),
      ...qdq('b', 'bs', 'bz'),
      node('Add', ['a_dq', 'b_dq'], ['s'], {}, 'add'),
      node('Relu', ['s'], ['r']),
      node('QuantizeLinear', ['r', 'ys', 'yz'], ['r_q']),
      node('DequantizeLinear', ['r_q', 'ys', 'yz'], ['y']),
    ]);
    const after = checkFused('Add + Relu', model, feeds, ['QuantizeLinear', 'QuantizeLinear', 'edgeinfer.QAddFixed', 'DequantizeLinear'], 'r_q');
    const add = fusedNode(after, 'QAddFixed');
    expect([attr(add, 'a_zero_point'), attr(add, 'b_zero_point'), attr(add, 'left_shift'), attr(add, 'output_min')]).toEqual([-4, 7, 20, -20]);
  });

  it('fuses AveragePool (pads, a rescale) and GlobalAveragePool into the fixed-point pools', () => {
    const model = twoInputs([
      ...qdq('a', 'as', 'az'),
      node('AveragePool', ['a_dq'], ['p'], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), strides: ints([2, 2]) }, 'pool'),
      node('QuantizeLinear', ['p', 'ys2', 'az'], ['p_q']),
      node('DequantizeLinear', ['p_q', 'ys2', 'az'], ['p_dq']),
      node('GlobalAveragePool', ['p_dq'], ['g'], {}, 'gap'),
      node('QuantizeLinear', ['g', 'ys', 'yz'], ['g_q']),
      node('DequantizeLinear', ['g_q', 'ys', 'yz'], ['y']),
    ]);
    const after = checkFused('pools', model, feeds, ['QuantizeLinear', 'edgeinfer.QAveragePoolFixed', 'edgeinfer.QGlobalAveragePoolFixed', 'DequantizeLinear'], 'p_q');
    const values = [runAll(model, feeds), runAll(after, feeds)];
    // The global pool reads p_q, which may differ by one step: compare it on the same input instead.
    const gap = fusedNode(after, 'QGlobalAveragePoolFixed');
    const own = callKernel(OPS['edgeinfer.QGlobalAveragePoolFixed']!, { node: gap, opset: 13 }, [values[0]!.get('p_q')])[0]!;
    expect(Math.max(...own.toNumbers().map((v, i) => Math.abs(v - values[0]!.get('g_q')!.toNumbers()[i]!)))).toBeLessThanOrEqual(1);
    expect(attr(fusedNode(after, 'QAveragePoolFixed'), 'pads')).toEqual([1, 1, 1, 1]);
  });

  it('runs MaxPool and Reshape on the int8 values when both sides share the parameters, exactly', () => {
    const model = twoInputs([
      ...qdq('a', 'as', 'az'),
      node('MaxPool', ['a_dq'], ['p'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }),
      node('QuantizeLinear', ['p', 'as', 'az'], ['p_q']),
      node('DequantizeLinear', ['p_q', 'as', 'az'], ['p_dq']),
      node('Reshape', ['p_dq', 'shape'], ['r']),
      node('QuantizeLinear', ['r', 'as', 'az'], ['r_q']),
      node('DequantizeLinear', ['r_q', 'as', 'az'], ['y']),
    ]);
    model.graph.initializers.set('shape', new Tensor('int64', BigInt64Array.of(1n, -1n), [2]));
    const after = checkFused('MaxPool, Reshape', model, feeds, ['QuantizeLinear', 'MaxPool', 'Reshape', 'DequantizeLinear'], 'r_q', 0);
    expect(after.graph.nodes[1]!.inputs).toEqual(['a_q']);
    expect(after.graph.nodes[2]!.inputs).toEqual(['p_q', 'shape']);
  });

  it('leaves a MaxPool whose output parameters differ from its input', () => {
    const model = twoInputs([
      ...qdq('a', 'as', 'az'),
      node('MaxPool', ['a_dq'], ['p'], { kernel_shape: ints([2, 2]) }),
      node('QuantizeLinear', ['p', 'ys', 'yz'], ['p_q']),
      node('DequantizeLinear', ['p_q', 'ys', 'yz'], ['y']),
    ]);
    expect(fuseQdqPass.run(model, ctx)).toBe(model);
  });
});

describe('fuse-qdq: outputs left in float', () => {
  const weights = { ws: f32(Array.from({ length: 300 }, (_, i) => 0.001 * (1 + (i % 7))), [300]), as: f32([0.05]), az: q('int8', [3]) };

  it('turns a Gemm whose logits stay float into QGemmToFloat: integer sums times a float32 scale per column', () => {
    const model = makeModel({
      inputs: [['a', 'float32', [2, 256]]],
      outputs: [['y', 'float32']],
      nodes: [...qdq('a', 'as', 'az'), node('DequantizeLinear', ['wq', 'ws'], ['wd'], { axis: int(0) }), node('Gemm', ['a_dq', 'wd'], ['y'], { transB: int(1) }, 'classifier')],
      initializers: { ...weights, wq: randomQ('int8', [300, 256], 7) },
    });
    const after = fuseQdqPass.run(model, ctx);
    show('float-output Gemm', model, after);
    expect(opsOf(after)).toEqual(['QuantizeLinear', 'edgeinfer.QGemmToFloat']);
    const feeds = { a: randomTensor('float32', [2, 256], 8) };
    const [exact, fused] = [runAll(model, feeds).get('y')!.toNumbers(), runAll(after, feeds).get('y')!.toNumbers()];
    // The float Gemm rounds its sums in float32, the fused op is exact until one float32 product: they differ by ulps.
    fused.forEach((v, i) => expect(Math.abs(v - exact[i]!)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(exact[i]!))));
  });

  it('dequantizes a weight above the load-time folding limit once when its op stays in float', () => {
    // A Conv with a float output has no integer form: its 300 x 256 weights (more than fold-constants folds) become float.
    const model = makeModel({
      inputs: [['a', 'float32', [1, 256, 2, 2]]],
      outputs: [['y', 'float32']],
      nodes: [...qdq('a', 'as', 'az'), node('DequantizeLinear', ['wq', 'ws'], ['wd'], { axis: int(0) }), node('Conv', ['a_dq', 'wd'], ['y'], { kernel_shape: ints([1, 1]) }, 'conv')],
      initializers: { ...weights, wq: randomQ('int8', [300, 256, 1, 1], 7) },
    });
    const after = fuseQdqPass.run(model, ctx);
    expect(opsOf(after)).toEqual(['QuantizeLinear', 'DequantizeLinear', 'Conv']);
    const w = after.graph.initializers.get('wd')!;
    expect([w.type, ...w.dims]).toEqual(['float32', 300, 256, 1, 1]);
    const feeds = { a: randomTensor('float32', [1, 256, 2, 2], 8) };
    expect(runAll(after, feeds).get('y')!.data).toEqual(runAll(model, feeds).get('y')!.data);
  });
});

describe('fuse-qdq on the bundled ResNet-8 quantized by quantizeGraph', () => {
  it('turns every Conv, Add, pool and Gemm into integer ops, each within one step of its QDQ subgraph', async () => {
    const model = readOnnx(readFileSync(new URL('../../models/resnet8/model.onnx', import.meta.url)));
    const feeds = (seed: number) => ({ input: randomTensor('float32', [1, 3, 32, 32], seed) });
    const quantized = quantizeGraph(model, await minMaxRanges(model, [feeds(1), feeds(2)]));
    const fused = fuseQdqPass.run(eliminateIdentityPass.run(quantized, ctx), ctx);
    console.log(`--- resnet8 QDQ (${quantized.graph.nodes.length} nodes) -> fused:\n${printGraph(fused.graph, { maxListItems: 2 })}`);
    const counts: Record<string, number> = {};
    for (const op of opsOf(fused)) counts[op] = (counts[op] ?? 0) + 1;
    expect(counts).toEqual({
      QuantizeLinear: 1,
      'edgeinfer.QLinearConvFixed': 9,
      'edgeinfer.QAddFixed': 3,
      'edgeinfer.QAveragePoolFixed': 1,
      Flatten: 1,
      'edgeinfer.QGemmFixed': 1,
      DequantizeLinear: 1,
    });
    // Each fused node on the QDQ graph's own int8 inputs against the QDQ graph's quantized output.
    const values = runAll(quantized, feeds(3));
    const constants = verifyModel(fused, OPS).constants;
    for (const n of fused.graph.nodes.filter((k) => k.domain === 'edgeinfer')) {
      const [y] = callKernel(OPS[`edgeinfer.${n.op}`]!, { node: n, opset: 13 }, n.inputs.map((i) => (i ? (constants.get(i) ?? values.get(i)) : undefined)));
      const expected = values.get(n.outputs[0]!)!.toNumbers();
      const steps = y!.toNumbers().reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i]!)), 0);
      expect(steps, n.name).toBeLessThanOrEqual(1);
    }
    // End to end the logits stay close: a few output steps at most after 14 requantizations.
    const a = runAll(quantized, feeds(3)).get('output')!.toNumbers();
    const b = runAll(fused, feeds(3)).get('output')!.toNumbers();
    const outScale = (quantized.graph.initializers.get('output_scale')!.data as Float32Array)[0]!;
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!))) / outScale).toBeLessThanOrEqual(4);
  });
});
