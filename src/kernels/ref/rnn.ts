// Reference kernels for the recurrent ops RNN, GRU and LSTM: one driver handles directions, layouts,
// sequence lengths, initial states and outputs; each op only supplies the math of one cell step.

import { attrFloat, attrFloats, attrInt, attrString, attrStrings } from '../../ir/attrs.js';
import { describeNode, type Dim, type ValueType } from '../../ir/graph.js';
import type { DataType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { nodeError, required, type InferContext, type KernelContext, type OpDef, type OpTable } from '../op-def.js';

/** Arrays the kernels compute in: float32 (also for halves) or float64. */
type Arr = Float32Array | Float64Array;

// ---------------------------------------------------------------------------------------------
// Activation functions (ONNX names, matched case-insensitively). `alpha`/`beta` present = the
// function takes that parameter, with the default of the corresponding ONNX operator.

interface ActivationDef {
  fn: (x: number, alpha: number, beta: number) => number;
  alpha?: number;
  beta?: number;
}

const ACTIVATIONS: Record<string, ActivationDef> = {
  relu: { fn: (x) => (x > 0 ? x : 0) },
  tanh: { fn: (x) => Math.tanh(x) },
  sigmoid: { fn: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))) },
  affine: { fn: (x, a, b) => a * x + b, alpha: 1, beta: 0 },
  leakyrelu: { fn: (x, a) => (x >= 0 ? x : a * x), alpha: 0.01 },
  thresholdedrelu: { fn: (x, a) => (x > a ? x : 0), alpha: 1 },
  scaledtanh: { fn: (x, a, b) => a * Math.tanh(b * x), alpha: 1, beta: 1 },
  hardsigmoid: { fn: (x, a, b) => Math.max(0, Math.min(1, a * x + b)), alpha: 0.2, beta: 0.5 },
  elu: { fn: (x, a) => (x >= 0 ? x : a * (Math.exp(x) - 1)), alpha: 1 },
  softsign: { fn: (x) => x / (1 + Math.abs(x)) },
  // log(1 + e^x) without overflow for large x.
  softplus: { fn: (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))) },
};

/** An activation with its parameters fixed. */
interface Act {
  fn: ActivationDef['fn'];
  alpha: number;
  beta: number;
}

/** Clips to [-clip, clip] (the spec clips the input of every activation), then activates. */
function activate(a: Act, x: number, clip: number): number {
  return a.fn(x > clip ? clip : x < -clip ? -clip : x, a.alpha, a.beta);
}

// ---------------------------------------------------------------------------------------------
// What distinguishes the three ops.

/** The per-direction state one cell step works with. */
interface Cell {
  hidden: number;
  /** Recurrence weights of this direction, [gates*hidden, hidden]. */
  R: Arr;
  /** Recurrence bias Rb of this direction, [gates*hidden] (the input bias Wb is folded into X·W). */
  Rb: Arr;
  /** LSTM peepholes of this direction, [3*hidden] in i, o, f order (zeros when absent). */
  P: Arr;
  /** f, g, h of this direction. */
  acts: Act[];
  /** Infinity when the node has no clip. */
  clip: number;
  linearBeforeReset: boolean;
  inputForget: boolean;
  /** Scratch: gate values [gates*hidden] and one hidden vector. */
  gates: Arr;
  tmp: Arr;
}

/**
 * Advances one batch row by one time step: reads X·W+Wb at xw[xo..], updates the hidden state
 * h[ho..ho+hidden] (and the LSTM cell state c[co..]) in place.
 */
type CellStep = (cell: Cell, xw: Arr, xo: number, h: Arr, ho: number, c: Arr, co: number) => void;

interface RecurrentSpec {
  /** Gate blocks stacked in W, R and B. */
  gates: number;
  /** Default activations of one direction (their count is the count per direction). */
  activations: string[];
  /** LSTM: has initial_c, P and the Y_c output. */
  hasCell: boolean;
  step: CellStep;
}

/** v[vOff..vOff+n] · M[mOff..mOff+n]. */
function dot(M: Arr, mOff: number, v: Arr, vOff: number, n: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += M[mOff + k]! * v[vOff + k]!;
  return s;
}

