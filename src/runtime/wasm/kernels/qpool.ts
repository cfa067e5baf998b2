// Int8 pools on the WebAssembly kernels: MaxPool on int8 / uint8 values (2-D), edgeinfer.QAveragePoolFixed and
// edgeinfer.QGlobalAveragePoolFixed with the multiplier of each window count computed once here (countRequant).

import { attrInt, attrInts } from '../../../ir/attrs.js';
import { windowGeometry } from '../../../kernels/ref/conv-geometry.js';
import { countRequant, pool2d, poolParams } from '../../../kernels/ref/qfused.js';
import type { PreparedKernel, WasmKernelContext } from '../kernel-def.js';
import { qDims, qFlags, uploadInt32 } from './qcommon.js';

export function prepareQMaxPool(ctx: WasmKernelContext): PreparedKernel | undefined {
  const x = qDims(ctx.inputs[0]);
  const y = qDims(ctx.outputs[0]);
  const kernel = attrInts(ctx.node, 'kernel_shape');
  if (!x || !y || x.length !== 4 || ctx.constant(0) || !kernel || kernel.length !== 2 || (ctx.node.outputs[1] ?? '') !== '') return undefined;
  const [n, c, h, w] = x as [number, number, number, number];
  const geo = windowGeometry(ctx, 'pool', [h, w], kernel);
  const [sh, sw] = geo.strides as [number, number];
  const [dh, dw] = geo.dilations as [number, number];
  const [pt, pl] = geo.padsBegin as [number, number];
  const flags = qFlags(ctx.inputs[0]!.dtype);
  const fn = ctx.wasm.fn;
  return {
    name: `qs8_maxpool2d__${ctx.wasm.variant}`,
    scratchBytes: 0,
    run: (inp, out) => fn.qs8_maxpool2d(inp[0]!, out[0]!, n * c, h, w, kernel[0]!, kernel[1]!, sh, sw, dh, dw, pt, pl, y[2]!, y[3]!, flags),
  };
}

export function prepareQAveragePool(ctx: WasmKernelContext): PreparedKernel | undefined {
  const x = qDims(ctx.inputs[0]);
  if (!x || x.length !== 4 || ctx.constant(0) || !qDims(ctx.outputs[0])) return undefined;
  const dtype = ctx.inputs[0]!.dtype;
  const p = poolParams(ctx, dtype);
  const g = pool2d(ctx, x, false);
  // Multiplier and shift per window count 1..kh*kw, as the reference kernel derives them.
  const byCount = Array.from({ length: g.kh * g.kw }, (_, i) => countRequant(p.requant, i + 1));
  const mults = uploadInt32(ctx.wasm, byCount.map((r) => r.multiplier[0]!));
  const shifts = uploadInt32(ctx.wasm, byCount.map((r) => r.shift[0]!));
  const r = p.requant;
  const flags = qFlags(dtype);
  const include = attrInt(ctx.node, 'count_include_pad', 0);
  const fn = ctx.wasm.fn;
  return {
    name: `qs8_avgpool2d__${ctx.wasm.variant}`,
    scratchBytes: 0,
    run: (inp, out) =>
      fn.qs8_avgpool2d(inp[0]!, out[0]!, g.n * g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.pb, g.pr, g.oh, g.ow, include, p.xZero, mults, shifts, r.zeroPoint, r.min, r.max, flags),
  };
}

export function prepareQGlobalAveragePool(ctx: WasmKernelContext): PreparedKernel | undefined {
  const x = qDims(ctx.inputs[0]);
  if (!x || x.length !== 4 || ctx.constant(0) || !qDims(ctx.outputs[0])) return undefined;
  const dtype = ctx.inputs[0]!.dtype;
  const p = poolParams(ctx, dtype);
  const hw = x[2]! * x[3]!;
  const r = countRequant(p.requant, Math.max(1, hw));
  const flags = qFlags(dtype);
  const fn = ctx.wasm.fn;
  return {
    name: `qs8_global_avgpool__${ctx.wasm.variant}`,
    scratchBytes: 0,
    run: (inp, out) => fn.qs8_global_avgpool(inp[0]!, out[0]!, x[0]! * x[1]!, hw, p.xZero, r.multiplier[0]!, r.shift[0]!, r.zeroPoint, r.min, r.max, flags),
  };
}
