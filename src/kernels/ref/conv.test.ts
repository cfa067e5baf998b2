// Unit tests for the Conv and ConvTranspose reference kernels: spec examples, a direct-definition cross-check, inference and errors.

import { describe, expect, it } from 'vitest';
import type { Dim, ValueType } from '../../ir/graph.js';
import { Tensor } from '../../tensor/tensor.js';
import { expectEdgeError as expectError, inferNode, node as irNode, runNode, toAttrs } from '../../../test/helpers/kernels.js';
import { convOps } from './conv.js';

type AttrMap = Record<string, number | number[] | string>;

const node = (op: string, attrs: AttrMap, nIn: number) => irNode(op, ['x', 'w', 'b'].slice(0, nIn), ['y'], toAttrs(attrs), 'c');

function run(op: string, inputs: (Tensor | undefined)[], attrs: AttrMap = {}, opset = 13): Tensor {
  return runNode(node(op, attrs, inputs.length), inputs, opset, convOps)[0]!;
}

function infer(op: string, inputs: (ValueType | undefined)[], attrs: AttrMap = {}, opset = 13): ValueType[] {
  return inferNode(node(op, attrs, inputs.length), inputs, opset, [], convOps);
}

const f32 = (values: ArrayLike<number>, dims: number[]) => new Tensor('float32', Float32Array.from(values), dims);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** Deterministic pseudo-random values in [-1, 1). */
function rand(n: number, seed = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 1073741824 - 1;
  });
}
const prod = (d: number[]) => d.reduce((a, b) => a * b, 1);

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i]! - expected[i]!) > tol * (1 + Math.abs(expected[i]!))) {
      throw new Error(`element ${i}: got ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

interface Explicit {
  strides: number[];
  dilations: number[];
  padsBegin: number[];
  outDims: number[];
  group: number;
}

/** Row-major coordinates of flat index i in dims. */
function coords(i: number, dims: number[]): number[] {
  const c = new Array<number>(dims.length);
  for (let a = dims.length - 1; a >= 0; a--) {
    c[a] = i % dims[a]!;
    i = Math.floor(i / dims[a]!);
  }
  return c;
}
const flat = (c: number[], dims: number[]) => c.reduce((acc, v, a) => acc * dims[a]! + v, 0);

/** Direct definition of Conv with explicit geometry, bounds checked per element. */
function naiveConv(x: number[], xd: number[], w: number[], wd: number[], b: number[] | undefined, g: Explicit): number[] {
  const [N, C] = xd as [number, number];
  const M = wd[0]!;
  const cg = C / g.group;
  const inD = xd.slice(2);
  const kD = wd.slice(2);
  const outD = g.outDims;
  const y: number[] = [];
  for (let n = 0; n < N; n++)
    for (let m = 0; m < M; m++) {
      const grp = Math.floor(m / (M / g.group));
      for (let o = 0; o < prod(outD); o++) {
        const oc = coords(o, outD);
        let s = b ? b[m]! : 0;
        for (let c = 0; c < cg; c++)
          for (let t = 0; t < prod(kD); t++) {
            const kc = coords(t, kD);
            const ic = oc.map((v, a) => v * g.strides[a]! + kc[a]! * g.dilations[a]! - g.padsBegin[a]!);
            if (ic.some((v, a) => v < 0 || v >= inD[a]!)) continue;
            s += x[(n * C + grp * cg + c) * prod(inD) + flat(ic, inD)]! * w[(m * cg + c) * prod(kD) + t]!;
          }
        y.push(s);
      }
    }
  return y;
}

/** Direct definition of ConvTranspose (scatter) with explicit geometry. */
function naiveConvTranspose(x: number[], xd: number[], w: number[], wd: number[], b: number[] | undefined, g: Explicit): number[] {
  const [N, C] = xd as [number, number];
  const mg = wd[1]!;
  const M = mg * g.group;
  const cg = C / g.group;
  const inD = xd.slice(2);
  const kD = wd.slice(2);
  const outD = g.outDims;
  const y = new Array<number>(N * M * prod(outD)).fill(0);
  for (let n = 0; n < N; n++)
    for (let m = 0; m < M; m++) {
      const grp = Math.floor(m / mg);
      const yBase = (n * M + m) * prod(outD);
      for (let o = 0; o < prod(outD); o++) y[yBase + o] = b ? b[m]! : 0;
      for (let c = 0; c < cg; c++) {
        const ci = grp * cg + c;
        for (let i = 0; i < prod(inD); i++) {
          const icd = coords(i, inD);
          for (let t = 0; t < prod(kD); t++) {
            const kc = coords(t, kD);
            const oc = icd.map((v, a) => v * g.strides[a]! + kc[a]! * g.dilations[a]! - g.padsBegin[a]!);
            if (oc.some((v, a) => v < 0 || v >= outD[a]!)) continue;
            y[yBase + flat(oc, outD)] += x[(n * C + ci) * prod(inD) + i]! * w[(ci * mg + (m - grp * mg)) * prod(kD) + t]!;
          }
        }
      }
    }
  return y;
}

describe('Conv', () => {
  it('computes a hand-checked 2x2 window with bias', () => {
    const y = run('Conv', [f32(range(9).map((v) => v + 1), [1, 1, 3, 3]), f32([1, 1, 1, 1], [1, 1, 2, 2]), f32([0.5], [1])]);
    expect(y.dims).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.data as Float32Array)).toEqual([12.5, 16.5, 24.5, 28.5]);
  });

  it('matches the ONNX spec example with pads 1', () => {
    const y = run('Conv', [f32(range(25), [1, 1, 5, 5]), f32(new Array(9).fill(1), [1, 1, 3, 3])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
    expect(y.toNumbers()).toEqual([
      12, 21, 27, 33, 24, 33, 54, 63, 72, 51, 63, 99, 108, 117, 81, 93, 144, 153, 162, 111, 72, 111, 117, 123, 84,
    ]);
  });

  it('matches the ONNX spec example with strides 2 and pads 1 on a 7x5 input', () => {
    const y = run('Conv', [f32(range(35), [1, 1, 7, 5]), f32(new Array(9).fill(1), [1, 1, 3, 3])], { pads: [1, 1, 1, 1], strides: [2, 2] });
    expect(y.dims).toEqual([1, 1, 4, 3]);
    expect(y.toNumbers()).toEqual([12, 27, 24, 63, 108, 81, 123, 198, 141, 112, 177, 124]);
  });

  it('pads SAME_LOWER with the odd extra pad at the start (ONNX example)', () => {
    const y = run('Conv', [f32(range(25), [1, 1, 5, 5]), f32(new Array(9).fill(1), [1, 1, 3, 3])], { auto_pad: 'SAME_LOWER', strides: [2, 2] });
    expect(y.toNumbers()).toEqual([12, 27, 24, 63, 108, 81, 72, 117, 84]);
  });

  const cases: { name: string; xd: number[]; wd: number[]; attrs: AttrMap; geo: Omit<Explicit, 'group'>; bias?: boolean }[] = [
    { name: '1-D with stride, dilation, asymmetric pads', xd: [2, 3, 11], wd: [4, 3, 3], attrs: { strides: [2], dilations: [2], pads: [1, 2] }, geo: { strides: [2], dilations: [2], padsBegin: [1], outDims: [5] }, bias: true },
    { name: '2-D grouped, dilated, strided, asymmetric pads', xd: [2, 4, 9, 8], wd: [6, 2, 3, 2], attrs: { group: 2, strides: [2, 3], dilations: [2, 1], pads: [2, 0, 1, 1] }, geo: { strides: [2, 3], dilations: [2, 1], padsBegin: [2, 0], outDims: [4, 3] }, bias: true },
    { name: '2-D depthwise 3x3 stride 2', xd: [1, 5, 7, 7], wd: [5, 1, 3, 3], attrs: { group: 5, strides: [2, 2], pads: [1, 1, 1, 1] }, geo: { strides: [2, 2], dilations: [1, 1], padsBegin: [1, 1], outDims: [4, 4] }, bias: true },
    { name: '2-D depthwise with channel multiplier 2', xd: [1, 3, 5, 6], wd: [6, 1, 3, 3], attrs: { group: 3, pads: [1, 1, 1, 1] }, geo: { strides: [1, 1], dilations: [1, 1], padsBegin: [1, 1], outDims: [5, 6] } },
    { name: '2-D SAME_UPPER stride 2 on even size', xd: [1, 2, 6, 6], wd: [3, 2, 3, 3], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] }, geo: { strides: [2, 2], dilations: [1, 1], padsBegin: [0, 0], outDims: [3, 3] } },
    { name: '2-D SAME_LOWER stride 2 on even size', xd: [1, 2, 6, 6], wd: [3, 2, 3, 3], attrs: { auto_pad: 'SAME_LOWER', strides: [2, 2] }, geo: { strides: [2, 2], dilations: [1, 1], padsBegin: [1, 1], outDims: [3, 3] } },
    { name: '2-D VALID ignores pads', xd: [1, 1, 5, 5], wd: [1, 1, 2, 2], attrs: { auto_pad: 'VALID', pads: [1, 1, 1, 1] }, geo: { strides: [1, 1], dilations: [1, 1], padsBegin: [0, 0], outDims: [4, 4] } },
    { name: '2-D pointwise grouped (channel matmul)', xd: [2, 6, 3, 4], wd: [4, 3, 1, 1], attrs: { group: 2 }, geo: { strides: [1, 1], dilations: [1, 1], padsBegin: [0, 0], outDims: [3, 4] }, bias: true },
    { name: '2-D pointwise with 9 channels (unrolled remainder)', xd: [1, 9, 2, 3], wd: [2, 9, 1, 1], attrs: {}, geo: { strides: [1, 1], dilations: [1, 1], padsBegin: [0, 0], outDims: [2, 3] } },
    { name: '2-D 1x1 with stride 2 (not pointwise)', xd: [1, 2, 5, 5], wd: [3, 2, 1, 1], attrs: { strides: [2, 2] }, geo: { strides: [2, 2], dilations: [1, 1], padsBegin: [0, 0], outDims: [3, 3] } },
    { name: '3-D with pads and strides', xd: [1, 2, 5, 4, 6], wd: [3, 2, 3, 2, 3], attrs: { pads: [1, 0, 1, 1, 1, 0], strides: [2, 1, 2] }, geo: { strides: [2, 1, 2], dilations: [1, 1, 1], padsBegin: [1, 0, 1], outDims: [3, 4, 3] }, bias: true },
    { name: '4-D', xd: [1, 2, 3, 4, 3, 3], wd: [2, 2, 2, 2, 2, 2], attrs: { pads: [0, 1, 0, 1, 0, 0, 1, 0] }, geo: { strides: [1, 1, 1, 1], dilations: [1, 1, 1, 1], padsBegin: [0, 1, 0, 1], outDims: [2, 4, 3, 3] } },
  ];
  for (const c of cases) {
    it(`matches the direct definition: ${c.name}`, () => {
      const x = rand(prod(c.xd), 3);
      const w = rand(prod(c.wd), 7);
      const b = c.bias ? rand(c.wd[0]!, 11) : undefined;
      const inputs = [f32(x, c.xd), f32(w, c.wd), ...(b ? [f32(b, [c.wd[0]!])] : [])];
      const y = run('Conv', inputs, c.attrs);
      const group = typeof c.attrs.group === 'number' ? c.attrs.group : 1;
      expect(y.dims).toEqual([c.xd[0], c.wd[0], ...c.geo.outDims]);
      expectClose(y.data as Float32Array, naiveConv(x, c.xd, w, c.wd, b, { ...c.geo, group }));
      const types = infer('Conv', inputs.map((t) => ({ dtype: t.type, shape: [...t.dims] })), c.attrs);
      expect(types).toEqual([{ dtype: 'float32', shape: y.dims }]);
    });
  }

  it('keeps float64 and float16 in their dtype', () => {
    const x = new Tensor('float64', Float64Array.from(range(9)), [1, 1, 3, 3]);
    const w = new Tensor('float64', Float64Array.from([1, 2, 3, 4]), [1, 1, 2, 2]);
    const y = run('Conv', [x, w]);
    expect(y.type).toBe('float64');
    expect(y.toNumbers()).toEqual([0 + 2 + 9 + 16, 1 + 4 + 12 + 20, 3 + 8 + 18 + 28, 4 + 10 + 21 + 32]);
    const h = run('Conv', [new Tensor('float16', range(9), [1, 1, 3, 3]), new Tensor('float16', [1, 2, 3, 4], [1, 1, 2, 2])]);
    expect(h.type).toBe('float16');
    expect(h.toNumbers()).toEqual([27, 37, 57, 67]);
  });

  it('handles an empty batch', () => {
    const y = run('Conv', [f32([], [0, 2, 4, 4]), f32(rand(18), [1, 2, 3, 3])], { pads: [1, 1, 1, 1] });
    expect(y.dims).toEqual([0, 1, 4, 4]);
  });

  it('infers symbolic and unknown dims', () => {
    const w: ValueType = { dtype: 'float32', shape: [8, 3, 3, 3] };
    expect(infer('Conv', [{ dtype: 'float32', shape: ['batch', 3, 'h', 'w'] }, w], { auto_pad: 'SAME_UPPER' })).toEqual([
      { dtype: 'float32', shape: ['batch', 8, 'h', 'w'] },
    ]);
    expect(infer('Conv', [{ dtype: 'float32', shape: ['batch', 3, 'h', 10] }, w], { pads: [1, 1, 1, 1], strides: [2, 2] })).toEqual([
      { dtype: 'float32', shape: ['batch', 8, undefined, 5] },
    ]);
    // Unknown weight spatial dims: the output spatial dims are unknown.
    const wUnknown: ValueType = { dtype: 'float32', shape: [8, 3, undefined, undefined] };
    expect(infer('Conv', [{ dtype: 'float32', shape: [1, 3, 10, 10] }, wUnknown])[0]!.shape).toEqual([1, 8, undefined, undefined]);
    // kernel_shape fills in for the weight.
    expect(infer('Conv', [{ dtype: 'float32', shape: [1, 3, 10, 10] }, wUnknown], { kernel_shape: [3, 3] })[0]!.shape).toEqual([1, 8, 8, 8]);
    // Unknown ranks.
    expect(infer('Conv', [{ dtype: 'float32' }, { dtype: 'float32' }])).toEqual([{ dtype: 'float32' }]);
    expect(infer('Conv', [{ dtype: 'float32' }, w])[0]!.shape).toEqual([undefined, 8, undefined, undefined]);
  });

  it('rejects a weight of the wrong rank', () => {
    expectError(() => run('Conv', [f32(range(16), [1, 1, 4, 4]), f32([1, 1, 1], [1, 1, 3])]), 'SHAPE_MISMATCH', 'weight has 3 dims, expected 4');
    expectError(() => infer('Conv', [{ dtype: 'float32', shape: ['n', 1, 4, 4] }, { dtype: 'float32', shape: [1, 1, 3] }]), 'SHAPE_MISMATCH', 'weight has 3 dims');
  });

  it('rejects inconsistent channels, groups and bias', () => {
    expectError(() => run('Conv', [f32(range(32), [1, 2, 4, 4]), f32(rand(27), [1, 3, 3, 3])]), 'SHAPE_MISMATCH', 'X has 2 channels');
    expectError(() => run('Conv', [f32(range(32), [1, 2, 4, 4]), f32(rand(27), [3, 1, 3, 3])], { group: 2 }), 'SHAPE_MISMATCH', 'not divisible by group');
    expectError(() => run('Conv', [f32(range(16), [1, 1, 4, 4]), f32(rand(9), [1, 1, 3, 3]), f32([1, 2], [2])]), 'SHAPE_MISMATCH', 'B has 2 values');
    expectError(() => run('Conv', [f32(range(16), [1, 1, 4, 4]), f32(rand(9), [1, 1, 3, 3])], { group: 0 }), 'MODEL_INVALID');
  });

  it('rejects a kernel larger than the padded input', () => {
    expectError(() => run('Conv', [f32(range(4), [1, 1, 2, 2]), f32(rand(9), [1, 1, 3, 3])]), 'SHAPE_MISMATCH', 'larger than the padded input');
    expectError(() => run('Conv', [f32(range(4), [1, 1, 2, 2]), f32(rand(4), [1, 1, 2, 2])], { dilations: [2, 2] }), 'SHAPE_MISMATCH');
    expectError(() => infer('Conv', [{ dtype: 'float32', shape: [1, 1, 2, 2] }, { dtype: 'float32', shape: [1, 1, 3, 3] }]), 'SHAPE_MISMATCH');
  });

  it('rejects bad attributes and dtypes', () => {
    const x = f32(range(16), [1, 1, 4, 4]);
    const w = f32(rand(9), [1, 1, 3, 3]);
    expectError(() => run('Conv', [x, w], { auto_pad: 'SAME' }), 'MODEL_INVALID', 'auto_pad');
    expectError(() => run('Conv', [x, w], { strides: [1] }), 'MODEL_INVALID', 'strides has 1 values, expected 2');
    expectError(() => run('Conv', [x, w], { strides: [0, 1] }), 'MODEL_INVALID');
    expectError(() => run('Conv', [x, w], { pads: [1, 1, -1, 1] }), 'MODEL_INVALID');
    expectError(() => run('Conv', [x, w], { kernel_shape: [2, 2] }), 'SHAPE_MISMATCH', 'kernel_shape');
    expectError(() => run('Conv', [new Tensor('int32', range(16), [1, 1, 4, 4]), new Tensor('int32', range(9), [1, 1, 3, 3])]), 'DTYPE_MISMATCH');
    expectError(() => run('Conv', [x, new Tensor('float64', rand(9), [1, 1, 3, 3])]), 'DTYPE_MISMATCH');
    expectError(() => run('Conv', [f32(range(4), [1, 4]), f32(range(4), [1, 4])]), 'SHAPE_MISMATCH', 'X has 2 dims');
    expectError(() => run('Conv', [x]), 'MODEL_INVALID');
  });
});

describe('ConvTranspose', () => {
  const ones = (n: number) => new Array<number>(n).fill(1);

  it('matches the ONNX spec example', () => {
    const y = run('ConvTranspose', [f32(range(9), [1, 1, 3, 3]), f32(ones(18), [1, 2, 3, 3])]);
    const plane = [0, 1, 3, 3, 2, 3, 8, 15, 12, 7, 9, 21, 36, 27, 15, 9, 20, 33, 24, 13, 6, 13, 21, 15, 8];
    expect(y.dims).toEqual([1, 2, 5, 5]);
    expect(y.toNumbers()).toEqual([...plane, ...plane]);
  });

  it('matches the ONNX 1-D example', () => {
    const y = run('ConvTranspose', [f32(range(3), [1, 1, 3]), f32(ones(6), [1, 2, 3])]);
    expect(y.toNumbers()).toEqual([0, 1, 3, 3, 2, 0, 1, 3, 3, 2]);
  });

  it('output_shape, output_padding and pads select the same values (ONNX examples)', () => {
    const x = f32(range(9), [1, 1, 3, 3]);
    const w = f32(ones(18), [1, 2, 3, 3]);
    const a = run('ConvTranspose', [x, w], { strides: [3, 2], output_shape: [10, 8] });
    const b = run('ConvTranspose', [x, w], { strides: [3, 2], output_padding: [1, 1] });
    const c = run('ConvTranspose', [x, w], { strides: [3, 2], output_shape: [1, 2, 10, 8] });
    expect(a.dims).toEqual([1, 2, 10, 8]);
    expect(b.toNumbers()).toEqual(a.toNumbers());
    expect(c.toNumbers()).toEqual(a.toNumbers());
    expect(a.toNumbers().slice(0, 16)).toEqual([0, 0, 1, 1, 3, 2, 2, 0, 0, 0, 1, 1, 3, 2, 2, 0]);
    const p = run('ConvTranspose', [x, w], { strides: [3, 2], pads: [1, 2, 1, 2] });
    expect(p.dims).toEqual([1, 2, 7, 3]);
    expect(p.toNumbers().slice(0, 21)).toEqual([1, 1, 3, 1, 1, 3, 7, 4, 9, 7, 4, 9, 7, 4, 9, 13, 7, 15, 13, 7, 15]);
  });

  it('SAME_UPPER gives input x stride (ONNX example)', () => {
    const y = run('ConvTranspose', [f32(range(9), [1, 1, 3, 3]), f32(ones(18), [1, 2, 3, 3])], { auto_pad: 'SAME_UPPER', strides: [2, 2] });
    expect(y.dims).toEqual([1, 2, 6, 6]);
    expect(y.toNumbers().slice(0, 12)).toEqual([0, 0, 1, 1, 3, 2, 0, 0, 1, 1, 3, 2]);
  });

  const cases: { name: string; xd: number[]; wd: number[]; attrs: AttrMap; geo: Omit<Explicit, 'group'>; bias?: boolean }[] = [
    { name: '2-D dilations', xd: [1, 1, 3, 3], wd: [1, 1, 2, 2], attrs: { dilations: [2, 2] }, geo: { strides: [1, 1], dilations: [2, 2], padsBegin: [0, 0], outDims: [5, 5] } },
    { name: '2-D grouped with bias, strides and pads', xd: [2, 4, 3, 4], wd: [4, 3, 3, 2], attrs: { group: 2, strides: [2, 3], pads: [1, 0, 0, 1] }, geo: { strides: [2, 3], dilations: [1, 1], padsBegin: [1, 0], outDims: [6, 10] }, bias: true },
    { name: '2-D SAME_LOWER odd padding', xd: [1, 2, 3, 3], wd: [2, 1, 3, 3], attrs: { auto_pad: 'SAME_LOWER', strides: [2, 2] }, geo: { strides: [2, 2], dilations: [1, 1], padsBegin: [1, 1], outDims: [6, 6] } },
    { name: '2-D output_shape with odd total padding', xd: [1, 1, 3, 3], wd: [1, 1, 3, 3], attrs: { strides: [2, 2], output_shape: [6, 6] }, geo: { strides: [2, 2], dilations: [1, 1], padsBegin: [1, 1], outDims: [6, 6] } },
    { name: '2-D output_shape SAME_UPPER', xd: [1, 1, 3, 3], wd: [1, 1, 3, 3], attrs: { strides: [2, 2], output_shape: [6, 6], auto_pad: 'SAME_UPPER' }, geo: { strides: [2, 2], dilations: [1, 1], padsBegin: [0, 0], outDims: [6, 6] } },
    { name: '3-D', xd: [1, 2, 2, 3, 2], wd: [2, 2, 2, 2, 3], attrs: { strides: [2, 1, 2], pads: [0, 1, 1, 1, 0, 0] }, geo: { strides: [2, 1, 2], dilations: [1, 1, 1], padsBegin: [0, 1, 1], outDims: [3, 3, 4] }, bias: true },
  ];
  for (const c of cases) {
    it(`matches the direct definition: ${c.name}`, () => {
      const x = rand(prod(c.xd), 5);
      const w = rand(prod(c.wd), 9);
      const group = typeof c.attrs.group === 'number' ? c.attrs.group : 1;
      const M = c.wd[1]! * group;
      const b = c.bias ? rand(M, 13) : undefined;
      const inputs = [f32(x, c.xd), f32(w, c.wd), ...(b ? [f32(b, [M])] : [])];
      const y = run('ConvTranspose', inputs, c.attrs);
      expect(y.dims).toEqual([c.xd[0], M, ...c.geo.outDims]);
      expectClose(y.data as Float32Array, naiveConvTranspose(x, c.xd, w, c.wd, b, { ...c.geo, group }));
      const types = infer('ConvTranspose', inputs.map((t) => ({ dtype: t.type, shape: [...t.dims] as Dim[] })), c.attrs);
      expect(types).toEqual([{ dtype: 'float32', shape: y.dims }]);
    });
  }

  it('infers symbolic dims', () => {
    const w: ValueType = { dtype: 'float32', shape: [3, 4, 3, 3] };
    expect(infer('ConvTranspose', [{ dtype: 'float32', shape: ['n', 3, 'h', 5] }, w], { strides: [2, 2] })[0]!.shape).toEqual(['n', 4, undefined, 11]);
    expect(infer('ConvTranspose', [{ dtype: 'float32', shape: ['n', 3, 'h', 5] }, w], { auto_pad: 'SAME_UPPER' })[0]!.shape).toEqual(['n', 4, 'h', 5]);
    expect(infer('ConvTranspose', [{ dtype: 'float32', shape: ['n', 3, 'h', 5] }, w], { output_shape: [7, 9] })[0]!.shape).toEqual(['n', 4, 7, 9]);
    const w6: ValueType = { dtype: 'float32', shape: [6, 4, 3, 3] };
    expect(infer('ConvTranspose', [{ dtype: 'float32', shape: ['n', 6, 'h', 5] }, w6], { group: 2 })[0]!.shape).toEqual(['n', 8, undefined, 7]);
  });

  it('rejects bad shapes and attributes', () => {
    const x = f32(range(9), [1, 1, 3, 3]);
    expectError(() => run('ConvTranspose', [x, f32(ones(6), [1, 2, 3])]), 'SHAPE_MISMATCH', 'weight has 3 dims, expected 4');
    expectError(() => run('ConvTranspose', [x, f32(ones(18), [2, 1, 3, 3])]), 'SHAPE_MISMATCH', 'X has 1 channels');
    expectError(() => run('ConvTranspose', [x, f32(ones(18), [1, 2, 3, 3])], { strides: [2, 2], output_padding: [2, 0] }), 'MODEL_INVALID', 'output_padding');
    expectError(() => run('ConvTranspose', [x, f32(ones(18), [1, 2, 3, 3])], { pads: [3, 3, 3, 3] }), 'SHAPE_MISMATCH');
    expectError(() => run('ConvTranspose', [x, f32(ones(18), [1, 2, 3, 3]), f32([1], [1])]), 'SHAPE_MISMATCH', 'B has 1 values');
  });
});
