// edgeinfer.QLinearConvFixed on the int8 WebAssembly kernels: 2-D NCHW; depthwise convolutions (group == C == M) on
// qs8_dwconv2d_3x3 (3x3, stride 1 or 2) or qs8_dwconv2d_dwk2 (any other), 3x3 stride-1 ones by exact integer Winograd
// when no sum can overflow, stems with 1 or 3 input channels on im2col index pairs (m4k2), the others as an implicit
// int8 GEMM on weights packed once (m4tc2); all requantized in the epilogue. Cut across threads like the float Conv
// (conv.ts): batch rows, or one sample's output channels in blocks of 4.

import { attrInt } from '../../../ir/attrs.js';
import { windowGeometry } from '../../../kernels/ref/conv-geometry.js';
import { convParams } from '../../../kernels/ref/qfused.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { KernelName } from '../../../kernels/wasm/kernel-functions.js';
import type { PreparedKernel, WasmKernelContext } from '../kernel-def.js';
import type { ConvGeometry } from './conv.js';
import { cachedCall } from './common.js';
import { isQuantized, perChannel, qDims, qFlags, uploadBytes, uploadInt32, uploadQOut } from './qcommon.js';
import { QOUT_BYTES, uploadQOutShares } from './qshare.js';

/**
 * Below this many input or output channels, Winograd's transforms cost more than its 2.25x fewer products save
 * (measured: C = M = 8 at 48x48 runs 1.1x the direct kernel's time, C = M = 16 at 32x32 0.83x).
 */
const WINOGRAD_MIN_CHANNELS = 16;

/**
 * The largest |sum| the integer Winograd kernel can form for any input: |V| <= 4 * max |x - xZero| times, per output
 * channel, the sum of |U'| over its 16 transformed taps and channels (read back from the packed m4wino2x2k2 weights).
 */
function winogradSumBound(ctx: WasmKernelContext, packed: number, m: number, c: number, xZero: number): number {
  const range = ctx.inputs[0]!.dtype === 'uint8' ? [0, 255] : [-128, 127];
  const vMax = 4 * Math.max(range[1]! - xZero, xZero - range[0]!);
  const cp2 = (c + 1) >> 1;
  const u = new Int16Array(ctx.wasm.memory.buffer, packed, 16 * Math.ceil(m / 4) * cp2 * 8);
  const perChannel = new Float64Array(Math.ceil(m / 4) * 4);
  // [ceil(M/4)][16][cp2][4][2]: element i belongs to output channel block * 4 + r.
  for (let i = 0; i < u.length; i++) {
    const block = Math.floor(i / (16 * cp2 * 8));
    perChannel[block * 4 + ((i >> 1) & 3)]! += Math.abs(u[i]!);
  }
  return vMax * Math.max(...perChannel);
}

/**
 * Whether a one-group Conv larger than 1x1 pairs its im2col index rather than its channels (qs8_conv2d_m4k2). Measured:
 * C = 1 takes half the steps (DS-CNN's first layer 0.56x the channel-pair kernel's time); C = 3 at 3x3 takes 14 instead
 * of 18, which pays for the gather at stride 2 (MobileNet's stem 0.85x) but not at stride 1 (ResNet-8's 1.3x).
 */
function pairsIm2col(g: QConvGeometry, cg: number, taps: number): boolean {
  return g.group === 1 && taps > 1 && (cg === 1 || (cg === 3 && g.sh * g.sw > 1));
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
  const params = uploadQOut(ctx.wasm, m, bias, p.xZero, p.requant, dtype);
  const wFlags = qFlags(weight.type);
  const depthwise = group === c && group === m && cg === 1;
  const g: QConvGeometry = { n, c, h, w, m, group, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow };
  // The kernel and its packed weights depend on the node's constants only: every plan of the session shares them.
  const impl = ctx.once('impl', (wasm) => {
    const owner = { ...ctx, wasm };
    return depthwise ? depthwiseImpl(owner, g, weight, bias, p.wZero, p.xZero, wFlags) : convImpl(owner, g, weight, p.wZero, p.xZero, wFlags);
  });
  return sharedKernel(ctx, g, impl, params, depthwise);
}

/** Everything an int8 Conv kernel takes besides pointers (the float Conv's geometry); a thread's share narrows n, or m (and c, group when depthwise). */
type QConvGeometry = Omit<ConvGeometry, 'mPacked' | 'cg'>;

/** The kernel chosen for a node, its weights packed: what a share changes is the geometry and the pointers. */
interface QConvImpl {
  kernel: KernelName;
  scratchBytes(g: QConvGeometry): number;
  /** Offset of output channel c0 (a multiple of 4) in the packed weights. */
  weightsAt(c0: number): number;
  args(g: QConvGeometry, x: number, y: number, weights: number, params: number, scratch: number): number[];
}