/** gates[j] = xw[j] + Rb[j] + R[j,:]·h for gate rows j in [from, to): the pre-activations. */
function preActivations(cell: Cell, xw: Arr, xo: number, from: number, to: number, h: Arr, ho: number): void {
  const H = cell.hidden;
  const { R, Rb, gates } = cell;
  for (let j = from; j < to; j++) gates[j] = xw[xo + j]! + Rb[j]! + dot(R, j * H, h, ho, H);
}

// Ht = f(Xt·Wi + Ht-1·Ri + Wbi + Rbi)
const rnnStep: CellStep = (cell, xw, xo, h, ho) => {
  const H = cell.hidden;
  const g = cell.gates;
  const f = cell.acts[0]!;
  preActivations(cell, xw, xo, 0, H, h, ho);
  for (let j = 0; j < H; j++) h[ho + j] = activate(f, g[j]!, cell.clip);
};

// Gates z, r, h:  zt = f(..z), rt = f(..r),
// ht = g(Xt·Wh + (rt ⊙ Ht-1)·Rh + Rbh + Wbh)      (linear_before_reset = 0)
// ht = g(Xt·Wh + rt ⊙ (Ht-1·Rh + Rbh) + Wbh)      (linear_before_reset != 0)
// Ht = (1 - zt) ⊙ ht + zt ⊙ Ht-1
const gruStep: CellStep = (cell, xw, xo, h, ho) => {
  const H = cell.hidden;
  const { R, Rb, gates: g, tmp, clip } = cell;
  const f = cell.acts[0]!;
  const gAct = cell.acts[1]!;
  preActivations(cell, xw, xo, 0, 2 * H, h, ho);
  for (let j = 0; j < 2 * H; j++) g[j] = activate(f, g[j]!, clip);
  if (cell.linearBeforeReset) {
    for (let j = 0; j < H; j++) {
      const row = 2 * H + j;
      const rec = dot(R, row * H, h, ho, H) + Rb[row]!;
      g[row] = activate(gAct, xw[xo + row]! + g[H + j]! * rec, clip);
    }
  } else {
    for (let k = 0; k < H; k++) tmp[k] = g[H + k]! * h[ho + k]!;
    for (let j = 0; j < H; j++) {
      const row = 2 * H + j;
      g[row] = activate(gAct, xw[xo + row]! + Rb[row]! + dot(R, row * H, tmp, 0, H), clip);
    }
  }
  // All of Ht-1 has been read above, so it can now be overwritten.
  for (let j = 0; j < H; j++) {
    const z = g[j]!;
    h[ho + j] = (1 - z) * g[2 * H + j]! + z * h[ho + j]!;
  }
};

// Gates i, o, f, c (peepholes P in i, o, f order):
// it = f(..i + Pi ⊙ Ct-1), ft = f(..f + Pf ⊙ Ct-1) (or 1 - it with input_forget), ct = g(..c),
// Ct = ft ⊙ Ct-1 + it ⊙ ct, ot = f(..o + Po ⊙ Ct), Ht = ot ⊙ h(Ct)
const lstmStep: CellStep = (cell, xw, xo, h, ho, c, co) => {
  const H = cell.hidden;
  const { P, gates: g, clip } = cell;
  const [f, gAct, hAct] = cell.acts as [Act, Act, Act];
  preActivations(cell, xw, xo, 0, 4 * H, h, ho);
  // Every gate already holds its share of Ht-1, so H and C can be updated element by element.
  for (let j = 0; j < H; j++) {
    const cPrev = c[co + j]!;
    const i = activate(f, g[j]! + P[j]! * cPrev, clip);
    const forget = cell.inputForget ? 1 - i : activate(f, g[2 * H + j]! + P[2 * H + j]! * cPrev, clip);
    const cand = activate(gAct, g[3 * H + j]!, clip);
    c[co + j] = forget * cPrev + i * cand;
    const cNew = c[co + j]!; // rounded like the stored state
    const o = activate(f, g[H + j]! + P[H + j]! * cNew, clip);
    h[ho + j] = o * activate(hAct, cNew, clip);
  }
};

