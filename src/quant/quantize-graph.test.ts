// Tests of the graph quantizer on small built models: the QDQ / QOperator / dynamic / weight-only layouts,
// Relu/Clip folding, exclusions, and that the quantized models compute what the float model does (SQNR).

import { describe, expect, it } from 'vitest';
import { int, ints, makeModel, node } from '../../test/helpers/build.js';
import { EdgeError } from '../errors.js';
import type { Attribute, Model, Node } from '../ir/graph.js';
import { showRewrite } from '../passes/testing.js';
import { randomTensor } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { minMaxRanges, opCounts, runRef, sqnrDb } from './graph/testing.js';
import { prepareForQuantization, quantizeGraph, type QuantizeOptions } from './quantize-graph.js';
import type { Range } from './weights.js';

const float = (value: number): Attribute => ({ type: 'float', value });
const w = (dims: number[], seed: number, gain = 0.3) => {
  const t = randomTensor('float32', dims, seed);
  return new Tensor('float32', (t.data as Float32Array).map((v) => v * gain), dims);
};

/** conv1 -> relu1 -> conv2; add(relu1, conv2) -> maxpool -> flatten -> fc (Gemm, transB). */
function smallCnn(): Model {
  return makeModel({
    inputs: [['x', 'float32', ['batch', 2, 6, 6]]],
    outputs: [['y', 'float32']],
    nodes: [
      node('Conv', ['x', 'w1', 'b1'], ['c1'], { pads: ints([1, 1, 1, 1]) }, 'conv1'),
      node('Relu', ['c1'], ['r1'], {}, 'relu1'),
      node('Conv', ['r1', 'w2', 'b2'], ['c2'], {}, 'conv2'),
      node('Add', ['r1', 'c2'], ['a'], {}, 'add'),
      node('MaxPool', ['a'], ['p'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }, 'pool'),
      node('Flatten', ['p'], ['f'], {}, 'flatten'),
      node('Gemm', ['f', 'wg', 'bg'], ['y'], { transB: int(1) }, 'fc'),
    ],
    initializers: { w1: w([4, 2, 3, 3], 1), b1: w([4], 2), w2: w([4, 4, 1, 1], 3), b2: w([4], 4), wg: w([3, 36], 5), bg: w([3], 6) },
  });
}

const feeds = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ({ x: randomTensor('float32', [2, 2, 6, 6], seed + i) }));

async function calibrated(model: Model): Promise<Map<string, Range>> {
  return minMaxRanges(model, feeds(6, 100));
}

/** SQNR of the quantized model's output against the float model's, on the calibration inputs. */
async function sqnrOf(model: Model, quantized: Model, out = 'y'): Promise<number> {
  const ref: number[] = [];
  const test: number[] = [];
  for (const f of feeds(6, 100)) {
    ref.push(...(await runRef(model, f))[out]!.toNumbers());
    test.push(...(await runRef(quantized, f))[out]!.toNumbers());
  }
  return sqnrDb(ref, test);
}

const producer = (m: Model, value: string): Node => m.graph.nodes.find((n) => n.outputs.includes(value))!;
const init = (m: Model, name: string): Tensor => m.graph.initializers.get(name)!;

