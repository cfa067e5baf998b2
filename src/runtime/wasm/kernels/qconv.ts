// edgeinfer.QLinearConvFixed on the int8 WebAssembly kernels: 2-D NCHW; depthwise convolutions (group == C == M) on
// qs8_dwconv2d_3x3 (3x3, stride 1 or 2) or qs8_dwconv2d_dwk2 (any other), 3x3 stride-1 ones by exact integer Winograd when no sum can overflow, the others as an implicit
// int8 GEMM on weights packed once (m4tc2); all requantized in the epilogue.

import { attrInt } from '../../../ir/attrs.js';
import { windowGeometry } from '../../../kernels/ref/conv-geometry.js';
import { convParams } from '../../../kernels/ref/qfused.js';
import type { PreparedKernel, WasmKernelContext } from '../kernel-def.js';
import { isQuantized, perChannel, qDims, qFlags, uploadBytes, uploadInt32, uploadQOut } from './qcommon.js';

/**
 * Below this many input or output channels, Winograd's transforms cost more than its 2.25x fewer products save
 * (measured: C = M = 8 at 48x48 runs 1.1x the direct kernel's time, C = M = 16 at 32x32 0.83x).
 */
const WINOGRAD_MIN_CHANNELS = 16;

/**
 * The largest |sum| the integer Winograd kernel can form for any input: |V| <= 4 * max |x - xZero| times, per output
 * channel, the sum of |U'| over its 16 transformed taps and channels (read back from the packed wino2x2k2 weights).
 */
function winogradSumBound(ctx: WasmKernelContext, packed: number, m: number, c: number, xZero: number): number {
  const range = ctx.inputs[0]!.dtype === 'uint8' ? [0, 255] : [-128, 127];
  const vMax = 4 * Math.max(range[1]! - xZero, xZero - range[0]!);
  const cp2 = (c + 1) >> 1;
  const u = new Int16Array(ctx.wasm.memory.buffer, packed, 16 * Math.ceil(m / 4) * cp2 * 8);
  const perChannel = new Float64Array(Math.ceil(m / 4) * 4);
  // [16][ceil(M/4)][cp2][4][2]: element i belongs to output channel block * 4 + r.
  for (let i = 0; i < u.length; i++) {
    const block = Math.floor(i / (cp2 * 8)) % Math.ceil(m / 4);
    perChannel[block * 4 + ((i >> 1) & 3)]! += Math.abs(u[i]!);
  }
  return vMax * Math.max(...perChannel);
}

