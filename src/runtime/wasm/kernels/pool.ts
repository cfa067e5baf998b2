// MaxPool / AveragePool / GlobalAveragePool on the WebAssembly kernels (2-D float32 NCHW).

import { attrInt, attrInts } from '../../../ir/attrs.js';
import { windowGeometry } from '../../../kernels/ref/conv-geometry.js';
import type { PreparedKernel, WasmKernelContext } from '../kernel-def.js';
import { f32Dims } from './common.js';

function poolGeometry(ctx: WasmKernelContext) {
  const x = f32Dims(ctx.inputs[0]);
  const y = f32Dims(ctx.outputs[0]);
  const kernel = attrInts(ctx.node, 'kernel_shape');
  if (!x || !y || x.length !== 4 || !kernel || kernel.length !== 2) return undefined;
  const [n, c, h, w] = x as [number, number, number, number];
  const geo = windowGeometry(ctx, 'pool', [h, w], kernel);
  const [sh, sw] = geo.strides as [number, number];
  const [dh, dw] = geo.dilations as [number, number];
  const [pt, pl] = geo.padsBegin as [number, number];
  const [pb, pr] = geo.padsEnd as [number, number];
  return { nc: n * c, h, w, kh: kernel[0]!, kw: kernel[1]!, oh: y[2]!, ow: y[3]!, sh, sw, dh, dw, pt, pl, pb, pr };
}

export function prepareMaxPool(ctx: WasmKernelContext): PreparedKernel | undefined {
  if (ctx.node.outputs.length > 1 && ctx.node.outputs[1]) return undefined; // Indices: reference kernel
  const g = poolGeometry(ctx);
  if (!g) return undefined;
  const { nc, h, w, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl } = g;
  const fn = ctx.wasm.fn;
  return {
    name: `f32_maxpool2d_x4__${ctx.wasm.variant}`,
    scratchBytes: 0,
    run: (inp, out) => fn.f32_maxpool2d_x4(inp[0]!, out[0]!, nc, h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow),
  };
}

export function prepareAveragePool(ctx: WasmKernelContext): PreparedKernel | undefined {
  const g = poolGeometry(ctx);
  if (!g) return undefined;
  const { nc, h, w, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl, pb, pr } = g;
  const countIncludePad = attrInt(ctx.node, 'count_include_pad', 0);
  const fn = ctx.wasm.fn;
  return {
    name: `f32_avgpool2d_x4__${ctx.wasm.variant}`,
    scratchBytes: 0,
    run: (inp, out) => fn.f32_avgpool2d_x4(inp[0]!, out[0]!, nc, h, w, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, oh, ow, countIncludePad),
  };
}

export function prepareGlobalAveragePool(ctx: WasmKernelContext): PreparedKernel | undefined {
  const x = f32Dims(ctx.inputs[0]);
  if (!x || x.length < 3) return undefined;
  const nc = x[0]! * x[1]!;
  const hw = x.slice(2).reduce((p, d) => p * d, 1);
  const fn = ctx.wasm.fn;
  return {
    name: `f32_global_avgpool_x4__${ctx.wasm.variant}`,
    scratchBytes: 0,
    run: (inp, out) => fn.f32_global_avgpool_x4(inp[0]!, out[0]!, nc, hw),
  };
}