describe('quantizeGraph, static QDQ', () => {
  it('puts Q/DQ pairs on activations, folds the Relu, stores int8 per-channel weights and int32 biases', async () => {
    const model = smallCnn();
    const q = quantizeGraph(model, await calibrated(model));
    showRewrite('quantize-graph static QDQ', model, q);
    // x, r1, c2, a, p, f, y quantized; 3 weights + 3 biases dequantized.
    expect(opCounts(q)).toEqual({ QuantizeLinear: 7, DequantizeLinear: 13, Conv: 2, Add: 1, MaxPool: 1, Flatten: 1, Gemm: 1 });
    // The Relu is gone: conv1 writes r1, quantized with r1's range (zero point -128 clamps negatives).
    expect(producer(q, 'r1').name).toBe('conv1');
    expect(init(q, 'r1_zp').data[0]).toBe(-128);

    const conv1 = producer(q, 'r1');
    const wDq = producer(q, conv1.inputs[1]!);
    expect(wDq.op).toBe('DequantizeLinear');
    expect(wDq.attrs.get('axis')?.value).toBe(0);
    const wq = init(q, wDq.inputs[0]!);
    expect([wq.type, ...wq.dims]).toEqual(['int8', 4, 2, 3, 3]);
    const ws = init(q, wDq.inputs[1]!).data as Float32Array;
    expect(ws.length).toBe(4);

    // Bias: int32 at scale x_scale * w_scale[c] (what an integer kernel adds to its accumulator).
    const bDq = producer(q, conv1.inputs[2]!);
    const bq = init(q, bDq.inputs[0]!);
    expect(bq.type).toBe('int32');
    expect(bDq.inputs).toHaveLength(2);
    const xScale = (init(q, 'x_scale').data as Float32Array)[0]!;
    const bs = init(q, bDq.inputs[1]!).data as Float32Array;
    for (let c = 0; c < 4; c++) expect(bs[c]).toBe(Math.fround(xScale * ws[c]!));

    // Gemm with transB: per-channel scales on axis 0 of B (onnxruntime's axis); its output keeps the name y.
    const fc = q.graph.nodes.find((n) => n.op === 'Gemm')!;
    expect(producer(q, fc.inputs[1]!).attrs.get('axis')?.value).toBe(0);
    expect(producer(q, 'y').op).toBe('DequantizeLinear');
    // MaxPool and Flatten move values: their outputs reuse the parameters of a.
    expect(producer(q, 'p_q').inputs.slice(1)).toEqual(producer(q, 'a_q').inputs.slice(1));
    expect(producer(q, 'f_q').inputs.slice(1)).toEqual(producer(q, 'a_q').inputs.slice(1));

    expect(await sqnrOf(model, q)).toBeGreaterThan(30);
  });

  it('leaves the input model untouched and records what it did in the metadata', async () => {
    const model = smallCnn();
    const before = { nodes: model.graph.nodes.map((n) => n.outputs.join()), inits: [...model.graph.initializers.keys()] };
    const q = quantizeGraph(model, await calibrated(model), { activationType: 'uint8', perChannel: false });
    expect(model.graph.nodes.map((n) => n.outputs.join())).toEqual(before.nodes);
    expect([...model.graph.initializers.keys()]).toEqual(before.inits);
    expect(q.graph.initializers.has('w1')).toBe(false); // the float weights are gone
    expect(init(q, 'x_zp').type).toBe('uint8');
    expect(init(q, 'w1_scale').dims).toEqual([]); // per tensor
    expect(JSON.parse(q.metadata.get('edgeinfer.quantization')!)).toMatchObject({ format: 'qdq', mode: 'static', activationType: 'uint8' });
  });

  it('keeps a Relu whose input has another reader (quantizing its input and output)', async () => {
    const model = makeModel({
      inputs: [['x', 'float32', ['batch', 2, 6, 6]]],
      outputs: [['y', 'float32']],
      nodes: [
        node('Conv', ['x', 'w1'], ['c1'], {}, 'conv1'),
        node('Relu', ['c1'], ['r1'], {}, 'relu1'),
        node('Add', ['c1', 'r1'], ['y'], {}, 'add'),
      ],
      initializers: { w1: w([2, 2, 1, 1], 1) },
    });
    const q = quantizeGraph(model, await calibrated(model));
    expect(opCounts(q)).toMatchObject({ Relu: 1, QuantizeLinear: 4 });
    expect(producer(q, 'r1').op).toBe('Relu');
    expect(await sqnrOf(model, q)).toBeGreaterThan(30);
  });

  it('folds Clip(0, 6) when its range lies within the bounds, and not when a range goes past them', async () => {
    const model = makeModel({
      inputs: [['x', 'float32', ['batch', 2, 6, 6]]],
      outputs: [['y', 'float32']],
      nodes: [node('Conv', ['x', 'w1'], ['c1'], {}, 'conv1'), node('Clip', ['c1', 'lo', 'hi'], ['y'], {}, 'clip')],
      initializers: { w1: w([2, 2, 1, 1], 1, 3), lo: new Tensor('float32', [0], []), hi: new Tensor('float32', [6], []) },
    });
    const ranges = await calibrated(model);
    expect(ranges.get('y')!.max).toBe(6); // saturating: the conv's outputs go past 6
    const folded = quantizeGraph(model, ranges);
    expect(opCounts(folded).Clip).toBeUndefined();
    expect(await sqnrOf(model, folded)).toBeGreaterThan(30);
    // A (user-given) range wider than the bounds: quantizing would not clamp as Clip does, so the Clip stays.
    const kept = quantizeGraph(model, new Map([...ranges, ['y', { min: -1, max: 8 }]]));
    expect(opCounts(kept).Clip).toBe(1);
  });

  it('quantizes both inputs of a MatMul of two activations, and constant inputs of Add as int8 weights', async () => {
    const model = makeModel({
      inputs: [
        ['a', 'float32', [3, 4]],
        ['b', 'float32', [4, 5]],
      ],
      outputs: [['y', 'float32']],
      nodes: [node('MatMul', ['a', 'b'], ['m'], {}, 'mm'), node('Add', ['m', 'bias'], ['y'], {}, 'add')],
      initializers: { bias: w([5], 7) },
    });
    const f = (s: number) => ({ a: randomTensor('float32', [3, 4], s), b: randomTensor('float32', [4, 5], s + 50) });
    const q = quantizeGraph(model, await minMaxRanges(model, [f(1), f(2), f(3)]));
    expect(opCounts(q)).toEqual({ QuantizeLinear: 4, DequantizeLinear: 5, MatMul: 1, Add: 1 });
    expect(init(q, 'bias_q').type).toBe('int8');
    const ref = (await runRef(model, f(1))).y!.toNumbers();
    expect(sqnrDb(ref, (await runRef(q, f(1))).y!.toNumbers())).toBeGreaterThan(30);
  });

  it('after prepareForQuantization, a Conv -> BatchNormalization -> Relu becomes one quantized Conv', async () => {
    const c = 4;
    const model = makeModel({
      inputs: [['x', 'float32', ['batch', 2, 6, 6]]],
      outputs: [['y', 'float32']],
      nodes: [
        node('Conv', ['x', 'w1'], ['c1'], {}, 'conv1'),
        node('BatchNormalization', ['c1', 'gamma', 'beta', 'mean', 'var'], ['n1'], {}, 'bn'),
        node('Relu', ['n1'], ['y'], {}, 'relu'),
      ],
      initializers: {
        w1: w([c, 2, 1, 1], 1),
        gamma: w([c], 2, 1),
        beta: w([c], 3),
        mean: w([c], 4),
        var: new Tensor('float32', [0.5, 1, 1.5, 2], [c]),
      },
    });
    const prepared = prepareForQuantization(model);
    expect(opCounts(prepared)).toEqual({ Conv: 1, Relu: 1 });
    const q = quantizeGraph(prepared, await calibrated(prepared));
    expect(opCounts(q)).toEqual({ QuantizeLinear: 2, DequantizeLinear: 4, Conv: 1 });
    expect(await sqnrOf(model, q)).toBeGreaterThan(30);
  });

  it("quantizes MaxPool's values but not its int64 Indices", async () => {
    const model = makeModel({
      inputs: [['x', 'float32', ['batch', 2, 6, 6]]],
      outputs: [
        ['y', 'float32'],
        ['idx', 'int64'],
      ],
      nodes: [
        node('Conv', ['x', 'w1'], ['c1'], {}, 'conv1'),
        node('MaxPool', ['c1'], ['y', 'idx'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }, 'pool'),
      ],
      initializers: { w1: w([2, 2, 1, 1], 1) },
    });
    for (const format of ['qdq', 'qoperator'] as const) {
      const q = quantizeGraph(model, await calibrated(model), { format });
      expect(producer(q, 'idx').op).toBe('MaxPool');
      expect(q.graph.nodes.some((n) => n.inputs.includes('idx'))).toBe(false);
      expect(await sqnrOf(model, q)).toBeGreaterThan(30);
    }
  });

  it('leaves excluded nodes in float', async () => {
    const model = smallCnn();
    const ranges = await calibrated(model);
    const q = quantizeGraph(model, ranges, { exclude: { nodes: ['conv2'], opTypes: ['Gemm'] } });
    const conv2 = q.graph.nodes.find((n) => n.name === 'conv2')!;
    expect(conv2.inputs[1]).toBe('w2');
    expect(init(q, 'w2').type).toBe('float32');
    expect(q.graph.nodes.find((n) => n.op === 'Gemm')!.inputs[1]).toBe('wg');
    expect(await sqnrOf(model, q)).toBeGreaterThan(30);
  });
});

