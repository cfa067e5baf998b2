// Conv / FusedConv on the WebAssembly kernels: 2-D float32 NCHW, weights packed once at load, activation fused.
// The implementation is the first entry of CONV_IMPLS that applies to the node's geometry.

import { attrInt } from '../../../ir/attrs.js';
import { windowGeometry } from '../../../kernels/ref/conv-geometry.js';
import type { KernelName } from '../../../kernels/wasm/kernel-functions.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { PreparedKernel, WasmKernelContext, WasmKernels } from '../kernel-def.js';
import type { Activation } from '../../../kernels/wasm/codes.js';
import { cachedCall, f32Dims, fusedActivation, upload, uploadTensor } from './common.js';

/** Everything a Conv kernel takes besides pointers. */
export interface ConvGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  m: number;
  /** Output channels the weights were packed for (m of a thread's share is fewer). */
  mPacked: number;
  group: number;
  /** Input channels per group. */
  cg: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  /** Top and left pads (bottom/right follow from oh/ow). */
  pt: number;
  pl: number;
  oh: number;
  ow: number;
}

/** Where a Conv reads and writes: byte offsets in wasm memory (bias 0: none). */
interface ConvPointers {
  x: number;
  y: number;
  weights: number;
  bias: number;
  scratch: number;
}

interface ConvImpl {
  kernel: KernelName;
  /** Whether this implementation takes the geometry (and is the right choice for it) in this build. */
  applies(g: ConvGeometry, simd: boolean): boolean;
  /** Copies (and packs) the weights [M, C/G, kh, kw] into wasm memory; returns their offset. */
  pack(wasm: WasmKernels, weight: Float32Array, g: ConvGeometry): number;
  scratchBytes(wasm: WasmKernels, g: ConvGeometry): number;
  /** Offset of output channel `m0` (a multiple of 4) in the packed weights, for a thread's share of the channels. */
  weightsAt(g: ConvGeometry, packed: number, m0: number): number;
  /** The kernel's arguments; `g` may be narrowed to a share of the batch or of the channels (see convShare). */
  args(g: ConvGeometry, p: ConvPointers, act: Activation): number[];
}

/** Weights in layout gm4 (the GEMM-based kernels); the unpacked copy is freed right after packing. */
function packGm4(wasm: WasmKernels, weight: Float32Array, g: ConvGeometry): number {
  const k = g.cg * g.kh * g.kw;
  const packed = wasm.alloc(wasm.fn.f32_pack_gm4_bytes(g.m, k, g.group), 16);
  const mark = wasm.mark();
  wasm.fn.f32_pack_gm4__mk(packed, upload(wasm, weight), g.m, k, g.group);
  wasm.reset(mark);
  return packed;
}

/** Layout gm4 of one group: panels of 4 output channels, K floats each. */
const gm4At = (g: ConvGeometry, packed: number, m0: number) => packed + (m0 / 4) * g.cg * g.kh * g.kw * 16;

/** Unpacked depthwise weights [C, kh * kw]. */
const rawAt = (g: ConvGeometry, packed: number, c0: number) => packed + c0 * g.kh * g.kw * 4;

/** The arguments of the GEMM-based kernels (f32_conv2d_4x8, f32_conv2d_direct_4x8). */
const gemmConvArgs = (g: ConvGeometry, p: ConvPointers, a: Activation) => [
  p.x, p.y, p.weights, p.bias, p.scratch, g.n, g.c, g.h, g.w, g.m, g.group, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.oh, g.ow, a.code, a.p0, a.p1,
];

/** The arguments of the depthwise kernels with a general window (f32_dwconv2d_c4, f32_dwconv2d_x8). */
const depthwiseArgs = (g: ConvGeometry, p: ConvPointers, a: Activation) => [
  p.x, p.y, p.weights, p.bias, p.scratch, g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.oh, g.ow, a.code, a.p0, a.p1,
];

const isDepthwise = (g: ConvGeometry) => g.group === g.c && g.group === g.m && g.cg === 1;

// Measured with `npx tsx scripts/bench-gemm.ts` (wasmsimd): Winograd wins from 8 input channels (ResNet-8's 3x3
// layers: 2.0-2.7x the im2col kernel); the direct kernel wins on every other geometry with rows of >= 8 pixels.
const WINOGRAD_MIN_CHANNELS = 8;

// Other depthwise layers with rows narrower than this run on f32_dwconv2d_c4 (4 channels per vector): measured
// 1.1-3x f32_dwconv2d_x8 on 7x7, 6x6 and 3x3 maps, even at 14x14, slower on wider rows.
const DEPTHWISE_C4_MAX_WIDTH = 12;

