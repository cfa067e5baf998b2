// Tests of the RNN / GRU / LSTM reference kernels: hand-checked steps, every option, layouts, errors, inference.

import { describe, expect, it } from 'vitest';
import type { ValueType } from '../../ir/graph.js';
import type { DataType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { expectEdgeError as expectError, inferNode, node as irNode, runNode, toAttrs } from '../../../test/helpers/kernels.js';
import { rnnOps } from './rnn.js';

type AttrInit = number | string | number[] | string[];

const FLOAT_ATTRS = ['clip', 'activation_alpha', 'activation_beta'];
const node = (op: string, inputs: string[], attrs: Record<string, AttrInit> = {}, outputs = ['Y', 'Y_h', 'Y_c']) =>
  irNode(op, inputs, outputs, toAttrs(attrs, (k) => FLOAT_ATTRS.includes(k)), 'n');

const f32 = (values: number[], dims: number[]): Tensor => new Tensor('float32', Float32Array.from(values), dims);
const i32 = (values: number[]): Tensor => new Tensor('int32', Int32Array.from(values), [values.length]);

/** Runs op with inputs in ONNX order (undefined = omitted) and returns the outputs as number arrays. */
function run(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, AttrInit> = {}, opset = 14): Tensor[] {
  const names = ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h', 'initial_c', 'P'].map((n, i) => (inputs[i] ? n : ''));
  return runNode(node(op, names.slice(0, inputs.length), attrs), inputs, opset, rnnOps);
}

function infer(op: string, inputs: (ValueType | undefined)[], attrs: Record<string, AttrInit> = {}): ValueType[] {
  const names = inputs.map((t, i) => (t ? `in${i}` : ''));
  return inferNode(node(op, names, attrs), inputs, 14, [], rnnOps);
}

function expectClose(actual: Tensor, expected: number[], tol = 1e-6): void {
  const got = actual.toNumbers();
  expect(got.length).toBe(expected.length);
  got.forEach((v, i) => expect(Math.abs(v - expected[i]!), `element ${i}: ${v} vs ${expected[i]}`).toBeLessThanOrEqual(tol));
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Y in layout 1 [batch, seq, dirs, hidden] -> layout 0 [seq, dirs, batch, hidden]. */
function yToLayout0(t: Tensor): Tensor {
  const [batch, seq, nd, H] = t.dims as [number, number, number, number];
  const v = t.toNumbers();
  const out: number[] = new Array(v.length);
  for (let b = 0; b < batch; b++)
    for (let s = 0; s < seq; s++)
      for (let d = 0; d < nd; d++)
        for (let j = 0; j < H; j++) out[((s * nd + d) * batch + b) * H + j] = v[((b * seq + s) * nd + d) * H + j]!;
  return f32(out, [seq, nd, batch, H]);
}

/** Swaps the first two axes of a rank-3 tensor (X and states: layout 0 <-> layout 1). */
function swap01(t: Tensor): Tensor {
  const [a, b, ...rest] = t.dims as number[];
  const inner = rest.reduce((p, d) => p * d, 1);
  const v = t.toNumbers();
  const out: number[] = new Array(v.length);
  for (let i = 0; i < a!; i++) for (let j = 0; j < b!; j++) for (let k = 0; k < inner; k++) out[(j * a! + i) * inner + k] = v[(i * b! + j) * inner + k]!;
  return f32(out, [b!, a!, ...rest]);
}

describe('RNN', () => {
  // hidden 1, input 1: W = 2, R = 0.5, Wb + Rb = 0.3, X = [1, 2].
  const X = f32([1, 2], [2, 1, 1]);
  const W = f32([2], [1, 1, 1]);
  const R = f32([0.5], [1, 1, 1]);
  const B = f32([0.1, 0.2], [1, 2]);

  it('computes Ht = f(Xt W + Ht-1 R + Wb + Rb), Relu', () => {
    const [Y, Yh] = run('RNN', [X, W, R, B], { hidden_size: 1, activations: ['Relu'] });
    // h1 = 2 + 0.3 = 2.3; h2 = 4 + 0.3 + 0.5 * 2.3 = 5.45
    expect(Y!.dims).toEqual([2, 1, 1, 1]);
    expectClose(Y!, [2.3, 5.45], 1e-6);
    expect(Yh!.dims).toEqual([1, 1, 1]);
    expectClose(Yh!, [5.45], 1e-6);
  });

  it('defaults to Tanh, no bias, zero initial state', () => {
    const [Y] = run('RNN', [X, W, R]);
    const h1 = Math.tanh(2);
    expectClose(Y!, [h1, Math.tanh(4 + 0.5 * h1)]);
  });

  it('accepts the two-entry default list [Tanh, Tanh] on a forward node', () => {
    const [Y] = run('RNN', [X, W, R], { activations: ['Tanh', 'Tanh'] });
    expectClose(Y!, [Math.tanh(2), Math.tanh(4 + 0.5 * Math.tanh(2))]);
  });

  it('uses initial_h and clip', () => {
    const h0 = f32([1], [1, 1, 1]);
    const [Y] = run('RNN', [X, W, R, B, undefined, h0], { activations: ['Relu'], clip: 3 });
    // h1 = clip(2 + 0.3 + 0.5) = 2.8; h2 = clip(4.3 + 1.4) = 3
    expectClose(Y!, [2.8, 3]);
  });

  it('reverse direction starts from each row its own last valid step', () => {
    // batch 2, seq 3; row 0 has length 3, row 1 length 1.
    const X2 = f32([1, 10, 2, 20, 3, 30], [3, 2, 1]);
    const [Y, Yh] = run('RNN', [X2, W, R, undefined, i32([3, 1])], { activations: ['Relu'], direction: 'reverse' });
    // row 0: t=2: 6; t=1: 4 + 3 = 7; t=0: 2 + 3.5 = 5.5.  row 1: t=0 only: 20.
    expectClose(Y!, [5.5, 20, 7, 0, 6, 0]);
    expectClose(Yh!, [5.5, 20]);
  });

  it('forward with sequence_lens: zeros past the length, final state at the last valid step', () => {
    const X2 = f32([1, 10, 2, 20, 3, 30], [3, 2, 1]);
    const [Y, Yh] = run('RNN', [X2, W, R, undefined, i32([3, 2])], { activations: ['Relu'] });
    // row 0: 2, 5, 8.5; row 1: 20, 50 then stop.
    expectClose(Y!, [2, 20, 5, 50, 8.5, 0]);
    expectClose(Yh!, [8.5, 50]);
  });

  it('a row of length 0 keeps its initial state and outputs zeros', () => {
    const X2 = f32([1, 10, 2, 20], [2, 2, 1]);
    const h0 = f32([0, 7], [1, 2, 1]);
    const [Y, Yh] = run('RNN', [X2, W, R, undefined, i32([2, 0]), h0], { activations: ['Relu'] });
    expectClose(Y!, [2, 0, 5, 0]);
    expectClose(Yh!, [5, 7]);
  });

  it('bidirectional: direction 1 runs backwards with its own weights and activation', () => {
    const W2 = f32([2, 1], [2, 1, 1]);
    const R2 = f32([0.5, 1], [2, 1, 1]);
    const [Y, Yh] = run('RNN', [X, W2, R2], { direction: 'bidirectional', activations: ['Relu', 'Affine'], activation_alpha: [3], activation_beta: [1] });
    // forward: 2, 5; backward (affine 3x + 1): t=1: 3*2+1 = 7; t=0: 3*(1 + 7)+1 = 25
    expect(Y!.dims).toEqual([2, 2, 1, 1]);
    expectClose(Y!, [2, 25, 5, 7]);
    expectClose(Yh!, [5, 25]);
  });

  it('layout 1 is layout 0 with batch and sequence swapped', () => {
    const Xr = f32([0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8, 0.9, 0.2, 0.1, -0.3], [3, 2, 2]);
    const Wr = f32([0.5, -0.25, 0.75, 0.1, -0.6, 0.2, 0.3, 0.4, -0.1, 0.2, 0.5, -0.7], [2, 3, 2]);
    const Rr = f32(Array.from({ length: 18 }, (_, i) => ((i * 7) % 11) / 10 - 0.5), [2, 3, 3]);
    const h0 = f32(Array.from({ length: 12 }, (_, i) => i / 12 - 0.4), [2, 2, 3]);
    const lens = i32([3, 2]);
    const attrs = { direction: 'bidirectional', hidden_size: 3 };
    const [Y0, Yh0] = run('RNN', [Xr, Wr, Rr, undefined, lens, h0], attrs);
    const [Y1, Yh1] = run('RNN', [swap01(Xr), Wr, Rr, undefined, lens, swap01(h0)], { ...attrs, layout: 1 });
    expect(Y1!.dims).toEqual([2, 3, 2, 3]);
    expect(Yh1!.dims).toEqual([2, 2, 3]);
    expectClose(yToLayout0(Y1!), Y0!.toNumbers(), 0);
    expectClose(swap01(Yh1!), Yh0!.toNumbers(), 0);
  });

  it('handles empty sequences and batches', () => {
    const h0 = f32([0.5, -1], [1, 2, 1]);
    const [Y, Yh] = run('RNN', [f32([], [0, 2, 1]), W, R, undefined, undefined, h0]);
    expect(Y!.dims).toEqual([0, 1, 2, 1]);
    expectClose(Yh!, [0.5, -1]);
    const [Y2, Yh2] = run('RNN', [f32([], [2, 0, 1]), W, R]);
    expect(Y2!.dims).toEqual([2, 1, 0, 1]);
    expect(Yh2!.dims).toEqual([1, 0, 1]);
  });

  it('computes float64 in double and float16 with a float16 output', () => {
    const X64 = new Tensor('float64', Float64Array.from([1, 2]), [2, 1, 1]);
    const W64 = new Tensor('float64', Float64Array.from([2]), [1, 1, 1]);
    const R64 = new Tensor('float64', Float64Array.from([0.5]), [1, 1, 1]);
    const [Y64] = run('RNN', [X64, W64, R64]);
    expect(Y64!.type).toBe('float64');
    expect(Y64!.toNumbers()[1]).toBe(Math.tanh(4 + 0.5 * Math.tanh(2)));
    const h = (t: Tensor): Tensor => Tensor.fromNumbers('float16', t.toNumbers(), t.dims);
    const [Y16, Yh16] = run('RNN', [h(X), h(W), h(R)]);
    expect(Y16!.type).toBe('float16');
    expect(Yh16!.type).toBe('float16');
    expectClose(Y16!, [Math.tanh(2), Math.tanh(4 + 0.5 * Math.tanh(2))], 1e-3);
  });

  it('every activation with its alpha/beta defaults and given values', () => {
    // One step from zero state: Y = f(x) with W = 1, x = v.
    const one = f32([1], [1, 1, 1]);
    const zero = f32([0], [1, 1, 1]);
    const at = (v: number, act: string, extra: Record<string, AttrInit> = {}): number =>
      run('RNN', [f32([v], [1, 1, 1]), one, zero], { activations: [act], ...extra })[0]!.toNumbers()[0]!;
    const cases: [string, number, number, Record<string, AttrInit>?][] = [
      ['Relu', -2, 0],
      ['Relu', 1.5, 1.5],
      ['Tanh', 0.5, Math.tanh(0.5)],
      ['Sigmoid', -1, sigmoid(-1)],
      ['Affine', 2, 2],
      ['Affine', 2, 7, { activation_alpha: [3], activation_beta: [1] }],
      ['LeakyRelu', -2, -0.02],
      ['LeakyRelu', -2, -0.5, { activation_alpha: [0.25] }],
      ['ThresholdedRelu', 0.5, 0],
      ['ThresholdedRelu', 1.5, 1.5],
      ['ThresholdedRelu', 0.5, 0.5, { activation_alpha: [0.25] }],
      ['ScaledTanh', 0.5, 2 * Math.tanh(1.5), { activation_alpha: [2], activation_beta: [3] }],
      ['HardSigmoid', 1, 0.7],
      ['HardSigmoid', 10, 1],
      ['HardSigmoid', 1, 0.5, { activation_alpha: [0.25], activation_beta: [0.25] }],
      ['Elu', -1, Math.exp(-1) - 1],
      ['Elu', -1, 2 * (Math.exp(-1) - 1), { activation_alpha: [2] }],
      ['Softsign', -3, -0.75],
      ['Softplus', 1, Math.log(1 + Math.E)],
      ['softplus', 100, 100],
    ];
    for (const [act, v, want, extra] of cases) expect(Math.abs(at(v, act, extra) - want), `${act}(${v})`).toBeLessThan(1e-6);
  });
});

describe('GRU', () => {
  // hidden 1, input 1; W = [z, r, h], R = [z, r, h], B = [Wbz, Wbr, Wbh, Rbz, Rbr, Rbh].
  const w = [0.5, -0.3, 0.8];
  const r = [0.2, 0.6, -0.7];
  const b = [0.1, -0.2, 0.3, 0.05, 0.15, -0.4];
  const xs = [1, -2];
  const W = f32(w, [1, 3, 1]);
  const R = f32(r, [1, 3, 1]);
  const B = f32(b, [1, 6]);
  const X = f32(xs, [2, 1, 1]);

  function reference(linearBeforeReset: boolean, h0 = 0, seq = xs): number[] {
    const ys: number[] = [];
    let h = h0;
    for (const x of seq) {
      const z = sigmoid(x * w[0]! + h * r[0]! + b[0]! + b[3]!);
      const rr = sigmoid(x * w[1]! + h * r[1]! + b[1]! + b[4]!);
      const hh = linearBeforeReset
        ? Math.tanh(x * w[2]! + rr * (h * r[2]! + b[5]!) + b[2]!)
        : Math.tanh(x * w[2]! + rr * h * r[2]! + b[5]! + b[2]!);
      h = (1 - z) * hh + z * h;
      ys.push(h);
    }
    return ys;
  }

  it('linear_before_reset = 0 (default)', () => {
    const [Y, Yh] = run('GRU', [X, W, R, B], { hidden_size: 1 });
    expect(Y!.dims).toEqual([2, 1, 1, 1]);
    expectClose(Y!, reference(false));
    expectClose(Yh!, reference(false).slice(1));
  });

  it('linear_before_reset = 1 differs when Rbh is not zero', () => {
    const h0 = f32([0.4], [1, 1, 1]);
    const [Y] = run('GRU', [X, W, R, B, undefined, h0], { linear_before_reset: 1 });
    expectClose(Y!, reference(true, 0.4));
    expect(Math.abs(reference(true, 0.4)[1]! - reference(false, 0.4)[1]!)).toBeGreaterThan(1e-3);
  });

  it('applies f to z and r, g to the candidate, and clip to their inputs', () => {
    // Relu for the gates, HardSigmoid (0.2x + 0.5) for the candidate, clip 0.5; h0 = 1.
    const h0 = f32([1], [1, 1, 1]);
    const [Y] = run('GRU', [f32([1], [1, 1, 1]), W, R, B, undefined, h0], { activations: ['Relu', 'HardSigmoid'], clip: 0.5 });
    const z = Math.min(0.5, 0.5 + 0.2 + 0.15); // relu(clip(0.85))
    const rr = Math.max(0, -0.3 + 0.6 - 0.05); // 0.25
    const clip = (v: number): number => Math.max(-0.5, Math.min(0.5, v));
    const hh = 0.2 * clip(0.8 + rr * 1 * -0.7 - 0.4 + 0.3) + 0.5;
    expectClose(Y!, [(1 - z) * hh + z * 1]);
  });

  it('bidirectional with a shared activation list and layout 1', () => {
    // Direction 1 has the same weights and runs over the reversed sequence.
    const W2 = f32([...w, ...w], [2, 3, 1]);
    const R2 = f32([...r, ...r], [2, 3, 1]);
    const B2 = f32([...b, ...b], [2, 6]);
    const [Y, Yh] = run('GRU', [X, W2, R2, B2], { direction: 'bidirectional' });
    const fwd = reference(false);
    const bwd = reference(false, 0, [...xs].reverse()).reverse();
    expect(Y!.dims).toEqual([2, 2, 1, 1]);
    expectClose(Y!, [fwd[0]!, bwd[0]!, fwd[1]!, bwd[1]!]);
    expectClose(Yh!, [fwd[1]!, bwd[0]!]);
    const [Yl, Yhl] = run('GRU', [swap01(X), W2, R2, B2], { direction: 'bidirectional', layout: 1, activations: ['Sigmoid', 'Tanh'] });
    expect(Yl!.dims).toEqual([1, 2, 2, 1]);
    expectClose(Yl!, Y!.toNumbers(), 0);
    expectClose(Yhl!, Yh!.toNumbers(), 0);
  });
});

describe('LSTM', () => {
  // hidden 1, input 1; gate order i, o, f, c; peepholes i, o, f.
  const w = [0.5, -0.3, 0.8, 0.2];
  const r = [0.1, 0.4, -0.6, 0.9];
  const b = [0.1, -0.2, 0.3, 0.05, 0.02, 0.04, -0.06, 0.08];
  const p = [0.3, -0.5, 0.7];
  const W = f32(w, [1, 4, 1]);
  const R = f32(r, [1, 4, 1]);
  const B = f32(b, [1, 8]);
  const P = f32(p, [1, 3]);

  function step(x: number, h: number, c: number, opts: { peep?: boolean; forget?: boolean; clip?: number } = {}): [number, number] {
    const pp = opts.peep ? p : [0, 0, 0];
    const cl = (v: number): number => Math.max(-(opts.clip ?? Infinity), Math.min(opts.clip ?? Infinity, v));
    const pre = (k: number): number => x * w[k]! + h * r[k]! + b[k]! + b[4 + k]!;
    const i = sigmoid(cl(pre(0) + pp[0]! * c));
    const f = opts.forget ? 1 - i : sigmoid(cl(pre(2) + pp[2]! * c));
    const cNew = f * c + i * Math.tanh(cl(pre(3)));
    const o = sigmoid(cl(pre(1) + pp[1]! * cNew));
    return [o * Math.tanh(cl(cNew)), cNew];
  }

  it('one step with initial h and c, outputs Y, Y_h, Y_c', () => {
    const [Y, Yh, Yc] = run('LSTM', [f32([0.7], [1, 1, 1]), W, R, B, undefined, f32([0.2], [1, 1, 1]), f32([-0.4], [1, 1, 1])]);
    const [h, c] = step(0.7, 0.2, -0.4);
    expectClose(Y!, [h]);
    expectClose(Yh!, [h]);
    expectClose(Yc!, [c]);
    expect(Yc!.dims).toEqual([1, 1, 1]);
  });

  it('peepholes, input_forget and clip', () => {
    const X = f32([0.7, -1.5], [2, 1, 1]);
    const h0 = f32([0.2], [1, 1, 1]);
    const c0 = f32([-0.4], [1, 1, 1]);
    const opts = { peep: true, forget: true, clip: 0.3 };
    const [Y, , Yc] = run('LSTM', [X, W, R, B, undefined, h0, c0, P], { input_forget: 1, clip: 0.3 });
    const [h1, c1] = step(0.7, 0.2, -0.4, opts);
    const [h2, c2] = step(-1.5, h1, c1, opts);
    expectClose(Y!, [h1, h2]);
    expectClose(Yc!, [c2]);
    const [Yp] = run('LSTM', [X, W, R, B, undefined, h0, c0, P]);
    const [p1, q1] = step(0.7, 0.2, -0.4, { peep: true });
    expectClose(Yp!, [p1, step(-1.5, p1, q1, { peep: true })[0]]);
  });

  it('activations f, g, h with alpha/beta consumed in order', () => {
    // f = HardSigmoid(0.3, 0.4), g = LeakyRelu(0.1), h = Affine(2, 1)
    const attrs = { activations: ['HardSigmoid', 'LeakyRelu', 'Affine'], activation_alpha: [0.3, 0.1, 2], activation_beta: [0.4, 1] };
    const [Y, , Yc] = run('LSTM', [f32([-2], [1, 1, 1]), W, R, B], attrs);
    const pre = (k: number): number => -2 * w[k]! + b[k]! + b[4 + k]!;
    const fAct = (v: number): number => Math.max(0, Math.min(1, 0.3 * v + 0.4));
    const i = fAct(pre(0));
    const cand = pre(3) >= 0 ? pre(3) : 0.1 * pre(3);
    const c = i * cand;
    expectClose(Yc!, [c]);
    expectClose(Y!, [fAct(pre(1)) * (2 * c + 1)]);
  });

  it('bidirectional with sequence_lens, initial states, peepholes and clip (numpy reference)', () => {
    const d = BIDIR;
    const [Y, Yh, Yc] = run(
      'LSTM',
      [f32(d.X, [4, 3, 2]), f32(d.W, [2, 12, 2]), f32(d.R, [2, 12, 3]), f32(d.B, [2, 24]), i32(d.lens), f32(d.h0, [2, 3, 3]), f32(d.c0, [2, 3, 3]), f32(d.P, [2, 9])],
      { direction: 'bidirectional', hidden_size: 3, clip: 0.9 },
    );
    expect(Y!.dims).toEqual([4, 2, 3, 3]);
    expectClose(Y!, d.Y, 2e-6);
    expectClose(Yh!, d.Yh, 2e-6);
    expectClose(Yc!, d.Yc, 2e-6);
  });
});

describe('errors', () => {
  const X = f32([1, 2], [2, 1, 1]);
  const W = f32([2], [1, 1, 1]);
  const R = f32([0.5], [1, 1, 1]);

  it('rejects bad shapes', () => {
    expectError(() => run('RNN', [f32([1, 2], [2, 1]), W, R]), 'SHAPE_MISMATCH');
    expectError(() => run('RNN', [X, f32([1, 2], [1, 2, 1]), R]), 'SHAPE_MISMATCH');
    expectError(() => run('RNN', [X, W, R], { hidden_size: 2 }), 'SHAPE_MISMATCH');
    expectError(() => run('RNN', [X, W, R], { direction: 'bidirectional' }), 'SHAPE_MISMATCH');
    expectError(() => run('RNN', [X, W, R, f32([1], [1, 1])]), 'SHAPE_MISMATCH');
    expectError(() => run('RNN', [X, W, R, undefined, i32([1, 1])]), 'SHAPE_MISMATCH');
    expectError(() => run('RNN', [X, W, R, undefined, undefined, f32([1, 2], [1, 2, 1])]), 'SHAPE_MISMATCH');
    expectError(() => run('GRU', [X, f32([1, 2], [1, 2, 1]), f32([1, 2], [1, 2, 1])]), 'SHAPE_MISMATCH');
    expectError(() => run('LSTM', [X, f32([1, 2, 3, 4], [1, 4, 1]), f32([1, 2, 3, 4], [1, 4, 1]), undefined, undefined, undefined, undefined, f32([1], [1, 1])]), 'SHAPE_MISMATCH');
  });

  it('rejects bad dtypes', () => {
    expectError(() => run('RNN', [new Tensor('int32', Int32Array.from([1, 2]), [2, 1, 1]), W, R]), 'DTYPE_MISMATCH');
    expectError(() => run('RNN', [X, new Tensor('float64', Float64Array.from([2]), [1, 1, 1]), R]), 'DTYPE_MISMATCH');
    expectError(() => run('RNN', [X, W, R, undefined, new Tensor('int64', BigInt64Array.from([2n]), [1])]), 'DTYPE_MISMATCH');
    const bf = (t: Tensor): Tensor => Tensor.fromNumbers('bfloat16', t.toNumbers(), t.dims);
    expectError(() => run('RNN', [bf(X), bf(W), bf(R)]), 'DTYPE_MISMATCH');
    expect(run('RNN', [bf(X), bf(W), bf(R)], {}, 22)[0]!.type).toBe('bfloat16');
  });

  it('rejects sequence lengths out of range', () => {
    expectError(() => run('RNN', [X, W, R, undefined, i32([3])]), 'INPUT_INVALID');
    expectError(() => run('RNN', [X, W, R, undefined, i32([-1])]), 'INPUT_INVALID');
  });

  it('rejects bad attributes and missing inputs', () => {
    expectError(() => run('RNN', [X, W, R], { direction: 'sideways' }), 'MODEL_INVALID');
    expectError(() => run('RNN', [X, W, R], { layout: 2 }), 'MODEL_INVALID');
    expectError(() => run('RNN', [X, W, R], { clip: 0 }), 'MODEL_INVALID');
    expectError(() => run('RNN', [X, W, R], { activations: ['Swish'] }), 'OP_UNSUPPORTED');
    expectError(() => run('LSTM', [X, f32([1, 2, 3, 4], [1, 4, 1]), f32([1, 2, 3, 4], [1, 4, 1])], { activations: ['Sigmoid', 'Tanh'] }), 'MODEL_INVALID');
    expectError(() => run('LSTM', [X, f32([1, 2, 3, 4], [1, 4, 1]), f32([1, 2, 3, 4], [1, 4, 1])], { input_forget: 2 }), 'MODEL_INVALID');
    expectError(() => run('RNN', [X, W, undefined]), 'MODEL_INVALID');
    expectError(() => run('RNN', [X, W, R], { hidden_size: -1 }), 'MODEL_INVALID');
  });
});

describe('infer', () => {
  const t = (dtype: DataType, shape?: (number | string | undefined)[]): ValueType => ({ dtype, shape });

  it('layout 0 with symbolic dims and hidden size from R', () => {
    const out = infer('LSTM', [t('float32', ['seq', 'batch', 6]), t('float32', [2, 32, 6]), t('float32', [2, 32, 8])], { direction: 'bidirectional' });
    expect(out).toEqual([t('float32', ['seq', 2, 'batch', 8]), t('float32', [2, 'batch', 8]), t('float32', [2, 'batch', 8])]);
  });

  it('layout 1 with the hidden_size attribute', () => {
    const out = infer('GRU', [t('float16', ['batch', 50, 6]), t('float16', [1, 96, 6]), t('float16', [1, 96, 32])], { hidden_size: 32, layout: 1 });
    expect(out).toEqual([t('float16', ['batch', 50, 1, 32]), t('float16', ['batch', 1, 32])]);
  });

  it('unknown X shape: batch from initial_h, hidden from W', () => {
    const out = infer('RNN', [t('float64'), t('float64', [1, 4, 3]), t('float64', [1, undefined, undefined]), undefined, undefined, t('float64', [1, 5, 4])]);
    expect(out).toEqual([t('float64', [undefined, 1, 5, 4]), t('float64', [1, 5, 4])]);
  });

  it('checks dtypes and static dims', () => {
    expectError(() => infer('RNN', [t('int8', [1, 1, 1]), t('int8', [1, 1, 1]), t('int8', [1, 1, 1])]), 'DTYPE_MISMATCH');
    expectError(() => infer('RNN', [t('float32', [1, 1, 1]), t('float32', [1, 1, 1]), t('float16', [1, 1, 1])]), 'DTYPE_MISMATCH');
    expectError(() => infer('RNN', [t('float32', [1, 2, 3]), t('float32', [1, 4, 2]), t('float32', [1, 4, 4])]), 'SHAPE_MISMATCH');
    expectError(() => infer('GRU', [t('float32', [1, 2, 3]), t('float32', [1, 4, 3]), t('float32', [1, 4, 4])]), 'SHAPE_MISMATCH');
    expectError(() => infer('RNN', [t('float32', [1, 2]), t('float32', [1, 4, 2]), t('float32', [1, 4, 4])]), 'SHAPE_MISMATCH');
  });
});

// Generated with an independent numpy float64 implementation of the ONNX equations
// (seq 4, batch 3, input 2, hidden 3, sequence_lens [4, 2, 0], clip 0.9).
const BIDIR = {
  X: [0.25, 0.79, 0.55, -0.55, -0.4, 0.75, -0.99, 0.64, 0.59, -0.06, -0.39, -0.44, -0.49, -0.11, 0.01, 0.11, 0.99, 0.59, 0.24, 0.98, -0.57, -0.68, 0.23, -0.91],
  W: [-0.93, 0.03, -0.07, 0.83, 0.26, 0.03, -0.01, -0.5, -0.98, -0.62, 0.38, -0.6, -0.26, -0.99, 0.66, -0.69, -0.46, 0.76, 0.02, 0.69, 0.28, 0.48, -0.82, 0.08, 0.02, 0.74, -0.28, 0.2, -0.88, -0.22, -0.35, -0.7, 0.63, -0.24, 0.96, 0.18, 0.21, 0.28, 0.35, -0.7, -0.12, -0.52, -0.2, -0.81, 0.94, -0.57, 0.34, -0.4],
  R: [0.75, 0.32, -0.74, 0.69, 0.89, 0.81, 0.14, -0.71, -0.62, 0.86, 0.1, -0.64, 0.77, 0.28, 0.14, -0.25, -0.18, -0.52, -0.92, 0.75, -0.06, 0.1, -0.36, 0.5, -0.95, -0.26, -0.94, -0.75, 0.93, 0.32, -0.14, 0.05, 0.75, -0.31, 0.18, 0.37, -0.29, 0.04, 0.53, 0.82, -0.7, 0.87, -0.99, 0.51, 0.62, -0.73, -0.16, 0.63, -0.97, 0.26, 0.59, 0.03, 0.45, -0.55, -0.6, -0.27, -0.64, -0.31, 0.9, 0.15, -0.32, -0.46, 0.9, -0.11, 0.96, 0.03, 0.04, 0.79, 0.49, 0.16, -0.15, 0.76],
  B: [-0.18, 0.85, -0.86, -0.14, 0.04, 0.9, -0.5, 0.61, 0.35, 0.43, 0.26, 0.94, -0.33, -0.2, -0.59, -0.9, -0.57, 0.83, 0.68, -0.78, 0.21, -0.04, 0.19, 0.32, -0.39, 0.92, -0.07, 0.26, 0.27, -0.63, -0.88, -0.18, 0.53, 0.63, 0.46, -0.77, 0.83, 0.6, 0.76, 0.05, 0.83, -0.91, -0.94, -0.96, -0.49, -0.5, -0.62, 0.13],
  P: [-0.92, 0.18, -0.67, 0.36, -0.96, -0.38, 0.88, 0.08, 0.62, 0.32, 0.22, -0.62, 0.15, -0.92, 0.6, 0.92, 0.71, -0.9],
  h0: [-0.32, -0.36, -0.77, 0.25, 0.59, -0.37, 0.73, 0.59, -0.74, 0.53, 0.77, -0.61, 0.15, 0.28, 0.22, -0.81, 0.32, 0.26],
  c0: [0.65, 0.61, -0.35, 0.44, 0.73, 0.79, -0.68, -0.95, 0.3, -0.57, 0.13, 0.89, -0.24, -0.49, -0.09, 0.31, -0.8, -0.24],
  lens: [4, 2, 0],
  Y: [
    0.1280656, 0.1042258, 0.0182672, 0.1760666, 0.1259296, 0.395396, 0, 0, 0, -0.2140076, -0.400378, -0.2065349, 0.1938537, 0.3933167, -0.0822302, 0, 0, 0,
    0.158275, 0.1777182, 0.1540126, 0.0990128, 0.1875172, 0.3440406, 0, 0, 0, -0.1379998, -0.369649, -0.1834961, 0.062389, 0.2172927, -0.0573757, 0, 0, 0,
    0.170232, 0.1803258, 0.2374456, 0, 0, 0, 0, 0, 0, 0.0652602, -0.2694209, -0.1181782, 0, 0, 0, 0, 0, 0,
    0.1196512, 0.1673153, 0.2989328, 0, 0, 0, 0, 0, 0, -0.0558935, -0.046173, 0.0139203, 0, 0, 0, 0, 0, 0,
  ],
  Yh: [0.1196512, 0.1673153, 0.2989328, 0.0990128, 0.1875172, 0.3440406, 0.73, 0.59, -0.74, -0.2140076, -0.400378, -0.2065349, 0.1938537, 0.3933167, -0.0822302, -0.81, 0.32, 0.26],
  Yc: [0.4403635, 0.6607233, 0.453963, 0.3569729, 0.7731118, 0.5280866, -0.68, -0.95, 0.3, -0.5831921, -0.6374483, -0.8963759, 0.3308064, 0.6230202, -0.2925539, 0.31, -0.8, -0.24],
};
