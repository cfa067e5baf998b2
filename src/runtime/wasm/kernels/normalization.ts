// Softmax and LayerNormalization over the last axis on the WebAssembly kernels (float32).

import { attrFloat, attrInt } from '../../../ir/attrs.js';
import { sizeOf } from '../../../tensor/shape.js';
import type { PreparedKernel, WasmKernelContext } from '../kernel-def.js';
import { f32Dims, uploadTensor } from './common.js';

export function prepareSoftmax(ctx: WasmKernelContext): PreparedKernel | undefined {
  const x = f32Dims(ctx.inputs[0]);
  if (!x || x.length === 0) return undefined;
  const rank = x.length;
  const axis = attrInt(ctx.node, 'axis', ctx.opset >= 13 ? -1 : 1);
  // Before opset 13 Softmax flattens to 2-D at `axis`: the same as the last axis only when axis = rank - 1.
  if ((axis < 0 ? axis + rank : axis) !== rank - 1) return undefined;
  const cols = x[rank - 1]!;
  const rows = sizeOf(x) / Math.max(cols, 1);
  const fn = ctx.wasm.fn;
  return {
    name: `f32_softmax_lastaxis_x4__${ctx.wasm.variant}`,
    scratchBytes: 0,
    run: (inp, out) => fn.f32_softmax_lastaxis_x4(inp[0]!, out[0]!, rows, cols),
  };
}

export function prepareLayerNormalization(ctx: WasmKernelContext): PreparedKernel | undefined {
  const x = f32Dims(ctx.inputs[0]);
  if (!x || x.length === 0 || ctx.node.outputs.slice(1).some((o) => o)) return undefined;
  const rank = x.length;
  const axis = attrInt(ctx.node, 'axis', -1);
  if ((axis < 0 ? axis + rank : axis) !== rank - 1) return undefined;
  const cols = x[rank - 1]!;
  const scale = ctx.constant(1);
  const bias = ctx.node.inputs[2] ? ctx.constant(2) : undefined;
  if (!scale || scale.size !== cols || (ctx.node.inputs[2] && (!bias || bias.size !== cols))) return undefined;
  const gamma = uploadTensor(ctx.wasm, scale);
  const beta = uploadTensor(ctx.wasm, bias);
  const epsilon = attrFloat(ctx.node, 'epsilon', 1e-5);
  const rows = sizeOf(x) / Math.max(cols, 1);
  const fn = ctx.wasm.fn;
  return {
    name: `f32_layernorm_lastaxis_x4__${ctx.wasm.variant}`,
    scratchBytes: 0,
    run: (inp, out) => fn.f32_layernorm_lastaxis_x4(inp[0]!, out[0]!, rows, cols, gamma, beta, epsilon),
  };
}