/** MobileNet's and DS-CNN's depthwise layers: 3x3, stride 1 or 2, pads of at most 1, rows of >= 5 outputs. */
function isDepthwise3x3(g: ConvGeometry): boolean {
  const s = g.sh;
  const padBottom = (g.oh - 1) * s + 3 - g.pt - g.h;
  const padRight = (g.ow - 1) * s + 3 - g.pl - g.w;
  return (
    isDepthwise(g) && g.kh === 3 && g.kw === 3 && g.dh === 1 && g.dw === 1 && (s === 1 || s === 2) && g.sw === s &&
    Math.max(g.pt, g.pl, padBottom, padRight) <= 1 && g.ow >= 5 && (s === 1 || g.w >= 8)
  );
}

const CONV_IMPLS: ConvImpl[] = [
  {
    // Measured 1.2-1.7x f32_dwconv2d_x8 on MobileNet's layers (no padded copy, edges by shuffles).
    kernel: 'f32_dwconv2d_3x3_x4',
    applies: (g, simd) => simd && isDepthwise3x3(g),
    pack: (wasm, weight) => upload(wasm, weight),
    scratchBytes: (wasm, g) => wasm.fn.f32_dwconv2d_3x3_scratch_bytes(g.w),
    weightsAt: rawAt,
    args: (g, p, a) => [p.x, p.y, p.weights, p.bias, p.scratch, g.n, g.c, g.h, g.w, g.sh, g.pt, g.pl, g.oh, g.ow, a.code, a.p0, a.p1],
  },
  {
    kernel: 'f32_dwconv2d_c4',
    applies: (g, simd) => simd && isDepthwise(g) && g.ow < DEPTHWISE_C4_MAX_WIDTH,
    pack: (wasm, weight, g) => {
      const packed = wasm.alloc(wasm.fn.f32_pack_dw_c4_bytes(g.c, g.kh, g.kw), 16);
      const mark = wasm.mark();
      wasm.fn.f32_pack_dw_c4__ck(packed, upload(wasm, weight), g.c, g.kh, g.kw);
      wasm.reset(mark);
      return packed;
    },
    scratchBytes: (wasm, g) => wasm.fn.f32_dwconv2d_c4_scratch_bytes(g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.oh, g.ow),
    // Layout c4: [ceil(C/4)][kh * kw][4].
    weightsAt: (g, packed, c0) => packed + (c0 / 4) * g.kh * g.kw * 16,
    args: depthwiseArgs,
  },
  {
    kernel: 'f32_dwconv2d_x8',
    applies: isDepthwise,
    pack: (wasm, weight) => upload(wasm, weight),
    scratchBytes: (wasm, g) => wasm.fn.f32_dwconv2d_scratch_bytes(g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.oh, g.ow),
    weightsAt: rawAt,
    args: depthwiseArgs,
  },
  {
    kernel: 'f32_conv3x3_wino2x2_4x8',
    applies: (g, simd) =>
      simd && g.group === 1 && g.kh === 3 && g.kw === 3 && g.sh === 1 && g.sw === 1 && g.dh === 1 && g.dw === 1 && g.c >= WINOGRAD_MIN_CHANNELS,
    pack: (wasm, weight, g) => {
      const packed = wasm.alloc(wasm.fn.f32_pack_wino2x2_bytes(g.m, g.c), 16);
      const mark = wasm.mark();
      wasm.fn.f32_pack_wino2x2__mk(packed, upload(wasm, weight), g.m, g.c);
      wasm.reset(mark);
      return packed;
    },
    scratchBytes: (wasm, g) => wasm.fn.f32_conv3x3_wino2x2_scratch_bytes(g.c, g.m, g.oh, g.ow),
    // Layout wino2x2: [16][ceil(M/4)][C][4]; the kernel steps over the 16 with the packed channel count.
    weightsAt: (g, packed, m0) => packed + (m0 / 4) * g.c * 16,
    args: (g, p, a) => [p.x, p.y, p.weights, p.bias, p.scratch, g.n, g.c, g.h, g.w, g.m, g.mPacked, g.pt, g.pl, g.oh, g.ow, a.code, a.p0, a.p1],
  },
  {
    // Rows of at least 8 pixels, kernels larger than 1x1 (im2col of a 1x1 Conv is a plain copy of what it reads).
    kernel: 'f32_conv2d_direct_4x8',
    applies: (g, simd) => simd && g.ow >= 8 && g.kh * g.kw > 1,
    pack: packGm4,
    scratchBytes: (wasm, g) => wasm.fn.f32_conv2d_direct_scratch_bytes(g.cg, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.oh, g.ow),
    weightsAt: gm4At,
    args: gemmConvArgs,
  },
  {
    kernel: 'f32_conv2d_4x8',
    applies: () => true,
    pack: packGm4,
    scratchBytes: (wasm, g) => wasm.fn.f32_conv2d_scratch_bytes(g.cg, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.oh, g.ow),
    weightsAt: gm4At,
    args: gemmConvArgs,
  },
];

