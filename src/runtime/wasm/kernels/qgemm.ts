// edgeinfer.QGemmFixed on the int8 WebAssembly GEMM: a [..., K] by constant weights [K, N] packed once (n8k2b), each
// column requantized with its own multiplier. Declines weights whose zero-point-centred values do not fit int8.

import { gemmParams } from '../../../kernels/ref/qfused.js';
import type { NumberArray } from '../../../tensor/dtype.js';
import type { PreparedKernel, WasmKernelContext } from '../kernel-def.js';
import { isQuantized, perChannel, qDims, qFlags, uploadBytes, uploadInt32, uploadQOut } from './qcommon.js';

export function prepareQGemm(ctx: WasmKernelContext): PreparedKernel | undefined {
  const a = qDims(ctx.inputs[0]);
  const weight = ctx.constant(1);
  const bias = ctx.node.inputs[2] ? ctx.constant(2) : undefined;
  if (!a || a.length < 2 || ctx.constant(0) || !qDims(ctx.outputs[0]) || !weight || !isQuantized(weight.type) || weight.dims.length !== 2) return undefined;
  if (ctx.node.inputs[2] && (!bias || bias.type !== 'int32')) return undefined;
  const dtype = ctx.inputs[0]!.dtype;
  const [k, n] = weight.dims as [number, number];
  const m = a.slice(0, -1).reduce((s, d) => s * d, 1);
  const p = gemmParams(ctx, dtype, weight.type, n);
  const wZero = perChannel(p.wZero, n);
  const w = weight.data as NumberArray;
  for (let i = 0; i < w.length; i++) {
    const v = w[i]! - wZero[i % n]!;
    if (v < -128 || v > 127) return undefined; // packed as int8: the reference kernel runs such weights
  }
  const fn = ctx.wasm.fn;
  const params = uploadQOut(ctx.wasm, n, bias, p.aZero, p.requant, dtype);
  const packed = ctx.wasm.alloc(fn.qs8_pack_n8k2b_bytes(k, n), 16);
  const mark = ctx.wasm.mark(); // the unpacked weights are only the packing's source
  fn.qs8_pack_n8k2b__kn(packed, uploadBytes(ctx.wasm, weight), uploadInt32(ctx.wasm, wZero), k, n, qFlags(weight.type));
  ctx.wasm.reset(mark);
  return {
    name: `qs8_gemm_n8k2b__${ctx.wasm.variant}`,
    scratchBytes: fn.qs8_gemm_scratch_bytes(k, n),
    run: (inp, out, scratch) => fn.qs8_gemm_n8k2b(inp[0]!, out[0]!, packed, params, scratch, m, k, n),
  };
}