describe('quantizeGraph, QOperator', () => {
  it('uses QLinearConv / QLinearMatMul; Add and what follows it in float; Gemm bias added in float', async () => {
    const model = smallCnn();
    const ranges = await calibrated(model);
    const q = quantizeGraph(model, ranges, { format: 'qoperator' });
    showRewrite('quantize-graph static QOperator', model, q);
    expect(opCounts(q)).toEqual({ QuantizeLinear: 2, QLinearConv: 2, DequantizeLinear: 3, Add: 2, MaxPool: 1, Flatten: 1, QLinearMatMul: 1 });
    expect(producer(q, 'r1_q').op).toBe('QLinearConv'); // the Relu folded into conv1
    const qlConv = producer(q, 'r1_q');
    expect(init(q, qlConv.inputs[8]!).type).toBe('int32');
    expect(qlConv.attrs.get('pads')).toEqual(ints([1, 1, 1, 1]));
    // Gemm: B stored as [K, N] = [36, 3], per column.
    const qmm = q.graph.nodes.find((n) => n.op === 'QLinearMatMul')!;
    expect(init(q, qmm.inputs[3]!).dims).toEqual([36, 3]);
    expect(init(q, qmm.inputs[4]!).dims).toEqual([3]);
    expect(await sqnrOf(model, q)).toBeGreaterThan(30);
  });

  it('runs MaxPool and Flatten on int8 when their input is quantized', async () => {
    const model = makeModel({
      inputs: [['x', 'float32', ['batch', 2, 6, 6]]],
      outputs: [['y', 'float32']],
      nodes: [
        node('Conv', ['x', 'w1', 'b1'], ['c1'], {}, 'conv1'),
        node('MaxPool', ['c1'], ['p'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }, 'pool'),
        node('Flatten', ['p'], ['f'], {}, 'flatten'),
        node('Gemm', ['f', 'wg'], ['y'], { transB: int(1) }, 'fc'),
      ],
      initializers: { w1: w([4, 2, 1, 1], 1), b1: w([4], 2), wg: w([3, 36], 5) },
    });
    const q = quantizeGraph(model, await calibrated(model), { format: 'qoperator' });
    expect(opCounts(q)).toEqual({ QuantizeLinear: 1, QLinearConv: 1, MaxPool: 1, Flatten: 1, QLinearMatMul: 1, DequantizeLinear: 1 });
    expect(producer(q, 'p_q').inputs).toEqual(['c1_q']);
    expect(producer(q, 'f_q').inputs).toEqual(['p_q']);
    // The QLinearMatMul reads f with the parameters of c1 (MaxPool and Flatten do not change the scale).
    expect(q.graph.nodes.find((n) => n.op === 'QLinearMatMul')!.inputs.slice(0, 3)).toEqual(['f_q', 'c1_scale', 'c1_zp']);
    expect(await sqnrOf(model, q)).toBeGreaterThan(30);
  });

  it('keeps a Conv with a fed (non-constant) bias in float', async () => {
    const model = makeModel({
      inputs: [
        ['x', 'float32', ['batch', 2, 6, 6]],
        ['bias', 'float32', [2]],
      ],
      outputs: [['y', 'float32']],
      nodes: [node('Conv', ['x', 'w1', 'bias'], ['y'], {}, 'conv1')],
      initializers: { w1: w([2, 2, 1, 1], 1) },
    });
    const ranges = new Map([
      ['x', { min: -3, max: 3 }],
      ['y', { min: -3, max: 3 }],
    ]);
    expect(opCounts(quantizeGraph(model, ranges, { format: 'qoperator' }))).toEqual({ Conv: 1 });
  });
});