/** The Conv implementation the wasm backend runs for this geometry in a build with or without SIMD. */
export function chooseConvKernel(g: ConvGeometry, simd: boolean): KernelName {
  return CONV_IMPLS.find((impl) => impl.applies(g, simd))!.kernel;
}

export function prepareConv(ctx: WasmKernelContext): PreparedKernel | undefined {
  const x = f32Dims(ctx.inputs[0]);
  const y = f32Dims(ctx.outputs[0]);
  const weight = ctx.constant(1);
  const biasInput = ctx.node.inputs[2] ? ctx.constant(2) : undefined;
  const act = fusedActivation(ctx.node);
  if (!x || !y || x.length !== 4 || !weight || weight.type !== 'float32' || weight.dims.length !== 4 || !act) return undefined;
  if (ctx.node.inputs[2] && !biasInput) return undefined;
  const g = convGeometry(ctx, x, y, weight);
  const impl = CONV_IMPLS.find((i) => i.applies(g, ctx.wasm.variant !== 'scalar'))!;
  const wasm = ctx.wasm;
  const bias = uploadTensor(wasm, biasInput);
  // The packing depends on the weights only: plans of other shapes that choose this kernel share it.
  const weights = ctx.once(`pack:${impl.kernel}`, (owner) => impl.pack(owner, weight.toFloat32(), g));
  const share = convShare(g);
  const argsOf = (input: number, output: number, scratch: number, begin: number, end: number) => {
    const s = share.of(begin, end);
    const p = { x: input + s.x, y: output + s.y, weights: impl.weightsAt(g, weights, s.channel0), bias: bias && bias + s.channel0 * 4, scratch };
    return impl.args(s.g, p, act);
  };
  return {
    name: wasm.kernelName(impl.kernel),
    scratchBytes: impl.scratchBytes(wasm, g),
    run: cachedCall(wasm.fn[impl.kernel] as (...a: number[]) => unknown, (inp, out, scratch) => argsOf(inp[0]!, out[0]!, scratch, 0, share.units)),
    partition: share.units > 1 ? {
      kernel: impl.kernel,
      units: share.units,
      macs: convMacs(g),
      args: (inp, out, scratch, begin, end) => argsOf(inp[0]!, out[0]!, scratch, begin, end),
      scratchBytes: (begin, end) => impl.scratchBytes(wasm, share.of(begin, end).g),
    } : undefined,
  };
}

/**
 * How a Conv's work is cut across threads: a batch into rows of samples, one sample into blocks of 4 output
 * channels (the weight layouts' panels; for depthwise, blocks of 4 channels), so that a share is the same
 * kernel on a narrowed geometry at advanced offsets. A grouped (not depthwise) Conv of one sample is not cut.
 */
function convShare(g: ConvGeometry): { units: number; of(begin: number, end: number): { g: ConvGeometry; x: number; y: number; channel0: number } } {
  const all = { g, x: 0, y: 0, channel0: 0 };
  if (g.n > 1) {
    return {
      units: g.n,
      of: (begin, end) => (begin === 0 && end === g.n ? all : { g: { ...g, n: end - begin }, x: begin * g.c * g.h * g.w * 4, y: begin * g.m * g.oh * g.ow * 4, channel0: 0 }),
    };
  }
  const depthwise = isDepthwise(g);
  if (g.group !== 1 && !depthwise) return { units: 1, of: () => all };
  const blocks = Math.ceil(g.m / 4);
  return {
    units: blocks,
    of: (begin, end) => {
      if (begin === 0 && end === blocks) return all;
      const c0 = begin * 4;
      const count = Math.min(g.m, end * 4) - c0;
      const narrowed = depthwise ? { ...g, c: count, m: count, group: count } : { ...g, m: count };
      return { g: narrowed, x: depthwise ? c0 * g.h * g.w * 4 : 0, y: c0 * g.oh * g.ow * 4, channel0: c0 };
    },
  };
}

const convMacs = (g: ConvGeometry) => g.n * g.m * g.oh * g.ow * g.cg * g.kh * g.kw;

function convGeometry(ctx: WasmKernelContext, x: number[], y: number[], weight: Tensor): ConvGeometry {
  const [n, c, h, w] = x as [number, number, number, number];
  const [m, cg, kh, kw] = weight.dims as [number, number, number, number];
  const geo = windowGeometry(ctx, 'conv', [h, w], [kh, kw]);
  const [sh, sw] = geo.strides as [number, number];
  const [dh, dw] = geo.dilations as [number, number];
  const [pt, pl] = geo.padsBegin as [number, number];
  return { n, c, h, w, m, mPacked: m, group: attrInt(ctx.node, 'group', 1), cg, kh, kw, sh, sw, dh, dw, pt, pl, oh: y[2]!, ow: y[3]! };
}