function depthwiseImpl(ctx: WasmKernelContext, g: QConvGeometry, weight: Tensor, bias: Tensor | undefined, wZero: ArrayLike<number>, xZero: number, wFlags: number): QConvImpl {
  const fn = ctx.wasm.fn;
  const { c, kh, kw } = g;
  if (kh === 3 && kw === 3 && g.sh === g.sw && (g.sh === 1 || g.sh === 2) && g.dh === 1 && g.dw === 1) {
    // 3x3 depthwise (MobileNet, DS-CNN): straight from a zero-point-padded int8 plane, the bias folded into the weights.
    const packed = ctx.wasm.alloc(fn.qs8_pack_dw3x3_bytes(c), 16);
    const mark = ctx.wasm.mark();
    const biasPtr = bias ? uploadInt32(ctx.wasm, bias.data as Int32Array) : 0;
    fn.qs8_pack_dw3x3__ck(packed, uploadBytes(ctx.wasm, weight), uploadInt32(ctx.wasm, perChannel(wZero, c)), biasPtr, c, xZero, wFlags);
    ctx.wasm.reset(mark);
    return {
      kernel: 'qs8_dwconv2d_3x3',
      scratchBytes: (s) => fn.qs8_dwconv2d_3x3_scratch_bytes(s.w, s.sh, s.pl, s.oh, s.ow),
      weightsAt: (c0) => packed + c0 * (fn.qs8_pack_dw3x3_bytes(1)),
      args: (s, x, y, wp, params, scratch) => [x, y, wp, params, scratch, s.n, s.c, s.h, s.w, s.sh, s.pt, s.pl, s.oh, s.ow],
    };
  }
  const packed = ctx.wasm.alloc(fn.qs8_pack_dwk2_bytes(c, kh, kw), 16);
  const mark = ctx.wasm.mark(); // the unpacked weights are only the packing's source
  fn.qs8_pack_dwk2__ck(packed, uploadBytes(ctx.wasm, weight), uploadInt32(ctx.wasm, perChannel(wZero, c)), c, kh, kw, wFlags);
  ctx.wasm.reset(mark);
  return {
    kernel: 'qs8_dwconv2d_dwk2',
    scratchBytes: (s) => fn.qs8_dwconv2d_scratch_bytes(s.kh, s.kw, s.sh, s.sw, s.dh, s.dw, s.oh, s.ow),
    weightsAt: (c0) => packed + c0 * fn.qs8_pack_dwk2_bytes(1, kh, kw),
    args: (s, x, y, wp, params, scratch) => [x, y, wp, params, scratch, s.n, s.c, s.h, s.w, s.kh, s.kw, s.sh, s.sw, s.dh, s.dw, s.pt, s.pl, s.oh, s.ow],
  };
}