describe('quantizeGraph, dynamic and weight-only', () => {
  const mlp = () =>
    makeModel({
      inputs: [['x', 'float32', ['batch', 8]]],
      outputs: [['y', 'float32']],
      nodes: [
        node('MatMul', ['x', 'w1'], ['h'], {}, 'mm'),
        node('Relu', ['h'], ['r'], {}, 'relu'),
        node('Gemm', ['r', 'w2', 'b2'], ['y'], { transB: int(1), alpha: float(0.5), beta: float(2) }, 'fc'),
      ],
      initializers: { w1: w([8, 6], 1), w2: w([4, 6], 2), b2: w([4], 3) },
    });
  const x = { x: randomTensor('float32', [5, 8], 9) };

  it('dynamic: DynamicQuantizeLinear + MatMulInteger + float rescale, Gemm alpha/beta folded', async () => {
    const model = mlp();
    const q = quantizeGraph(model, new Map(), { mode: 'dynamic' });
    showRewrite('quantize-graph dynamic', model, q);
    expect(opCounts(q)).toEqual({ DynamicQuantizeLinear: 2, MatMulInteger: 2, Cast: 2, Mul: 4, Relu: 1, Add: 1 });
    const mmi = q.graph.nodes.find((n) => n.op === 'MatMulInteger')!;
    expect(init(q, mmi.inputs[1]!).type).toBe('int8');
    expect(init(q, mmi.inputs[3]!).dims).toEqual([6]); // per-column zero points
    const ref = (await runRef(model, x)).y!.toNumbers();
    expect(sqnrDb(ref, (await runRef(q, x)).y!.toNumbers())).toBeGreaterThan(30);
  });

  it('weight-only: int8 weights behind DequantizeLinear, float activations, no QuantizeLinear', async () => {
    const model = mlp();
    const q = quantizeGraph(model, new Map(), { mode: 'weight-only' });
    expect(opCounts(q)).toEqual({ DequantizeLinear: 2, MatMul: 1, Relu: 1, Gemm: 1 });
    expect(q.graph.nodes.find((n) => n.op === 'Gemm')!.attrs.get('alpha')).toEqual(float(0.5));
    const ref = (await runRef(model, x)).y!.toNumbers();
    expect(sqnrDb(ref, (await runRef(q, x)).y!.toNumbers())).toBeGreaterThan(35);
  });

  it('stores a weight read by two nodes once', async () => {
    const model = makeModel({
      inputs: [['x', 'float32', [2, 4]]],
      outputs: [['y', 'float32']],
      nodes: [node('MatMul', ['x', 'w'], ['h'], {}, 'mm1'), node('MatMul', ['h', 'w'], ['y'], {}, 'mm2')],
      initializers: { w: w([4, 4], 1) },
    });
    const q = quantizeGraph(model, new Map(), { mode: 'weight-only' });
    expect(opCounts(q)).toEqual({ DequantizeLinear: 1, MatMul: 2 });
    expect([...q.graph.initializers.keys()].filter((k) => k.startsWith('w_q'))).toHaveLength(1);
  });
});