// ---------------------------------------------------------------------------------------------
// Attributes.

interface RecurrentAttrs {
  /** 'forward' or 'reverse' per direction. */
  directions: ('forward' | 'reverse')[];
  layout: 0 | 1;
  hidden?: number;
  clip: number;
  acts: Act[][];
  linearBeforeReset: boolean;
  inputForget: boolean;
}

const DIRECTIONS: Record<string, ('forward' | 'reverse')[]> = {
  forward: ['forward'],
  reverse: ['reverse'],
  bidirectional: ['forward', 'reverse'],
};

function readAttrs(ctx: KernelContext, spec: RecurrentSpec): RecurrentAttrs {
  const node = ctx.node;
  const direction = attrString(node, 'direction', 'forward');
  const directions = DIRECTIONS[direction];
  if (!directions) {
    throw nodeError(ctx, 'MODEL_INVALID', `direction '${direction}' is not forward, reverse or bidirectional`, {
      expected: Object.keys(DIRECTIONS),
      actual: direction,
    });
  }
  const layout = attrInt(node, 'layout', 0);
  if (layout !== 0 && layout !== 1) {
    throw nodeError(ctx, 'MODEL_INVALID', `layout ${layout} is not 0 or 1`, { expected: [0, 1], actual: layout });
  }
  const hidden = attrInt(node, 'hidden_size');
  if (hidden !== undefined && (!Number.isInteger(hidden) || hidden < 0)) {
    throw nodeError(ctx, 'MODEL_INVALID', `hidden_size ${hidden} is not a non-negative integer`, { actual: hidden });
  }
  const clip = attrFloat(node, 'clip');
  if (clip !== undefined && !(clip > 0)) {
    throw nodeError(ctx, 'MODEL_INVALID', `clip ${clip} must be a positive threshold`, { actual: clip });
  }
  const inputForget = attrInt(node, 'input_forget', 0);
  if (inputForget !== 0 && inputForget !== 1) {
    throw nodeError(ctx, 'MODEL_INVALID', `input_forget ${inputForget} is not 0 or 1`, { expected: [0, 1], actual: inputForget });
  }
  return {
    directions,
    layout,
    hidden,
    clip: clip ?? Infinity,
    acts: readActivations(ctx, spec, directions.length),
    linearBeforeReset: attrInt(node, 'linear_before_reset', 0) !== 0,
    inputForget: inputForget === 1,
  };
}

/**
 * The activations of each direction. alpha/beta values are consumed in order by the functions
 * that take them; a single direction's list is reused for both directions, and a two-direction
 * list on a one-direction node (RNN's default is [Tanh, Tanh]) keeps its first half.
 */
function readActivations(ctx: KernelContext, spec: RecurrentSpec, numDirections: number): Act[][] {
  const perDir = spec.activations.length;
  const given = attrStrings(ctx.node, 'activations');
  const names = given ?? spec.activations;
  const alphas = attrFloats(ctx.node, 'activation_alpha') ?? [];
  const betas = attrFloats(ctx.node, 'activation_beta') ?? [];
  let ai = 0;
  let bi = 0;
  const acts = names.map((name): Act => {
    const def = ACTIVATIONS[name.toLowerCase()];
    if (!def) {
      throw nodeError(ctx, 'OP_UNSUPPORTED', `activation '${name}' is not one of ${Object.keys(ACTIVATIONS).join(', ')}`, {
        actual: name,
      });
    }
    const alpha = def.alpha === undefined ? 0 : ai < alphas.length ? alphas[ai++]! : def.alpha;
    const beta = def.beta === undefined ? 0 : bi < betas.length ? betas[bi++]! : def.beta;
    return { fn: def.fn, alpha, beta };
  });
  const need = perDir * numDirections;
  const list = acts.length === perDir ? Array.from({ length: numDirections }, () => acts).flat() : acts;
  if (list.length !== need && !(numDirections === 1 && list.length === 2 * perDir)) {
    throw nodeError(ctx, 'MODEL_INVALID', `has ${acts.length} activations, expected ${need}`, { expected: need, actual: acts.length });
  }
  return Array.from({ length: numDirections }, (_, d) => list.slice(d * perDir, (d + 1) * perDir));
}

