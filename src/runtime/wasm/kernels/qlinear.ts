// QuantizeLinear / DequantizeLinear with per-tensor constant parameters on the WebAssembly kernels: the float edges
// of an integer graph (the model input quantized, the logits dequantized). Per-axis and int32 cases decline.

import type { DataType } from '../../../tensor/dtype.js';
import type { PreparedKernel, WasmKernelContext } from '../kernel-def.js';
import { f32Dims } from './common.js';
import { isQuantized, qDims, qFlags } from './qcommon.js';

/** The constant per-tensor scale and zero point of inputs 1 and 2, or undefined. */
function scalarParams(ctx: WasmKernelContext, dtype: DataType): { scale: number; zeroPoint: number } | undefined {
  const scale = ctx.constant(1);
  const zp = ctx.node.inputs[2] ? ctx.constant(2) : undefined;
  if (!scale || scale.type !== 'float32' || scale.size !== 1 || (ctx.node.inputs[2] && (!zp || zp.size !== 1 || zp.type !== dtype))) return undefined;
  const s = scale.toNumbers()[0]!;
  if (!(s > 0) || !Number.isFinite(s)) return undefined; // the reference kernel reports it
  return { scale: s, zeroPoint: zp ? zp.toNumbers()[0]! : 0 };
}

/**
 * One elementwise conversion at a float edge of an integer graph: `dims` is the input's static shape when the
 * input is of the right kind, `dtype` the quantized side's dtype.
 */
function prepareEdge(
  ctx: WasmKernelContext,
  kernel: 'qs8_quantize_f32' | 'qs8_dequantize_f32',
  dims: number[] | undefined,
  dtype: DataType | undefined,
): PreparedKernel | undefined {
  if (!dims || !isQuantized(dtype) || ctx.constant(0)) return undefined;
  const p = scalarParams(ctx, dtype);
  if (!p) return undefined;
  const n = dims.reduce((s, d) => s * d, 1);
  const flags = qFlags(dtype);
  const f = ctx.wasm.fn[kernel];
  return {
    name: `${kernel}__${ctx.wasm.variant}`,
    scratchBytes: 0,
    run: (inp, out) => f(inp[0]!, out[0]!, n, p.scale, p.zeroPoint, flags),
  };
}

export function prepareQuantizeLinear(ctx: WasmKernelContext): PreparedKernel | undefined {
  return prepareEdge(ctx, 'qs8_quantize_f32', f32Dims(ctx.inputs[0]), ctx.outputs[0]?.dtype);
}

export function prepareDequantizeLinear(ctx: WasmKernelContext): PreparedKernel | undefined {
  if (ctx.outputs[0]?.dtype !== 'float32') return undefined;
  return prepareEdge(ctx, 'qs8_dequantize_f32', qDims(ctx.inputs[0]), ctx.inputs[0]?.dtype);
}