describe('quantizeGraph, errors', () => {
  const thrown = (f: () => unknown): EdgeError => {
    try {
      f();
    } catch (e) {
      return e as EdgeError;
    }
    throw new Error('expected an error');
  };

  it('lists every value that needs a calibrated range and has none', () => {
    const err = thrown(() => quantizeGraph(smallCnn(), new Map([['x', { min: -1, max: 1 }]])));
    expect(err.code).toBe('QPARAMS_INVALID');
    // c1 is listed because the Relu folds into conv1 only with r1's range.
    expect(err.details).toEqual(['c1', 'r1', 'c2', 'a', 'y']);
    expect(err.message).toMatch(/5 values.*'c1', 'r1'/);
  });

  it('refuses unknown options, unknown excluded nodes, low opsets and edgeinfer-only ops', () => {
    const model = smallCnn();
    expect(thrown(() => quantizeGraph(model, new Map(), { format: 'qlinear' } as unknown as QuantizeOptions)).message).toMatch(/format 'qlinear'.*qdq, qoperator/);
    expect(thrown(() => quantizeGraph(model, new Map(), { activationType: 'int4' } as unknown as QuantizeOptions)).code).toBe('INPUT_INVALID');
    expect(thrown(() => quantizeGraph(model, new Map(), { exclude: { nodes: ['nope'] } })).message).toMatch(/'nope'/);
    const old = { ...model, opsets: new Map([['', 11]]) };
    expect(thrown(() => quantizeGraph(old, new Map(), { mode: 'weight-only' })).message).toMatch(/opset 13.*perChannel: false/);
    const fused = { ...model, graph: { ...model.graph, nodes: [{ ...model.graph.nodes[0]!, domain: 'edgeinfer', op: 'FusedConv' }] } };
    expect(thrown(() => quantizeGraph(fused, new Map())).message).toMatch(/edgeinfer\.FusedConv.*before graph optimization/);
  });
});