// ---------------------------------------------------------------------------------------------
// Shapes: one check for inference (symbolic dims) and for run (concrete dims).

const INPUT_NAMES = ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h', 'initial_c', 'P'];

interface Sizes {
  seq: Dim;
  batch: Dim;
  input: Dim;
  hidden: Dim;
}

/** The better known of two dims that must be equal; throws when both are numbers and differ. */
function unify(ctx: KernelContext, a: Dim, b: Dim, what: string): Dim {
  if (typeof a === 'number' && typeof b === 'number' && a !== b) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `${what} is ${b}, expected ${a}`, { expected: a, actual: b });
  }
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return a ?? b;
}

function times(k: number, d: Dim): Dim {
  return typeof d === 'number' ? k * d : undefined;
}

/** Checks every input's rank and dims against the others; returns the sizes as far as known. */
function checkShapes(ctx: KernelContext, spec: RecurrentSpec, a: RecurrentAttrs, shapes: (readonly Dim[] | undefined)[]): Sizes {
  const ranks = [3, 3, 3, 2, 1, 3, 3, 2];
  shapes.forEach((s, i) => {
    if (s && s.length !== ranks[i]) {
      throw nodeError(ctx, 'SHAPE_MISMATCH', `${INPUT_NAMES[i]} has ${s.length} dims, expected ${ranks[i]}`, {
        input: INPUT_NAMES[i],
        expected: ranks[i],
        actual: s.length,
      });
    }
  });
  const [x, w, r, , lens] = shapes;
  const nd = a.directions.length;
  const G = spec.gates;
  const seq = x?.[a.layout === 0 ? 0 : 1];
  let batch = x?.[a.layout === 0 ? 1 : 0];
  const input = x?.[2];
  // hidden_size: the attribute, else R's last dim, else W's gate rows.
  let hidden: Dim = a.hidden;
  hidden = unify(ctx, hidden, r?.[2], 'R dim 2 (hidden_size)');
  if (typeof hidden !== 'number' && typeof w?.[1] === 'number' && w[1] % G === 0) hidden = w[1] / G;
  const expectDims = (i: number, expected: Dim[]): void => {
    const s = shapes[i];
    if (!s) return;
    expected.forEach((e, k) => unify(ctx, e, s[k], `${INPUT_NAMES[i]} dim ${k} (shape [${s.join(',')}])`));
  };
  expectDims(1, [nd, times(G, hidden), input]);
  if (typeof w?.[1] === 'number' && w[1] % G !== 0) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `W dim 1 is ${w[1]}, expected a multiple of ${G} gates`, { actual: w[1] });
  }
  expectDims(2, [nd, times(G, hidden), hidden]);
  expectDims(3, [nd, times(2 * G, hidden)]);
  batch = unify(ctx, batch, lens?.[0], 'sequence_lens dim 0 (batch)');
  for (const i of [5, 6]) {
    const s = shapes[i];
    if (!s) continue;
    batch = unify(ctx, batch, s[a.layout === 0 ? 1 : 0], `${INPUT_NAMES[i]} batch dim`);
    expectDims(i, a.layout === 0 ? [nd, batch, hidden] : [batch, nd, hidden]);
  }
  expectDims(7, [nd, times(3, hidden)]);
  return { seq, batch, input, hidden };
}

/** Float types the spec allows (bfloat16 only from opset 22). */
function checkFloat(ctx: KernelContext, dtype: DataType): void {
  const ok = dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || (dtype === 'bfloat16' && ctx.opset >= 22);
  if (!ok) {
    throw nodeError(ctx, 'DTYPE_MISMATCH', `X is ${dtype}, expected float16, float32 or float64`, {
      input: 'X',
      expected: ['float16', 'float32', 'float64'],
      actual: dtype,
    });
  }
}

