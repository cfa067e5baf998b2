// edgeinfer.QGemmFixed / QGemmToFloat on the int8 WebAssembly GEMM: a [..., K] by constant weights [K, N] packed once
// (n8k2b), each column requantized with its own float32 scale, or dequantized to float32 by its scale. Declines weights
// whose zero-point-centred values do not fit int8. Cut across threads by panels of 8 columns, as the float GEMM.

import { QFUSED, dequantScales, gemmParams, scaleRequantAttrs } from '../../../kernels/ref/qfused.js';
import type { NumberArray } from '../../../tensor/dtype.js';
import type { PreparedKernel, WasmKernelContext } from '../kernel-def.js';
import { cachedCall } from './common.js';
import { isQuantized, perChannel, perChannelScale, qDims, qFlags, uploadBytes, uploadFloat32, uploadInt32, uploadQOut } from './qcommon.js';
import { QOUT_BYTES, uploadQOutShares } from './qshare.js';

/** Flag of qs8_gemm_n8k2b: float32 output (Q_FLOAT_OUT in assembly/int8/requant.ts). */
const Q_FLOAT_OUT = 2;

export function prepareQGemm(ctx: WasmKernelContext): PreparedKernel | undefined {
  const toFloat = ctx.node.op === QFUSED.gemmToFloat;
  const a = qDims(ctx.inputs[0]);
  const weight = ctx.constant(1);
  const bias = ctx.node.inputs[2] ? ctx.constant(2) : undefined;
  const yType = ctx.outputs[0];
  if (!a || a.length < 2 || ctx.constant(0) || !weight || !isQuantized(weight.type) || weight.dims.length !== 2) return undefined;
  if ((toFloat ? yType?.dtype !== 'float32' : !qDims(yType)) || (ctx.node.inputs[2] && (!bias || bias.type !== 'int32'))) return undefined;
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
  // The QOut block (see qcommon.ts): its scale pointer holds the requantization or, with a float output, the dequantization scales.
  let params: number;
  if (toFloat) {
    const biasPtr = uploadInt32(ctx.wasm, bias ? (bias.data as NumberArray) : new Int32Array(n));
    const scalePtr = uploadFloat32(ctx.wasm, perChannelScale(dequantScales(ctx, n), n));
    params = uploadInt32(ctx.wasm, [biasPtr, scalePtr, 0, p.aZero, 0, 0, 0, qFlags(dtype) | Q_FLOAT_OUT]);
  } else {
    params = uploadQOut(ctx.wasm, n, bias, p.aZero, scaleRequantAttrs(ctx, dtype, n), dtype);
  }
  const packed = ctx.once('packB', (wasm) => {
    const at = wasm.alloc(fn.qs8_pack_n8k2b_bytes(k, n), 16);
    const mark = wasm.mark(); // the unpacked weights are only the packing's source
    fn.qs8_pack_n8k2b__kn(at, uploadBytes(wasm, weight), uploadInt32(wasm, wZero), k, n, qFlags(weight.type));
    wasm.reset(mark);
    return at;
  });
  // A share of panels [begin, end) reads its own QOut block (bias and scales from column 8 * begin, rows n apart).
  const panels = Math.ceil(n / 8);
  const shareParams = panels > 1 ? uploadQOutShares(ctx.wasm, params, n, 8, n) : params;
  const outBytes = toFloat ? 4 : 1;
  const argsOf = (x: number, y: number, scratch: number, begin: number, end: number): number[] => {
    if (begin === 0 && end === panels) return [x, y, packed, params, scratch, m, k, n];
    const j0 = begin * 8;
    const cols = Math.min(n, end * 8) - j0;
    return [x, y + j0 * outBytes, packed + begin * fn.qs8_pack_n8k2b_bytes(k, 8), shareParams + begin * QOUT_BYTES, scratch, m, k, cols];
  };
  return {
    name: `qs8_gemm_n8k2b__${ctx.wasm.variant}`,
    scratchBytes: fn.qs8_gemm_scratch_bytes(k, n),
    run: cachedCall(fn.qs8_gemm_n8k2b as (...a: number[]) => unknown, (inp, out, scratch) => argsOf(inp[0]!, out[0]!, scratch, 0, panels)),
    partition: panels > 1 ? {
      kernel: 'qs8_gemm_n8k2b',
      units: panels,
      macs: m * k * n,
      args: (inp, out, scratch, begin, end) => argsOf(inp[0]!, out[0]!, scratch, begin, end),
    } : undefined,
  };
}