function convImpl(ctx: WasmKernelContext, g: QConvGeometry, weight: Tensor, wZero: ArrayLike<number>, xZero: number, wFlags: number): QConvImpl {
  const fn = ctx.wasm.fn;
  const { m, c, kh, kw } = g;
  if (kh === 3 && kw === 3 && g.sh === 1 && g.sw === 1 && g.dh === 1 && g.dw === 1 && g.group === 1 && c >= WINOGRAD_MIN_CHANNELS && m >= WINOGRAD_MIN_CHANNELS) {
    const packed = ctx.wasm.alloc(fn.qs8_pack_wino2x2_bytes(m, c), 16);
    const mark = ctx.wasm.mark();
    fn.qs8_pack_wino2x2__mc(packed, uploadBytes(ctx.wasm, weight), uploadInt32(ctx.wasm, perChannel(wZero, m)), m, c, wFlags);
    ctx.wasm.reset(mark);
    if (winogradSumBound(ctx, packed, m, c, xZero) < 2 ** 31) {
      return {
        kernel: 'qs8_conv3x3_wino2x2',
        scratchBytes: (s) => fn.qs8_conv3x3_wino2x2_scratch_bytes(s.c, s.m, s.oh, s.ow),
        // Layout m4wino2x2k2: blocks of 4 output channels first.
        weightsAt: (c0) => packed + (c0 / 4) * fn.qs8_pack_wino2x2_bytes(4, c),
        args: (s, x, y, wp, params, scratch) => [x, y, wp, params, scratch, s.n, s.c, s.h, s.w, s.m, s.pt, s.pl, s.oh, s.ow],
      };
    }
    ctx.wasm.free(packed); // sums could overflow int32: the direct kernel runs it
  }
  const cg = c / g.group;
  const taps = kh * kw;
  if (pairsIm2col(g, cg, taps)) {
    // Stems: pairs of the im2col index instead of channel pairs, whose odd channel would be half zeros.
    const k = c * taps;
    const packed = ctx.wasm.alloc(fn.qs8_pack_m4tc2_bytes(m, k, 1, 1), 16);
    const mark = ctx.wasm.mark();
    fn.qs8_pack_m4tc2__mct(packed, uploadBytes(ctx.wasm, weight), uploadInt32(ctx.wasm, perChannel(wZero, m)), m, k, 1, 1, wFlags);
    ctx.wasm.reset(mark);
    return {
      kernel: 'qs8_conv2d_m4k2',
      scratchBytes: (s) => fn.qs8_conv2d_k2_scratch_bytes(c, kh, kw, s.oh, s.ow),
      weightsAt: (c0) => packed + (c0 / 4) * fn.qs8_pack_m4tc2_bytes(4, k, 1, 1),
      args: (s, x, y, wp, params, scratch) => [x, y, wp, params, scratch, s.n, s.c, s.h, s.w, s.m, s.kh, s.kw, s.sh, s.sw, s.dh, s.dw, s.pt, s.pl, s.oh, s.ow],
    };
  }
  const packed = ctx.wasm.alloc(fn.qs8_pack_m4tc2_bytes(m, cg, taps, g.group), 16);
  const mark = ctx.wasm.mark();
  fn.qs8_pack_m4tc2__mct(packed, uploadBytes(ctx.wasm, weight), uploadInt32(ctx.wasm, perChannel(wZero, m)), m, cg, taps, g.group, wFlags);
  ctx.wasm.reset(mark);
  return {
    kernel: 'qs8_conv2d_m4tc2',
    scratchBytes: (s) => fn.qs8_conv2d_scratch_bytes(cg, s.h, s.w, s.kh, s.kw, s.sh, s.sw, s.dh, s.dw, s.pt, s.pl, s.oh, s.ow),
    // Layout m4tc2 of one group (channel shares are only cut for one group): blocks of 4 output channels.
    weightsAt: (c0) => packed + (c0 / 4) * fn.qs8_pack_m4tc2_bytes(4, cg, taps, 1),
    args: (s, x, y, wp, params, scratch) =>
      [x, y, wp, params, scratch, s.n, s.c, s.h, s.w, s.m, s.group, s.kh, s.kw, s.sh, s.sw, s.dh, s.dw, s.pt, s.pl, s.oh, s.ow],
  };
}

/**
 * The prepared kernel and its partition: batch rows (int8: one byte per element), or one sample's output channels in
 * blocks of 4 (depthwise: channels, input included), each block reading its own QOut block. A grouped Conv of one
 * sample is not cut.
 */
function sharedKernel(ctx: WasmKernelContext, g: QConvGeometry, impl: QConvImpl, params: number, depthwise: boolean): PreparedKernel {
  const byChannels = g.n === 1 && (g.group === 1 || depthwise);
  const units = g.n > 1 ? g.n : byChannels ? Math.ceil(g.m / 4) : 1;
  const shareParams = byChannels && units > 1 ? uploadQOutShares(ctx.wasm, params, g.m, 4) : params;
  const argsOf = (x: number, y: number, scratch: number, begin: number, end: number): number[] => {
    if (begin === 0 && end === units) return impl.args(g, x, y, impl.weightsAt(0), params, scratch);
    if (!byChannels) {
      const s = { ...g, n: end - begin };
      return impl.args(s, x + begin * g.c * g.h * g.w, y + begin * g.m * g.oh * g.ow, impl.weightsAt(0), params, scratch);
    }
    const c0 = begin * 4;
    const count = Math.min(g.m, end * 4) - c0;
    const s = depthwise ? { ...g, c: count, m: count, group: count } : { ...g, m: count };
    return impl.args(s, depthwise ? x + c0 * g.h * g.w : x, y + c0 * g.oh * g.ow, impl.weightsAt(c0), shareParams + begin * QOUT_BYTES, scratch);
  };
  const macs = g.n * g.m * g.oh * g.ow * (g.c / g.group) * g.kh * g.kw;
  return {
    name: `${impl.kernel}__${ctx.wasm.variant}`,
    scratchBytes: impl.scratchBytes(g),
    run: cachedCall(ctx.wasm.fn[impl.kernel] as (...a: number[]) => unknown, (inp, out, scratch) => argsOf(inp[0]!, out[0]!, scratch, 0, units)),
    partition: units > 1 ? {
      kernel: impl.kernel,
      units,
      macs,
      args: (inp, out, scratch, begin, end) => argsOf(inp[0]!, out[0]!, scratch, begin, end),
    } : undefined,
  };
}