/** X's dtype, checked against the other float inputs and sequence_lens (int32). */
function checkDtypes(ctx: KernelContext, dtypes: (DataType | undefined)[]): DataType {
  const dtype = dtypes[0]!;
  checkFloat(ctx, dtype);
  dtypes.forEach((t, i) => {
    if (t === undefined || i === 0) return;
    const expected = i === 4 ? 'int32' : dtype;
    if (t !== expected) {
      throw nodeError(ctx, 'DTYPE_MISMATCH', `${INPUT_NAMES[i]} is ${t}, expected ${expected}`, {
        input: INPUT_NAMES[i],
        expected,
        actual: t,
      });
    }
  });
  return dtype;
}

/** The node's inputs for this op (LSTM has 8, the others 6). */
function opInputs<T>(spec: RecurrentSpec, inputs: (T | undefined)[]): (T | undefined)[] {
  return inputs.slice(0, spec.hasCell ? 8 : 6);
}

function inferRecurrent(spec: RecurrentSpec) {
  return (ctx: InferContext, inputs: (ValueType | undefined)[]): ValueType[] => {
    required(ctx, inputs, 0, 'X');
    required(ctx, inputs, 1, 'W');
    required(ctx, inputs, 2, 'R');
    const own = opInputs(spec, inputs);
    const dtype = checkDtypes(ctx, own.map((t) => t?.dtype));
    const a = readAttrs(ctx, spec);
    const { seq, batch, hidden } = checkShapes(ctx, spec, a, own.map((t) => t?.shape));
    const nd = a.directions.length;
    const y = a.layout === 0 ? [seq, nd, batch, hidden] : [batch, seq, nd, hidden];
    const state = a.layout === 0 ? [nd, batch, hidden] : [batch, nd, hidden];
    const out: ValueType[] = [
      { dtype, shape: y },
      { dtype, shape: state },
    ];
    if (spec.hasCell) out.push({ dtype, shape: state.slice() });
    return out;
  };
}

// ---------------------------------------------------------------------------------------------
// The driver.

