// Test helper: small models built in code, with their types inferred by the reference op table.

import { int, ints, makeModel, node } from '../../../test/helpers/build.js';
import type { Dim, Model, ValueType } from '../../ir/graph.js';
import { verifyModel } from '../../ir/verify.js';
import { referenceOps } from '../../kernels/ref/index.js';
import type { DataType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';

/** Deterministic non-zero float weights: 0.5, -0.75, 1, … (never 0, so density is exactly 1). */
export function denseWeights(dims: number[]): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return new Tensor('float32', Float32Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * (0.5 + (i % 7) / 4)), dims);
}

/** The same weights with every `keepEvery`-th element kept and the rest set to exact zero. */
export function pruned(w: Tensor, keepEvery: number): Tensor {
  const data = Float32Array.from(w.data as Float32Array, (v, i) => (i % keepEvery === 0 ? v : 0));
  return new Tensor('float32', data, w.dims);
}

/** Types of a model after binding its symbolic dims. */
export function typesOf(model: Model, dims: Record<string, number> = {}): Map<string, ValueType> {
  const inputs = model.graph.inputs.map((i) => ({
    ...i,
    type: i.type && { ...i.type, shape: i.type.shape?.map((d: Dim) => (typeof d === 'string' && d in dims ? dims[d] : d)) },
  }));
  return verifyModel({ ...model, graph: { ...model.graph, inputs } }, referenceOps).types;
}

/** x [N, C, H, W] → Conv(w, 3×3, no padding) → y. */
export function convModel(w: Tensor, x: Dim[]): Model {
  return makeModel({
    inputs: [['x', 'float32', x]],
    outputs: [['y', 'float32']],
    nodes: [node('Conv', ['x', 'w'], ['y'], { kernel_shape: ints(w.dims.slice(2)) }, 'conv')],
    initializers: { w },
  });
}

/** x [N, K] → Gemm(w [K, M], bias [M]) → y. */
export function gemmModel(w: Tensor, bias: Tensor, batch: Dim = 'N'): Model {
  return makeModel({
    inputs: [['x', 'float32', [batch, w.dims[0]!]]],
    outputs: [['y', 'float32']],
    nodes: [node('Gemm', ['x', 'w', 'bias'], ['y'], {}, 'fc')],
    initializers: { w, bias },
  });
}

const scalar = (type: DataType, v: number) => Tensor.fromNumbers(type, [v], []);

/** The int8 twin of convModel: QLinearConv with per-tensor parameters, uint8 activations and int8 weights. */
export function qlinearConvModel(w: Tensor, x: Dim[]): Model {
  const wq = new Tensor('int8', Int8Array.from(w.toNumbers(), (v) => Math.round(v * 50)), w.dims);
  return makeModel({
    inputs: [['x', 'uint8', x]],
    outputs: [['y', 'uint8']],
    nodes: [
      node('QLinearConv', ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz'], ['y'], { kernel_shape: ints(w.dims.slice(2)), group: int(1) }, 'qconv'),
    ],
    initializers: {
      w: wq,
      xs: scalar('float32', 0.02),
      xz: scalar('uint8', 128),
      ws: scalar('float32', 0.02),
      wz: scalar('int8', 0),
      ys: scalar('float32', 0.05),
      yz: scalar('uint8', 128),
    },
  });
}