export function prepareQConv(ctx: WasmKernelContext): PreparedKernel | undefined {
  const x = qDims(ctx.inputs[0]);
  const y = qDims(ctx.outputs[0]);
  const weight = ctx.constant(1);
  const bias = ctx.node.inputs[2] ? ctx.constant(2) : undefined;
  if (!x || !y || x.length !== 4 || ctx.constant(0) || !weight || !isQuantized(weight.type) || weight.dims.length !== 4) return undefined;
  if (ctx.node.inputs[2] && (!bias || bias.type !== 'int32')) return undefined;
  const dtype = ctx.inputs[0]!.dtype;
  const [n, c, h, w] = x as [number, number, number, number];
  const [m, cg, kh, kw] = weight.dims as [number, number, number, number];
  const group = attrInt(ctx.node, 'group', 1);
  const geo = windowGeometry(ctx, 'conv', [h, w], [kh, kw]);
  const [oh, ow] = [y[2]!, y[3]!];
  const [sh, sw] = geo.strides as [number, number];
  const [dh, dw] = geo.dilations as [number, number];
  const [pt, pl] = geo.padsBegin as [number, number];
  const p = convParams(ctx, dtype, weight.type, m);
  const fn = ctx.wasm.fn;
  const params = uploadQOut(ctx.wasm, m, bias, p.xZero, p.requant, dtype);
  const wFlags = qFlags(weight.type);

  if (group === c && group === m && cg === 1 && kh === 3 && kw === 3 && sh === sw && (sh === 1 || sh === 2) && dh === 1 && dw === 1) {
    // 3x3 depthwise (MobileNet, DS-CNN): straight from a zero-point-padded int8 plane, the bias folded into the weights.
    const packed = ctx.wasm.alloc(fn.qs8_pack_dw3x3_bytes(c), 16);
    const mark = ctx.wasm.mark();
    const biasPtr = bias ? uploadInt32(ctx.wasm, bias.data as Int32Array) : 0;
    fn.qs8_pack_dw3x3__ck(packed, uploadBytes(ctx.wasm, weight), uploadInt32(ctx.wasm, perChannel(p.wZero, m)), biasPtr, c, p.xZero, wFlags);
    ctx.wasm.reset(mark);
    return {
      name: `qs8_dwconv2d_3x3__${ctx.wasm.variant}`,
      scratchBytes: fn.qs8_dwconv2d_3x3_scratch_bytes(w, sh, pl, oh, ow),
      run: (inp, out, scratch) => fn.qs8_dwconv2d_3x3(inp[0]!, out[0]!, packed, params, scratch, n, c, h, w, sh, pt, pl, oh, ow),
    };
  }
  if (group === c && group === m && cg === 1) {
    const packed = ctx.wasm.alloc(fn.qs8_pack_dwk2_bytes(c, kh, kw), 16);
    const mark = ctx.wasm.mark(); // the unpacked weights are only the packing's source
    fn.qs8_pack_dwk2__ck(packed, uploadBytes(ctx.wasm, weight), uploadInt32(ctx.wasm, perChannel(p.wZero, m)), c, kh, kw, wFlags);
    ctx.wasm.reset(mark);
    return {
      name: `qs8_dwconv2d_dwk2__${ctx.wasm.variant}`,
      scratchBytes: fn.qs8_dwconv2d_scratch_bytes(kh, kw, sh, sw, dh, dw, oh, ow),
      run: (inp, out, scratch) => fn.qs8_dwconv2d_dwk2(inp[0]!, out[0]!, packed, params, scratch, n, c, h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow),
    };
  }
  if (kh === 3 && kw === 3 && sh === 1 && sw === 1 && dh === 1 && dw === 1 && group === 1 && c >= WINOGRAD_MIN_CHANNELS && m >= WINOGRAD_MIN_CHANNELS) {
    const packed = ctx.wasm.alloc(fn.qs8_pack_wino2x2_bytes(m, c), 16);
    const mark = ctx.wasm.mark();
    fn.qs8_pack_wino2x2__mc(packed, uploadBytes(ctx.wasm, weight), uploadInt32(ctx.wasm, perChannel(p.wZero, m)), m, c, wFlags);
    ctx.wasm.reset(mark);
    if (winogradSumBound(ctx, packed, m, c, p.xZero) < 2 ** 31) {
      return {
        name: `qs8_conv3x3_wino2x2__${ctx.wasm.variant}`,
        scratchBytes: fn.qs8_conv3x3_wino2x2_scratch_bytes(c, m, oh, ow),
        run: (inp, out, scratch) => fn.qs8_conv3x3_wino2x2(inp[0]!, out[0]!, packed, params, scratch, n, c, h, w, m, pt, pl, oh, ow),
      };
    }
    ctx.wasm.reset(packed); // sums could overflow int32: the direct kernel runs it
  }
  const taps = kh * kw;
  const packed = ctx.wasm.alloc(fn.qs8_pack_m4tc2_bytes(m, cg, taps, group), 16);
  const mark = ctx.wasm.mark();
  fn.qs8_pack_m4tc2__mct(packed, uploadBytes(ctx.wasm, weight), uploadInt32(ctx.wasm, perChannel(p.wZero, m)), m, cg, taps, group, wFlags);
  ctx.wasm.reset(mark);
  return {
    name: `qs8_conv2d_m4tc2__${ctx.wasm.variant}`,
    scratchBytes: fn.qs8_conv2d_scratch_bytes(cg, h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow),
    run: (inp, out, scratch) =>
      fn.qs8_conv2d_m4tc2(inp[0]!, out[0]!, packed, params, scratch, n, c, h, w, m, group, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow),
  };
}