function runRecurrent(spec: RecurrentSpec) {
  return (ctx: KernelContext, inputs: (Tensor | undefined)[]): Tensor[] => {
    const X = required(ctx, inputs, 0, 'X');
    required(ctx, inputs, 1, 'W');
    required(ctx, inputs, 2, 'R');
    const own = opInputs(spec, inputs);
    const dtype = checkDtypes(ctx, own.map((t) => t?.type));
    const a = readAttrs(ctx, spec);
    const sizes = checkShapes(ctx, spec, a, own.map((t) => t?.dims));
    const [, W, R, B, lensT, h0, c0, P] = own;
    const seq = sizes.seq as number;
    const batch = sizes.batch as number;
    const I = sizes.input as number;
    const H = sizes.hidden as number;
    const nd = a.directions.length;
    const G = spec.gates;
    const GH = G * H;
    const where = describeNode(ctx.node);
    const work: 'float32' | 'float64' = dtype === 'float64' ? 'float64' : 'float32';
    const zeros = (n: number): Arr => Tensor.zeros(work, [n], where).data as Arr;
    const asWork = (t: Tensor): Arr => (t.type === work ? (t.data as Arr) : t.toFloat32());

    // Sequence lengths: each within [0, seq_length].
    const lens = new Int32Array(batch).fill(seq);
    if (lensT) {
      const data = lensT.data as Int32Array;
      for (let b = 0; b < batch; b++) {
        const n = data[b]!;
        if (n < 0 || n > seq) {
          throw nodeError(ctx, 'INPUT_INVALID', `sequence_lens[${b}] is ${n}, expected 0..${seq}`, {
            input: 'sequence_lens',
            expected: `0..${seq}`,
            actual: n,
          });
        }
        lens[b] = n;
      }
    }

    const x = asWork(X);
    const w = asWork(W!);
    const r = asWork(R!);
    const bias = B ? asWork(B) : zeros(nd * 2 * GH);
    const peep = P ? asWork(P) : zeros(nd * 3 * H);
    const hInit = h0 ? asWork(h0) : undefined;
    const cInit = c0 ? asWork(c0) : undefined;

    const yDims = a.layout === 0 ? [seq, nd, batch, H] : [batch, seq, nd, H];
    const stateDims = a.layout === 0 ? [nd, batch, H] : [batch, nd, H];
    const Y = zeros(seq * nd * batch * H);
    const Yh = zeros(nd * batch * H);
    const Yc = zeros(nd * batch * H);
    // Offsets of (t, b) in X, (t, d, b) in Y and (d, b) in the state tensors, for both layouts.
    const xOff = (t: number, b: number): number => (a.layout === 0 ? t * batch + b : b * seq + t) * I;
    const yOff = (t: number, d: number, b: number): number =>
      (a.layout === 0 ? (t * nd + d) * batch + b : (b * seq + t) * nd + d) * H;
    const stateOff = (d: number, b: number): number => (a.layout === 0 ? d * batch + b : b * nd + d) * H;

    const xw = zeros(seq * batch * GH);
    const h = zeros(batch * H);
    const c = zeros(batch * H);
    for (let d = 0; d < nd; d++) {
      const Wd = w.subarray(d * GH * I, (d + 1) * GH * I);
      const Wb = bias.subarray(d * 2 * GH, d * 2 * GH + GH);
      const cell: Cell = {
        hidden: H,
        R: r.subarray(d * GH * H, (d + 1) * GH * H),
        Rb: bias.subarray(d * 2 * GH + GH, (d + 1) * 2 * GH),
        P: peep.subarray(d * 3 * H, (d + 1) * 3 * H),
        acts: a.acts[d]!,
        clip: a.clip,
        linearBeforeReset: a.linearBeforeReset,
        inputForget: a.inputForget,
        gates: zeros(GH),
        tmp: zeros(H),
      };

      // The input projection of every step at once: xw[t, b] = X[t, b]·W^T + Wb.
      for (let t = 0; t < seq; t++) {
        for (let b = 0; b < batch; b++) {
          const xo = xOff(t, b);
          const row = (t * batch + b) * GH;
          for (let g = 0; g < GH; g++) xw[row + g] = Wb[g]! + dot(Wd, g * I, x, xo, I);
        }
      }

      for (let b = 0; b < batch; b++) {
        const so = stateOff(d, b);
        for (let j = 0; j < H; j++) {
          h[b * H + j] = hInit ? hInit[so + j]! : 0;
          c[b * H + j] = cInit ? cInit[so + j]! : 0;
        }
      }

      // Step s of row b is time t = s (forward) or len-1-s (reverse, from the row's own last
      // valid step); steps past a row's length leave its state alone and its Y at zero.
      const reverse = a.directions[d] === 'reverse';
      for (let s = 0; s < seq; s++) {
        for (let b = 0; b < batch; b++) {
          const len = lens[b]!;
          if (s >= len) continue;
          const t = reverse ? len - 1 - s : s;
          spec.step(cell, xw, (t * batch + b) * GH, h, b * H, c, b * H);
          const yo = yOff(t, d, b);
          for (let j = 0; j < H; j++) Y[yo + j] = h[b * H + j]!;
        }
      }

      for (let b = 0; b < batch; b++) {
        const so = stateOff(d, b);
        for (let j = 0; j < H; j++) {
          Yh[so + j] = h[b * H + j]!;
          Yc[so + j] = c[b * H + j]!;
        }
      }
    }

    const out = (data: Arr, dims: number[]): Tensor =>
      dtype === work ? new Tensor(dtype, data, dims) : Tensor.fromNumbers(dtype, data, dims);
    const outputs = [out(Y, yDims), out(Yh, stateDims)];
    if (spec.hasCell) outputs.push(out(Yc, stateDims));
    return outputs;
  };
}

function recurrentOp(spec: RecurrentSpec): OpDef {
  return { infer: inferRecurrent(spec), run: runRecurrent(spec) };
}

export const rnnOps: OpTable = {
  RNN: recurrentOp({ gates: 1, activations: ['Tanh'], hasCell: false, step: rnnStep }),
  GRU: recurrentOp({ gates: 3, activations: ['Sigmoid', 'Tanh'], hasCell: false, step: gruStep }),
  LSTM: recurrentOp({ gates: 4, activations: ['Sigmoid', 'Tanh', 'Tanh'], hasCell: true, step: lstmStep }),
};
