// Conv / FusedConv on the WebAssembly kernels: 2-D float32 NCHW; depthwise convolutions on the
// depthwise kernel, the rest as GEMM on weights packed once at load (gm4), with the activation fused.

import { attrInt } from '../../../ir/attrs.js';
import { windowGeometry } from '../../../kernels/ref/conv-geometry.js';
import type { PreparedKernel, WasmKernelContext } from '../kernel-def.js';
import { f32Dims, fusedActivation, upload, uploadTensor } from './common.js';

export function prepareConv(ctx: WasmKernelContext): PreparedKernel | undefined {
  const x = f32Dims(ctx.inputs[0]);
  const y = f32Dims(ctx.outputs[0]);
  const weight = ctx.constant(1);
  const biasInput = ctx.node.inputs[2] ? ctx.constant(2) : undefined;
  const act = fusedActivation(ctx.node);
  if (!x || !y || x.length !== 4 || !weight || weight.type !== 'float32' || weight.dims.length !== 4 || !act) return undefined;
  if (ctx.node.inputs[2] && !biasInput) return undefined;
  const [n, c, h, w] = x as [number, number, number, number];
  const [m, cg, kh, kw] = weight.dims as [number, number, number, number];
  const group = attrInt(ctx.node, 'group', 1);
  const geo = windowGeometry(ctx, 'conv', [h, w], [kh, kw]);
  const [oh, ow] = [y[2]!, y[3]!];
  const [sh, sw] = geo.strides as [number, number];
  const [dh, dw] = geo.dilations as [number, number];
  const [pt, pl] = geo.padsBegin as [number, number];
  const fn = ctx.wasm.fn;
  const bias = uploadTensor(ctx.wasm, biasInput);

  if (group === c && group === m && cg === 1) {
    const wPtr = upload(ctx.wasm, weight.toFloat32());
    return {
      name: `f32_dwconv2d_x8__${ctx.wasm.variant}`,
      scratchBytes: fn.f32_dwconv2d_scratch_bytes(h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow),
      run: (inp, out, scratch) =>
        fn.f32_dwconv2d_x8(inp[0]!, out[0]!, wPtr, bias, scratch, n, c, h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, act.code, act.p0, act.p1),
    };
  }
  const k = cg * kh * kw;
  const packed = ctx.wasm.alloc(fn.f32_pack_gm4_bytes(m, k, group), 16);
  // The unpacked weights are only the packing's source: freed right after.
  const mark = ctx.wasm.mark();
  fn.f32_pack_gm4__mk(packed, upload(ctx.wasm, weight.toFloat32()), m, k, group);
  ctx.wasm.reset(mark);
  const scratchBytes = fn.f32_conv2d_scratch_bytes(cg, h, w, kh, kw, sh, sw, pt, pl, oh, ow);
  return {
    name: `f32_conv2d_4x8__${ctx.wasm.variant}`,
    scratchBytes,
    run: (inp, out, scratch) =>
      fn.f32_conv2d_4x8(inp[0]!, out[0]!, packed, bias, scratch, n, c, h, w, m, group, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, act.code, act.p0, act.p1),
  };
}
